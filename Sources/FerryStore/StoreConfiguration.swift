import FerryCore
import FerryYAML
import Foundation

/// How a values back-end is configured: ZenML's `SecretsStoreConfiguration` shape
/// (`type`, optional `class_path`, and the type's own fields), as found in a configuration
/// file or in `FERRY_SECRETS_STORE_*` / `FERRY_BACKUP_SECRETS_STORE_*` variables.
///
/// ZenML 0.98.0 `src/zenml/config/secrets_store_config.py` and
/// `src/zenml/config/global_config.py` (`get_store_configuration`): when the `…_TYPE` variable
/// is set the variables replace the file's block, otherwise they are merged into it.
public struct BackendConfiguration: Sendable, Equatable, CustomStringConvertible {
    /// `sql`, `aws`, `gcp`, `azure`, `hashicorp`, `custom`, or `none`.
    public var type: String
    /// The type's fields (`encryption_key`, `region_name`, …); values may be secret.
    public var fields: [String: String]

    public init(type: String, fields: [String: String] = [:]) {
        self.type = type
        self.fields = fields
    }

    /// The SQL back-end's encryption key, if any.
    public var encryptionKey: String? {
        guard let key = fields["encryption_key"], !key.isEmpty else { return nil }
        return key
    }

    /// Field names only: values may be keys or passwords.
    public var description: String {
        "BackendConfiguration(type: \(type), fields: \(fields.keys.sorted()))"
    }
}

/// Everything needed to open the centralized store.
///
/// ```swift
/// let configuration = try StoreConfiguration.resolve(environment: ProcessInfo.processInfo.environment)
/// let store = try SecretStore(configuration: configuration)
/// ```
public struct StoreConfiguration: Sendable, Equatable {
    /// The metadata database (SQLite, WAL).
    public var databasePath: String
    /// Where values live (default: the `sql` back-end inside the metadata database).
    public var secretsStore: BackendConfiguration
    /// An optional second back-end with ZenML's fallback semantics.
    public var backupSecretsStore: BackendConfiguration?

    public init(databasePath: String, secretsStore: BackendConfiguration = BackendConfiguration(type: "sql"),
                backupSecretsStore: BackendConfiguration? = nil)
    {
        self.databasePath = databasePath
        self.secretsStore = secretsStore
        self.backupSecretsStore = backupSecretsStore
    }

    /// Ferry's data directory: `$FERRY_HOME`, else `$XDG_DATA_HOME/ferry`, else `~/.local/share/ferry`.
    public static func dataDirectory(environment: [String: String], home: String? = nil) -> String {
        let home = home ?? ZenMLPaths.home(environment)
        if let ferryHome = environment["FERRY_HOME"], !ferryHome.isEmpty { return ferryHome }
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty { return xdg + "/ferry" }
        return home + "/.local/share/ferry"
    }

    /// The configuration from the environment, an optional `--store` location and an optional
    /// configuration file (default `<data dir>/store.yaml` when it exists).
    ///
    /// `store` is a path to an SQLite file or an `sqlite:///…` URL.
    public static func resolve(environment: [String: String], store: String? = nil,
                               configurationFile: String? = nil) throws -> StoreConfiguration
    {
        let dataDirectory = dataDirectory(environment: environment)
        var databasePath = dataDirectory + "/ferry.db"
        if let store = store ?? environment["FERRY_STORE"], !store.isEmpty {
            databasePath = try Self.databasePath(fromLocation: store)
        }
        var secrets = BackendConfiguration(type: "sql")
        var backup: BackendConfiguration?
        let file = configurationFile ?? dataDirectory + "/store.yaml"
        if let data = try SecureFile.read(file) {
            (secrets, backup) = try parse(data, file: file, secrets: secrets)
        } else if configurationFile != nil {
            throw FerryError(.configuration, code: .configMissing, "The store configuration file '\(file)' does not exist.")
        }
        secrets = try apply(environment: environment, prefix: "FERRY_SECRETS_STORE_", to: secrets) ?? secrets
        backup = try apply(environment: environment, prefix: "FERRY_BACKUP_SECRETS_STORE_", to: backup)
        if backup?.type == "none" { backup = nil }
        return StoreConfiguration(databasePath: databasePath, secretsStore: secrets, backupSecretsStore: backup)
    }

    /// The database path named by a `--store` value.
    public static func databasePath(fromLocation location: String) throws -> String {
        var location = location
        if location.hasPrefix("sqlite:///") {
            // SQLAlchemy's form: sqlite:///relative.db, sqlite:////absolute.db.
            location = String(location.dropFirst("sqlite:///".count))
        } else if location.contains("://") {
            throw FerryError(.unsupported, code: .storeURL,
                             "Store '\(DisplaySafety.redactedURL(location))' is not supported yet: give an SQLite path or an sqlite:/// URL.")
        }
        guard !location.isEmpty else { throw FerryError(.invalidInput, code: .storeURL, "The store location is empty.") }
        let expanded = NSString(string: location).expandingTildeInPath
        return expanded.hasPrefix("/") ? expanded : FileManager.default.currentDirectoryPath + "/" + expanded
    }

    private static func parse(_ data: Data, file: String, secrets: BackendConfiguration) throws
        -> (BackendConfiguration, BackendConfiguration?)
    {
        guard let text = String(data: data, encoding: .utf8) else {
            throw FerryError(.configuration, code: .configNotUTF8, "'\(file)' is not UTF-8 text.")
        }
        guard let node = try SafeYAML.compose(text, source: "'\(file)'"), !SafeYAML.isNull(node) else {
            return (secrets, nil)
        }
        guard let mapping = node.mapping else {
            throw FerryError(.configuration, code: .configShape, "'\(file)' must be a mapping with `secrets_store` and `backup_secrets_store`.")
        }
        var result = secrets
        var backup: BackendConfiguration?
        for (keyNode, valueNode) in mapping {
            let key = keyNode.scalar?.string ?? ""
            switch key {
            case "secrets_store": result = try block(valueNode, name: key, file: file)
            case "backup_secrets_store": backup = try block(valueNode, name: key, file: file)
            default:
                throw FerryError(.configuration, code: .configUnknownField,
                                 "'\(file)' has an unknown field `\(key)` (expected `secrets_store` or `backup_secrets_store`).")
            }
        }
        return (result, backup)
    }

    private static func block(_ node: Node, name: String, file: String) throws -> BackendConfiguration {
        guard let mapping = node.mapping else {
            throw FerryError(.configuration, code: .configShape, "`\(name)` in '\(file)' must be a mapping.")
        }
        var fields: [String: String] = [:]
        for (keyNode, valueNode) in mapping {
            // ZenML's `auth_config` is a mapping; it is kept as the JSON its environment variable holds.
            if keyNode.scalar?.string == "auth_config", let nested = valueNode.mapping {
                var pairs: [(key: String, value: PythonJSON.Value)] = []
                for (innerKey, innerValue) in nested {
                    guard let name = innerKey.scalar?.string, let text = innerValue.scalar?.string else {
                        throw FerryError(.configuration, code: .configShape, "`\(name).auth_config` in '\(file)' must map names to plain values.")
                    }
                    pairs.append((name, .string(text)))
                }
                fields["auth_config"] = PythonJSON.dumps(.object(pairs))
                continue
            }
            guard let key = keyNode.scalar?.string, let value = valueNode.scalar?.string else {
                throw FerryError(.configuration, code: .configShape, "`\(name)` in '\(file)' must map names to plain values.")
            }
            fields[key] = value
        }
        guard let type = fields.removeValue(forKey: "type") else {
            throw FerryError(.configuration, code: .configMissingType, "`\(name)` in '\(file)' has no `type`.")
        }
        return BackendConfiguration(type: type, fields: fields)
    }

    private static func apply(environment: [String: String], prefix: String, to base: BackendConfiguration?) throws
        -> BackendConfiguration?
    {
        // An empty variable counts as unset (as an empty encryption key means none).
        let variables = environment.filter { $0.key.hasPrefix(prefix) && !$0.value.isEmpty }
        guard !variables.isEmpty else { return base }
        var fields: [String: String] = [:]
        for (name, value) in variables { fields[String(name.dropFirst(prefix.count)).lowercased()] = value }
        if let type = fields.removeValue(forKey: "type") {
            return BackendConfiguration(type: type, fields: fields)
        }
        guard var merged = base else {
            throw FerryError(.configuration, code: .configMissingType,
                             "\(prefix)* variables are set but \(prefix)TYPE is not, and no configuration file names a type.")
        }
        merged.fields.merge(fields) { _, new in new }
        return merged
    }
}

public import FerryCore
import FerryLegacy
import FerryYAML
import Foundation

/// A ZenML installation: its configuration directory, the store `config.yaml` points at, and the
/// stacks and components in that store. Everything is read, nothing is written.
///
/// Eras (`config.yaml` fields, ZenML `src/zenml/config/global_config.py` of each release):
/// - 0.10–0.13: `activated_profile` and `profiles: {<name>: {store_url, store_type, active_stack}}`;
///   a `local` store is the YAML folder `profiles/<name>/`, an `sql` one `profiles/<name>/zenml.db`.
/// - 0.20 and later: `store: {type, url}` (default `local_stores/default_zen_store/zenml.db`) and
///   `active_stack_id`.
///
/// ```swift
/// let installation = try ZenMLInstallation.open(paths: ZenMLPaths(environment: env), environment: env)
/// for manager in installation.secretsManagers() { print(manager.component.name, manager.component.scope) }
/// ```
public struct ZenMLInstallation: Sendable {
    public let paths: ZenMLPaths
    /// `config.yaml`'s `version` (the ZenML that last wrote it), if any.
    public let version: String?
    public let era: StoreEra
    /// The store that was read (a folder or a database file).
    public let storeLocation: String
    /// The profile (0.1x) whose store was read.
    public let profile: String?
    public let components: [StackComponentRecord]
    public let stacks: [StackRecord]
    /// The active stack: the repository's (`.zen/config.yaml`) if a repository is given, else the global one.
    public let activeStack: StackRecord?
    /// Secrets of ZenML's centralized store (0.34–0.52 `secret` table), when the store has them.
    public let centralizedSecrets: [CentralizedSecret]

    /// Components whose configuration could not be read, each naming the component and the file.
    public var problems: [String] { components.compactMap(\.problem) }

    /// A secret of ZenML's own centralized store.
    public struct CentralizedSecret: Sendable {
        public let name: String
        /// `user` or `workspace` (0.34–0.79), nil when the table has no scope column.
        public let scope: String?
        public let values: Result<SecretValues, FerryError>
    }

    /// Opens the installation of `paths.configDirectory`. `profile` chooses a 0.1x profile (default:
    /// the activated one); `repository` is a folder whose `.zen/config.yaml` may name another active stack.
    public static func open(paths: ZenMLPaths, environment: [String: String] = [:], profile: String? = nil,
                            repository: String? = nil) throws -> ZenMLInstallation
    {
        let configFile = paths.configDirectory + "/config.yaml"
        guard FileManager.default.fileExists(atPath: paths.configDirectory) else {
            throw FerryError(.notFound, code: .noConfigDir,
                             "No ZenML configuration directory at '\(paths.configDirectory)' (set ZENML_CONFIG_PATH or pass --config-dir).")
        }
        if !FileManager.default.fileExists(atPath: configFile), (environment["ZENML_STORE_URL"] ?? "").isEmpty {
            throw FerryError(.notFound, code: .noConfigFile,
                             "No config.yaml in '\(paths.configDirectory)': is this ZenML's configuration directory? (set ZENML_CONFIG_PATH or pass --config-dir)")
        }
        let config = try readYAMLMapping(configFile, required: false)
        func text(_ key: String) -> String? {
            guard let value = config.first(where: { $0.key == key })?.value else { return nil }
            if case .string(let string) = value { return string.isEmpty ? nil : string }
            return value.text
        }
        let version = text("version")
        let repositoryConfig = try repository.map { try readYAMLMapping($0 + "/.zen/config.yaml", required: false) } ?? []
        func repositoryText(_ key: String) -> String? {
            repositoryConfig.first(where: { $0.key == key })?.value.text.flatMap { $0.isEmpty ? nil : $0 }
        }

        // 0.10–0.13: profiles.
        if case .object(let profiles)? = config.first(where: { $0.key == "profiles" })?.value {
            let chosen = profile ?? repositoryText("active_profile_name") ?? text("activated_profile") ?? "default"
            guard case .object(let settings)? = profiles.first(where: { $0.key == chosen })?.value else {
                throw FerryError(.notFound, code: .noProfile,
                                 "'\(configFile)' has no profile `\(chosen)` (profiles: \(profiles.map(\.key).joined(separator: ", "))).")
            }
            let storeType = settings.first(where: { $0.key == "store_type" })?.value.text ?? "local"
            let storeURL = settings.first(where: { $0.key == "store_url" })?.value.text
            let activeName = repositoryText("active_stack_name") ?? settings.first(where: { $0.key == "active_stack" })?.value.text
            let profileDirectory = paths.configDirectory + "/profiles/" + chosen
            let store: StoreContents
            let location: String
            switch storeType {
            case "local":
                location = paths.reroot(storeURL.map(Self.localPath) ?? profileDirectory)
                store = try YAMLStoreReader.read(directory: location)
            case "sql":
                location = paths.reroot(try storeURL.map(Self.sqlitePath) ?? (profileDirectory + "/zenml.db"))
                store = try SQLStoreReader.read(path: location, environment: environment)
            default:
                throw FerryError(.unsupported, code: .storeType,
                                 "Profile `\(chosen)` of '\(configFile)' uses a `\(storeType)` store; Ferry reads `local` and `sql` profiles.")
            }
            let active = activeName.flatMap { name in store.stacks.first { $0.name == name } }
            return ZenMLInstallation(paths: paths, version: version, era: store.era, storeLocation: location, profile: chosen,
                                     components: store.components, stacks: store.stacks, activeStack: active,
                                     centralizedSecrets: store.secrets)
        }

        // 0.20 and later: one store.
        var storeType = "sql"
        var storeURL: String?
        if case .object(let store)? = config.first(where: { $0.key == "store" })?.value {
            storeType = store.first(where: { $0.key == "type" })?.value.text ?? "sql"
            storeURL = store.first(where: { $0.key == "url" })?.value.text
        } else if let store = config.first(where: { $0.key == "store" })?.value, store != .null {
            throw FerryError(.configuration, code: .configShape,
                             "`store` in '\(configFile)' must be a mapping with `type` and `url`.")
        }
        if let url = environment["ZENML_STORE_URL"], !url.isEmpty { storeURL = url }
        if let type = environment["ZENML_STORE_TYPE"], !type.isEmpty { storeType = type }
        guard storeType == "sql" else {
            throw FerryError(.unsupported, code: .storeType,
                             "'\(configFile)' points at a ZenML server (`\(storeType)` store\(storeURL.map { " \(DisplaySafety.redactedURL($0))" } ?? "")); Ferry reads the server's own configuration directory or database instead.")
        }
        let defaultPath = paths.localStoresDirectory + "/" + ZenMLPaths.defaultStoreDirectoryName + "/zenml.db"
        // A configuration directory that was copied or moved still names its old database path.
        let path = paths.reroot(try storeURL.map(Self.sqlitePath) ?? defaultPath)
        guard FileManager.default.fileExists(atPath: path) else {
            throw FerryError(.notFound, code: .noDatabase, "The ZenML database '\(path)' that '\(configFile)' names does not exist.")
        }
        let store = try SQLStoreReader.read(path: path, environment: environment)
        // ZenML 0.53.0's migration deleted every secrets-manager component (`1041bc644e0d`).
        var era = store.era
        if era == .sql030, !store.components.contains(where: { $0.type == "secrets_manager" }),
           let version, version.split(separator: ".").compactMap({ Int($0) }).lexicographicallyPrecedes([0, 53]) == false
        {
            era = .sql053
        }
        let activeID = (repositoryText("active_stack_id") ?? text("active_stack_id")).flatMap(UUID.init(flexible:))
        let active = activeID.flatMap { id in store.stacks.first { $0.id == id } }
        return ZenMLInstallation(paths: paths, version: version, era: era, storeLocation: path, profile: nil,
                                 components: store.components, stacks: store.stacks, activeStack: active, centralizedSecrets: store.secrets)
    }

    /// An installation with no store (for resolving an export file without one).
    public static func empty(paths: ZenMLPaths, version: String?) -> ZenMLInstallation {
        ZenMLInstallation(paths: paths, version: version, era: .sql030, storeLocation: "(no installation)", profile: nil, components: [],
                          stacks: [], activeStack: nil, centralizedSecrets: [])
    }

    /// `file:///path` or a plain path.
    static func localPath(_ url: String) -> String {
        url.hasPrefix("file://") ? String(url.dropFirst("file://".count)) : url
    }

    /// `sqlite:///relative`, `sqlite:////absolute` (SQLAlchemy's form); other databases are refused.
    static func sqlitePath(_ url: String) throws -> String {
        guard url.hasPrefix("sqlite:///") else {
            throw FerryError(.unsupported, code: .storeURL,
                             "The ZenML store '\(DisplaySafety.redactedURL(url))' is not an SQLite database; Ferry reads SQLite stores (sqlite:///…).")
        }
        // `sqlite:////abs` leaves `/abs`; a query (`?mode=ro`) is not part of the path.
        return String(url.dropFirst("sqlite:///".count).split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    }

    /// A YAML file's top-level mapping (empty when the file is absent and not `required`).
    static func readYAMLMapping(_ path: String, required: Bool) throws -> [(key: String, value: PythonJSON.Value)] {
        guard let data = FileManager.default.contents(atPath: path) else {
            if required || FileManager.default.fileExists(atPath: path) {
                throw FerryError(.io, code: .unreadableFile, "Cannot read '\(path)'.")
            }
            return []
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw FerryError(.corruptData, code: .notUTF8, "'\(path)' is not UTF-8 text.")
        }
        guard let node = try SafeYAML.compose(text, source: "'\(path)'"), !SafeYAML.isNull(node) else { return [] }
        guard case .object(let pairs) = SafeYAML.value(node) else {
            throw FerryError(.corruptData, code: .configShape, "'\(path)' is not a YAML mapping.")
        }
        return pairs
    }

    // MARK: - Secrets managers

    /// Every secrets manager: the store's components (scope after ZenML's defaults), then local
    /// secrets folders no component claims (orphans, as ZenML ≥ 0.53 leaves them).
    public func secretsManagers() -> [DiscoveredSecretsManager] {
        var result: [DiscoveredSecretsManager] = []
        var claimed = Set<UUID>()
        for record in components where record.type == "secrets_manager" && record.problem == nil {
            let (component, isDefault) = SecretsManagerMapping.component(record, era: era, paths: paths)
            if let id = record.id { claimed.insert(id) }
            let using = stacks.filter { $0.secretsManager.map { $0.id == record.id && $0.name == record.name } ?? false }.map(\.name)
            result.append(DiscoveredSecretsManager(component: component, scopeIsDefault: isDefault, stacks: using, orphaned: false,
                                                   source: record.source))
        }
        for component in (try? LocalDiscovery.components(in: paths)) ?? [] where !claimed.contains(component.id) {
            result.append(DiscoveredSecretsManager(component: component, scopeIsDefault: true, stacks: [], orphaned: true,
                                                   source: paths.localStoresDirectory + "/" + component.id.uuidString.lowercased()))
        }
        return result
    }

    /// A secrets manager by name, id or id prefix.
    public func secretsManager(_ nameOrID: String) throws -> DiscoveredSecretsManager {
        let all = secretsManagers()
        if let exact = all.first(where: { $0.component.name == nameOrID }) { return exact }
        let lowered = nameOrID.lowercased().replacingOccurrences(of: "-", with: "")
        let matches = all.filter { $0.component.id.uuidString.lowercased().replacingOccurrences(of: "-", with: "").hasPrefix(lowered) }
        if matches.count == 1, !lowered.isEmpty { return matches[0] }
        if matches.count > 1 {
            throw FerryError(.invalidInput, code: .ambiguousSecretsManager,
                             "More than one secrets manager matches `\(nameOrID)`: \(matches.map(\.component.name).joined(separator: ", ")).")
        }
        throw FerryError(.notFound, code: .secretsManagerNotFound,
                         "No secrets manager `\(nameOrID)` in \(storeLocation) (known: \(all.map(\.component.name).joined(separator: ", "))).")
    }

    /// A stack by name, id or id prefix; nil gives the active stack.
    public func stack(_ nameOrID: String?) throws -> StackRecord {
        guard let nameOrID else {
            guard let activeStack else {
                throw FerryError(.notFound, code: .noActiveStack, "No active stack is set in \(paths.configDirectory); name a stack.")
            }
            return activeStack
        }
        if let exact = stacks.first(where: { $0.name == nameOrID }) { return exact }
        let lowered = nameOrID.lowercased().replacingOccurrences(of: "-", with: "")
        let matches = stacks.filter { !lowered.isEmpty && $0.idText.replacingOccurrences(of: "-", with: "").hasPrefix(lowered) }
        if matches.count == 1 { return matches[0] }
        throw FerryError(.notFound, code: .stackNotFound,
                         "No stack `\(nameOrID)` in \(storeLocation) (stacks: \(stacks.map(\.name).joined(separator: ", "))).")
    }
}

/// What a store reader found.
struct StoreContents {
    let era: StoreEra
    let components: [StackComponentRecord]
    let stacks: [StackRecord]
    let secrets: [ZenMLInstallation.CentralizedSecret]
}

/// From a stored component to the flavor's view, with ZenML's scope defaults.
enum SecretsManagerMapping {
    /// Flavors whose config class has `SUPPORTS_SCOPING = True` (ZenML 0.52.0 `*_secrets_manager_flavor.py`).
    static let scopingFlavors: Set<String> = ["aws", "gcp", "azure", "vault"]

    /// The flavor fields Ferry's managers read, as strings.
    static let fields = ["secrets_file", "region_name", "project_id", "key_vault_name", "url", "token", "mount_point", "cert",
                         "verify", "owner", "repository"]

    /// `BaseSecretsManagerConfig.scope_initializer`: a stored scope wins; no stored scope means
    /// `none` for flavors without scoping and `component` for the others (ZenML 0.20.5–0.52.0). In
    /// ZenML 0.12–0.13 (`base_secrets_manager.py@0.13.2`) a scoping flavor without a stored scope
    /// but with a stored `uuid`, written by 0.11 or earlier, kept the unscoped layout: `none`.
    static func component(_ record: StackComponentRecord, era: StoreEra, paths: ZenMLPaths) -> (LegacyComponent, Bool) {
        var configuration: [String: String] = [:]
        for name in fields {
            if let value = record.field(name), value != .null { configuration[name] = value.pythonString }
        }
        if let file = configuration["secrets_file"], !file.isEmpty { configuration["secrets_file"] = paths.reroot(file) }
        let stored = record.field("scope")?.text.flatMap(LegacyScope.init(rawValue:))
        let scope: LegacyScope
        if let stored {
            scope = stored
        } else if (era == .yaml01x || era == .sql01x) && record.id != nil {
            scope = .none
        } else {
            scope = scopingFlavors.contains(record.flavor) ? .component : .none
        }
        let namespace = record.field("namespace")?.text
        let id = record.id ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        return (LegacyComponent(id: id, name: record.name, flavor: record.flavor, scope: scope, namespace: namespace,
                                configuration: configuration), stored == nil)
    }
}

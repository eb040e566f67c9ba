public import FerryCore
import Foundation
import FerryYAML

/// The `local` flavor: every secret of one component in one YAML file of base64 values.
///
/// Layout (ZenML 0.52.0 `src/zenml/secrets_managers/local/local_secrets_manager.py`,
/// `src/zenml/secrets_managers/utils.py`, `src/zenml/utils/yaml_utils.py`): the file is
/// `secrets_file` from the component configuration when set, else
/// `<local stores>/<component-uuid>/secrets.yaml`; it maps each secret name to a map of
/// base64(UTF-8 value) per key plus a plain `zenml_schema_name`, dumped by PyYAML with sorted
/// keys. The flavor is never scoped.
///
/// Unlike ZenML, Ferry never creates the file just to read it, writes under a folder lock with a
/// temporary file and a rename, and writes mode 0600.
///
/// ```swift
/// let manager = LocalSecretsManager(component: component, paths: ZenMLPaths(environment: env))
/// let secret = try await manager.getSecret(named: "db")
/// ```
public struct LocalSecretsManager: LegacySecretsManager {
    public let component: LegacyComponent
    /// The secrets file this manager reads and writes.
    public let secretsFile: String

    /// The schema key ZenML adds to every stored secret (`ZENML_SCHEMA_NAME`).
    public static let schemaKey = "zenml_schema_name"

    /// A manager for `component`; `secrets_file` in its configuration overrides the default path.
    public init(component: LegacyComponent, paths: ZenMLPaths) {
        self.component = component
        if let file = component.configuration["secrets_file"], !file.isEmpty {
            secretsFile = file
        } else {
            secretsFile = paths.defaultLocalSecretsFile(componentID: component.id)
        }
    }

    /// A manager for an explicit secrets file.
    public init(component: LegacyComponent, secretsFile: String) {
        self.component = component
        self.secretsFile = secretsFile
    }

    public var location: String { secretsFile }

    public func registerSecret(_ secret: LegacySecret) async throws {
        try modify { secrets in
            guard secrets[ScalarKey(secret.name)] == nil else {
                throw FerryError(.alreadyExists, code: .secretExists, "Secret `\(secret.name)` already exists.")
            }
            secrets[ScalarKey(secret.name)] = Self.encode(secret)
        }
    }

    public func getSecret(named name: String) async throws -> LegacySecret {
        let secrets = try load()
        guard let entry = secrets[ScalarKey(name)] else {
            throw FerryError(.notFound, code: .secretNotFound, "Secret `\(name)` does not exists.")
        }
        return try decode(name: name, entry: entry)
    }

    public func secretNames() async throws -> [String] {
        try loadDocument().map(\.name)
    }

    public func updateSecret(_ secret: LegacySecret) async throws {
        try modify { secrets in
            guard secrets[ScalarKey(secret.name)] != nil else {
                throw FerryError(.notFound, code: .secretNotFound, "Secret `\(secret.name)` did not exist.")
            }
            secrets[ScalarKey(secret.name)] = Self.encode(secret)
        }
    }

    public func deleteSecret(named name: String) async throws {
        try modify { secrets in
            guard secrets.removeValue(forKey: ScalarKey(name)) != nil else {
                throw FerryError(.notFound, code: .secretNotFound, "Secret `\(name)` does not exists.")
            }
        }
    }

    /// One rewrite of the file for all of `names`.
    public func deleteSecrets(named names: [String]) async -> [String: FerryError] {
        var failures: [String: FerryError] = [:]
        do {
            try modify { secrets in
                for name in names where secrets.removeValue(forKey: ScalarKey(name)) == nil {
                    failures[name] = FerryError(.notFound, code: .secretNotFound, "Secret `\(name)` does not exists.")
                }
            }
        } catch {
            let failure = error as? FerryError ?? FerryError(.io, "\(error)")
            return Dictionary(names.map { ($0, failure) }, uniquingKeysWith: { first, _ in first })
        }
        return failures
    }

    /// Removes the file, and the temporary copies killed writers left beside it.
    public func deleteAllSecrets() async throws {
        try SecureFile.withLock(onFolderOf: secretsFile) {
            try SecureFile.removeStaleTemporaries(of: secretsFile)
            _ = try SecureFile.remove(secretsFile)
        }
    }

    /// Every secret in the file from one read of it, in file order; a damaged entry carries its error.
    public func readAll() async throws -> [(name: String, result: Result<LegacySecret, FerryError>)] {
        try loadDocument().map { item in
            do {
                return (item.name, .success(try decode(name: item.name, entry: item.entry)))
            } catch let error as FerryError {
                return (item.name, .failure(error))
            }
        }
    }

    // MARK: - File format

    /// One stored secret: its keys to base64 text, plus `zenml_schema_name` (stored in clear).
    typealias Entry = [(key: String, value: String)]

    /// `encode_secret(secret)`: base64 of every value, then `zenml_schema_name`.
    static func encode(_ secret: LegacySecret) -> Entry {
        secret.values.revealedPairs.map { ($0.key, PythonBase64.encode($0.value)) } + [(schemaKey, secret.schemaType)]
    }

    /// `decode_secret_dict`: pops `zenml_schema_name`, base64-decodes the rest as UTF-8.
    func decode(name: String, entry: Entry) throws -> LegacySecret {
        guard let schema = entry.first(where: { $0.key == Self.schemaKey })?.value else {
            throw FerryError(.corruptData, code: .missingSchema,
                             "Secret `\(name)` in '\(secretsFile)' has no `\(Self.schemaKey)` key.")
        }
        var values = SecretValues()
        for (key, encoded) in entry where key != Self.schemaKey {
            guard let value = PythonBase64.decodeUTF8(encoded) else {
                throw FerryError(.corruptData, code: .brokenBase64,
                                 "Key `\(key)` of secret `\(name)` in '\(secretsFile)' is not valid base64 of UTF-8 text.")
            }
            values[key] = value
        }
        // `get_secret` builds the schema class, whose `content` follows the declaration order.
        return LegacySecret(name: name, schemaType: schema, values: SecretSchema.named(schema)?.ordered(values) ?? values)
    }

    /// Secrets by name; names compare as Python compares them (by Unicode scalars).
    private func load() throws -> [ScalarKey: Entry] {
        var result: [ScalarKey: Entry] = [:]
        for item in try loadDocument() { result[ScalarKey(item.name)] = item.entry }
        return result
    }

    /// Parses the secrets file: a mapping of names to mappings of scalars. A missing or empty file is empty.
    func loadDocument() throws -> [(name: String, entry: Entry)] {
        guard let data = try SecureFile.read(secretsFile) else { return [] }
        guard let text = String(data: data, encoding: .utf8) else {
            throw FerryError(.corruptData, code: .notUTF8, "'\(secretsFile)' is not UTF-8 text.")
        }
        guard let node = try SafeYAML.compose(text, source: "'\(secretsFile)'"), !SafeYAML.isNull(node) else { return [] }
        guard let mapping = node.mapping else {
            throw FerryError(.corruptData, code: .notAMap, "'\(secretsFile)' does not hold a mapping of secret names.")
        }
        var result: [(name: String, entry: Entry)] = []
        for (keyNode, valueNode) in mapping {
            guard let name = keyNode.scalar?.string else {
                throw FerryError(.corruptData, code: .badSecretName, "'\(secretsFile)' has a secret name that is not text.")
            }
            guard let inner = valueNode.mapping else {
                throw FerryError(.corruptData, code: .notAMap,
                                 "Secret `\(name)` in '\(secretsFile)' is not a mapping of keys to values.")
            }
            var entry: Entry = []
            for (innerKey, innerValue) in inner {
                guard let key = innerKey.scalar?.string else {
                    throw FerryError(.corruptData, code: .badKey, "Secret `\(name)` in '\(secretsFile)' has a key that is not text.")
                }
                guard let scalar = innerValue.scalar, !SafeYAML.isNull(innerValue) else {
                    throw FerryError(.corruptData, code: .badValue,
                                     "Key `\(key)` of secret `\(name)` in '\(secretsFile)' has no text value.")
                }
                entry.append((key, scalar.string))
            }
            result.append((name, entry))
        }
        return result
    }

    /// Read-modify-write of the whole file under the folder lock; first removes the temporary
    /// copies a killed writer left (no other writer runs while the lock is held).
    private func modify(_ change: (inout [ScalarKey: Entry]) throws -> Void) throws {
        try SecureFile.withLock(onFolderOf: secretsFile) {
            try SecureFile.removeStaleTemporaries(of: secretsFile)
            var secrets = try load()
            try change(&secrets)
            let document = PyYAMLValue.mapping(
                secrets.map { name, entry in
                    (key: name.text, value: PyYAMLValue.mapping(entry.map { (key: $0.key, value: PyYAMLValue.string($0.value)) }))
                })
            try SecureFile.write(Data(PyYAMLEmitter.dump(document).utf8), to: secretsFile)
        }
    }
}

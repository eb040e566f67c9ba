public import FerryCore
public import FerryGCP
import FerryHTTP
import Foundation

/// The `gcp` flavor: Google Cloud Secret Manager in the component's `project_id`.
///
/// Layout (ZenML 0.52.0 `src/zenml/integrations/gcp/secrets_manager/gcp_secrets_manager.py`,
/// the same from 0.20.0; the `none` layout from 0.8.0):
/// - **`none` scope**: one GCP secret per key, id `<name>_<key>`, labels `zenml-group-key: <name>`
///   and `zenml-schema-name: <TYPE>`, the raw UTF-8 value as payload. Listed with the filter
///   `labels.zenml-group-key:*` (or `=<name>`), names from the group label.
/// - **scoped**: one GCP secret per ZenML secret, id `zenml-<scope>[-<uuid>|-<namespace>]-<name>`,
///   ZenML's scope labels (`zenml_scope`, `zenml_secret_name`, …), payload
///   `json.dumps(secret_to_dict(secret))`. Listed with `labels.k=v AND …` (plus `name:<name>`),
///   names from `zenml_secret_name`.
///
/// Ferry sends ZenML's filters and also checks the labels itself, so a server that ignores
/// `filter` (such as drongo) cannot leak other scopes' secrets. Where ZenML's `none`-scope update
/// only added versions (a new key failed with NotFound; a removed key's GCP secret stayed behind
/// and read back), Ferry creates the new keys' secrets and deletes the removed ones, so what ZenML
/// reads afterwards is exactly the update. A key ZenML left behind still reads back, as in ZenML.
public struct GCPLegacySecretsManager: LegacySecretsManager {
    public let component: LegacyComponent
    public let client: GCPSecretManagerClient

    static let groupLabel = "zenml-group-key"
    static let schemaLabel = "zenml-schema-name"
    static let secretNameLabel = "zenml_secret_name"
    static let separator = "-"

    public init(component: LegacyComponent, client: GCPSecretManagerClient) throws {
        if let namespace = component.namespace { try Self.validate(namespace) }
        if component.scope == .namespace && (component.namespace ?? "").isEmpty {
            throw FerryError(.configuration, code: .namespaceRequired, "A `namespace` value is required for a namespace scoped Secrets Manager.")
        }
        self.component = component
        self.client = client
    }

    public var location: String {
        "GCP Secret Manager project `\(client.project)` at \(HTTPOrigin.of(client.endpoint)), \(component.scope.rawValue) scope"
    }

    public func validateSecretName(_ name: String) throws { try Self.validate(name) }

    /// `validate_gcp_secret_name_or_namespace` (ZenML 0.52.0 `gcp_secrets_manager_flavor.py`).
    static func validate(_ name: String) throws {
        try ZenMLSecretDict.checkName(name, maxLength: 63,
                                      rule: "Must contain only lowercase alphanumeric characters and the hyphen (-) and underscore (_) characters.") {
            switch $0 {
            case "a"..."z", "0"..."9", "_", "-": return true
            default: return false
            }
        }
    }

    var scopePath: ScopePath { component.scopePath }
    var unscoped: Bool { component.scope == .none }

    /// Every secret of the project with ZenML's scope labels, grouped by them; `none`-scope
    /// groups (`zenml-group-key`) make one `none` component.
    public func recoverComponents() async throws -> [RecoveredComponent] {
        let scoped = try await client.listSecrets(filter: "labels.zenml_scope:*")
        var result = ComponentRecovery.group(scoped.map { Dictionary($0.labels.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last }) },
                                             base: component, evidence: "labels of GCP secrets in project \(client.project)")
        let unscoped = try await client.listSecrets(filter: "labels.\(Self.groupLabel):*").filter { $0.label(Self.groupLabel) != nil }
        if !unscoped.isEmpty {
            var none = component
            none.name = "none scope"
            none.scope = .none
            none.namespace = nil
            result.insert(RecoveredComponent(component: none, secretCount: unscoped.count,
                                             evidence: "`zenml-group-key` labels in project \(client.project)"), at: 0)
        }
        return result
    }

    static func missing(_ name: String) -> FerryError {
        FerryError(.notFound, code: .secretNotFound, "Can't find the specified secret '\(name)'")
    }

    // MARK: - Listing

    /// `_get_secret_scope_filters(secret_name)`.
    func filter(_ secretName: String?) -> String {
        if unscoped {
            return secretName.map { "labels.\(Self.groupLabel)=\($0)" } ?? "labels.\(Self.groupLabel):*"
        }
        var parts = scopePath.scopeMetadata(secretName: secretName).map { "labels.\($0.key)=\($0.value)" }
        if let secretName { parts.append("name:\(secretName)") }
        return parts.joined(separator: " AND ")
    }

    /// Whether a listed GCP secret is in this scope (and is `secretName`), as the filter says.
    func belongs(_ secret: GCPSecretManagerClient.SecretInfo, _ secretName: String?) -> String? {
        let name: String?
        if unscoped {
            name = secret.label(Self.groupLabel)
        } else {
            for (key, value) in scopePath.scopeMetadata() where secret.label(key) != value { return nil }
            name = secret.label(Self.secretNameLabel)
        }
        guard let name, !name.isEmpty, secretName == nil || name == secretName else { return nil }
        return name
    }

    /// The GCP secrets of this scope (of `secretName` only, when given).
    func listed(_ secretName: String? = nil) async throws -> [(name: String, secret: GCPSecretManagerClient.SecretInfo)] {
        try await client.listSecrets(filter: filter(secretName)).compactMap { secret in
            belongs(secret, secretName).map { ($0, secret) }
        }
    }

    /// `_list_secrets()`: each name once, in listing order.
    func listNames(_ secretName: String? = nil) async throws -> [String] {
        var seen = Set<String>()
        return try await listed(secretName).compactMap { seen.insert($0.name).inserted ? $0.name : nil }
    }

    public func secretNames() async throws -> [String] { try await listNames() }

    // MARK: - Reading

    public func getSecret(named name: String) async throws -> LegacySecret {
        try Self.validate(name)
        if unscoped { return try await readGroup(name, try await listed(name).map(\.secret)) }
        let id = scopePath.scopedName(name, separator: Self.separator)
        let info: GCPSecretManagerClient.SecretInfo
        do {
            info = try await client.getSecret(id: id)
        } catch let error as FerryError where error.kind == .notFound {
            throw Self.missing(name)
        }
        // The scope labels must all be there, or the secret is another scope's.
        for (key, value) in scopePath.scopeMetadata(secretName: name) where info.label(key) != value { throw Self.missing(name) }
        return try await readScoped(name, id: id)
    }

    /// A `none`-scope secret from its per-key GCP secrets: key = id without `<name>_`, schema from
    /// the last secret's `zenml-schema-name` label (ZenML's `get_secret`).
    func readGroup(_ name: String, _ parts: [GCPSecretManagerClient.SecretInfo]) async throws -> LegacySecret {
        guard !parts.isEmpty else { throw Self.missing(name) }
        var values = SecretValues()
        var schema = ""
        for part in parts {
            guard part.id.hasPrefix(name + "_") else {
                throw FerryError(.corruptData, code: .gcpGroupKey,
                                 "GCP secret `\(part.id)` is labelled as part of `\(name)` but its id does not start with `\(name)_`.")
            }
            let data: [UInt8]
            do {
                data = try await client.access(id: part.id)
            } catch let error as FerryError where error.kind == .notFound {
                throw FerryError(.notFound, code: .secretUnreadable, "GCP secret `\(part.id)` (key of `\(name)`) has no readable version.")
            }
            guard let text = String(bytes: data, encoding: .utf8) else {
                throw FerryError(.corruptData, code: .notUTF8, "GCP secret `\(part.id)` (key of `\(name)`) is not UTF-8 text.")
            }
            values[String(part.id.dropFirst(name.count + 1))] = text
            schema = part.label(Self.schemaLabel) ?? ""
        }
        return LegacySecret(name: name, schemaType: schema, values: SecretSchema.named(schema)?.ordered(values) ?? values)
    }

    func readScoped(_ name: String, id: String) async throws -> LegacySecret {
        let data: [UInt8]
        do {
            data = try await client.access(id: id)
        } catch let error as FerryError where error.kind == .notFound {
            throw Self.missing(name)
        }
        guard let text = String(bytes: data, encoding: .utf8), case .object(let pairs)? = try? PythonJSON.parse(text) else {
            throw FerryError(.corruptData, code: .notAMap, "The value of GCP secret `\(id)` is not a JSON object of keys and values.")
        }
        return try ZenMLSecretDict.decode(name: name, pairs: pairs, source: "The value of GCP secret `\(id)`")
    }

    /// One listing of the scope, then one access per GCP secret (ZenML lists again for every secret).
    public func readAll() async throws -> [(name: String, result: Result<LegacySecret, FerryError>)] {
        await readEachGroup(groupedByName(try await listed().map { ($0.name, $0.secret) })) { name, parts in
            unscoped ? try await readGroup(name, parts) : try await readScoped(name, id: parts.first?.id ?? name)
        }
    }

    // MARK: - Writing

    public func registerSecret(_ secret: LegacySecret) async throws {
        try Self.validate(secret.name)
        guard try await listNames(secret.name).isEmpty else {
            throw FerryError(.alreadyExists, code: .secretExists, "A Secret with the name \(secret.name) already exists")
        }
        if unscoped {
            guard !secret.values.isEmpty else { throw Self.noKeys(secret.name) }
            var created: [String] = []
            do {
                for (key, value) in secret.values.revealedPairs {
                    let id = "\(secret.name)_\(key)"
                    try await client.createSecret(id: id, labels: groupLabels(secret))
                    created.append(id)
                    try await client.addVersion(id: id, data: Array(value.utf8))
                }
            } catch {
                // Never leave half a secret behind.
                for id in created { try? await client.deleteSecret(id: id) }
                throw error
            }
        } else {
            let id = scopePath.scopedName(secret.name, separator: Self.separator)
            let labels = scopePath.secretMetadata(secretName: secret.name, componentName: component.name, schemaType: secret.schemaType)
            try await client.createSecret(id: id, labels: labels)
            do {
                try await client.addVersion(id: id, data: Array(Self.payload(secret).utf8))
            } catch {
                try? await client.deleteSecret(id: id)
                throw error
            }
        }
    }

    public func updateSecret(_ secret: LegacySecret) async throws {
        try Self.validate(secret.name)
        let current = try await listed(secret.name)
        guard !current.isEmpty else { throw Self.missing(secret.name) }
        guard unscoped else {
            try await client.addVersion(id: scopePath.scopedName(secret.name, separator: Self.separator),
                                        data: Array(Self.payload(secret).utf8))
            return
        }
        guard !secret.values.isEmpty else { throw Self.noKeys(secret.name) }
        let existing = Dictionary(current.map { ($0.secret.id, $0.secret) }, uniquingKeysWith: { first, _ in first })
        let wanted = secret.values.revealedPairs.map { (id: "\(secret.name)_\($0.key)", value: $0.value) }
        // New keys' secrets first (removed again if anything fails), then the versions, then the
        // removed keys' secrets: an interruption never loses a value that is still wanted.
        var created: [String] = []
        do {
            for item in wanted where existing[item.id] == nil {
                try await client.createSecret(id: item.id, labels: groupLabels(secret))
                created.append(item.id)
            }
            for item in wanted {
                try await client.addVersion(id: item.id, data: Array(item.value.utf8))
            }
        } catch {
            for id in created { try? await client.deleteSecret(id: id) }
            throw error
        }
        for item in wanted {
            if let old = existing[item.id], old.label(Self.schemaLabel) != secret.schemaType {
                try await client.updateLabels(id: item.id, labels: groupLabels(secret))
            }
        }
        let keep = Set(wanted.map(\.id))
        for id in existing.keys.sorted() where !keep.contains(id) { try await client.deleteSecret(id: id) }
    }

    public func deleteSecret(named name: String) async throws {
        try Self.validate(name)
        let current = try await listed(name)
        guard !current.isEmpty else { throw Self.missing(name) }
        for (_, secret) in current { try await client.deleteSecret(id: secret.id) }
    }

    public func deleteAllSecrets() async throws {
        for (_, secret) in try await listed() { try await client.deleteSecret(id: secret.id) }
    }

    func groupLabels(_ secret: LegacySecret) -> [(key: String, value: String)] {
        [(Self.groupLabel, secret.name), (Self.schemaLabel, secret.schemaType)]
    }

    static func noKeys(_ name: String) -> FerryError {
        FerryError(.invalidInput, code: .gcpNoKeys,
                   "Secret '\(name)' has no keys: the gcp flavor's none scope keeps one GCP secret per key, so an empty secret would not be stored at all.")
    }

    /// `json.dumps(secret_to_dict(secret))`.
    static func payload(_ secret: LegacySecret) -> String { PythonJSON.dumps(.object(ZenMLSecretDict.encode(secret))) }
}

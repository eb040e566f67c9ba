public import FerryAzure
public import FerryCore
import FerryHTTP
import Foundation

/// The `azure` flavor: Azure Key Vault `key_vault_name`.
///
/// Layout (ZenML 0.52.0 `src/zenml/integrations/azure/secrets_managers/azure_secrets_manager.py`,
/// the same from 0.20.0):
/// - **`none` scope** (0.11.0+): one Key Vault secret per key, named `zenml-` + the hex of
///   `base64("<name>-<key>")`, tags `zenml-group-key`, `zenml-key-name`, `zenml-schema-name`, the
///   raw value. ZenML finds them by listing the vault and reading the tags.
/// - **scoped** (0.13.0+): one JSON secret per ZenML secret, named
///   `zenml-<scope>[-<uuid>|-<namespace>]-<name>`, ZenML's scope tags, value
///   `json.dumps(secret_to_dict(secret))`; names come from the `zenml_secret_name` tag (Key Vault
///   names are case-insensitive, ZenML's are not).
/// - **0.9.0–0.10.0**: one secret per key named `<name>-<key>`, tags `zenml-group-key` and
///   `zenml-schema-name` only. ZenML ≥ 0.11 fails on them ("Missing secret key tag."); Ferry
///   reports them as ``StrandedSecret``s of the `none` scope.
///
/// ZenML wrote a value, then set the tags; Ferry sends both in one write (same result, no
/// untagged moment). Writing a name that is soft-deleted recovers it first instead of failing.
/// A `none`-scope update removes the keys it drops (ZenML left them, and read them back).
public struct AzureLegacySecretsManager: LegacySecretsManager {
    public let component: LegacyComponent
    public let client: KeyVaultClient

    static let groupTag = "zenml-group-key"
    static let keyTag = "zenml-key-name"
    static let schemaTag = "zenml-schema-name"
    static let secretNameTag = "zenml_secret_name"
    static let separator = "-"

    public init(component: LegacyComponent, client: KeyVaultClient) throws {
        if let namespace = component.namespace { try Self.validate(namespace, scope: component.scope) }
        if component.scope == .namespace && (component.namespace ?? "").isEmpty {
            throw FerryError(.configuration, code: .namespaceRequired, "A `namespace` value is required for a namespace scoped Secrets Manager.")
        }
        self.component = component
        self.client = client
    }

    public var location: String { "Azure Key Vault \(HTTPOrigin.of(client.vaultURL)), \(component.scope.rawValue) scope" }

    public func validateSecretName(_ name: String) throws { try Self.validate(name, scope: component.scope) }

    /// `validate_azure_secret_name_or_namespace` (ZenML 0.52.0 `azure_secrets_manager_flavor.py`):
    /// nothing in the `none` scope, `[0-9a-zA-Z-]+` of at most 100 characters otherwise.
    static func validate(_ name: String, scope: LegacyScope) throws {
        guard scope != .none else { return }
        try ZenMLSecretDict.checkName(name, maxLength: 100, rule: "Must contain only alphanumeric characters and the character -.") {
            switch $0 {
            case "a"..."z", "A"..."Z", "0"..."9", "-": return true
            default: return false
            }
        }
    }

    var scopePath: ScopePath { component.scopePath }
    var unscoped: Bool { component.scope == .none }

    /// Every secret of the vault with ZenML's scope tags, grouped by them; `none`-scope parts
    /// (`zenml-group-key`) make one `none` component.
    public func recoverComponents() async throws -> [RecoveredComponent] {
        let all = try await client.listSecrets()
        var result = ComponentRecovery.group(all.map { Dictionary($0.tags.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last }) },
                                             base: component, evidence: "tags of Key Vault secrets")
        // 0.11+ none-scope parts (with a key tag); the 0.9–0.10 ones are stranded secrets of that component.
        let unscoped = all.filter { $0.tag(Self.groupTag) != nil && $0.tag(Self.keyTag) != nil }
        if !unscoped.isEmpty || all.contains(where: { $0.tag(Self.groupTag) != nil }) {
            var none = component
            none.name = "none scope"
            none.scope = .none
            none.namespace = nil
            result.insert(RecoveredComponent(component: none, secretCount: unscoped.count, evidence: "`zenml-group-key` tags"), at: 0)
        }
        return result
    }

    static func missing(_ name: String) -> FerryError {
        FerryError(.notFound, code: .secretNotFound, "Can't find the specified secret '\(name)'")
    }

    /// The Key Vault name of one key of a `none`-scope secret: `zenml-` + hex(base64("<name>-<key>")).
    public static func keyName(secret: String, key: String) -> String {
        let base64 = Data("\(secret)-\(key)".utf8).base64EncodedString()
        return "zenml-" + base64.utf8.map { String(format: "%02x", $0) }.joined()
    }

    // MARK: - Listing

    /// The vault's secrets of this scope, by ZenML name: `none` gives the 0.11+ parts (with a key
    /// tag) per group; scoped gives the one secret whose tags hold the scope.
    func listed(_ secretName: String? = nil) async throws -> [(name: String, secret: KeyVaultClient.Secret)] {
        try await client.listSecrets().compactMap { secret in
            guard !secret.tags.isEmpty else { return nil }
            let name: String?
            if unscoped {
                guard secret.tag(Self.keyTag) != nil else { return nil }
                name = secret.tag(Self.groupTag)
            } else {
                for (key, value) in scopePath.scopeMetadata() where secret.tag(key) != value { return nil }
                name = secret.tag(Self.secretNameTag)
            }
            guard let name, secretName == nil || name == secretName else { return nil }
            return (name, secret)
        }
    }

    /// `get_all_secret_keys()`: each name once, in listing order.
    public func secretNames() async throws -> [String] {
        var seen = Set<String>()
        return try await listed().compactMap { seen.insert($0.name).inserted ? $0.name : nil }
    }

    // MARK: - Reading

    public func getSecret(named name: String) async throws -> LegacySecret {
        try validateSecretName(name)
        if unscoped { return try await readGroup(name, try await listed(name).map(\.secret)) }
        let id = scopePath.scopedName(name, separator: Self.separator)
        let bundle: KeyVaultClient.Secret
        do {
            bundle = try await client.getSecret(id)
        } catch let error as FerryError where error.kind == .notFound {
            throw Self.missing(name)
        }
        for (key, value) in scopePath.scopeMetadata(secretName: name) where bundle.tag(key) != value { throw Self.missing(name) }
        return try Self.decodeScoped(name, bundle)
    }

    /// A `none`-scope secret from its per-key secrets (ZenML's `get_secret`: key from the key
    /// tag, schema from the last part's schema tag).
    func readGroup(_ name: String, _ parts: [KeyVaultClient.Secret]) async throws -> LegacySecret {
        guard !parts.isEmpty else { throw Self.missing(name) }
        var values = SecretValues()
        var schema = ""
        for part in parts {
            guard let key = part.tag(Self.keyTag) else { continue }
            let bundle: KeyVaultClient.Secret
            do {
                bundle = try await client.getSecret(part.name)
            } catch let error as FerryError where error.kind == .notFound {
                throw FerryError(.notFound, code: .secretUnreadable, "Key Vault secret `\(part.name)` (key of `\(name)`) cannot be read.")
            }
            values[key] = bundle.value ?? ""
            schema = part.tag(Self.schemaTag) ?? ""
        }
        return LegacySecret(name: name, schemaType: schema, values: SecretSchema.named(schema)?.ordered(values) ?? values)
    }

    static func decodeScoped(_ name: String, _ bundle: KeyVaultClient.Secret) throws -> LegacySecret {
        guard case .object(let pairs)? = try? PythonJSON.parse(bundle.value ?? "") else {
            throw FerryError(.corruptData, code: .notAMap, "The value of Key Vault secret `\(bundle.name)` is not a JSON object of keys and values.")
        }
        return try ZenMLSecretDict.decode(name: name, pairs: pairs, source: "The value of Key Vault secret `\(bundle.name)`")
    }

    /// One listing of the vault, then one read per Key Vault secret (ZenML lists the vault again
    /// for every secret).
    public func readAll() async throws -> [(name: String, result: Result<LegacySecret, FerryError>)] {
        await readEachGroup(groupedByName(try await listed().map { ($0.name, $0.secret) })) { name, parts in
            if unscoped { return try await readGroup(name, parts) }
            let id = parts.first?.name ?? scopePath.scopedName(name, separator: Self.separator)
            return try Self.decodeScoped(name, try await client.getSecret(id))
        }
    }

    /// ZenML 0.9–0.10's `none` layout: `<name>-<key>` with a group tag and no key tag.
    public func strandedSecrets() async throws -> [StrandedSecret] {
        guard unscoped else { return [] }
        let old = try await client.listSecrets().compactMap { secret -> (name: String, item: KeyVaultClient.Secret)? in
            guard let group = secret.tag(Self.groupTag), secret.tag(Self.keyTag) == nil else { return nil }
            return (group, secret)
        }
        var result: [StrandedSecret] = []
        for (group, parts) in groupedByName(old) {
            let location = parts.map(\.name).sorted().joined(separator: ", ")
            do {
                var values = SecretValues()
                var schema = ""
                for part in parts {
                    // Key Vault keeps the name as first written; its case may differ from the tag's.
                    guard part.name.lowercased().hasPrefix(group.lowercased() + "-") else {
                        throw FerryError(.corruptData, code: .azureGroupKey,
                                         "Key Vault secret `\(part.name)` is tagged as part of `\(group)` but its name does not start with `\(group)-`.")
                    }
                    let key = String(part.name.dropFirst(group.count + 1))
                    values[key] = try await client.getSecret(part.name).value ?? ""
                    schema = part.tag(Self.schemaTag) ?? ""
                }
                let secret = LegacySecret(name: group, schemaType: schema, values: SecretSchema.named(schema)?.ordered(values) ?? values)
                result.append(StrandedSecret(name: group, location: location, era: "ZenML 0.9–0.10", unreadableSince: "0.11", result: .success(secret)))
            } catch let error as FerryError {
                result.append(StrandedSecret(name: group, location: location, era: "ZenML 0.9–0.10", unreadableSince: "0.11", result: .failure(error)))
            }
        }
        return result
    }

    public func deleteStrandedSecret(_ secret: StrandedSecret) async throws {
        for name in secret.location.components(separatedBy: ", ") where !name.isEmpty { try await client.deleteSecret(name) }
    }

    // MARK: - Writing

    public func registerSecret(_ secret: LegacySecret) async throws {
        try validateSecretName(secret.name)
        guard try await !secretNames().contains(secret.name) else {
            throw FerryError(.alreadyExists, code: .secretExists, "A Secret with the name '\(secret.name)' already exists.")
        }
        try await write(secret, existing: [])
    }

    public func updateSecret(_ secret: LegacySecret) async throws {
        try validateSecretName(secret.name)
        let current = try await listed(secret.name)
        guard !current.isEmpty else { throw Self.missing(secret.name) }
        try await write(secret, existing: current.map(\.secret))
    }

    /// `_create_or_update_secret`, plus removing the keys an update drops.
    func write(_ secret: LegacySecret, existing: [KeyVaultClient.Secret]) async throws {
        if unscoped {
            guard !secret.values.isEmpty else {
                throw FerryError(.invalidInput, code: .azureNoKeys,
                                 "Secret '\(secret.name)' has no keys: the azure flavor's none scope keeps one Key Vault secret per key, so an empty secret would not be stored at all.")
            }
            var written: [String] = []
            for (key, value) in secret.values.revealedPairs {
                let name = Self.keyName(secret: secret.name, key: key)
                do {
                    try await client.setSecret(name, value: value,
                                               tags: [(Self.groupTag, secret.name), (Self.keyTag, key), (Self.schemaTag, secret.schemaType)])
                } catch {
                    // A register never leaves half a secret: the keys written so far go again.
                    if existing.isEmpty { for done in written { try? await client.deleteSecret(done) } }
                    throw error
                }
                written.append(name)
            }
            let keep = Set(written.map { $0.lowercased() })
            for old in existing where !keep.contains(old.name.lowercased()) { try await client.deleteSecret(old.name) }
        } else {
            try await client.setSecret(scopePath.scopedName(secret.name, separator: Self.separator), value: Self.payload(secret),
                                       tags: scopePath.secretMetadata(secretName: secret.name, componentName: component.name,
                                                                      schemaType: secret.schemaType))
        }
    }

    public func deleteSecret(named name: String) async throws {
        try validateSecretName(name)
        let current = try await listed(name)
        guard !current.isEmpty else { throw Self.missing(name) }
        for (_, secret) in current { try await client.deleteSecret(secret.name) }
    }

    public func deleteAllSecrets() async throws {
        for (_, secret) in try await listed() { try await client.deleteSecret(secret.name) }
    }

    /// `json.dumps(secret_to_dict(secret))`.
    static func payload(_ secret: LegacySecret) -> String { PythonJSON.dumps(.object(ZenMLSecretDict.encode(secret))) }
}

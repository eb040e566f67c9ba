public import FerryCore
public import FerryVault
import Foundation

/// The `vault` flavor: one KV v2 secret per ZenML secret under the component's mount point.
///
/// Layout (ZenML 0.52.0 `src/zenml/integrations/vault/secrets_manager/vault_secrets_manager.py`,
/// identical from 0.20.0): the path is the scoped name with `/` (`<name>`, `zenml/global/<name>`,
/// `zenml/component/<uuid>/<name>`, `zenml/namespace/<ns>/<name>`) relative to the mount; the
/// data is `content` plus `zenml_schema_name`, booleans as JSON booleans; names come from a LIST
/// of the scope path (folders skipped). ZenML 0.10–0.11 wrote `zenml/<TYPE>-<sanitized name>`
/// without a schema key: ``strandedSecrets()`` finds those, which only Ferry can read.
public struct VaultLegacySecretsManager: LegacySecretsManager {
    public let component: LegacyComponent
    public let client: VaultClient
    public let mountPoint: String

    static let separator = "/"

    public init(component: LegacyComponent, client: VaultClient) throws {
        if let namespace = component.namespace { try Self.validate(namespace) }
        if component.scope == .namespace && (component.namespace ?? "").isEmpty {
            throw FerryError(.configuration, code: .namespaceRequired, "A `namespace` value is required for a namespace scoped Secrets Manager.")
        }
        self.component = component
        self.client = client
        let mount = component.configuration["mount_point"] ?? "secret"
        mountPoint = mount.isEmpty ? "secret" : mount
    }

    public var location: String { "Vault mount `\(mountPoint)`, \(component.scope.rawValue) scope" }

    public func validateSecretName(_ name: String) throws { try Self.validate(name) }

    static func validate(_ name: String) throws { try ZenMLSecretDict.validateName(name) }

    var scopePath: ScopePath { component.scopePath }
    func path(_ name: String) -> String { scopePath.scopedName(name, separator: Self.separator) }

    public func registerSecret(_ secret: LegacySecret) async throws {
        try Self.validate(secret.name)
        // Only "not found" means absent: a refusal, a timeout or a secret that exists but does not
        // decode is never taken as room to write (that would overwrite the secret at this path).
        do {
            _ = try await client.kvRead(mount: mountPoint, path: path(secret.name))
            throw FerryError(.alreadyExists, code: .secretExists, "A Secret with the name '\(secret.name)' already exists.")
        } catch let error as FerryError where error.kind == .notFound {}
        try await client.kvWrite(mount: mountPoint, path: path(secret.name), data: Self.data(secret))
    }

    public func getSecret(named name: String) async throws -> LegacySecret {
        let stored: VaultClient.KVSecret
        do {
            stored = try await client.kvRead(mount: mountPoint, path: path(name))
        } catch let error as FerryError where error.kind == .notFound {
            throw FerryError(.notFound, code: .secretNotFound, "Can't find the specified secret '\(name)' at `\(mountPoint)/\(path(name))`.")
        }
        return try ZenMLSecretDict.decode(name: name, pairs: stored.data, source: "The Vault secret `\(mountPoint)/\(path(name))`")
    }

    public func secretNames() async throws -> [String] {
        let keys = try await client.kvList(mount: mountPoint, path: scopePath.segments.joined(separator: Self.separator))
        return keys.filter { !$0.contains("/") }
    }

    public func updateSecret(_ secret: LegacySecret) async throws {
        try Self.validate(secret.name)
        guard try await secretNames().contains(secret.name) else {
            throw FerryError(.notFound, code: .secretNotFound, "A Secret with the name '\(secret.name)' does not exist.")
        }
        try await client.kvWrite(mount: mountPoint, path: path(secret.name), data: Self.data(secret))
    }

    public func deleteSecret(named name: String) async throws {
        // ZenML deletes without looking; Ferry reports a missing secret, as the protocol asks.
        guard try await secretNames().contains(name) else {
            throw FerryError(.notFound, code: .secretNotFound, "Can't find the specified secret '\(name)'.")
        }
        try await client.kvDeleteAll(mount: mountPoint, path: path(name))
    }

    public func deleteAllSecrets() async throws {
        for name in try await secretNames() { try await client.kvDeleteAll(mount: mountPoint, path: path(name)) }
    }

    /// Secrets ZenML 0.10–0.11 wrote at `zenml/<TYPE>-<sanitized name>` (no schema key), which
    /// ZenML ≥ 0.12 cannot find: the schema is the text before the first `-`. ZenML 0.10.0
    /// `src/zenml/integrations/vault/secrets_manager/vault_secrets_manager.py` (`_get_secret_path`
    /// with `ZENML_PATH = "zenml"` and `sanitize_secret_name`). Components created before 0.12 have
    /// the `none` scope, so only that scope reports them.
    public func strandedSecrets() async throws -> [StrandedSecret] {
        guard component.scope == .none else { return [] }
        var result: [StrandedSecret] = []
        for key in try await client.kvList(mount: mountPoint, path: ScopePath.prefix) where !key.hasSuffix("/") {
            guard let dash = key.firstIndex(of: "-") else { continue }
            let type = String(key[..<dash])
            guard SecretSchema.named(type) != nil else { continue }
            let path = ScopePath.prefix + "/" + key
            let name = String(key[key.index(after: dash)...])
            let location = "\(mountPoint)/\(path)"
            do {
                let stored = try await client.kvRead(mount: mountPoint, path: path)
                // A 0.12+ secret named `<type>-…` in the global scope would sit at `zenml/global/…`, never
                // directly under `zenml/`; a schema key means some other writer: not this layout.
                guard !stored.data.contains(where: { $0.key == LocalSecretsManager.schemaKey }) else { continue }
                let secret = LegacySecret(name: name, schemaType: type,
                                          values: SecretValues(stored.data.map { ($0.key, $0.value.pythonString) }))
                result.append(StrandedSecret(name: name, location: location, era: "ZenML 0.10–0.11", unreadableSince: "0.12", result: .success(secret)))
            } catch let error as FerryError {
                result.append(StrandedSecret(name: name, location: location, era: "ZenML 0.10–0.11", unreadableSince: "0.12", result: .failure(error)))
            }
        }
        return result
    }

    public func deleteStrandedSecret(_ secret: StrandedSecret) async throws {
        let prefix = mountPoint + "/"
        guard secret.location.hasPrefix(prefix) else {
            throw FerryError(.invalidInput, code: .strandedNotHere, "`\(secret.location)` is not under the mount `\(mountPoint)`.")
        }
        try await client.kvDeleteAll(mount: mountPoint, path: String(secret.location.dropFirst(prefix.count)))
    }

    /// The `zenml/global/`, `zenml/component/<uuid>/` and `zenml/namespace/<ns>/` folders of the mount.
    public func recoverComponents() async throws -> [RecoveredComponent] {
        var paths: [String] = []
        let root = ScopePath.prefix
        for name in try await client.kvList(mount: mountPoint, path: root + "/global") where !name.hasSuffix("/") {
            paths.append("\(root)/global/\(name)")
        }
        for kind in ["component", "namespace"] {
            for folder in try await client.kvList(mount: mountPoint, path: "\(root)/\(kind)") where folder.hasSuffix("/") {
                let inner = String(folder.dropLast())
                for name in try await client.kvList(mount: mountPoint, path: "\(root)/\(kind)/\(inner)") where !name.hasSuffix("/") {
                    paths.append("\(root)/\(kind)/\(inner)/\(name)")
                }
            }
        }
        return ComponentRecovery.group(paths: paths, base: component, evidence: "paths under `\(mountPoint)/zenml/`")
    }

    /// `secret_to_dict(secret, encode=False)`.
    static func data(_ secret: LegacySecret) -> [(key: String, value: PythonJSON.Value)] { ZenMLSecretDict.encode(secret) }
}

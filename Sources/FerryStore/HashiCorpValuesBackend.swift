public import FerryCore
public import FerryVault
public import Foundation

/// The `hashicorp` values back-end: each secret's values in Vault KV v2 as ZenML ≥ 0.55 keeps them.
///
/// Path `zenml/<secret-uuid>` under the mount (default `secret`), data
/// `{"zenml_secret_values": {...}, "zenml_secret_metadata": {"zenml": <store id>, "zenml_secret_id": <id>}}`,
/// created with `cas=0`; a secret whose metadata names another deployment is not ours.
/// `max_versions` is set on each path Ferry creates. ZenML sets it on the whole mount
/// (`secrets.kv.v2.configure(max_versions=…)` when it creates its client), which also prunes the
/// history of every other secret on that mount; Ferry gives its own paths the same limit and
/// leaves the mount alone.
/// ZenML 0.98.0 `src/zenml/zen_stores/secrets_stores/hashicorp_secrets_store.py`.
public struct HashiCorpValuesBackend: SecretValuesBackend {
    public let type = "hashicorp"
    public let client: VaultClient
    public let storeID: UUID
    public let mountPoint: String
    public let maxVersions: Int

    public init(client: VaultClient, storeID: UUID, mountPoint: String = "secret", maxVersions: Int = 1) {
        self.client = client
        self.storeID = storeID
        self.mountPoint = mountPoint
        self.maxVersions = maxVersions
    }

    static func path(_ id: UUID) -> String { "zenml/\(id.uuidString.lowercased())" }

    func data(_ values: SecretValues, _ id: UUID) -> [(key: String, value: PythonJSON.Value)] {
        [("zenml_secret_values", .object(values.revealedPairs.map { ($0.key, .string($0.value)) })),
         ("zenml_secret_metadata", .object(ZenMLSecretMetadata.pairs(store: storeID, secret: id).map { ($0.key, .string($0.value)) }))]
    }

    public func storeValues(_ values: SecretValues, for id: UUID) async throws {
        try await client.kvWrite(mount: mountPoint, path: Self.path(id), data: data(values, id), cas: 0)
        try await client.kvSetMaxVersions(mount: mountPoint, path: Self.path(id), maxVersions: maxVersions)
    }

    public func getValues(for id: UUID) async throws -> SecretValues {
        let stored: VaultClient.KVSecret
        do {
            stored = try await client.kvRead(mount: mountPoint, path: Self.path(id))
        } catch let error as FerryError where error.kind == .notFound {
            throw missing(id)
        }
        guard case .object(let metadata)? = stored.data.first(where: { $0.key == "zenml_secret_metadata" })?.value,
            case .object(let values)? = stored.data.first(where: { $0.key == "zenml_secret_values" })?.value
        else {
            throw FerryError(.notFound, code: .valuesNotOurs,
                             "Vault secret `\(mountPoint)/\(Self.path(id))` is missing ZenML's values or metadata.")
        }
        try ZenMLSecretMetadata.check({ key in metadata.last { $0.key == key }?.value.pythonString }, store: storeID, secret: id,
                                      object: "Vault secret `\(mountPoint)/\(Self.path(id))`", kind: "metadata entry")
        return SecretValues(values.map { ($0.key, $0.value.pythonString) })
    }

    public func updateValues(_ values: SecretValues, for id: UUID) async throws {
        try await client.kvWrite(mount: mountPoint, path: Self.path(id), data: data(values, id))
    }

    /// Vault answers a delete of a missing path with success, so existence is checked first.
    public func deleteValues(for id: UUID) async throws {
        _ = try await getValues(for: id)
        try await client.kvDeleteAll(mount: mountPoint, path: Self.path(id))
    }

    private func missing(_ id: UUID) -> FerryError { ZenMLSecretMetadata.missing(id) }
}

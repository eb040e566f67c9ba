public import FerryAzure
public import FerryCore
public import Foundation

/// The `azure` values back-end: each secret's values in Azure Key Vault as ZenML ≥ 0.55 keeps them.
///
/// Secret `zenml-<secret-uuid>`, value `json.dumps(values)`, content type `application/json`,
/// tags `zenml` (this store's id) and `zenml_secret_id`; an update is a new version with the same
/// tags; a delete is Key Vault's (soft) delete. A secret whose tags name another ZenML deployment
/// is not ours and reads as not found. ZenML 0.98.0
/// `src/zenml/zen_stores/secrets_stores/azure_secrets_store.py` and `base_secrets_store.py`.
public struct AzureValuesBackend: SecretValuesBackend {
    public let type = "azure"
    public let client: KeyVaultClient
    /// This deployment's id (the `zenml` tag).
    public let storeID: UUID

    public init(client: KeyVaultClient, storeID: UUID) {
        self.client = client
        self.storeID = storeID
    }

    /// `AZURE_ZENML_SECRET_NAME_PREFIX` + `-` + the secret id.
    static func name(_ id: UUID) -> String { "zenml-\(id.uuidString.lowercased())" }

    func tags(_ id: UUID) -> [(key: String, value: String)] { ZenMLSecretMetadata.pairs(store: storeID, secret: id) }

    public func storeValues(_ values: SecretValues, for id: UUID) async throws {
        try await client.setSecret(Self.name(id), value: PythonJSON.dumps(values), tags: tags(id), contentType: "application/json")
    }

    public func getValues(for id: UUID) async throws -> SecretValues {
        let bundle: KeyVaultClient.Secret
        do {
            bundle = try await client.getSecret(Self.name(id))
        } catch let error as FerryError where error.kind == .notFound {
            throw missing(id)
        }
        try checkOwnership(bundle, id)
        guard let value = bundle.value, !value.isEmpty else { return SecretValues() }
        return try PythonJSON.parseFlatMap(value, what: "Key Vault secret `\(Self.name(id))`")
    }

    public func updateValues(_ values: SecretValues, for id: UUID) async throws {
        try await client.setSecret(Self.name(id), value: PythonJSON.dumps(values), tags: tags(id), contentType: "application/json")
    }

    /// Checks ownership first, so another deployment's secret is never deleted.
    public func deleteValues(for id: UUID) async throws {
        do {
            try checkOwnership(try await client.getSecret(Self.name(id)), id)
            try await client.deleteSecret(Self.name(id))
        } catch let error as FerryError where error.kind == .notFound && !error.isOwnershipMismatch {
            throw missing(id)
        }
    }

    private func checkOwnership(_ bundle: KeyVaultClient.Secret, _ id: UUID) throws {
        try ZenMLSecretMetadata.check(bundle.tag, store: storeID, secret: id, object: "Key Vault secret `\(Self.name(id))`", kind: "tag")
    }

    private func missing(_ id: UUID) -> FerryError { ZenMLSecretMetadata.missing(id) }
}

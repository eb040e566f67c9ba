public import FerryCore
public import FerryGCP
public import Foundation

/// The `gcp` values back-end: each secret's values in Google Cloud Secret Manager as ZenML ≥ 0.55
/// keeps them.
///
/// Secret `zenml-<secret-uuid>` in the project, automatic replication, labels `zenml` (this
/// store's id) and `zenml_secret_id`, each write a new version holding `json.dumps(values)`; an
/// update re-labels (`updateMask=labels`) and adds a version; a delete removes every version. A
/// secret whose labels name another ZenML deployment is not ours and reads as not found.
/// ZenML 0.98.0 `src/zenml/zen_stores/secrets_stores/gcp_secrets_store.py` and
/// `base_secrets_store.py` (`_get_secret_metadata`, `_verify_secret_metadata`).
public struct GCPValuesBackend: SecretValuesBackend {
    public let type = "gcp"
    public let client: GCPSecretManagerClient
    /// This deployment's id (the `zenml` label).
    public let storeID: UUID

    public init(client: GCPSecretManagerClient, storeID: UUID) {
        self.client = client
        self.storeID = storeID
    }

    /// `GCP_ZENML_SECRET_NAME_PREFIX` + `-` + the secret id.
    static func id(_ id: UUID) -> String { "zenml-\(id.uuidString.lowercased())" }

    func labels(_ id: UUID) -> [(key: String, value: String)] { ZenMLSecretMetadata.pairs(store: storeID, secret: id) }

    public func storeValues(_ values: SecretValues, for id: UUID) async throws {
        try await client.createSecret(id: Self.id(id), labels: labels(id))
        do {
            try await client.addVersion(id: Self.id(id), data: Array(PythonJSON.dumps(values).utf8))
        } catch {
            // As ZenML's create fails as a whole, leave no empty secret behind.
            try? await client.deleteSecret(id: Self.id(id))
            throw error
        }
    }

    public func getValues(for id: UUID) async throws -> SecretValues {
        let info: GCPSecretManagerClient.SecretInfo
        let data: [UInt8]
        do {
            info = try await client.getSecret(id: Self.id(id))
            try checkOwnership(info, id)
            data = try await client.access(id: Self.id(id))
        } catch let error as FerryError where error.kind == .notFound && !error.isOwnershipMismatch {
            throw missing(id)
        }
        return try PythonJSON.parseFlatMap(String(decoding: data, as: UTF8.self), what: "GCP secret `\(Self.id(id))`")
    }

    public func updateValues(_ values: SecretValues, for id: UUID) async throws {
        do {
            try await client.updateLabels(id: Self.id(id), labels: labels(id))
        } catch let error as FerryError where error.kind == .notFound {
            throw missing(id)
        }
        try await client.addVersion(id: Self.id(id), data: Array(PythonJSON.dumps(values).utf8))
    }

    /// Checks ownership first, so another deployment's secret is never deleted.
    public func deleteValues(for id: UUID) async throws {
        do {
            try checkOwnership(try await client.getSecret(id: Self.id(id)), id)
            try await client.deleteSecret(id: Self.id(id))
        } catch let error as FerryError where error.kind == .notFound && !error.isOwnershipMismatch {
            throw missing(id)
        }
    }

    private func checkOwnership(_ info: GCPSecretManagerClient.SecretInfo, _ id: UUID) throws {
        try ZenMLSecretMetadata.check(info.label, store: storeID, secret: id, object: "GCP secret `\(Self.id(id))`", kind: "label")
    }

    private func missing(_ id: UUID) -> FerryError { ZenMLSecretMetadata.missing(id) }
}

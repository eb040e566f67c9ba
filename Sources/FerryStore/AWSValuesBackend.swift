public import FerryAWS
public import FerryCore
public import Foundation

/// The `aws` values back-end: each secret's values in AWS Secrets Manager as ZenML ≥ 0.55 keeps them.
///
/// Name `zenml/<secret-uuid>`, tags `zenml` (this store's id) and `zenml_secret_id`, value
/// `json.dumps(values)`; an update puts a new value and re-tags; a delete is immediate. A secret
/// whose tags name another ZenML deployment is not ours and reads as not found.
/// ZenML 0.98.0 `src/zenml/zen_stores/secrets_stores/aws_secrets_store.py` and
/// `base_secrets_store.py` (`_verify_secret_metadata`).
public struct AWSValuesBackend: SecretValuesBackend {
    public let type = "aws"
    public let client: SecretsManagerClient
    /// This deployment's id (the `zenml` tag).
    public let storeID: UUID

    public init(client: SecretsManagerClient, storeID: UUID) {
        self.client = client
        self.storeID = storeID
    }

    /// `AWS_ZENML_SECRET_NAME_PREFIX` + `/` + the secret id.
    static func name(_ id: UUID) -> String { "zenml/\(id.uuidString.lowercased())" }

    func tags(_ id: UUID) -> [SecretsManagerClient.Tag] {
        ZenMLSecretMetadata.pairs(store: storeID, secret: id).map { .init($0.key, $0.value) }
    }

    public func storeValues(_ values: SecretValues, for id: UUID) async throws {
        try await client.createSecret(name: Self.name(id), secretString: PythonJSON.dumps(values), tags: tags(id))
    }

    public func getValues(for id: UUID) async throws -> SecretValues {
        let value: SecretsManagerClient.Value
        let entry: SecretsManagerClient.Entry
        do {
            value = try await client.getSecretValue(id: Self.name(id))
            entry = try await client.describeSecret(id: Self.name(id))
        } catch let error as FerryError where error.code == .awsMarkedForDeletion {
            throw missing(id)
        } catch let error as FerryError where error.kind == .notFound {
            throw missing(id)
        }
        try checkOwnership(entry, id)
        return try PythonJSON.parseFlatMap(value.secretString ?? "", what: "AWS secret '\(Self.name(id))'")
    }

    public func updateValues(_ values: SecretValues, for id: UUID) async throws {
        try await client.putSecretValue(id: Self.name(id), secretString: PythonJSON.dumps(values))
        try await client.tagResource(id: Self.name(id), tags: tags(id))
    }

    /// AWS answers a forced delete of a missing secret with success, so existence (and
    /// ownership) is checked first with DescribeSecret.
    public func deleteValues(for id: UUID) async throws {
        do {
            try checkOwnership(try await client.describeSecret(id: Self.name(id)), id)
            try await client.deleteSecret(id: Self.name(id), forceWithoutRecovery: true)
        } catch let error as FerryError where error.kind == .notFound && !error.isOwnershipMismatch {
            throw missing(id)
        }
    }

    private func checkOwnership(_ entry: SecretsManagerClient.Entry, _ id: UUID) throws {
        try ZenMLSecretMetadata.check({ key in entry.tags.last { $0.key == key }?.value }, store: storeID, secret: id,
                                      object: "AWS secret '\(Self.name(id))'", kind: "tag")
    }

    private func missing(_ id: UUID) -> FerryError { ZenMLSecretMetadata.missing(id) }
}

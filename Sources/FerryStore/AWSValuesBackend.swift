import FerryAWS
import FerryCore
import Foundation

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
        [.init("zenml", storeID.uuidString.lowercased()), .init("zenml_secret_id", id.uuidString.lowercased())]
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
        } catch let error as FerryError where error.code == "aws.InvalidRequestException" && error.message.contains("marked for deletion") {
            throw missing(id)
        } catch let error as FerryError where error.kind == .notFound {
            throw missing(id)
        }
        let metadata = Dictionary(entry.tags.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last })
        guard metadata["zenml"] == storeID.uuidString.lowercased(), metadata["zenml_secret_id"] == id.uuidString.lowercased() else {
            throw FerryError(.notFound, code: "values_not_ours",
                             "AWS secret '\(Self.name(id))' is not managed by this store (its `zenml` or `zenml_secret_id` tag differs).")
        }
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
            let entry = try await client.describeSecret(id: Self.name(id))
            guard entry.tags.contains(where: { $0.key == "zenml" && $0.value == storeID.uuidString.lowercased() }) else {
                throw FerryError(.notFound, code: "values_not_ours",
                                 "AWS secret '\(Self.name(id))' is not managed by this store (its `zenml` tag differs).")
            }
            try await client.deleteSecret(id: Self.name(id), forceWithoutRecovery: true)
        } catch let error as FerryError where error.kind == .notFound && error.code != "values_not_ours" {
            throw missing(id)
        }
    }

    private func missing(_ id: UUID) -> FerryError {
        FerryError(.notFound, code: "values_not_found",
                   "Can't find the secret values for secret ID '\(id.uuidString.lowercased())' in the secrets store back-end.")
    }
}

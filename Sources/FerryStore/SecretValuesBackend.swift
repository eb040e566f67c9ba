public import FerryCore
public import Foundation

/// Where the centralized store keeps secret values, keyed by secret id.
///
/// The four operations are ZenML ≥ 0.55's secrets-store interface
/// (`store_secret_values`, `get_secret_values`, `update_secret_values`, `delete_secret_values`,
/// ZenML 0.98.0 `src/zenml/zen_stores/secrets_stores/secrets_store_interface.py`); metadata stays
/// in the store's database. Each back-end lays values out exactly as ZenML's store of the same
/// type does, so a ZenML server pointed at the same place finds them. Every conformance passes
/// `FerryTesting`'s `SecretValuesBackendConformance`.
///
/// ```swift
/// try await backend.storeValues(["password": "hunter2"], for: secret.id)
/// let values = try await backend.getValues(for: secret.id)
/// ```
public protocol SecretValuesBackend: Sendable {
    /// The store type, as ZenML names it (`sql`, `aws`, `gcp`, `azure`, `hashicorp`, `custom`).
    var type: String { get }
    /// Stores the values of a new secret.
    func storeValues(_ values: SecretValues, for id: UUID) async throws
    /// The values of a secret; ``FerryError/Kind/notFound`` when none are stored.
    func getValues(for id: UUID) async throws -> SecretValues
    /// Replaces all values of a secret (no merge: keys not given are gone).
    func updateValues(_ values: SecretValues, for id: UUID) async throws
    /// Removes a secret's values; ``FerryError/Kind/notFound`` when none are stored.
    func deleteValues(for id: UUID) async throws
    /// For a back-end that keeps values in the metadata row itself: the `values` column of a new
    /// secret, written in the same transaction as the row (nil: values go through ``storeValues(_:for:)``).
    func rowColumn(for values: SecretValues) throws -> SQLiteDatabase.Value?
}

extension SecretValuesBackend {
    public func rowColumn(for values: SecretValues) throws -> SQLiteDatabase.Value? { nil }
}

/// What ZenML's external secrets stores put on every secret they keep and check on every read:
/// the store's id as `zenml` and the secret's as `zenml_secret_id` (tags in AWS and Azure, labels
/// in GCP, `zenml_secret_metadata` in Vault). ZenML 0.98.0
/// `src/zenml/zen_stores/secrets_stores/base_secrets_store.py` (`_get_secret_metadata`,
/// `_verify_secret_metadata`).
extension FerryError {
    /// Whether a back-end refused a secret because another store (or no store) manages it
    /// (``ZenMLSecretMetadata/check(_:store:secret:object:kind:)``): a not-found error that must
    /// not be taken for "the values are missing".
    public var isOwnershipMismatch: Bool { code == .valuesNotOurs }
}

public enum ZenMLSecretMetadata {
    /// The two pairs, in ZenML's order.
    public static func pairs(store: UUID, secret: UUID) -> [(key: String, value: String)] {
        [("zenml", store.uuidString.lowercased()), ("zenml_secret_id", secret.uuidString.lowercased())]
    }

    /// Throws `values_not_ours` (a not-found error, as ZenML reads such a secret) unless
    /// `value(key)` gives both pairs. `object` names the back-end's secret, `kind` what holds the pairs.
    public static func check(_ value: (String) -> String?, store: UUID, secret: UUID, object: String, kind: String) throws {
        guard pairs(store: store, secret: secret).allSatisfy({ value($0.key) == $0.value }) else {
            throw FerryError(.notFound, code: .valuesNotOurs,
                             "\(object) is not managed by this store (its `zenml` or `zenml_secret_id` \(kind) differs).")
        }
    }

    /// ZenML's error for a secret whose values the back-end does not have.
    public static func missing(_ secret: UUID) -> FerryError {
        FerryError(.notFound, code: .valuesNotFound,
                   "Can't find the secret values for secret ID '\(secret.uuidString.lowercased())' in the secrets store back-end.")
    }
}

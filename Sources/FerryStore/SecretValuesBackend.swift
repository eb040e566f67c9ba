import FerryCore
import Foundation

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

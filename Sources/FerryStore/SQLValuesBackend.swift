public import FerryCore
public import Foundation

/// The `sql` values back-end: values in the `values` column of the store's own `secret` table,
/// in ZenML's encoding (see ``ZenMLValuesCodec``).
///
/// As in ZenML's `SqlSecretsStore` (ZenML 0.98.0
/// `src/zenml/zen_stores/secrets_stores/sql_secrets_store.py`), values belong to an existing
/// metadata row: storing for an unknown id fails, and a row whose column is NULL has no values.
public struct SQLValuesBackend: SecretValuesBackend {
    public let type = "sql"
    private let database: StoreDatabase
    private let codec: ZenMLValuesCodec

    /// A back-end over `database`'s `secret` table; an empty or nil key stores base64, a key AES-GCM.
    public init(database: StoreDatabase, encryptionKey: String?) {
        self.database = database
        codec = ZenMLValuesCodec(encryptionKey: encryptionKey)
    }

    public func storeValues(_ values: SecretValues, for id: UUID) async throws {
        try write(values, id: id)
    }

    public func getValues(for id: UUID) async throws -> SecretValues {
        let rows = try database.withConnection { db in
            try db.query("SELECT \"values\" FROM secret WHERE id = ?", [.text(id.hexString)]) { ZenMLValuesCodec.Stored($0, column: 0) }
        }
        guard let first = rows.first, let stored = first else { throw Self.missing(id) }
        return try codec.decode(stored, secret: id.uuidString.lowercased())
    }

    public func updateValues(_ values: SecretValues, for id: UUID) async throws {
        try write(values, id: id)
    }

    public func deleteValues(for id: UUID) async throws {
        let changed = try database.withConnection { db in
            try db.run("UPDATE secret SET \"values\" = NULL WHERE id = ? AND \"values\" IS NOT NULL", [.text(id.hexString)])
        }
        if changed == 0 { throw Self.missing(id) }
    }

    /// The `values` column for `values`: a base64 BLOB, or encrypted TEXT.
    /// Values live in the metadata row: a new secret is one INSERT, so a crash leaves all or nothing.
    public func rowColumn(for values: SecretValues) throws -> SQLiteDatabase.Value? { try codec.column(values) }

    private func write(_ values: SecretValues, id: UUID) throws {
        let parameter = try codec.column(values)
        let changed = try database.withConnection { db in
            try db.run("UPDATE secret SET \"values\" = ? WHERE id = ?", [parameter, .text(id.hexString)])
        }
        if changed == 0 {
            throw FerryError(.notFound, code: .secretNotFound,
                             "No secret with ID \(id.uuidString.lowercased()) exists in the store database.")
        }
    }

    private static func missing(_ id: UUID) -> FerryError {
        FerryError(.notFound, code: .valuesNotFound,
                   "Secret values for secret \(id.uuidString.lowercased()) have not been stored in the SQL secrets store.")
    }
}

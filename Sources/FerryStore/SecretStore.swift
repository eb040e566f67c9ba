public import FerryCore
public import Foundation
public import Logging

/// The centralized secrets store: metadata in an SQLite database, values in a
/// ``SecretValuesBackend``, with ZenML ≥ 0.80's rules.
///
/// Names are unique among public secrets and among one owner's private secrets
/// (ZenML 0.98.0 `src/zenml/zen_stores/sql_zen_store.py`, `_check_sql_secret_scope`); names
/// are at most 255 characters and keys plus values at most 64 KiB. A value that cannot be stored
/// leaves no metadata behind; a wrong or missing encryption key fails before anything changes.
///
/// ```swift
/// let store = try SecretStore(configuration: .resolve(environment: env))
/// let secret = try await store.create(name: "db", values: ["password": "hunter2"])
/// let values = try await store.values(of: secret)
/// ```
public final class SecretStore: Sendable, CustomStringConvertible {
    /// ZenML's `STR_FIELD_MAX_LENGTH` for names.
    public static let maxNameLength = 255
    /// ZenML 0.98's `SECRET_KEY_VALUE_BYTES_MAX`.
    public static let maxValueBytes = 64 * 1024

    public let database: StoreDatabase
    public let backend: any SecretValuesBackend
    private let logger: Logger
    private let encryptionKey: String?

    /// Opens the store that `configuration` describes; `readOnly` creates and changes nothing
    /// (a store that does not exist yet reads as empty).
    public init(configuration: StoreConfiguration, readOnly: Bool = false,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                logger: Logger = Logger(label: "ferry.store")) throws
    {
        // Check the configuration before touching the database, so a bad one creates nothing.
        let secrets = configuration.secretsStore
        let kind = try BackendKinds.check(secrets, environment: environment)
        if configuration.backupSecretsStore != nil {
            throw FerryError(.unsupported, code: .backupUnavailable,
                             "A backup secrets store is not available in this Ferry build yet.")
        }
        database = try StoreDatabase(path: configuration.databasePath, readOnly: readOnly, logger: logger)
        self.logger = logger
        encryptionKey = secrets.encryptionKey
        backend = try kind.make(try StoreFields(secrets), environment, database)
    }

    /// A store over an explicit database and back-end (tests, other targets).
    public init(database: StoreDatabase, backend: any SecretValuesBackend, logger: Logger = Logger(label: "ferry.store")) {
        self.database = database
        self.backend = backend
        self.logger = logger
        encryptionKey = nil
    }

    /// The store as messages name it: `the store '<path>'`, saying when it does not exist yet.
    public var description: String {
        "the store '\(database.path)'" + (database.exists ? "" : " (which does not exist yet)")
    }

    // MARK: - Create

    /// Creates a secret; throws ``FerryError/Kind/alreadyExists`` when the name is taken in its visibility.
    @discardableResult
    public func create(name: String, values: SecretValues, isPrivate: Bool = false) async throws -> Secret {
        try Self.validate(name: name, values: values)
        try checkKey()
        let now = Date()
        let secret = Secret(name: name, isPrivate: isPrivate, owner: database.ownerID, created: now, updated: now, values: values)
        // A back-end whose values live in this row (sql) writes them in the same transaction.
        let inline = try backend.rowColumn(for: values)
        try database.withConnection { db in
            try db.transaction {
                try ensureUnique(db, name: name, isPrivate: isPrivate, excluding: nil)
                try db.run(
                    "INSERT INTO secret (id, created, updated, name, private, \"values\", user_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [.text(secret.id.hexString), .text(ZenMLTimestamp.format(now)), .text(ZenMLTimestamp.format(now)),
                     .text(name), .integer(isPrivate ? 1 : 0), inline ?? .null, .text(secret.owner.hexString)])
            }
        }
        if inline != nil {
            logger.debug("created secret", metadata: ["secret": "\(name)", "id": "\(secret.id.uuidString.lowercased())"])
            return secret
        }
        do {
            try await backend.storeValues(values, for: secret.id)
        } catch {
            // As ZenML does: no metadata without values.
            _ = try? database.withConnection { try $0.run("DELETE FROM secret WHERE id = ?", [.text(secret.id.hexString)]) }
            throw error
        }
        logger.debug("created secret", metadata: ["secret": "\(name)", "id": "\(secret.id.uuidString.lowercased())"])
        return secret
    }

    /// Writes the values of a secret whose metadata exists but whose values do not (a create that
    /// was interrupted between its two writes, with an external back-end).
    public func restoreValues(_ values: SecretValues, of secret: Secret) async throws {
        try Self.validate(name: secret.name, values: values)
        try checkKey()
        try await backend.storeValues(values, for: secret.id)
    }

    // MARK: - Read

    /// Metadata of one secret by id.
    public func secret(id: UUID) throws -> Secret {
        guard let secret = try fetch("WHERE id = ?", [.text(id.hexString)]).first else {
            throw FerryError(.notFound, code: .secretNotFound,
                             "Unable to get secret with name or ID '\(id.uuidString.lowercased())': No secret with this ID found.")
        }
        return secret
    }

    /// The values of `secret`.
    public func values(of secret: Secret) async throws -> SecretValues {
        try checkKey()
        do {
            return try await backend.getValues(for: secret.id)
        } catch let error as FerryError where error.kind == .encryptionKey && backend is SQLValuesBackend {
            // The store's own key check passed, so the key is right for this store: a value that
            // does not decode with it was changed outside Ferry.
            throw FerryError(.corruptData, code: .valuesDamaged,
                             "The stored values of secret `\(secret.name)` (\(secret.id.uuidString.lowercased())) in '\(database.path)' are damaged: they do not decode with the store's \(encryptionKey == nil ? "encoding (base64 JSON, no encryption)" : "verified encryption key").")
        } catch let error as FerryError where error.kind == .encryptionKey || error.kind == .corruptData {
            throw FerryError(error.kind, code: error.code, remoteCode: error.remoteCode, error.message.replacingOccurrences(
                of: secret.id.uuidString.lowercased(), with: "`\(secret.name)` (\(secret.id.uuidString.lowercased()))"))
        }
    }

    /// Finds a secret as `zenml secret get` does: a full id, else an exact name (public first,
    /// then private), else `allowPartial` lets one secret whose name contains, or whose id starts
    /// with, the text match. `isPrivate` restricts the visibility searched.
    public func find(_ nameOrID: String, isPrivate: Bool? = nil, allowPartial: Bool = false) throws -> Secret {
        if let id = UUID(flexible: nameOrID), let secret = try? secret(id: id), isPrivate == nil || secret.isPrivate == isPrivate {
            return secret
        }
        let visibilities = isPrivate.map { [$0] } ?? [false, true]
        for visibility in visibilities {
            if let exact = try fetch(
                "WHERE name = ? AND private = ? AND (private = 0 OR user_id = ?)",
                [.text(nameOrID), .integer(visibility ? 1 : 0), .text(database.ownerID.hexString)]).first
            {
                return exact
            }
        }
        if allowPartial {
            let needle = nameOrID.lowercased().replacingOccurrences(of: "-", with: "")
            let partial = try fetch("WHERE (private = 0 OR user_id = ?)", [.text(database.ownerID.hexString)]).filter {
                visibilities.contains($0.isPrivate) && ($0.name.contains(nameOrID) || (!needle.isEmpty && $0.id.hexString.hasPrefix(needle)))
            }
            if partial.count == 1 { return partial[0] }
            if partial.count > 1 {
                let listed = partial.map { "`\($0.name)` (\($0.id.uuidString.lowercased()))" }.joined(separator: ", ")
                throw FerryError(.invalidInput, code: .ambiguousSecret,
                                 "Multiple secrets have been found for name, ID or prefix '\(nameOrID)': \(listed). Please specify the full name or ID.")
            }
        }
        let visibility = isPrivate.map { $0 ? "private " : "public " } ?? ""
        throw FerryError(.notFound, code: .secretNotFound,
                         "No \(visibility)secret with name\(allowPartial ? ", ID or prefix" : " or ID") '\(nameOrID)' found in \(description).")
    }

    /// A page of metadata (no values), with ZenML's filters, sort and paging.
    public func list(_ query: SecretQuery = SecretQuery()) throws -> SecretPage {
        guard query.page >= 1, (1...10_000).contains(query.size) else {
            throw FerryError(.invalidInput, code: .badPage, "Pages start at 1 and hold 1 to 10000 items.")
        }
        let visible = "WHERE (private = 0 OR user_id = ?)"
        let owner = SQLiteDatabase.Value.text(database.ownerID.hexString)
        if query.filters.isEmpty, let column = query.sort.sqlColumn {
            // Sorted and paged by SQLite (indexed); ties broken by id, as in the general path.
            let total = try database.withConnection { try $0.query("SELECT COUNT(*) FROM secret " + visible, [owner], { Int($0.integer(0)) })[0] }
            let direction = query.sort.descending ? "DESC" : "ASC"
            let items = try fetch("\(visible) ORDER BY \(column) \(direction), id ASC LIMIT ? OFFSET ?",
                                  [owner, .integer(Int64(query.size)), .integer(Int64((query.page - 1) * query.size))])
            return SecretPage(items: items, index: query.page, maxSize: query.size,
                              totalPages: max(1, (total + query.size - 1) / query.size), total: total)
        }
        let all = try fetch(visible, [owner]).filter(query.matches).sorted(by: query.ordered)
        let totalPages = max(1, (all.count + query.size - 1) / query.size)
        let start = min(all.count, (query.page - 1) * query.size)
        let items = Array(all[start..<min(all.count, start + query.size)])
        return SecretPage(items: items, index: query.page, maxSize: query.size, totalPages: totalPages, total: all.count)
    }

    // MARK: - Update

    /// Updates a secret as `zenml secret update` does: rename, change visibility, add or
    /// overwrite values and remove keys (a key removed that does not exist, or both added and
    /// removed, is an error). Values are read before anything is written.
    @discardableResult
    public func update(_ secret: Secret, newName: String? = nil, isPrivate: Bool? = nil,
                       addOrUpdate: SecretValues = SecretValues(), removeKeys: [String] = []) async throws -> Secret
    {
        if let both = removeKeys.first(where: addOrUpdate.contains) {
            throw FerryError(.invalidInput, code: .keyAddedAndRemoved,
                             "Key `\(both)` cannot be both updated and removed.")
        }
        var updated = secret
        updated.name = newName ?? secret.name
        updated.isPrivate = isPrivate ?? secret.isPrivate
        let changesValues = !addOrUpdate.isEmpty || !removeKeys.isEmpty
        var newValues: SecretValues?
        if changesValues {
            var values = try await self.values(of: secret)
            for key in removeKeys {
                guard values.contains(key) else {
                    throw FerryError(.notFound, code: .keyNotFound,
                                     "Cannot remove key `\(key)` from secret `\(secret.name)`: the secret has no such key.")
                }
                values[key] = nil
            }
            values.merge(addOrUpdate)
            try Self.validate(name: updated.name, values: values)
            newValues = values
        } else {
            try Self.validate(name: updated.name, values: SecretValues())
        }
        if isPrivate != nil, isPrivate != secret.isPrivate, secret.owner != database.ownerID {
            throw FerryError(.refused, code: .notOwner,
                             "Only the user who created the secret is allowed to update its private status.")
        }
        let now = Date()
        updated.updated = now
        try database.withConnection { db in
            try db.transaction {
                if updated.name != secret.name || updated.isPrivate != secret.isPrivate {
                    try ensureUnique(db, name: updated.name, isPrivate: updated.isPrivate, excluding: secret.id)
                }
                try db.run("UPDATE secret SET name = ?, private = ?, updated = ? WHERE id = ?",
                           [.text(updated.name), .integer(updated.isPrivate ? 1 : 0), .text(ZenMLTimestamp.format(now)),
                            .text(secret.id.hexString)])
            }
        }
        if let newValues {
            do {
                try await backend.updateValues(newValues, for: secret.id)
            } catch {
                // Put the metadata back as it was.
                _ = try? database.withConnection { db in
                    try db.run("UPDATE secret SET name = ?, private = ?, updated = ? WHERE id = ?",
                               [.text(secret.name), .integer(secret.isPrivate ? 1 : 0),
                                .text(ZenMLTimestamp.format(secret.updated)), .text(secret.id.hexString)])
                }
                throw error
            }
            updated.values = newValues
        }
        return updated
    }

    // MARK: - Delete

    /// Deletes a secret's values, then its metadata.
    public func delete(_ secret: Secret) async throws {
        try checkKey()
        do {
            try await backend.deleteValues(for: secret.id)
        } catch let error as FerryError where error.kind == .notFound && !error.isOwnershipMismatch {
            // Values already gone: deleting the metadata finishes the job. Values that belong to
            // another deployment are never a reason to drop ours silently.
            logger.debug("no values to delete", metadata: ["secret": "\(secret.name)"])
        }
        try database.withConnection { _ = try $0.run("DELETE FROM secret WHERE id = ?", [.text(secret.id.hexString)]) }
    }

    // MARK: - Helpers

    private func checkKey() throws {
        if backend is SQLValuesBackend { try database.verifyEncryptionKey(encryptionKey) }
    }

    static func validate(name: String, values: SecretValues) throws {
        guard !name.isEmpty else { throw FerryError(.invalidInput, code: .emptyName, "A secret name cannot be empty.") }
        guard !name.utf8.contains(0) else { throw FerryError(.invalidInput, code: .invalidName, "A secret name cannot contain a NUL character.") }
        guard name.count <= maxNameLength else {
            throw FerryError(.invalidInput, code: .nameTooLong,
                             "Secret names are at most \(maxNameLength) characters (this one has \(name.count)).")
        }
        guard values.utf8ByteCount <= maxValueBytes else {
            throw FerryError(.invalidInput, code: .valuesTooLarge,
                             "The keys and values of secret `\(name)` take \(values.utf8ByteCount) bytes; at most \(maxValueBytes) are allowed.")
        }
    }

    private func ensureUnique(_ db: SQLiteDatabase, name: String, isPrivate: Bool, excluding: UUID?) throws {
        let clash: [String]
        if isPrivate {
            clash = try db.query("SELECT id FROM secret WHERE name = ? AND private = 1 AND user_id = ? AND id != ?",
                                 [.text(name), .text(database.ownerID.hexString), .text(excluding?.hexString ?? "")]) { $0.text(0) ?? "" }
        } else {
            clash = try db.query("SELECT id FROM secret WHERE name = ? AND private = 0 AND id != ?",
                                 [.text(name), .text(excluding?.hexString ?? "")]) { $0.text(0) ?? "" }
        }
        if !clash.isEmpty {
            throw FerryError(.alreadyExists, code: .secretExists,
                             "Found an existing \(isPrivate ? "private" : "public") secret with the same '\(name)' name\(isPrivate ? " for the same user" : "").")
        }
    }

    private func fetch(_ clause: String, _ parameters: [SQLiteDatabase.Value]) throws -> [Secret] {
        try database.withConnection { db in
            try db.query("SELECT id, name, private, user_id, created, updated FROM secret " + clause, parameters) { row in
                guard let id = row.text(0).flatMap(UUID.init(flexible:)), let owner = row.text(3).flatMap(UUID.init(flexible:)),
                    let created = row.text(4).flatMap(ZenMLTimestamp.parse), let updated = row.text(5).flatMap(ZenMLTimestamp.parse)
                else {
                    throw FerryError(.corruptData, code: .badRow, "A row of the `secret` table in '\(database.path)' is malformed.")
                }
                return Secret(id: id, name: row.text(1) ?? "", isPrivate: row.integer(2) != 0, owner: owner,
                              created: created, updated: updated)
            }
        }
    }
}

public import FerryCore
import FerryStore
import Foundation

/// A ZenML SQLite database (`zenml.db`) as the migration target: the `secret` table written the
/// way that database's ZenML release writes it, with the same encoding of values (base64 JSON,
/// or AES-256-GCM under `ZENML_SECRETS_STORE_ENCRYPTION_KEY`).
///
/// Layouts (ZenML `src/zenml/zen_stores/schemas/secret_schemas.py`):
/// - 0.34–0.7x: `secret(id, created, updated, name, scope, values, workspace_id, user_id)`, scope
///   `workspace` (shared) or `user` (private); names unique per scope.
/// - 0.80 and later: `secret(id, created, updated, name, private, internal, values, user_id)`;
///   public names unique, private ones per user.
///
/// The database must not be in use by a running ZenML server while Ferry writes it.
public final class ZenMLDatabaseTarget: MigrationTarget, @unchecked Sendable {
    enum Layout { case scoped, privateFlag }

    let database: SQLiteDatabase
    let layout: Layout
    let userID: String
    let workspaceID: String?
    let codec: ZenMLValuesCodec
    let path: String
    private let lock = NSLock()

    public var description: String { "the ZenML database \(path)" }

    /// Whether `path` is a ZenML database (alembic-managed, with a `secret` table) rather than Ferry's own store
    /// (a `ferry_meta` table that an older Ferry added to a ZenML database does not make it Ferry's).
    public static func isZenMLDatabase(_ path: String) -> Bool {
        guard FileManager.default.fileExists(atPath: path),
              let database = try? SQLiteDatabase(path: path, readOnly: true, create: false, busyTimeoutMilliseconds: 2_000),
              let tables = try? database.query("SELECT name FROM sqlite_master WHERE type = 'table'", [], { $0.text(0) ?? "" })
        else { return false }
        return tables.contains("alembic_version") && tables.contains("secret")
    }

    /// The workspace the environment names: ZenML's `ZENML_ACTIVE_WORKSPACE_ID`, else
    /// `ZENML_ACTIVE_WORKSPACE_NAME` (`zenml/constants.py@0.52.0`…`@0.75.0`); nil when neither is set.
    public static func workspace(from environment: [String: String]) -> String? {
        for name in ["ZENML_ACTIVE_WORKSPACE_ID", "ZENML_ACTIVE_WORKSPACE_NAME"] {
            if let value = environment[name], !value.isEmpty { return value }
        }
        return nil
    }

    /// Opens `path`; the owner is the ZenML user `ZENML_STORE_USERNAME` (default `default`), the
    /// workspace (before 0.80) `workspace` (a name or an id), else ``workspace(from:)``, else `default`.
    public init(path: String, environment: [String: String], workspace chosen: String? = nil) throws {
        self.path = path
        database = try SQLiteDatabase(path: path, readOnly: false, create: false, busyTimeoutMilliseconds: 5_000)
        let columns = Set(try database.query("SELECT name FROM pragma_table_info('secret')") { $0.text(0) ?? "" })
        if columns.contains("private") {
            layout = .privateFlag
        } else if columns.contains("scope"), columns.contains("workspace_id") {
            layout = .scoped
        } else {
            throw FerryError(.unsupported, code: .zenmlDBLayout,
                             "The `secret` table of '\(path)' has neither ZenML 0.34–0.7x's columns (scope, workspace_id) nor 0.80's (private).")
        }
        let username = environment["ZENML_STORE_USERNAME"].flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        guard let user = try database.query("SELECT id FROM \"user\" WHERE name = ?", [.text(username)], { $0.text(0) }).first ?? nil else {
            throw FerryError(.notFound, code: .zenmlDBUser, "'\(path)' has no ZenML user `\(username)` (set ZENML_STORE_USERNAME).")
        }
        userID = user
        if layout == .scoped {
            let workspace = chosen ?? Self.workspace(from: environment) ?? "default"
            // Ids are stored as 32 hex digits without dashes (`ZenMLTimestamp`/`UUID.hexString`).
            let hex = UUID(uuidString: workspace)?.hexString ?? workspace
            guard let id = try database.query("SELECT id FROM workspace WHERE name = ? OR id = ? ORDER BY name = ? DESC",
                                              [.text(workspace), .text(hex), .text(workspace)], { $0.text(0) }).first ?? nil else {
                throw FerryError(.notFound, code: .zenmlDBWorkspace, "'\(path)' has no ZenML workspace `\(workspace)`.")
            }
            workspaceID = id
        } else {
            if let chosen {
                throw FerryError(.invalidInput, code: .zenmlWorkspace,
                                 "'\(path)' is a ZenML 0.80+ database, whose secrets belong to no workspace; leave out the workspace `\(chosen)`.")
            }
            workspaceID = nil
        }
        codec = ZenMLValuesCodec(encryptionKey: environment["ZENML_SECRETS_STORE_ENCRYPTION_KEY"])
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// The WHERE clause and parameters that find `name` in that visibility.
    private func match(_ name: String, _ isPrivate: Bool) -> (String, [SQLiteDatabase.Value]) {
        switch layout {
        case .scoped:
            return isPrivate ? ("name = ? AND scope = 'user' AND user_id = ?", [.text(name), .text(userID)])
                : ("name = ? AND scope = 'workspace' AND workspace_id = ?", [.text(name), .text(workspaceID ?? "")])
        case .privateFlag:
            return isPrivate ? ("name = ? AND private = 1 AND user_id = ?", [.text(name), .text(userID)])
                : ("name = ? AND private = 0", [.text(name)])
        }
    }

    public func lookup(_ name: String, isPrivate: Bool) async throws -> TargetSecret? {
        let (clause, parameters) = match(name, isPrivate)
        let rows = try locked {
            try database.query("SELECT id, \"values\" FROM secret WHERE \(clause)", parameters) { row in
                (row.text(0) ?? "", ZenMLValuesCodec.Stored(row, column: 1))
            }
        }
        guard let (id, stored) = rows.first else { return nil }
        return TargetSecret(id: id, name: name, values: try stored.map { try codec.decode($0, secret: "`\(name)` of '\(path)'") })
    }

    public func create(_ name: String, values: SecretValues, isPrivate: Bool) async throws {
        let now = ZenMLTimestamp.format(Date())
        let id = UUID().hexString
        let stored = try codec.column(values)
        try locked {
            try database.transaction {
                let (clause, parameters) = match(name, isPrivate)
                let taken = try database.query("SELECT COUNT(*) FROM secret WHERE \(clause)", parameters) { $0.integer(0) }.first ?? 0
                guard taken == 0 else {
                    throw FerryError(.alreadyExists, code: .secretExists, "'\(path)' already has a secret `\(name)`.")
                }
                switch layout {
                case .scoped:
                    _ = try database.run("""
                        INSERT INTO secret (id, created, updated, name, scope, "values", workspace_id, user_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """, [.text(id), .text(now), .text(now), .text(name), .text(isPrivate ? "user" : "workspace"), stored,
                              .text(workspaceID ?? ""), .text(userID)])
                case .privateFlag:
                    _ = try database.run("""
                        INSERT INTO secret (id, created, updated, name, private, internal, "values", user_id) VALUES (?, ?, ?, ?, ?, 0, ?, ?)
                        """, [.text(id), .text(now), .text(now), .text(name), .integer(isPrivate ? 1 : 0), stored, .text(userID)])
                }
            }
        }
    }

    public func replace(_ secret: TargetSecret, values: SecretValues) async throws {
        let stored = try codec.column(values)
        try locked {
            _ = try database.run("UPDATE secret SET \"values\" = ?, updated = ? WHERE id = ?",
                                 [stored, .text(ZenMLTimestamp.format(Date())), .text(secret.id)])
        }
    }

    public func restore(_ secret: TargetSecret, values: SecretValues) async throws {
        try await replace(secret, values: values)
    }
}

import CSQLite
import FerryCore
public import Foundation

/// A thin, safe wrapper over the system's SQLite: one connection, prepared statements with
/// bound parameters, and transactions. Not thread-safe; ``SecretStore`` serializes access.
///
/// ```swift
/// let db = try SQLiteDatabase(path: "/tmp/example.db", create: true)
/// try db.execute("CREATE TABLE t (x TEXT)")
/// try db.run("INSERT INTO t VALUES (?)", ["hello"])
/// let rows = try db.query("SELECT x FROM t") { $0.text(0) }
/// ```
public final class SQLiteDatabase: @unchecked Sendable {
    /// A value to bind to a statement parameter.
    public enum Value: Sendable {
        case text(String)
        case blob(Data)
        case integer(Int64)
        case null
    }

    private var handle: OpaquePointer?
    /// The database file.
    public let path: String
    private var statementCache: [String: OpaquePointer] = [:]
    private let holder: String
    private let busyTimeout: Int32

    /// Opens the database at `path`; `create` lets SQLite create a missing file (callers that
    /// care about the file's mode and links create it themselves, see ``StoreDatabase``).
    /// `holder` says who may hold a lock on it, for the message when waiting for one times out.
    public init(path: String, readOnly: Bool = false, create: Bool = false, busyTimeoutMilliseconds: Int32 = 10_000,
                holder: String = "another process (a running ZenML server or command?)") throws
    {
        self.path = path
        self.holder = holder
        self.busyTimeout = busyTimeoutMilliseconds
        let flags = readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0))
        var db: OpaquePointer?
        let status = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard status == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close(db)
            throw FerryError(.io, code: .databaseOpen, "Cannot open the database '\(path)': \(message).")
        }
        handle = db
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
    }

    deinit {
        for statement in statementCache.values { sqlite3_finalize(statement) }
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements without parameters.
    public func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &message)
        if status != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? "error \(status)"
            sqlite3_free(message)
            throw failure(status, text)
        }
    }

    /// Runs one statement with parameters; returns the number of changed rows.
    @discardableResult
    public func run(_ sql: String, _ parameters: [Value] = []) throws -> Int {
        let statement = try prepare(sql, parameters)
        defer { sqlite3_reset(statement) }
        let status = sqlite3_step(statement)
        guard status == SQLITE_DONE || status == SQLITE_ROW else { throw failure(status) }
        return Int(sqlite3_changes(handle))
    }

    /// Runs a query and maps every row.
    public func query<T>(_ sql: String, _ parameters: [Value] = [], _ map: (Row) throws -> T) throws -> [T] {
        let statement = try prepare(sql, parameters)
        defer { sqlite3_reset(statement) }
        var rows: [T] = []
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { break }
            guard status == SQLITE_ROW else { throw failure(status) }
            rows.append(try map(Row(statement: statement!)))
        }
        return rows
    }

    /// Runs `body` in a transaction (`BEGIN IMMEDIATE`, so writers wait for each other instead
    /// of failing); rolls back when it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// One result row; columns by index.
    public struct Row {
        let statement: OpaquePointer
        public func text(_ column: Int32) -> String? {
            guard sqlite3_column_type(statement, column) != SQLITE_NULL, let bytes = sqlite3_column_text(statement, column)
            else { return nil }
            let count = Int(sqlite3_column_bytes(statement, column))
            return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
        }
        public func blob(_ column: Int32) -> Data? {
            guard sqlite3_column_type(statement, column) != SQLITE_NULL else { return nil }
            let count = Int(sqlite3_column_bytes(statement, column))
            guard count > 0, let bytes = sqlite3_column_blob(statement, column) else { return Data() }
            return Data(bytes: bytes, count: count)
        }
        public func integer(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }
        public func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }
        /// Whether the column holds a BLOB (rather than TEXT).
        public func isBlob(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_BLOB }
    }

    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    private func prepare(_ sql: String, _ parameters: [Value]) throws -> OpaquePointer? {
        var statement = statementCache[sql]
        if statement == nil {
            let status = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
            guard status == SQLITE_OK else { throw failure(status) }
            statementCache[sql] = statement
        }
        sqlite3_clear_bindings(statement)
        for (offset, parameter) in parameters.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch parameter {
            case .text(let text):
                // SQLite reads the C string up to its first NUL: refuse rather than store a shorter text.
                guard !text.utf8.contains(0) else {
                    throw FerryError(.invalidInput, code: .nulInText, "A text with a NUL character cannot be stored in '\(path)'.")
                }
                status = sqlite3_bind_text(statement, index, text, -1, Self.transient)
            case .blob(let data):
                status = data.withUnsafeBytes { sqlite3_bind_blob(statement, index, $0.baseAddress, Int32($0.count), Self.transient) }
            case .integer(let value): status = sqlite3_bind_int64(statement, index, value)
            case .null: status = sqlite3_bind_null(statement, index)
            }
            guard status == SQLITE_OK else { throw failure(status) }
        }
        return statement
    }

    private func failure(_ status: Int32, _ text: String? = nil) -> FerryError {
        let message = text ?? String(cString: sqlite3_errmsg(handle))
        let code = status & 0xFF
        if code == SQLITE_CONSTRAINT {
            return FerryError(.alreadyExists, code: .constraint, "Database constraint failed in '\(path)': \(message).")
        }
        if code == SQLITE_NOTADB || code == SQLITE_CORRUPT {
            return FerryError(.corruptData, code: .databaseCorrupt, "'\(path)' is not a usable SQLite database: \(message).")
        }
        if code == SQLITE_BUSY || code == SQLITE_LOCKED {
            return FerryError(.io, code: .databaseLocked,
                              "The database '\(path)' stayed locked by \(holder) for \(busyTimeout / 1000) s; try again when it has finished.")
        }
        return FerryError(.io, code: .databaseError, "Database error in '\(path)': \(message).")
    }
}

import FerryCore
import FerryCrypto
public import Foundation
public import Logging

/// The embedded store's SQLite file: the `secret` table laid out as ZenML ≥ 0.80 lays it out
/// (32-hex ids, naive-UTC times, `private`, `values` in ZenML's SQL encoding) plus Ferry's own
/// `ferry_meta` table (schema version, store id, owner, encryption check).
///
/// Only a new file or one that is already a Ferry store is used: a symbolic link, a file of
/// another user or one that others can write, a ZenML database, any other SQLite database and a
/// store whose `ferry_meta` is damaged are refused, and nothing is changed in them. A new store
/// is created 0600 without following links; an existing one is tightened to 0600 (with its WAL)
/// when opened for writing. Opening read-only creates and changes nothing: a missing store reads
/// as empty. Two processes creating the same new store wait for each other (a lock on its folder).
///
/// All access goes through ``withConnection(_:)``, which serializes it.
/// ZenML 0.98.0 `src/zenml/zen_stores/schemas/secret_schemas.py` and the migrations
/// `f1d723fd723b`, `1f9d1cd00b90` (names unique: public ones globally, private ones per owner).
public final class StoreDatabase: @unchecked Sendable {
    public static let schemaVersion = "1"
    private let connection: SQLiteDatabase
    private let lock = NSLock()
    /// The key (its SHA-256) last verified against this database, so each process checks once.
    private var verifiedKey: String??
    /// The database file.
    public let path: String
    /// Whether this store was opened read-only (nothing is ever written through it).
    public let isReadOnly: Bool
    /// Whether the file exists (a read-only store that does not reads as empty).
    public let exists: Bool
    /// This store's id: the `zenml` tag or label on external back-ends.
    public let storeID: UUID
    /// The local user that owns secrets created through this store.
    public let ownerID: UUID
    /// Where the store and its values back-end log (retry waits of a cloud back-end included).
    let logger: Logger

    /// Opens the store database at `path`, creating it (WAL mode, mode 0600) unless `readOnly`.
    public init(path: String, readOnly: Bool = false, logger: Logger = Logger(label: "ferry.store")) throws {
        self.path = path
        isReadOnly = readOnly
        self.logger = logger
        var opened: (connection: SQLiteDatabase, exists: Bool, meta: [String: String])?
        if readOnly, try StoreFile.inspect(path) == nil {
            opened = nil
        } else {
            opened = try SecureFile.withLock(onFolderOf: path, shared: readOnly) {
                try Self.open(path, readOnly: readOnly, logger: logger)
            }
        }
        if let opened {
            connection = opened.connection
            exists = opened.exists
            guard let store = opened.meta["store_id"].flatMap(UUID.init(flexible:)),
                  let owner = opened.meta["owner_id"].flatMap(UUID.init(flexible:))
            else { throw Self.damaged(path, "it has no valid store id or owner") }
            storeID = store
            ownerID = owner
        } else {
            // Nothing on disk: an empty store in memory, so reads find nothing and create nothing.
            connection = try SQLiteDatabase(path: ":memory:")
            try Self.createSchema(connection)
            exists = false
            storeID = UUID()
            ownerID = UUID()
        }
        try connection.execute("PRAGMA foreign_keys=ON;" + (readOnly ? "" : " PRAGMA synchronous=NORMAL;"))
    }

    /// Opens (under the folder lock) and classifies the file: a new store is created, a Ferry
    /// store checked, anything else refused. Returns the connection and the `ferry_meta` rows.
    private static func open(_ path: String, readOnly: Bool, logger: Logger) throws
        -> (connection: SQLiteDatabase, exists: Bool, meta: [String: String])?
    {
        var file = try StoreFile.inspect(path)
        if file == nil {
            if readOnly { return nil }
            file = try StoreFile.create(path)
        }
        guard let file else { return nil }
        try file.checkOwnership(path)
        // Opened for writing (never creating) even to read: a read-only connection to a WAL
        // database leaves `-wal` and `-shm` files behind, while the last writable connection to
        // close checkpoints and removes them. `query_only` then refuses every write.
        let connection = try SQLiteDatabase(path: path, holder: "another ferry command")
        if readOnly { try connection.execute("PRAGMA query_only = 1;") }
        // The file SQLite opened must be the one checked (no link swapped in meanwhile).
        guard try StoreFile.inspect(path)?.identity == file.identity else {
            throw FerryError(.io, code: .storeChanged, "'\(path)' was replaced while Ferry opened it; try again.")
        }
        let tables = Set(try connection.query("SELECT name FROM sqlite_master WHERE type = 'table'", [], { $0.text(0) ?? "" }))
        if tables.contains("alembic_version") {
            throw FerryError(.unsupported, code: .zenmlDatabase,
                             "'\(path)' is a ZenML database, not a Ferry store: `ferry secret` commands do not read ZenML databases yet, and Ferry adds nothing to it. To migrate secrets into it, use `ferry secrets-manager secret migrate --store \(path)`.")
        }
        if tables.isEmpty {
            if readOnly { return nil }
            try connection.execute("PRAGMA journal_mode=WAL;")
            try connection.transaction {
                try createSchema(connection)
                for (key, value) in [("schema_version", schemaVersion), ("store_id", UUID().hexString), ("owner_id", UUID().hexString)] {
                    try connection.run("INSERT INTO ferry_meta (key, value) VALUES (?, ?)", [.text(key), .text(value)])
                }
            }
            return (connection, true, try meta(connection))
        }
        guard tables.contains("ferry_meta") else {
            let listed = tables.sorted().prefix(5).map { "`\($0)`" }.joined(separator: ", ")
            throw FerryError(.configuration, code: .foreignDatabase,
                             "'\(path)' is an SQLite database of another program (tables \(listed)), not a Ferry store; Ferry adds nothing to it. Give a new file's path.")
        }
        guard tables.contains("secret") else { throw damaged(path, "it has no `secret` table") }
        let meta = try meta(connection)
        guard let version = meta["schema_version"] else { throw damaged(path, "its schema version is missing") }
        guard version == schemaVersion else {
            throw FerryError(.configuration, code: .storeSchema,
                             "'\(path)' has store schema \(version), which this Ferry does not know.")
        }
        if readOnly {
            if file.othersCanRead {
                logger.warning("The store can be read by other users; Ferry makes it 0600 on its next write.",
                               metadata: ["store": "\(path)", "mode": "\(String(file.mode, radix: 8))"])
            }
        } else {
            try StoreFile.tighten(path)
        }
        return (connection, true, meta)
    }

    private static func createSchema(_ connection: SQLiteDatabase) throws {
        try connection.execute(
            """
            CREATE TABLE ferry_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
            CREATE TABLE secret (
                id CHAR(32) NOT NULL PRIMARY KEY,
                created DATETIME NOT NULL,
                updated DATETIME NOT NULL,
                name VARCHAR NOT NULL,
                private BOOLEAN NOT NULL,
                "values" VARCHAR(16777215),
                user_id CHAR(32) NOT NULL
            );
            CREATE UNIQUE INDEX secret_public_name ON secret (name) WHERE private = 0;
            CREATE UNIQUE INDEX secret_private_name ON secret (name, user_id) WHERE private = 1;
            CREATE INDEX secret_created ON secret (created);
            CREATE INDEX secret_name ON secret (name);
            """)
    }

    /// A store whose own bookkeeping was changed outside Ferry: refused, never repaired (a new
    /// owner or key record would hide private secrets or mix plaintext with ciphertext).
    static func damaged(_ path: String, _ what: String) -> FerryError {
        FerryError(.corruptData, code: .storeMetaDamaged,
                   "The store '\(path)' is damaged: \(what) (its `ferry_meta` table was changed outside Ferry). Ferry will not repair it; restore it from a backup.")
    }

    /// Runs `body` with exclusive use of the connection.
    public func withConnection<T>(_ body: (SQLiteDatabase) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(connection)
    }

    /// A value of the `ferry_meta` table.
    public func meta(_ key: String) throws -> String? {
        try withConnection { try Self.meta($0)[key] }
    }

    private static func meta(_ connection: SQLiteDatabase) throws -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in try connection.query("SELECT key, value FROM ferry_meta", [], { ($0.text(0) ?? "", $0.text(1) ?? "") }) {
            result[key] = value
        }
        return result
    }

    /// Checks that `encryptionKey` is the one the store's values are encrypted with, recording it
    /// (as an AES-GCM sealed check value, never the key) when the store holds no values yet.
    /// Throws ``FerryError/Kind/encryptionKey`` and changes nothing on a mismatch.
    public func verifyEncryptionKey(_ encryptionKey: String?) throws {
        let fingerprint = encryptionKey.map { SHA256.hexDigest(Array($0.utf8)) }
        if try withConnection({ _ in verifiedKey == .some(fingerprint) }) { return }
        let codec = ZenMLValuesCodec(encryptionKey: encryptionKey)
        try withConnection { db in
            func verify() throws {
                let meta = try Self.meta(db)
                let mode = codec.encrypts ? "aes-gcm" : "none"
                let storedValues = try db.query("SELECT EXISTS (SELECT 1 FROM secret WHERE \"values\" IS NOT NULL)", [], { $0.integer(0) })[0] > 0
                switch meta["encryption"] {
                case nil where storedValues:
                    throw Self.damaged(path, "it holds values but no record of how they are encrypted")
                case "aes-gcm"?:
                    guard let check = meta["key_check"] else { throw Self.damaged(path, "its encryption key check is missing") }
                    if codec.encrypts {
                        guard (try? codec.decode(.encrypted(check), secret: "key check")) != nil else {
                            if !storedValues { break }
                            throw FerryError(.encryptionKey, code: .wrongEncryptionKey,
                                             "The encryption key does not match the one the store '\(path)' was encrypted with.")
                        }
                        verifiedKey = .some(fingerprint)
                        return
                    }
                    if storedValues {
                        throw FerryError(.encryptionKey, code: .missingEncryptionKey,
                                         "The store '\(path)' is encrypted: set FERRY_SECRETS_STORE_ENCRYPTION_KEY (or `encryption_key` in the store configuration).")
                    }
                case "none"?:
                    if !codec.encrypts {
                        verifiedKey = .some(fingerprint)
                        return
                    }
                    if storedValues {
                        throw FerryError(.encryptionKey, code: .unexpectedEncryptionKey,
                                         "The store '\(path)' holds unencrypted values, but an encryption key is configured; unset it, or use a new store.")
                    }
                case nil:
                    break
                case let other?:
                    throw Self.damaged(path, "its encryption is recorded as `\(other)`")
                }
                // No values yet: adopt this mode (a read-only store has nothing to decrypt and records nothing).
                if !isReadOnly {
                    try db.run("INSERT OR REPLACE INTO ferry_meta (key, value) VALUES ('encryption', ?)", [.text(mode)])
                    if case .encrypted(let check) = try codec.encode(["ferry": "key-check"]) {
                        try db.run("INSERT OR REPLACE INTO ferry_meta (key, value) VALUES ('key_check', ?)", [.text(check)])
                    } else {
                        try db.run("DELETE FROM ferry_meta WHERE key = 'key_check'")
                    }
                }
                self.verifiedKey = .some(fingerprint)
            }
            // A read-only connection takes no write lock: it only reads.
            if isReadOnly { try verify() } else { try db.transaction { try verify() } }
        }
    }
}

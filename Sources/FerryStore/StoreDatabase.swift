import FerryCore
import FerryCrypto
import Foundation

/// The embedded store's SQLite file: the `secret` table laid out as ZenML ≥ 0.80 lays it out
/// (32-hex ids, naive-UTC times, `private`, `values` in ZenML's SQL encoding) plus Ferry's own
/// `ferry_meta` table (schema version, store id, owner, encryption check).
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
    /// This store's id: the `zenml` tag or label on external back-ends.
    public let storeID: UUID
    /// The local user that owns secrets created through this store.
    public let ownerID: UUID

    /// Opens or creates the store database (WAL mode, mode 0600).
    public init(path: String) throws {
        self.path = path
        let connection = try SQLiteDatabase(path: path)
        self.connection = connection
        try connection.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")
        try connection.transaction {
            try connection.execute(
                """
                CREATE TABLE IF NOT EXISTS ferry_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS secret (
                    id CHAR(32) NOT NULL PRIMARY KEY,
                    created DATETIME NOT NULL,
                    updated DATETIME NOT NULL,
                    name VARCHAR NOT NULL,
                    private BOOLEAN NOT NULL,
                    "values" VARCHAR(16777215),
                    user_id CHAR(32) NOT NULL
                );
                CREATE UNIQUE INDEX IF NOT EXISTS secret_public_name ON secret (name) WHERE private = 0;
                CREATE UNIQUE INDEX IF NOT EXISTS secret_private_name ON secret (name, user_id) WHERE private = 1;
                CREATE INDEX IF NOT EXISTS secret_created ON secret (created);
                CREATE INDEX IF NOT EXISTS secret_name ON secret (name);
                """)
            for (key, value) in [("schema_version", Self.schemaVersion), ("store_id", UUID().hexString),
                                 ("owner_id", UUID().hexString)]
            {
                try connection.run("INSERT OR IGNORE INTO ferry_meta (key, value) VALUES (?, ?)", [.text(key), .text(value)])
            }
        }
        let meta = try Self.meta(connection)
        guard meta["schema_version"] == Self.schemaVersion else {
            throw FerryError(.configuration, code: "store_schema",
                             "'\(path)' has store schema \(meta["schema_version"] ?? "?"), which this Ferry does not know.")
        }
        guard let store = meta["store_id"].flatMap(UUID.init(flexible:)), let owner = meta["owner_id"].flatMap(UUID.init(flexible:))
        else { throw FerryError(.corruptData, code: "store_meta", "'\(path)' has no valid store id or owner.") }
        storeID = store
        ownerID = owner
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
            try db.transaction {
                let meta = try Self.meta(db)
                let recorded = meta["encryption"]
                let mode = codec.encrypts ? "aes-gcm" : "none"
                let checkMatches = meta["key_check"].map { (try? codec.decode(.encrypted($0), secret: "key check")) != nil }
                if recorded == mode && (!codec.encrypts || checkMatches == true) {
                    verifiedKey = .some(fingerprint)
                    return
                }
                let storedValues = try db.query("SELECT EXISTS (SELECT 1 FROM secret WHERE \"values\" IS NOT NULL)", [], { $0.integer(0) })[0]
                if storedValues > 0, let recorded {
                    if recorded == "aes-gcm" && !codec.encrypts {
                        throw FerryError(.encryptionKey, code: "missing_encryption_key",
                                         "The store '\(path)' is encrypted: set FERRY_SECRETS_STORE_ENCRYPTION_KEY (or `encryption_key` in the store configuration).")
                    }
                    if recorded == "none" {
                        throw FerryError(.encryptionKey, code: "unexpected_encryption_key",
                                         "The store '\(path)' holds unencrypted values, but an encryption key is configured; unset it, or use a new store.")
                    }
                    throw FerryError(.encryptionKey, code: "wrong_encryption_key",
                                     "The encryption key does not match the one the store '\(path)' was encrypted with.")
                }
                // No values yet: adopt this mode.
                try db.run("INSERT OR REPLACE INTO ferry_meta (key, value) VALUES ('encryption', ?)", [.text(mode)])
                if case .encrypted(let check) = try codec.encode(["ferry": "key-check"]) {
                    try db.run("INSERT OR REPLACE INTO ferry_meta (key, value) VALUES ('key_check', ?)", [.text(check)])
                } else {
                    try db.run("DELETE FROM ferry_meta WHERE key = 'key_check'")
                }
                verifiedKey = .some(fingerprint)
            }
        }
    }
}

public import FerryCore
import FerryCrypto
public import Foundation

/// ZenML's encoding of secret values in the SQL secrets store.
///
/// `json.dumps(values)`, then base64 of it without a key (an SQLite BLOB), or with one,
/// `base64(nonce ‖ tag ‖ ciphertext)` of AES-256-GCM under SHA-256(key) with a 12-byte random
/// nonce and no associated data (an SQLite TEXT). ZenML 0.98.0
/// `src/zenml/zen_stores/schemas/secret_schemas.py` (`_dump_secret_values`,
/// `_load_secret_values`) with sqlalchemy_utils 0.43.0 `AesGcmEngine`; the same in 0.35.1.
///
/// ```swift
/// let codec = ZenMLValuesCodec(encryptionKey: "my-very-secret-key")
/// let stored = try codec.encode(["a": "1"])
/// try codec.decode(stored, secret: "db")   // ["a": "1"]
/// ```
public struct ZenMLValuesCodec: Sendable {
    /// How values sit in the `values` column.
    public enum Stored: Sendable, Equatable {
        /// ASCII base64 bytes, stored as a BLOB (how ZenML stores values without a key).
        case base64(Data)
        /// Text, stored as TEXT (how ZenML 0.98 stores encrypted values: base64 of nonce ‖ tag ‖ ciphertext).
        case encrypted(String)

        /// The `values` column of a row, by its SQLite type; nil when NULL (no values).
        public init?(_ row: SQLiteDatabase.Row, column: Int32) {
            if row.isNull(column) { return nil }
            self = row.isBlob(column) ? .base64(row.blob(column) ?? Data()) : .encrypted(row.text(column) ?? "")
        }
    }

    private let key: [UInt8]?

    /// `values` encoded as the `values` column holds them: a base64 BLOB, or encrypted TEXT.
    public func column(_ values: SecretValues) throws -> SQLiteDatabase.Value {
        switch try encode(values) {
        case .base64(let data): return .blob(data)
        case .encrypted(let text): return .text(text)
        }
    }

    /// A codec; an empty key means none, as in ZenML.
    public init(encryptionKey: String?) {
        if let encryptionKey, !encryptionKey.isEmpty {
            key = SHA256.hash(Array(encryptionKey.utf8))
        } else {
            key = nil
        }
    }

    /// Whether values are encrypted.
    public var encrypts: Bool { key != nil }

    /// Encodes `values` as ZenML would store them.
    public func encode(_ values: SecretValues) throws -> Stored {
        let json = PythonJSON.dumps(values)
        guard let key else { return .base64(Data(PythonBase64.encode(json).utf8)) }
        let box = try AESGCM.seal(Array(json.utf8), key: key)
        return .encrypted(PythonBase64.encode(Data(box.nonce + box.tag + box.ciphertext)))
    }

    /// Decodes a stored column, TEXT or BLOB alike (ZenML 0.52 writes encrypted values as a BLOB
    /// on create and as TEXT on update); `secret` names the secret in errors.
    public func decode(_ stored: Stored, secret: String) throws -> SecretValues {
        let text: String
        switch stored {
        case .base64(let data):
            guard let ascii = String(data: data, encoding: .utf8) else { throw undecodable(secret) }
            text = ascii
        case .encrypted(let value):
            text = value
        }
        let plainJSON = PythonBase64.decodeUTF8(text).flatMap { json -> String? in
            (try? PythonJSON.parse(json)).map { _ in json }
        }
        guard let key else {
            guard let plainJSON else {
                throw FerryError(.encryptionKey, code: .missingEncryptionKey,
                                 "The values of secret \(secret) are encrypted, but no encryption key is configured (set FERRY_SECRETS_STORE_ENCRYPTION_KEY or `encryption_key` in the store configuration).")
            }
            return try PythonJSON.parseFlatMap(plainJSON, what: "The stored values of secret \(secret)")
        }
        let unencrypted = FerryError(.encryptionKey, code: .unexpectedEncryptionKey,
                                     "The values of secret \(secret) were stored without encryption, but an encryption key is configured.")
        guard let raw = PythonBase64.decode(text), raw.count >= AESGCM.nonceSize + AESGCM.tagSize else {
            throw plainJSON == nil ? undecodable(secret) : unencrypted
        }
        let bytes = [UInt8](raw)
        let box = AESGCM.SealedBox(nonce: Array(bytes[0..<12]), ciphertext: Array(bytes[28...]), tag: Array(bytes[12..<28]))
        guard let plain = try? AESGCM.open(box, key: key), let json = String(bytes: plain, encoding: .utf8) else {
            if plainJSON != nil { throw unencrypted }
            throw FerryError(.encryptionKey, code: .wrongEncryptionKey,
                             "The values of secret \(secret) cannot be decrypted: the encryption key is wrong.")
        }
        return try PythonJSON.parseFlatMap(json, what: "The stored values of secret \(secret)")
    }

    private func undecodable(_ secret: String) -> FerryError {
        FerryError(.corruptData, code: .valuesUndecodable, "The stored values of secret \(secret) are not in ZenML's encoding.")
    }
}

import COpenSSL
import Foundation

/// RSASSA-PKCS1-v1_5 with SHA-256 (JWT's `RS256`) over OpenSSL's libcrypto.
///
/// ```swift
/// let key = try RSAPrivateKey(pem: serviceAccount.privateKey)
/// let signature = try key.signSHA256(Array(signingInput.utf8))
/// ```
public final class RSAPrivateKey: @unchecked Sendable {
    // An EVP_PKEY is immutable once loaded and OpenSSL allows concurrent signing with it.
    private let key: OpaquePointer

    /// Loads a PEM private key (PKCS #8 `BEGIN PRIVATE KEY`, or PKCS #1 `BEGIN RSA PRIVATE KEY`).
    /// The error never quotes the key.
    public init(pem: String) throws {
        let bytes = Array(pem.utf8)
        let loaded: OpaquePointer? = bytes.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PrivateKey(bio, nil, nil, nil)
        }
        ERR_clear_error()
        guard let loaded else { throw CryptoError("not a PEM private key") }
        guard EVP_PKEY_get_base_id(loaded) == EVP_PKEY_RSA else {
            EVP_PKEY_free(loaded)
            throw CryptoError("the private key is not an RSA key")
        }
        key = loaded
    }

    deinit { EVP_PKEY_free(key) }

    /// The RS256 signature of `message`.
    public func signSHA256(_ message: [UInt8]) throws -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { throw CryptoError("EVP_MD_CTX_new failed") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, EVP_sha256(), nil, key) == 1 else {
            ERR_clear_error()
            throw CryptoError("RSA signing setup failed")
        }
        var length = 0
        guard EVP_DigestSign(context, nil, &length, message, message.count) == 1 else {
            ERR_clear_error()
            throw CryptoError("RSA signing failed")
        }
        var signature = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(context, &signature, &length, message, message.count) == 1 else {
            ERR_clear_error()
            throw CryptoError("RSA signing failed")
        }
        return Array(signature.prefix(length))
    }

    /// Whether `signature` is this key's RS256 signature of `message` (checks with the public half).
    public func verifySHA256(_ signature: [UInt8], of message: [UInt8]) -> Bool {
        guard let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, EVP_sha256(), nil, key) == 1 else {
            ERR_clear_error()
            return false
        }
        let verified = EVP_DigestVerify(context, signature, signature.count, message, message.count) == 1
        ERR_clear_error()
        return verified
    }
}

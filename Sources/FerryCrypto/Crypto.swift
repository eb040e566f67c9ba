import COpenSSL
public import Foundation

/// Errors from the cryptographic primitives; they carry no key or plaintext material.
public struct CryptoError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
    /// The ciphertext did not authenticate: wrong key, or tampered or truncated data.
    public static let authenticationFailed = CryptoError("authentication failed")
}

/// SHA-256 over OpenSSL's libcrypto.
public enum SHA256 {
    /// The 32-byte digest of `data`.
    public static func hash<D: DataProtocol>(_ data: D) -> [UInt8] {
        let bytes = Array(data)
        var digest = [UInt8](repeating: 0, count: Int(SHA256_DIGEST_LENGTH))
        _ = bytes.withUnsafeBufferPointer { input in
            COpenSSL.SHA256(input.baseAddress, input.count, &digest)
        }
        return digest
    }

    /// The lowercase hex digest of `data`.
    public static func hexDigest<D: DataProtocol>(_ data: D) -> String { hash(data).hexString }
}

/// HMAC-SHA256 over OpenSSL's libcrypto.
public enum HMACSHA256 {
    /// The 32-byte authentication code of `message` under `key`.
    public static func authenticationCode<K: DataProtocol, M: DataProtocol>(for message: M, key: K) -> [UInt8] {
        let keyBytes = Array(key)
        let messageBytes = Array(message)
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        keyBytes.withUnsafeBufferPointer { keyBuffer in
            messageBytes.withUnsafeBufferPointer { messageBuffer in
                _ = HMAC(EVP_sha256(), keyBuffer.baseAddress, Int32(keyBuffer.count),
                         messageBuffer.baseAddress, messageBuffer.count, &output, &length)
            }
        }
        return Array(output.prefix(Int(length)))
    }
}

/// Cryptographically secure random bytes from OpenSSL's DRBG.
public enum SecureRandom {
    public static func bytes(_ count: Int) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&buffer, Int32(count)) == 1 else { fatalError("OpenSSL RAND_bytes failed") }
        return buffer
    }
}

/// AES-256-GCM with a 12-byte nonce, a 16-byte tag and no associated data.
///
/// ```swift
/// let box = try AESGCM.seal(Array("hi".utf8), key: key32)
/// let text = try AESGCM.open(box, key: key32)
/// ```
public enum AESGCM {
    public static let nonceSize = 12
    public static let tagSize = 16

    /// The pieces of a sealed message.
    public struct SealedBox: Sendable, Equatable {
        public let nonce: [UInt8]
        public let ciphertext: [UInt8]
        public let tag: [UInt8]
        public init(nonce: [UInt8], ciphertext: [UInt8], tag: [UInt8]) {
            self.nonce = nonce
            self.ciphertext = ciphertext
            self.tag = tag
        }
    }

    /// Encrypts `plaintext` under a 32-byte `key`, with a fresh random nonce unless one is given.
    public static func seal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8]? = nil) throws -> SealedBox {
        guard key.count == 32 else { throw CryptoError("AES-256-GCM needs a 32-byte key") }
        let iv = nonce ?? SecureRandom.bytes(nonceSize)
        guard iv.count == nonceSize else { throw CryptoError("AES-GCM nonce must be 12 bytes") }
        guard let context = EVP_CIPHER_CTX_new() else { throw CryptoError("EVP_CIPHER_CTX_new failed") }
        defer { EVP_CIPHER_CTX_free(context) }
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count + 16)
        var tag = [UInt8](repeating: 0, count: tagSize)
        var length: Int32 = 0
        var total = 0
        guard EVP_EncryptInit_ex(context, EVP_aes_256_gcm(), nil, nil, nil) == 1,
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_IVLEN, Int32(nonceSize), nil) == 1,
            EVP_EncryptInit_ex(context, nil, nil, key, iv) == 1
        else { throw CryptoError("AES-GCM setup failed") }
        if !plaintext.isEmpty {
            guard EVP_EncryptUpdate(context, &ciphertext, &length, plaintext, Int32(plaintext.count)) == 1 else {
                throw CryptoError("AES-GCM encryption failed")
            }
            total = Int(length)
        }
        let finished = ciphertext.withUnsafeMutableBufferPointer { buffer in
            EVP_EncryptFinal_ex(context, buffer.baseAddress! + total, &length)
        }
        guard finished == 1 else { throw CryptoError("AES-GCM encryption failed") }
        total += Int(length)
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(tagSize), &tag) == 1 else {
            throw CryptoError("AES-GCM tag failed")
        }
        return SealedBox(nonce: iv, ciphertext: Array(ciphertext.prefix(total)), tag: tag)
    }

    /// Decrypts and authenticates `box` under a 32-byte `key`; ``CryptoError/authenticationFailed`` when it does not verify.
    public static func open(_ box: SealedBox, key: [UInt8]) throws -> [UInt8] {
        guard key.count == 32 else { throw CryptoError("AES-256-GCM needs a 32-byte key") }
        guard box.nonce.count == nonceSize, box.tag.count == tagSize else { throw CryptoError.authenticationFailed }
        guard let context = EVP_CIPHER_CTX_new() else { throw CryptoError("EVP_CIPHER_CTX_new failed") }
        defer { EVP_CIPHER_CTX_free(context) }
        var plaintext = [UInt8](repeating: 0, count: box.ciphertext.count + 16)
        var length: Int32 = 0
        var total = 0
        var tag = box.tag
        guard EVP_DecryptInit_ex(context, EVP_aes_256_gcm(), nil, nil, nil) == 1,
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_IVLEN, Int32(nonceSize), nil) == 1,
            EVP_DecryptInit_ex(context, nil, nil, key, box.nonce) == 1
        else { throw CryptoError("AES-GCM setup failed") }
        if !box.ciphertext.isEmpty {
            guard EVP_DecryptUpdate(context, &plaintext, &length, box.ciphertext, Int32(box.ciphertext.count)) == 1
            else { throw CryptoError.authenticationFailed }
            total = Int(length)
        }
        guard EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(tagSize), &tag) == 1 else {
            throw CryptoError.authenticationFailed
        }
        let verified = plaintext.withUnsafeMutableBufferPointer { buffer in
            EVP_DecryptFinal_ex(context, buffer.baseAddress! + total, &length)
        }
        guard verified == 1 else { throw CryptoError.authenticationFailed }
        total += Int(length)
        return Array(plaintext.prefix(total))
    }
}

extension Sequence where Element == UInt8 {
    /// Lowercase hexadecimal.
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

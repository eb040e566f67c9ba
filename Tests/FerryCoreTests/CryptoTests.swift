import FerryCrypto
import Foundation
import Testing

@Suite struct CryptoTests {
    @Test func sha256KnownAnswers() {
        #expect(SHA256.hexDigest(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hexDigest([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func hmacRFC4231Case2() {
        let mac = HMACSHA256.authenticationCode(for: Array("what do ya want for nothing?".utf8), key: Array("Jefe".utf8))
        #expect(mac.hexString == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func aesGCMKnownAnswerAndTamper() throws {
        // NIST GCM test case 14: 256-bit zero key, zero IV, one zero block.
        let key = [UInt8](repeating: 0, count: 32)
        let box = try AESGCM.seal([UInt8](repeating: 0, count: 16), key: key, nonce: [UInt8](repeating: 0, count: 12))
        #expect(box.ciphertext.hexString == "cea7403d4d606b6e074ec5d3baf39d18")
        #expect(box.tag.hexString == "d0d1c8a799996bf0265b98b5d48ab919")
        #expect(try AESGCM.open(box, key: key) == [UInt8](repeating: 0, count: 16))
        var tampered = box.ciphertext
        tampered[0] ^= 1
        #expect(throws: CryptoError.self) {
            try AESGCM.open(AESGCM.SealedBox(nonce: box.nonce, ciphertext: tampered, tag: box.tag), key: key)
        }
        var wrongKey = key
        wrongKey[31] = 1
        #expect(throws: CryptoError.self) { try AESGCM.open(box, key: wrongKey) }
        let empty = try AESGCM.seal([], key: key)
        #expect(try AESGCM.open(empty, key: key).isEmpty)
        #expect(SecureRandom.bytes(12) != SecureRandom.bytes(12))
    }
}

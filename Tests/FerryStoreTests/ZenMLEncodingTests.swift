import FerryCore
import FerryStore
import FerryTesting
import Foundation
import Testing

/// Rows of the `secret` table of real ZenML 0.52.0 SQL stores (LegacyFixtures/centralized).
struct CentralizedFixture {
    struct Row {
        let name: String
        let stored: String
        let isBlob: Bool
        let values: SecretValues
        let plaintextJSON: String?
    }

    let encryptionKey: String?
    let rows: [Row]

    init(_ file: String) throws {
        let text = try String(contentsOfFile: Repository.fixtures(from: #filePath) + "/centralized/" + file, encoding: .utf8)
        guard case .object(let top) = try PythonJSON.parse(text) else { throw FerryError(.corruptData, "fixture") }
        func field(_ pairs: [(key: String, value: PythonJSON.Value)], _ name: String) -> PythonJSON.Value? {
            pairs.first { $0.key == name }?.value
        }
        if case .string(let key)? = field(top, "encryption_key") { encryptionKey = key } else { encryptionKey = nil }
        guard case .array(let secrets)? = field(top, "secrets") else { throw FerryError(.corruptData, "fixture") }
        rows = secrets.compactMap { item in
            guard case .object(let pairs) = item, case .string(let name)? = field(pairs, "name"),
                case .string(let stored)? = field(pairs, "stored_values"), case .string(let type)? = field(pairs, "stored_type"),
                case .object(let values)? = field(pairs, "values")
            else { return nil }
            var plaintext: String?
            if case .string(let json)? = field(pairs, "plaintext_json") { plaintext = json }
            return Row(name: name, stored: stored, isBlob: type == "blob",
                       values: SecretValues(values.map { ($0.key, $0.value.pythonString) }), plaintextJSON: plaintext)
        }
    }
}

@Suite struct ZenMLEncodingTests {
    @Test func decryptsValuesEncryptedByZenML() throws {
        let fixture = try CentralizedFixture("zenml-0.52.0-sql.json")
        let key = try #require(fixture.encryptionKey)
        #expect(!fixture.rows.isEmpty)
        #expect(Set(fixture.rows.map(\.isBlob)) == [true, false])   // ZenML 0.52: BLOB on create, TEXT on update
        let codec = ZenMLValuesCodec(encryptionKey: key)
        for row in fixture.rows {
            let stored: ZenMLValuesCodec.Stored = row.isBlob ? .base64(Data(row.stored.utf8)) : .encrypted(row.stored)
            #expect(try codec.decode(stored, secret: row.name) == row.values, "\(row.name)")
            // The wrong key and no key are clear errors.
            #expect { try ZenMLValuesCodec(encryptionKey: key + "x").decode(stored, secret: row.name) } throws: {
                ($0 as? FerryError)?.code == .wrongEncryptionKey
            }
            #expect { try ZenMLValuesCodec(encryptionKey: nil).decode(stored, secret: row.name) } throws: {
                ($0 as? FerryError)?.code == .missingEncryptionKey
            }
        }
    }

    @Test func encodesUnencryptedValuesByteForByteAsZenML() throws {
        let fixture = try CentralizedFixture("zenml-0.52.0-sql-unencrypted.json")
        #expect(!fixture.rows.isEmpty)
        let codec = ZenMLValuesCodec(encryptionKey: nil)
        for row in fixture.rows {
            #expect(try codec.decode(.base64(Data(row.stored.utf8)), secret: row.name) == row.values)
            // Same insertion order as ZenML: re-encoding gives the stored bytes.
            let ordered = try PythonJSON.parseFlatMap(try #require(PythonBase64.decodeUTF8(row.stored)), what: row.name)
            #expect(try codec.encode(ordered) == .base64(Data(row.stored.utf8)), "\(row.name)")
            #expect { try ZenMLValuesCodec(encryptionKey: "k").decode(.base64(Data(row.stored.utf8)), secret: row.name) } throws: {
                ($0 as? FerryError)?.code == .unexpectedEncryptionKey
            }
        }
    }

    @Test func encryptsInZenMLsLayout() throws {
        let codec = ZenMLValuesCodec(encryptionKey: "my-very-secret-key")
        let values: SecretValues = ["a": "1", "pw": "h\u{f6}h\u{f6}"]
        guard case .encrypted(let text) = try codec.encode(values) else {
            Issue.record("not encrypted")
            return
        }
        let raw = try #require(PythonBase64.decode(text))
        // nonce (12) ‖ tag (16) ‖ ciphertext (the length of the JSON, 34 bytes here).
        #expect(raw.count == 12 + 16 + #"{"a": "1", "pw": "h\u00f6h\u00f6"}"#.utf8.count)
        #expect(try codec.decode(.encrypted(text), secret: "s") == values)
        #expect(try codec.encode(values) != codec.encode(values))   // a fresh nonce each time
    }
}

/// ZenML's own engine (sqlalchemy_utils AesGcmEngine in the ZenML 0.52.0 venv) decrypts what Ferry encrypts.
@Suite(.enabled(if: Repository.zenml052Python != nil || Repository.inCI, "needs FERRY_ZENML052_PYTHON (set by .ci/run)"))
struct ZenMLEngineInteropTests {
    @Test func zenmlDecryptsFerrysCiphertext() throws {
        let python = try #require(Repository.zenml052Python, "CI must set FERRY_ZENML052_PYTHON")
        let script = Repository.fixtures(from: #filePath) + "/tools/zenml_aesgcm.py"
        let key = "ferry-key-h\u{f6}h\u{f6}-🔐"
        let values: SecretValues = ["user": "admin", "pw": "pä$$ 🔐", "multi": "a\nb", "empty": ""]
        guard case .encrypted(let text) = try ZenMLValuesCodec(encryptionKey: key).encode(values) else {
            Issue.record("not encrypted")
            return
        }
        let decrypted = try ProcessRunner.run(python, [script, "decrypt", "--key", key], stdin: text)
        #expect(decrypted.status == 0, "\(decrypted.stderr)")
        #expect(decrypted.stdout == PythonJSON.dumps(values))
        let wrong = try ProcessRunner.run(python, [script, "decrypt", "--key", key + "!"], stdin: text)
        #expect(wrong.status != 0)
        // And the reverse: ZenML's engine encrypts, Ferry decrypts.
        let encrypted = try ProcessRunner.run(python, [script, "encrypt", "--key", key], stdin: PythonJSON.dumps(values))
        #expect(encrypted.status == 0, "\(encrypted.stderr)")
        let token = String(PythonText.strip(Substring(encrypted.stdout)))
        #expect(try ZenMLValuesCodec(encryptionKey: key).decode(.encrypted(token), secret: "s") == values)
    }
}

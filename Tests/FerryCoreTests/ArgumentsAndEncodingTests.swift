import Foundation
import Testing
@testable import FerryCore

@Suite struct ZenMLArgumentsTests {
    @Test func nameAnywhereAndPairsInOrder() throws {
        let parsed = try ZenMLArguments.parse(["--b=2", "db", "--a=x=y", "--c="])
        #expect(parsed.name == "db")
        #expect(parsed.values.keys == ["b", "a", "c"])
        #expect(parsed.values["a"] == "x=y")
        #expect(parsed.values["c"] == "")
    }

    @Test func invalidArgumentsNeverEchoTheirValue() throws {
        for arguments in [["db", "--bad-key=topsecretvalue"], ["db", "topsecretvalue"], ["db", "--novalue-topsecretvalue"]] {
            do {
                _ = try ZenMLArguments.parse(arguments)
                Issue.record("accepted \(arguments.count) arguments")
            } catch let error as FerryError {
                #expect(error.kind == .invalidInput)
                #expect(!error.message.contains("topsecretvalue"))
                #expect(error.message.contains("--custom_argument"))
            } catch {
                Issue.record("unexpected error type")
            }
        }
        #expect(throws: FerryError.self) { try ZenMLArguments.parse(["--a=1"]) }
        #expect(try ZenMLArguments.parse(["--é_clé=1", "n"]).values["é_clé"] == "1")
    }

    @Test func fileValuesAndTheirLimits() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-args-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data("line1\r\nline2\rline3".utf8).write(to: URL(fileURLWithPath: directory + "/v.txt"))
        try Data(repeating: UInt8(ascii: "a"), count: 10_240).write(to: URL(fileURLWithPath: directory + "/max.txt"))
        try Data(repeating: UInt8(ascii: "a"), count: 10_241).write(to: URL(fileURLWithPath: directory + "/big.txt"))
        let parsed = try ZenMLArguments.parse(["s", "--v=@v.txt", "--lit=@@v.txt", "--max=@max.txt"], currentDirectory: directory)
        #expect(parsed.values["v"] == "line1\nline2\nline3")
        #expect(parsed.values["lit"] == "@v.txt")
        #expect(parsed.values["max"]?.count == 10_240)
        #expect(throws: FerryError.self) { try ZenMLArguments.parse(["s", "--v=@big.txt"], currentDirectory: directory) }
        #expect(throws: FerryError.self) { try ZenMLArguments.parse(["s", "--v=@missing.txt"], currentDirectory: directory) }
        #expect(try ZenMLArguments.parse(["s", "--v=@big.txt"], expandFiles: false).values["v"] == "@big.txt")
    }

    @Test func reservedNamesAndKeys() {
        #expect(throws: FerryError.self) { try ZenMLArguments.validateSecret(name: "name", keys: []) }
        #expect(throws: FerryError.self) { try ZenMLArguments.validateSecret(name: "s", keys: ["name"]) }
        #expect(throws: FerryError.self) { try ZenMLArguments.validateSecret(name: "s", keys: ["1abc"]) }
        #expect(throws: Never.self) { try ZenMLArguments.validateSecret(name: "dash-name", keys: ["_ok", "clé"]) }
    }
}

@Suite struct PythonCompatibilityTests {
    // Expected strings are Python 3.11's `json.dumps(...)` output.
    @Test func jsonDumpsLikePython() {
        #expect(PythonJSON.dumps(SecretValues([("a", "1"), ("pw", "h\u{f6}h\u{f6}")])) == #"{"a": "1", "pw": "h\u00f6h\u00f6"}"#)
        #expect(PythonJSON.dumps(.string("🔐\u{7f}\u{1}\t\"\\/")) == #""\ud83d\udd10\u007f\u0001\t\"\\/""#)
        #expect(PythonJSON.dumps(.object([("b", .bool(true)), ("n", .null), ("l", .array([.number("1"), .string("x")]))]))
            == #"{"b": true, "n": null, "l": [1, "x"]}"#)
        #expect(PythonJSON.dumps(SecretValues()) == "{}")
    }

    @Test func jsonParsesInOrderAndStringifiesLikePython() throws {
        let values = try PythonJSON.parseFlatMap(#"{"z": "1", "a": true, "m": 1.5, "u": "\ud83d\udd10", "n": null}"#, what: "t")
        #expect(values.keys == ["z", "a", "m", "u", "n"])
        #expect(values["a"] == "True")
        #expect(values["m"] == "1.5")
        #expect(values["u"] == "🔐")
        #expect(values["n"] == "None")
        #expect(throws: FerryError.self) { try PythonJSON.parseFlatMap("[1]", what: "t") }
        #expect(throws: FerryError.self) { try PythonJSON.parseFlatMap(#"{"a": "1""#, what: "t") }
        #expect(throws: FerryError.self) { try PythonJSON.parse("{} x") }
    }

    @Test func base64LikePython() {
        #expect(PythonBase64.encode("s3cr3t:é") == "czNjcjN0OsOp")
        #expect(PythonBase64.decodeUTF8("czNjcjN0OsOp") == "s3cr3t:é")
        #expect(PythonBase64.decodeUTF8("YW Rt\naW4=") == "admin")    // non-alphabet characters are discarded
        #expect(PythonBase64.decode("YWRtaW4") == nil)                 // incorrect padding
        #expect(PythonBase64.decodeUTF8("/w==") == nil)                // not UTF-8
        #expect(PythonBase64.decodeUTF8("") == "")
    }

    @Test func identifiersAndWhitespace() {
        #expect(PythonText.isIdentifier("clé"))
        #expect(PythonText.isIdentifier("_x1"))
        #expect(!PythonText.isIdentifier("1x"))
        #expect(!PythonText.isIdentifier("a-b"))
        #expect(!PythonText.isIdentifier(""))
        #expect(PythonText.strip("\u{1c} a b\u{85}") == "a b")
        #expect(PythonText.codePointLess("Z", "a"))
        #expect(PythonText.codePointLess("zenml_schema_name", "é"))
    }

    @Test func timestampsAndHexIDs() throws {
        let date = try #require(ZenMLTimestamp.parse("2026-11-23 07:48:33.162841"))
        #expect(ZenMLTimestamp.format(date) == "2026-11-23 07:48:33.162841")
        #expect(ZenMLTimestamp.parse("not a date") == nil)
        let id = UUID(uuidString: "FDAC846D-A1AD-459C-946A-1173760122B4")!
        #expect(id.hexString == "fdac846da1ad459c946a1173760122b4")
        #expect(UUID(flexible: "fdac846da1ad459c946a1173760122b4") == id)
        #expect(UUID(flexible: "fdac846d") == nil)
    }

    @Test func zenmlPathsFollowTheEnvironment() {
        let paths = ZenMLPaths(environment: ["ZENML_CONFIG_PATH": "/tmp/zc"])
        #expect(paths.configDirectory == "/tmp/zc")
        #expect(paths.localStoresDirectory == "/tmp/zc/local_stores")
        let id = UUID(uuidString: "12345678-1234-5678-1234-567812345678")!
        #expect(paths.defaultLocalSecretsFile(componentID: id) == "/tmp/zc/local_stores/12345678-1234-5678-1234-567812345678/secrets.yaml")
        #expect(ZenMLPaths(environment: ["ZENML_CONFIG_PATH": "/tmp/zc", "ZENML_LOCAL_STORES_PATH": "/tmp/ls"]).localStoresDirectory == "/tmp/ls")
        #expect(ZenMLPaths(environment: ["XDG_CONFIG_HOME": "/tmp/xdg"], home: "/home/u").configDirectory == "/tmp/xdg/zenml")
        #expect(ZenMLPaths(environment: [:], home: "/tmp").configDirectory == "/tmp/.config/zenml")
    }
}

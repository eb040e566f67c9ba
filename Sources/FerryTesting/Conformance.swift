public import FerryCore
public import FerryLegacy
public import FerryStore
public import Foundation

/// A conformance check that did not hold: which check, and what was seen (never a value).
public struct ConformanceFailure: Error, CustomStringConvertible {
    public let check: String
    public let detail: String
    public var description: String { "conformance check '\(check)' failed: \(detail)" }
}

/// Values that exercise encodings: unicode, line breaks, empty, `=`, quotes, a long value.
public enum ConformanceValues {
    public static let awkward: SecretValues = [
        "username": "admin",
        "password": "pä$$wörd 🔐 日本語",
        "multi_line": "-----BEGIN KEY-----\nline2\n\nline4\n-----END KEY-----\n",
        "empty": "",
        "equals": "a=b==",
        "quotes": "it's \"quoted\" \\ back",
        "spaces": "  padded  ",
        "long": String(repeating: "0123456789abcdef", count: 40),
    ]
}

func expect(_ condition: Bool, _ check: String, _ detail: @autoclosure () -> String) throws {
    if !condition { throw ConformanceFailure(check: check, detail: detail()) }
}

func expectError(_ kind: FerryError.Kind, code: FerryError.Code? = nil, _ check: String, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as FerryError {
        try expect(error.kind == kind, check, "expected a \(kind.rawValue) error, got \(error.kind.rawValue): \(error.message)")
        if let code { try expect(error.code == code, check, "expected the error \(code), got \(error.code): \(error.message)") }
        return
    }
    throw ConformanceFailure(check: check, detail: "expected a \(kind.rawValue) error, but the call succeeded")
}

/// The checks every `LegacySecretsManager` must pass: ZenML's error contract, exact round trips
/// of awkward values and schema types, listing, update and delete semantics, and concurrent writers.
///
/// ```swift
/// let passed = try await LegacySecretsManagerConformance.run { LocalSecretsManager(component: c, secretsFile: path) }
/// ```
public enum LegacySecretsManagerConformance {
    /// Runs every check; `make` returns a manager over an empty back-end each time it is called.
    /// `names` are secret names the flavor accepts, and `concurrentPrefix` + a digit too. Returns
    /// the names of the checks that ran.
    @discardableResult
    public static func run(names: [String] = ["db", "with_underscore", "Mixed.Case-1"], concurrentPrefix: String = "concurrent_",
                           make: () async throws -> any LegacySecretsManager) async throws -> [String]
    {
        var ran: [String] = []

        var manager = try await make()
        try expect(try await manager.secretNames().isEmpty, "empty", "a new manager lists secrets")
        try await expectError(.notFound, "get missing") { _ = try await manager.getSecret(named: "missing") }
        try await expectError(.notFound, "update missing") {
            try await manager.updateSecret(LegacySecret(name: "missing", values: ["a": "1"]))
        }
        try await expectError(.notFound, "delete missing") { try await manager.deleteSecret(named: "missing") }
        ran.append("errors on an empty manager")

        manager = try await make()
        for name in names {
            let secret = LegacySecret(name: name, values: ConformanceValues.awkward)
            try await manager.registerSecret(secret)
            let read = try await manager.getSecret(named: name)
            try expect(read == secret, "round trip", "secret `\(name)` read back differently (keys \(read.values.keys))")
        }
        try expect(Set(try await manager.secretNames()) == Set(names), "list", "listed names differ from registered ones")
        ran.append("round trip of awkward values")

        let typed = LegacySecret(name: "typed", schemaType: "aws",
                                 values: ["aws_access_key_id": "AKIA123", "aws_secret_access_key": "abc/def+ghi"])
        try await manager.registerSecret(typed)
        try expect(try await manager.getSecret(named: "typed") == typed, "schema type", "schema type or values not kept")
        ran.append("schema type kept")

        try await expectError(.alreadyExists, "register existing") {
            try await manager.registerSecret(LegacySecret(name: "typed", values: ["x": "y"]))
        }
        try expect(try await manager.getSecret(named: "typed") == typed, "register existing", "a failed register changed the secret")
        ran.append("register of an existing name refused")

        let replaced = LegacySecret(name: names[0], values: ["new_key": "new value", "username": "root"])
        try await manager.updateSecret(replaced)
        try expect(try await manager.getSecret(named: names[0]) == replaced, "update", "update did not replace the values")
        ran.append("update replaces values")

        try await manager.deleteSecret(named: names[0])
        try await expectError(.notFound, "delete") { _ = try await manager.getSecret(named: names[0]) }
        try expect(Set(try await manager.secretNames()) == Set(names.dropFirst() + ["typed"]), "delete",
                   "delete removed more or less than one secret")
        ran.append("delete removes one secret")

        let all = try await manager.readAll()
        try expect(Set(all.map(\.name)) == Set(try await manager.secretNames()), "read all", "readAll listed other names")
        for (name, result) in all {
            let one = try await manager.getSecret(named: name)
            try expect((try? result.get()) == one, "read all", "readAll read `\(name)` differently from getSecret")
        }
        ran.append("read all agrees with get")

        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<8 {
                let writer = manager
                group.addTask {
                    try await writer.registerSecret(LegacySecret(name: "\(concurrentPrefix)\(index)", values: ["n": "\(index)"]))
                }
            }
            try await group.waitForAll()
        }
        for index in 0..<8 {
            let read = try await manager.getSecret(named: "\(concurrentPrefix)\(index)")
            try expect(read.values["n"] == "\(index)", "concurrent writers", "a concurrent register was lost")
        }
        ran.append("concurrent registers all land")

        try await manager.deleteAllSecrets()
        try expect(try await manager.secretNames().isEmpty, "delete all", "secrets remain after deleting all")
        ran.append("delete all")
        return ran
    }
}

/// The checks every `SecretValuesBackend` must pass: exact round trips, full replacement on
/// update, not-found errors, and isolation between secrets.
///
/// ```swift
/// try await SecretValuesBackendConformance.run(backend) { try await makeMetadataRow() }
/// ```
public enum SecretValuesBackendConformance {
    /// Runs every check. `newID` returns a fresh secret id, creating whatever metadata the
    /// back-end needs for it. `foreign`, the same kind of back-end of another store in the same
    /// place, must refuse to read or delete this store's values (`values_not_ours`) and leave
    /// them as they are. Returns the names of the checks that ran.
    @discardableResult
    public static func run(_ backend: any SecretValuesBackend, foreign: (any SecretValuesBackend)? = nil,
                           newID: () async throws -> UUID) async throws -> [String] {
        var ran: [String] = []
        let first = try await newID()
        try await expectError(.notFound, "get missing") { _ = try await backend.getValues(for: first) }
        try await expectError(.notFound, "delete missing") { try await backend.deleteValues(for: first) }
        ran.append("not found before storing")

        try await backend.storeValues(ConformanceValues.awkward, for: first)
        let read = try await backend.getValues(for: first)
        try expect(read == ConformanceValues.awkward, "round trip", "values read back differently (keys \(read.keys))")
        ran.append("round trip of awkward values")

        let second = try await newID()
        try await backend.storeValues([:], for: second)
        try expect(try await backend.getValues(for: second).isEmpty, "empty map", "an empty map did not read back empty")
        try expect(try await backend.getValues(for: first) == ConformanceValues.awkward, "isolation",
                   "storing one secret changed another")
        ran.append("empty map and isolation")

        let replacement: SecretValues = ["only": "this"]
        try await backend.updateValues(replacement, for: first)
        try expect(try await backend.getValues(for: first) == replacement, "update", "update merged instead of replacing")
        ran.append("update replaces")

        var many = SecretValues()
        for index in 0..<64 { many["key_\(index)"] = String(repeating: "v", count: index) }
        try await backend.updateValues(many, for: second)
        try expect(try await backend.getValues(for: second) == many, "many keys", "64 keys did not read back")
        ran.append("many keys")

        try await backend.deleteValues(for: first)
        try await expectError(.notFound, "delete") { _ = try await backend.getValues(for: first) }
        try await expectError(.notFound, "delete twice") { try await backend.deleteValues(for: first) }
        try expect(try await backend.getValues(for: second) == many, "delete isolation", "deleting one secret changed another")
        ran.append("delete")

        if let foreign {
            let id = try await newID()
            try await backend.storeValues(["a": "1"], for: id)
            try await expectError(.notFound, code: .valuesNotOurs, "another store's read") { _ = try await foreign.getValues(for: id) }
            try await expectError(.notFound, code: .valuesNotOurs, "another store's delete") { try await foreign.deleteValues(for: id) }
            try expect(try await backend.getValues(for: id) == ["a": "1"], "another store's delete", "a refused delete removed the values")
            try await backend.deleteValues(for: id)
            ran.append("another store's back-end refuses")
        }
        return ran
    }
}

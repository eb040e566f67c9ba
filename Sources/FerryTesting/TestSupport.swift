public import FerryCore
import FerryStore
import FerryYAML
import Foundation

/// A fresh directory under the system's temporary folder, removed by ``remove()``.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init(_ label: String = "ferry") throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// `path` + `/` + `name`.
    public func file(_ name: String) -> String { path + "/" + name }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Locations in the repository, for tests that read fixtures or run the built tool.
public enum Repository {
    /// The package root, from a test file's `#filePath` (`<root>/Tests/<target>/<file>.swift`).
    public static func root(from filePath: String) -> String {
        URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// `LegacyFixtures/` of the repository.
    public static func fixtures(from filePath: String) -> String { root(from: filePath) + "/LegacyFixtures" }

    /// The built `ferry` executable: `$FERRY_BIN`, else `.build/debug/ferry`.
    public static func ferryBinary(from filePath: String) -> String {
        if let explicit = ProcessInfo.processInfo.environment["FERRY_BIN"], !explicit.isEmpty { return explicit }
        return root(from: filePath) + "/.build/debug/ferry"
    }

    /// The Python of a virtual environment with ZenML 0.52.0 (`$FERRY_ZENML052_PYTHON`), if set.
    public static var zenml052Python: String? {
        let value = ProcessInfo.processInfo.environment["FERRY_ZENML052_PYTHON"]
        return value?.isEmpty == false ? value : nil
    }

    /// Whether tests run in CI, where every interoperability test must run.
    public static var inCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
}

/// The outcome of a finished process.
public struct ProcessResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

/// Runs an executable to completion with optional standard input and environment changes.
public enum ProcessRunner {
    public static func run(_ executable: String, _ arguments: [String], stdin: String? = nil,
                           environment: [String: String] = [:], directory: String? = nil) throws -> ProcessResult
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { _, new in new }
        process.environment = merged
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let output = Pipe()
        let error = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Read both pipes concurrently so a large stderr cannot block the child.
        let errorData = LockedData()
        let reader = Thread { errorData.set(error.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorData.isSet { usleep(1000) }
        return ProcessResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                             stderr: String(decoding: errorData.value, as: UTF8.self))
    }
}

private final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private var done = false
    func set(_ value: Data) { lock.lock(); data = value; done = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return done }
    var value: Data { lock.lock(); defer { lock.unlock() }; return data }
}

/// YAML text as `yaml.safe_load` gives it (for tests that read files other programs wrote).
public enum SafeYAMLBridge {
    public static func compose(_ text: String) throws -> PythonJSON.Value? {
        try SafeYAML.compose(text, source: "the YAML text").map(SafeYAML.value)
    }
}

/// Counts of a ZenML database's `secret` rows by `scope` (ZenML 0.34–0.7x), for tests.
public enum SQLiteDatabaseBridge {
    public static func scopes(_ path: String) throws -> [String: Int] {
        let database = try SQLiteDatabase(path: path, readOnly: true, create: false)
        var counts: [String: Int] = [:]
        for (scope, count) in try database.query("SELECT scope, COUNT(*) FROM secret GROUP BY scope", [], { ($0.text(0) ?? "", Int($0.integer(1))) }) {
            counts[scope] = count
        }
        return counts
    }

    /// The first column of every row `sql` selects, as text.
    public static func column(_ path: String, _ sql: String) throws -> [String] {
        try SQLiteDatabase(path: path, readOnly: true, create: false).query(sql, []) { $0.text(0) ?? "" }
    }
}

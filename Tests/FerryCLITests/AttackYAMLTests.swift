import FerryCore
import FerryTesting
import FerryYAML
import Foundation
import Testing

/// YAML alias bombs ("billion laughs", security review D4): each file Ferry reads must be refused
/// with an error naming the file, without growing memory, and nothing may be written.
///
/// Each command runs under a 60 s kill deadline: being killed is a hang (unbounded expansion), not slowness.
@Suite(.serialized) struct AttackYAMLTests {
    /// 9 levels of 9 aliases: 9^9 ≈ 387 million nodes once expanded, in under 1 KB.
    static func laughs(after extra: String) -> String {
        var text = "a0: &a0 [\"lol\"]\n"
        for level in 1...9 {
            text += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ",") + "]\n"
        }
        return text + extra
    }

    /// Runs `ferry` with a kill deadline; the result says whether it had to be killed. `output`
    /// is stdout then stderr (`migrate` reports an unreadable source in its table).
    static func bounded(_ ferry: Ferry, _ arguments: [String], deadline: TimeInterval = 60) throws
        -> (status: Int32, output: String, killed: Bool)
    {
        let process = ferry.process(arguments)
        let outputFile = ferry.home.file("../\(URL(fileURLWithPath: ferry.home.path).lastPathComponent).out")
        FileManager.default.createFile(atPath: outputFile, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputFile))
        process.standardError = output
        process.standardOutput = output
        try process.run()
        let end = Date().addingTimeInterval(deadline)
        var killed = false
        while process.isRunning {
            if Date() > end {
                kill(process.processIdentifier, SIGKILL)
                killed = true
                break
            }
            usleep(20_000)
        }
        process.waitUntilExit()
        try output.close()
        let text = (try? String(contentsOfFile: outputFile, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: outputFile)
        return (process.terminationStatus, text, killed)
    }

    /// Every file under `directory`, relative, sorted.
    static func files(_ directory: String) -> [String] {
        (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String] ?? []).sorted()
    }

    static func expectRefused(_ result: (status: Int32, output: String, killed: Bool), naming file: String,
                              sourceLocation: SourceLocation = #_sourceLocation)
    {
        #expect(!result.killed, "ferry had to be killed: the alias bomb was expanded", sourceLocation: sourceLocation)
        #expect(result.status == 1, "\(result.output)", sourceLocation: sourceLocation)
        #expect(result.output.contains("'\(file)' repeats too much through YAML aliases"), "\(result.output)",
                sourceLocation: sourceLocation)
        #expect(!result.output.contains("lol") && !result.output.contains("CANARY"), sourceLocation: sourceLocation)
    }

    @Test func resolveRefusesAnAliasBombExportFile() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let export = ferry.home.file("export.yaml")
        try Self.laughs(after: "stack_name: x\ncomponents: {}\n").write(toFile: export, atomically: true, encoding: .utf8)
        let before = Self.files(ferry.home.path)
        let result = try Self.bounded(ferry, ["resolve", export, "--config-dir", ferry.home.file("zenml")])
        Self.expectRefused(result, naming: export)
        #expect(Self.files(ferry.home.path) == before)
    }

    @Test func stackListRefusesAnAliasBombConfig() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let config = ferry.home.file("zenml")
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        try Self.laughs(after: "version: 0.52.0\n").write(toFile: config + "/config.yaml", atomically: true, encoding: .utf8)
        let before = Self.files(ferry.home.path)
        let result = try Self.bounded(ferry, ["stack", "list", "--config-dir", config])
        Self.expectRefused(result, naming: config + "/config.yaml")
        #expect(Self.files(ferry.home.path) == before)
    }

    /// 1.5 MB: one anchored secret with a 1.5 MB value, aliased by 3,000 secrets (4.5 GB expanded).
    @Test(arguments: [["get", "s1"], ["migrate", "--yes"]])
    func secretsFileRefusesOneValueAliasedByThousands(_ command: [String]) throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let file = ferry.home.file("secrets.yaml")
        let value = PythonBase64.encode(String(repeating: "CANARY-", count: 160_000))
        var text = "s0: &v\n  password: \(value)\n  zenml_schema_name: arbitrary\n"
        for index in 1...3000 { text += "s\(index): *v\n" }
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        #expect(text.utf8.count > 1_500_000)
        let result = try Self.bounded(ferry, ["secrets-manager", "secret"] + command + ["--secrets-file", file])
        Self.expectRefused(result, naming: file)
        // `migrate` opens (creates) the target store before it reads the source; no secret reaches it.
        let store = ferry.home.file("data/ferry.db")
        if FileManager.default.fileExists(atPath: store) {
            #expect(try SQLiteDatabaseBridge.column(store, "SELECT COUNT(*) FROM secret") == ["0"])
        }
        #expect(try String(contentsOfFile: file, encoding: .utf8) == text)
    }

    /// The limits are exact: aliases may repeat 100,000 nodes and 4 MiB of text, not one more.
    @Test func limitsAreExact() throws {
        // A sequence of 999 scalars is 1,000 nodes: 100 aliases repeat 100,000 of them.
        let thousand = "a: &a [" + Array(repeating: "x", count: 999).joined(separator: ",") + "]\n"
        func aliases(_ count: Int) -> String { "b: [" + Array(repeating: "*a", count: count).joined(separator: ",") + "]\n" }
        #expect(try SafeYAMLBridge.compose(thousand + aliases(100)) != nil)
        #expect(throws: FerryError.self) { try SafeYAMLBridge.compose(thousand + aliases(101)) }
        // A 1 MiB scalar: 4 aliases repeat 4 MiB of text.
        let mebibyte = "a: &a " + String(repeating: "y", count: 1 << 20) + "\n"
        #expect(try SafeYAMLBridge.compose(mebibyte + aliases(4)) != nil)
        let error = #expect(throws: FerryError.self) { try SafeYAMLBridge.compose(mebibyte + aliases(5)) }
        #expect(error?.code == .yamlAliasLimit && error?.message.contains("yyyy") == false)
    }

    /// A few aliases, as a hand-written file may have, still read.
    @Test func modestAliasesStillRead() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let file = ferry.home.file("secrets.yaml")
        try "s0: &v\n  password: cGFzcw==\n  zenml_schema_name: arbitrary\ns1: *v\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let result = try Self.bounded(ferry, ["secrets-manager", "secret", "get", "s1", "--secrets-file", file])
        #expect(!result.killed && result.status == 0, "\(result.output)")
    }
}

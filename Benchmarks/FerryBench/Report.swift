import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The machine a run was made on.
struct Machine: Codable, Sendable {
    /// `uname -srm`, e.g. `Linux 6.1.0 x86_64`.
    let system: String
    /// The processor's model name (from /proc/cpuinfo), when known.
    let cpu: String?
    /// Processors available to this process.
    let cores: Int
    /// Physical memory in GiB.
    let memoryGib: Double

    /// This machine.
    static func current() -> Machine {
        var name = utsname()
        uname(&name)
        func field<T>(_ value: T) -> String {
            withUnsafeBytes(of: value) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        }
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }
            .flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        return Machine(system: "\(field(name.sysname)) \(field(name.release)) \(field(name.machine))", cpu: cpu,
                       cores: ProcessInfo.processInfo.activeProcessorCount,
                       memoryGib: (Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824 * 10).rounded() / 10)
    }
}

/// Everything one run measured: what `--json` writes (keys in snake_case).
struct BenchReport: Codable, Sendable {
    /// Always `ferry-bench`.
    var tool = "ferry-bench"
    /// When the run started (ISO 8601, UTC).
    let date: String
    let machine: Machine
    /// Runs, warm-ups and counts used.
    let settings: Settings
    /// The process section; nil with `--skip-processes`.
    let processes: ProcessReport?
    /// The store section; empty with `--skip-store`.
    let store: [StorePhaseResult]

    /// The options that shape the figures.
    struct Settings: Codable, Sendable {
        let runs: Int
        let warmup: Int
        let zenmlRuns: Int
        let zenmlWarmup: Int
        let count: Int
        let listRuns: Int
    }

    /// The report as pretty-printed JSON.
    func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// The plain-text report for standard output.
    func text() -> String {
        var lines = ["ferry-bench  \(date)", "machine      \(machine.system), \(machine.cpu ?? "unknown CPU"), "
            + "\(machine.cores) cores, \(machine.memoryGib) GiB"]
        if let processes {
            lines.append("ferry        \(processes.ferryVersion) at \(processes.ferryPath)")
            lines.append("python3      \(processes.pythonPath ?? "not found")")
            if let zenml = processes.zenmlPath { lines.append("zenml        \(zenml)") }
            lines.append("")
            lines.append("PROCESSES: wall-clock ms from posix_spawn to exit, output to /dev/null; "
                + "\(settings.warmup) warm-up + \(settings.runs) timed rounds"
                + (processes.zenmlPath != nil ? " (zenml: \(settings.zenmlWarmup) + \(settings.zenmlRuns))." : "."))
            lines.append("cpu = the child's user+system ms (median); x py = median / median of `python3 -c pass`; "
                + "x py -S = median / median of `python3 -S -c pass`.")
            func ratio(_ value: Double?) -> String { value.map { String(format: $0 < 10 ? "%.2f" : "%.0f", $0) } ?? "-" }
            let rows = processes.results.map { result -> [String] in
                [result.name, "\(result.wall.runs)", Self.ms(result.wall.medianMs), Self.ms(result.wall.p90Ms),
                 Self.ms(result.wall.minMs), Self.ms(result.wall.maxMs), Self.ms(result.cpuMedianMs),
                 ratio(result.ratioToPython), ratio(result.ratioToBarePython)]
            }
            lines.append(TextTable.render(
                header: ["command", "runs", "median", "p90", "min", "max", "cpu", "x py", "x py -S"], rows: rows))
            lines += processes.notes.map { "note: " + $0 }
        }
        if !store.isEmpty {
            lines.append("")
            lines.append("STORE (in-process, library calls): \(settings.count) secrets of 2 keys, a fresh SQLite database "
                + "per key mode; get = find by name + values; list = one page of 20, desc:created, "
                + "\(settings.listRuns) times.")
            let rows = store.map { phase -> [String] in
                let name = phase.phase == "list" ? "list (page of 20)" : phase.phase
                return [name, phase.encrypted ? "aes-gcm" : "none", "\(phase.operations)",
                        String(format: "%.3f", phase.totalSeconds), String(format: "%.1f", phase.opsPerSecond),
                        String(format: "%.3f", phase.meanMs),
                        phase.perOperation.map { Self.ms($0.medianMs) } ?? "-"]
            }
            lines.append(TextTable.render(header: ["phase", "key", "ops", "total s", "ops/s", "mean ms", "median ms"],
                                          rows: rows))
        }
        return lines.joined(separator: "\n")
    }

    /// Milliseconds with a precision that suits their size.
    private static func ms(_ value: Double) -> String {
        String(format: value < 10 ? "%.2f" : value < 1000 ? "%.1f" : "%.0f", value)
    }
}

/// A plain-text table: the first column left-aligned, the others right-aligned, two spaces apart.
enum TextTable {
    static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
    }
}

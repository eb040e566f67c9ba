// ferry-bench: times whole `ferry` processes against baselines (/bin/true, `python3 -c pass`,
// optionally the real `zenml` CLI) and the store's throughput in-process, in one run.
// See Benchmarks/README.md for how to run it and what each line means.
import Foundation

exit(await BenchMain.run(Array(CommandLine.arguments.dropFirst())))

/// The program: parses options, runs both sections in a private temporary folder (always
/// removed), prints the report and writes `--json`. Returns the exit status.
enum BenchMain {
    static func run(_ arguments: [String]) async -> Int32 {
        do {
            guard let options = try BenchOptions.parse(arguments) else {
                print(BenchOptions.usage)
                return 0
            }
            let report = try await measure(options)
            print(report.text())
            if let endpoint = options.awsEndpoint {
                print(try await AWSBenchmark(options: options, endpoint: endpoint, progress: progress).run())
            }
            if let json = options.json {
                try report.json().write(to: URL(fileURLWithPath: Paths.absolute(json)))
                progress("wrote \(Paths.absolute(json))")
            }
            return 0
        } catch let error as BenchError {
            FileHandle.standardError.write(Data("ferry-bench: error: \(error.description)\n".utf8))
            return error.exitStatus
        } catch {
            FileHandle.standardError.write(Data("ferry-bench: error: \(error)\n".utf8))
            return 1
        }
    }

    private static func measure(_ options: BenchOptions) async throws -> BenchReport {
        let date = ISO8601DateFormatter().string(from: Date())
        let scratch = try Paths.makeTemporaryDirectory(prefix: "ferry-bench")
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        let processes = options.skipProcesses ? nil
            : try ProcessBenchmark(options: options, scratch: scratch, progress: progress).run()
        let store = options.skipStore ? []
            : try await StoreBenchmark(count: options.count, listRuns: options.listRuns, scratch: scratch,
                                       progress: progress).run()
        return BenchReport(
            date: date, machine: .current(),
            settings: .init(runs: options.runs, warmup: options.warmup, zenmlRuns: options.zenmlRuns,
                            zenmlWarmup: options.zenmlWarmup, count: options.count, listRuns: options.listRuns),
            processes: processes, store: store)
    }

    /// Progress goes to standard error, so standard output holds the report only.
    @Sendable static func progress(_ line: String) {
        FileHandle.standardError.write(Data("ferry-bench: \(line)\n".utf8))
    }
}

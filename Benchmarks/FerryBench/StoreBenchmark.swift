import FerryCore
import FerryStore
import Foundation

/// One timed phase of the in-process store benchmark.
struct StorePhaseResult: Codable, Sendable {
    /// `create`, `get` or `list`.
    let phase: String
    /// Whether the store had an encryption key (AES-256-GCM values) or none (base64 values).
    let encrypted: Bool
    /// Operations timed: secrets created or read, or listings made.
    let operations: Int
    /// Wall-clock seconds for all of them.
    let totalSeconds: Double
    /// `operations / totalSeconds`.
    let opsPerSecond: Double
    /// Mean milliseconds per operation.
    let meanMs: Double
    /// Per-operation statistics, for phases timed one operation at a time (`list`).
    let perOperation: Summary?
}

/// Times the store through the library, as the CLI uses it but without process start-up:
/// `count` creates, then `count` reads (find by name, then values, as `ferry secret get`
/// does), then one page of 20 listed newest first; once without an encryption key and once
/// with one, each in a fresh SQLite database under `scratch`.
///
/// Every read is checked against what was written and every listing's size against `count`:
/// a mismatch stops the benchmark (these are correctness checks, not timing assertions).
struct StoreBenchmark {
    /// The key of the encrypted run (any non-empty text; ZenML hashes it with SHA-256).
    static let encryptionKey = "ferry-bench-encryption-key-0123456789"

    let count: Int
    let listRuns: Int
    /// A private temporary folder, removed by the caller.
    let scratch: String
    /// Writes a progress line (to standard error).
    let progress: @Sendable (String) -> Void

    func run() async throws -> [StorePhaseResult] {
        var results: [StorePhaseResult] = []
        for encrypted in [false, true] {
            results += try await runMode(encrypted: encrypted)
        }
        return results
    }

    private func runMode(encrypted: Bool) async throws -> [StorePhaseResult] {
        let mode = encrypted ? "encrypted" : "no key"
        let folder = scratch + "/store-" + (encrypted ? "encrypted" : "plain")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let backend = BackendConfiguration(type: "sql", fields: encrypted ? ["encryption_key": Self.encryptionKey] : [:])
        let store = try SecretStore(configuration: StoreConfiguration(databasePath: folder + "/ferry.db", secretsStore: backend))

        // Inputs are built before the clock starts.
        let width = String(count - 1).count
        let names = (0..<count).map { index -> String in
            let digits = String(index)
            return "bench-" + String(repeating: "0", count: width - digits.count) + digits
        }
        let values = (0..<count).map { index in
            SecretValues([("username", "user-\(index)"), ("password", "pw-\(index)-Zq8vN2xR7tLm4Kc9")])
        }

        progress("store (\(mode)): creating \(count) secrets")
        let createSeconds = try await Self.seconds {
            for index in 0..<count {
                try await store.create(name: names[index], values: values[index])
            }
        }

        progress("store (\(mode)): reading \(count) secrets")
        var mismatches = 0
        let getSeconds = try await Self.seconds {
            for index in 0..<count {
                let secret = try store.find(names[index], isPrivate: nil, allowPartial: true)
                if try await store.values(of: secret) != values[index] { mismatches += 1 }
            }
        }
        guard mismatches == 0 else {
            throw BenchError.failed("Store (\(mode)): \(mismatches) of \(count) secrets read back different values.")
        }

        progress("store (\(mode)): listing one page \(listRuns) times")
        var listMs: [Double] = []
        for _ in 0..<listRuns {
            var page: SecretPage?
            let seconds = try await Self.seconds { page = try store.list(SecretQuery()) }
            guard let page, page.total == count, page.items.count == min(20, count) else {
                throw BenchError.failed("Store (\(mode)): the listing returned \(page?.items.count ?? 0) items of "
                    + "\(page?.total ?? 0); expected \(min(20, count)) of \(count).")
            }
            listMs.append(seconds * 1000)
        }

        return [
            Self.result("create", encrypted: encrypted, operations: count, seconds: createSeconds),
            Self.result("get", encrypted: encrypted, operations: count, seconds: getSeconds),
            Self.result("list", encrypted: encrypted, operations: listRuns, seconds: listMs.reduce(0, +) / 1000,
                        perOperation: Summary(milliseconds: listMs)),
        ]
    }

    private static func result(_ phase: String, encrypted: Bool, operations: Int, seconds: Double,
                               perOperation: Summary? = nil) -> StorePhaseResult
    {
        StorePhaseResult(phase: phase, encrypted: encrypted, operations: operations, totalSeconds: seconds,
                         opsPerSecond: seconds > 0 ? Double(operations) / seconds : 0,
                         meanMs: seconds * 1000 / Double(operations), perOperation: perOperation)
    }

    /// Wall-clock seconds that `body` takes.
    private static func seconds(_ body: () async throws -> Void) async throws -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try await body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}

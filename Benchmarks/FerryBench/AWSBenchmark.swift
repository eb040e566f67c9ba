import FerryAWS
import FerryCore
import FerryLegacy
import Foundation

/// Lists and reads N ZenML-shaped global-scope `aws` secrets (seeded by Benchmarks/aws/seed.py)
/// three ways in one run: boto3 (Benchmarks/aws/boto3_list_read.py: paginated ListSecrets with
/// ZenML's filters, then GetSecretValue per secret), Ferry's `getSecret` per name (which, like
/// ZenML's `get_secret`, lists with a name filter before each read: twice the requests), and
/// Ferry's bulk path (`readAll`: one listing, BatchGetSecretValue 20 at a time).
/// Reports seconds and ratios against the boto3 baseline.
struct AWSBenchmark {
    let options: BenchOptions
    let endpoint: String
    let progress: @Sendable (String) -> Void
    /// Its own region, so nothing else in the server is listed.
    let region = "eu-north-1"

    func run() async throws -> String {
        let python = options.awsPython ?? "python3"
        guard let fixtures = options.fixtures.map(Paths.absolute) ?? ProcessBenchmark.findFixtures() else {
            throw BenchError.usage("cannot find LegacyFixtures (run from the repository or pass --fixtures)")
        }
        let scripts = NSString(string: fixtures).deletingLastPathComponent + "/Benchmarks/aws"
        progress("aws: seeding \(options.awsCount) global-scope secrets in \(region)")
        try Self.python(python, [scripts + "/seed.py", "--endpoint", endpoint, "--count", "\(options.awsCount)",
                                 "--scope", "global", "--region", region])
        progress("aws: boto3 list + read")
        let boto = try Self.python(python, [scripts + "/boto3_list_read.py", "--endpoint", endpoint, "--prefix", "zenml/global/",
                                            "--count", "\(options.awsCount)", "--region", region])
        guard case .object(let fields) = try PythonJSON.parse(boto),
            case .number(let secondsText)? = fields.first(where: { $0.key == "seconds" })?.value, let botoSeconds = Double(secondsText)
        else { throw BenchError.failed("boto3_list_read.py printed no seconds") }

        let client = try SecretsManagerClient.make(environment: ProcessInfo.processInfo.environment, region: region, endpoint: endpoint)
        let manager = try AWSLegacySecretsManager(
            component: LegacyComponent(id: UUID(), name: "bench", flavor: "aws", scope: .global, configuration: ["region_name": region]),
            client: client)
        progress("aws: Ferry list + get per secret")
        var start = Date()
        let names = try await manager.secretNames()
        for name in names { _ = try await manager.getSecret(named: name) }
        let perSecond = Date().timeIntervalSince(start)
        progress("aws: Ferry readAll (batched)")
        start = Date()
        let all = try await manager.readAll()
        let bulk = Date().timeIntervalSince(start)
        guard names.count == options.awsCount, all.count == options.awsCount, all.allSatisfy({ (try? $0.result.get()) != nil }) else {
            throw BenchError.failed("Ferry listed \(names.count) and read \(all.count) secrets, expected \(options.awsCount)")
        }
        func row(_ label: String, _ seconds: Double) -> String {
            let padded = label.padding(toLength: 62, withPad: " ", startingAt: 0)
            return padded + String(format: "%8.2f s  %8.0f secrets/s  %6.2f× boto3", seconds, Double(options.awsCount) / seconds, botoSeconds / seconds)
        }
        return """

            AWS Secrets Manager (moto at \(endpoint)): list and read \(options.awsCount) legacy global-scope secrets
            \(row("boto3: list once, then GetSecretValue each (N+pages requests)", botoSeconds))
            \(row("Ferry getSecret per name (ListSecrets + GetSecretValue each)", perSecond))
            \(row("Ferry readAll (list + BatchGetSecretValue, N/20+pages)", bulk))
            (boto3 time is measured inside the Python process, after its imports.)
            """
    }

    @discardableResult
    static func python(_ python: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchError.failed("\(python) \(arguments.first ?? "") exited with \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

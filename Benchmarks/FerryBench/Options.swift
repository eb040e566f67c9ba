import Foundation

/// `ferry-bench`'s command line, parsed by hand (the target has no ArgumentParser dependency).
///
/// Every option takes `--name VALUE` or `--name=VALUE`. ``usage`` is the `--help` text.
struct BenchOptions: Sendable {
    /// The `ferry` executable to time (default: the `ferry` next to this executable).
    var ferry: String?
    /// The repository's `LegacyFixtures` folder (default: found from the current directory up).
    var fixtures: String?
    /// A `zenml` executable (of a venv) for the real comparison; nil skips it.
    var zenml: String?
    /// The Python interpreter of the `python3 -c pass` baseline (default: `python3` on PATH,
    /// resolved through `sys.executable` so that shims such as pyenv's are not timed).
    var python: String?
    /// Timed runs of each fast process.
    var runs = 30
    /// Untimed warm-up runs of each fast process.
    var warmup = 5
    /// Timed runs of each `zenml` command (each takes seconds).
    var zenmlRuns = 3
    /// Untimed warm-up runs of each `zenml` command.
    var zenmlWarmup = 1
    /// Secrets created, then read, per store mode.
    var count = 10_000
    /// Timed repetitions of the one-page listing.
    var listRuns = 10
    /// Where to write the machine-readable results.
    var json: String?
    /// Skip the process section.
    var skipProcesses = false
    /// Skip the in-process store section.
    var skipStore = false
    /// A moto (or AWS) Secrets Manager endpoint: also benchmark the `aws` flavor against boto3.
    var awsEndpoint: String?
    /// The Python with boto3 that runs Benchmarks/aws/*.py.
    var awsPython: String?
    /// Legacy secrets seeded and read in the aws section.
    var awsCount = 1_000

    static let usage = """
        USAGE: ferry-bench [options]

        Times whole `ferry` processes against /bin/true, `python3 -c pass` and (optionally) the
        real `zenml` CLI, then the store's create/get/list throughput in-process.

        OPTIONS:
          --ferry PATH        ferry executable (default: `ferry` next to ferry-bench)
          --fixtures DIR      LegacyFixtures folder (default: ./LegacyFixtures or a parent's)
          --runs N            timed runs per process (default 30)
          --warmup N          warm-up runs per process (default 5)
          --python PATH       interpreter for the `python3 -c pass` baseline (default: python3 on PATH)
          --zenml PATH        a venv's zenml executable: also time `zenml version` and `zenml secret get`
          --zenml-runs N      timed runs per zenml command (default 3)
          --zenml-warmup N    warm-up runs per zenml command (default 1)
          --count N           secrets created and read per store mode (default 10000)
          --list-runs N       timed one-page listings per store mode (default 10)
          --json FILE         also write the results as JSON to FILE
          --skip-processes    do not time processes
          --skip-store        do not time the in-process store
          --aws-endpoint URL  also list and read --aws-count legacy `aws` secrets with Ferry and with
                              boto3 (Benchmarks/aws/boto3_list_read.py); credentials from the environment
          --aws-python PATH   Python with boto3 for the aws scripts (default: python3)
          --aws-count N       legacy secrets in the aws section (default 1000)
          -h, --help          show this help

        Exit status: 0 done, 1 a timed or setup command failed (it is named), 64 usage error.
        """

    /// Parses `arguments` (without the program name); nil means `--help` was asked for.
    static func parse(_ arguments: [String]) throws -> BenchOptions? {
        var options = BenchOptions()
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            if argument == "-h" || argument == "--help" { return nil }
            var name = argument
            var inlineValue: String?
            if let equals = argument.firstIndex(of: "="), argument.hasPrefix("--") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            func value() throws -> String {
                if let inlineValue { return inlineValue }
                guard let next = remaining.popFirst() else { throw BenchError.usage("\(name) needs a value.") }
                return next
            }
            func number(minimum: Int) throws -> Int {
                let text = try value()
                guard let parsed = Int(text), parsed >= minimum else {
                    throw BenchError.usage("\(name) needs a whole number of at least \(minimum) (got '\(text)').")
                }
                return parsed
            }
            switch name {
            case "--ferry": options.ferry = try value()
            case "--fixtures": options.fixtures = try value()
            case "--zenml": options.zenml = try value()
            case "--python": options.python = try value()
            case "--runs": options.runs = try number(minimum: 1)
            case "--warmup": options.warmup = try number(minimum: 0)
            case "--zenml-runs": options.zenmlRuns = try number(minimum: 1)
            case "--zenml-warmup": options.zenmlWarmup = try number(minimum: 0)
            case "--count": options.count = try number(minimum: 1)
            case "--list-runs": options.listRuns = try number(minimum: 1)
            case "--json": options.json = try value()
            case "--skip-processes": options.skipProcesses = true
            case "--skip-store": options.skipStore = true
            case "--aws-endpoint": options.awsEndpoint = try value()
            case "--aws-python": options.awsPython = try value()
            case "--aws-count": options.awsCount = try number(minimum: 1)
            default: throw BenchError.usage("Unknown argument '\(argument)'. See --help.")
            }
        }
        return options
    }
}

/// Why the benchmark stopped: a usage error (exit 64) or a failed command or check (exit 1).
struct BenchError: Error, CustomStringConvertible {
    /// The process exit status to use.
    let exitStatus: Int32
    /// What went wrong, for a person.
    let description: String

    static func usage(_ message: String) -> BenchError { BenchError(exitStatus: 64, description: message) }
    static func failed(_ message: String) -> BenchError { BenchError(exitStatus: 1, description: message) }
}

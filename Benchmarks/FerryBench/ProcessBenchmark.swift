import Foundation

/// The timings of one command run as a whole process.
struct ProcessResult: Codable, Sendable {
    /// `baseline`, `ferry` or `zenml`.
    let group: String
    /// The command as shown in the report.
    let name: String
    /// The full argument vector that was run (temporary paths included).
    let argv: [String]
    /// Untimed runs before the timed ones.
    let warmupRuns: Int
    /// Wall-clock time, spawn to exit.
    let wall: Summary
    /// Median CPU time (user + system) of the child.
    let cpuMedianMs: Double
    /// Median wall time divided by the `python3 -c pass` median; nil without that baseline.
    var ratioToPython: Double?
    /// Median wall time divided by the `python3 -S -c pass` median (no `site` import).
    var ratioToBarePython: Double?
    /// Every timed wall-clock sample, in run order.
    let samplesMs: [Double]
}

/// What the process section measured, and with which executables.
struct ProcessReport: Codable, Sendable {
    /// The `ferry` executable timed.
    let ferryPath: String
    /// Its `--version` output.
    let ferryVersion: String
    /// The interpreter of the `python3 -c pass` baseline; nil when none was found.
    let pythonPath: String?
    /// The `zenml` executable timed; nil when `--zenml` was not given.
    let zenmlPath: String?
    /// One entry per command, in report order.
    let results: [ProcessResult]
    /// Remarks on the figures (for instance a slow `site` start-up of the Python baseline).
    let notes: [String]
}

/// Times whole processes: the baselines, three `ferry` invocations against temporary data and,
/// with `--zenml`, two `zenml` commands.
///
/// The fast commands are run round-robin (warm-up rounds, then `runs` timed rounds, each round
/// running every command once), so that drifts in machine load hit every command alike. Every
/// child gets `/dev/null` for its standard streams and an environment without the caller's
/// `FERRY_*` and `ZENML_*` variables, with `FERRY_HOME` and `ZENML_CONFIG_PATH` pointed at
/// temporary folders.
struct ProcessBenchmark {
    /// The secret `ferry secret create` stores and `ferry secret get` reads.
    static let secretName = "bench_secret"
    /// The local secrets manager the `secrets-manager` command reads (ZenML 0.52.0 wrote it).
    static let legacyManagerID = "c634a458-2ceb-4b51-99c1-f8e9e14c9574"
    /// A secret of that manager (a `basic_auth` schema secret).
    static let legacySecretName = "basic_auth_creds"
    /// The Python baseline the ratios are given against: interpreter start-up with `site`
    /// (and so every `.pth` file of the interpreter's site-packages), as any Python CLI pays.
    static let pythonLabel = "python3 -c pass"
    /// The bare interpreter: `-S` skips the `site` import, so no `.pth` file runs.
    static let barePythonLabel = "python3 -S -c pass"
    /// The interpreter of the `zenml` script (its venv's python), with `site`.
    static let zenmlPythonLabel = "zenml venv: python -c pass"

    let options: BenchOptions
    /// A private temporary folder, removed by the caller.
    let scratch: String
    /// Writes a progress line (to standard error).
    let progress: @Sendable (String) -> Void

    func run() throws -> ProcessReport {
        let environment = ProcessInfo.processInfo.environment
        var base = environment.filter { !$0.key.hasPrefix("FERRY_") && !$0.key.hasPrefix("ZENML_") }
        base["ZENML_ANALYTICS_OPT_IN"] = "false"
        // Everything is resolved before anything is timed, so a bad option fails at once.
        let ferry = try resolveFerry(environment: environment)
        let python = try resolvePython(environment: base)
        let zenml = try options.zenml.map { given in
            guard let executable = Paths.executable(given, environment: base) else {
                throw BenchError.usage("--zenml \(given): no such executable.")
            }
            return executable
        }
        let secretsFile = try prepareLegacyManager()

        // ferry: a store in a temporary FERRY_HOME, filled by `ferry secret create`.
        var ferryEnvironment = base
        ferryEnvironment["FERRY_HOME"] = try folder("ferry-home")
        ferryEnvironment["ZENML_CONFIG_PATH"] = try folder("zenml-config-empty")
        func ferryCommand(_ label: String, _ arguments: [String]) -> Command {
            Command(label: label, executable: ferry, arguments: arguments, environment: ferryEnvironment)
        }
        let version = try SpawnableCommand(ferryCommand("ferry --version", ["--version"]))
            .captureSucceeding(in: scratch, what: "`ferry --version`")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try SpawnableCommand(ferryCommand("ferry secret create", [
            "secret", "create", Self.secretName, "--username=admin", "--password=hunter2",
        ])).captureSucceeding(in: scratch, what: "Set-up `ferry secret create \(Self.secretName)`")

        var commands: [(group: String, command: Command)] = []
        func baseline(_ label: String, _ executable: String, _ arguments: [String]) {
            commands.append(("baseline", Command(label: label, executable: executable, arguments: arguments, environment: base)))
        }
        if let trueExecutable = Paths.executable("/bin/true", environment: base) ?? Paths.executable("true", environment: base) {
            baseline("/bin/true", trueExecutable, [])
        } else {
            progress("note: no `true` executable found; skipping that baseline")
        }
        if let python {
            baseline(Self.pythonLabel, python, ["-c", "pass"])
            baseline(Self.barePythonLabel, python, ["-S", "-c", "pass"])
        } else {
            progress("note: no python3 found (pass --python PATH); the `x py` columns stay empty")
        }
        if let interpreter = zenml.flatMap(Self.shebangInterpreter(of:)) {
            baseline(Self.zenmlPythonLabel, interpreter, ["-c", "pass"])
        }
        commands.append(("ferry", ferryCommand("ferry --help", ["--help"])))
        commands.append(("ferry", ferryCommand("ferry secret get \(Self.secretName)", ["secret", "get", Self.secretName])))
        commands.append(("ferry", ferryCommand(
            "ferry secrets-manager secret get \(Self.legacySecretName) --secrets-file <tmp>/secrets.yaml",
            ["secrets-manager", "secret", "get", Self.legacySecretName, "--secrets-file", secretsFile])))

        progress("timing \(commands.count) processes: \(options.warmup) warm-up + \(options.runs) timed rounds")
        var results = try measure(commands, warmup: options.warmup, runs: options.runs)
        if let zenml { results += try measureZenML(zenml, base: base) }

        func median(_ label: String) -> Double? {
            results.first { $0.name == label }.map(\.wall.medianMs).flatMap { $0 > 0 ? $0 : nil }
        }
        var notes: [String] = []
        if let python = median(Self.pythonLabel), let bare = median(Self.barePythonLabel) {
            for index in results.indices {
                results[index].ratioToPython = results[index].wall.medianMs / python
                results[index].ratioToBarePython = results[index].wall.medianMs / bare
            }
            if python > 2 * bare {
                notes.append(String(format: "`python3 -c pass` spends %.0f ms of its %.0f ms in `site` (.pth files of its "
                    + "site-packages); a venv's interpreter skips those, so `x py -S` is the fairer Python floor here.",
                    python - bare, python))
            }
        }
        return ProcessReport(ferryPath: ferry, ferryVersion: version, pythonPath: python, zenmlPath: zenml,
                             results: results, notes: notes)
    }

    // MARK: - Timing

    /// Warm-up rounds, then timed rounds; every run must succeed.
    private func measure(_ commands: [(group: String, command: Command)], warmup: Int, runs: Int) throws -> [ProcessResult] {
        let spawnable = commands.map { SpawnableCommand($0.command) }
        var wall = Array(repeating: [Double](), count: commands.count)
        var cpu = Array(repeating: [Double](), count: commands.count)
        for round in 0..<(warmup + runs) {
            let timed = round >= warmup
            for (index, command) in spawnable.enumerated() {
                let sample = try command.run()
                guard sample.termination.succeeded else {
                    let run = timed ? "timed run \(round - warmup + 1) of \(runs)" : "warm-up run \(round + 1) of \(warmup)"
                    throw failure(command, run: run, termination: sample.termination)
                }
                if timed {
                    wall[index].append(Double(sample.wallNanoseconds) / 1e6)
                    cpu[index].append(Double(sample.cpuNanoseconds) / 1e6)
                }
            }
        }
        return commands.indices.map { index in
            ProcessResult(group: commands[index].group, name: commands[index].command.label,
                          argv: [commands[index].command.executable] + commands[index].command.arguments,
                          warmupRuns: warmup, wall: Summary(milliseconds: wall[index]),
                          cpuMedianMs: Summary.median(cpu[index]), samplesMs: wall[index])
        }
    }

    /// `zenml version` and `zenml secret get` against a temporary ZenML configuration folder,
    /// whose local store gets its secret from an untimed `zenml secret create`.
    private func measureZenML(_ zenml: String, base: [String: String]) throws -> [ProcessResult] {
        var environment = base
        environment["ZENML_CONFIG_PATH"] = try folder("zenml-config")
        func zenmlCommand(_ arguments: [String]) -> Command {
            Command(label: (["zenml"] + arguments).joined(separator: " "), executable: zenml, arguments: arguments,
                    environment: environment)
        }
        progress("setting up zenml: `zenml secret create \(Self.secretName)` in a temporary ZENML_CONFIG_PATH (takes seconds)")
        try SpawnableCommand(zenmlCommand(["secret", "create", Self.secretName, "--username=admin", "--password=hunter2"]))
            .captureSucceeding(in: scratch, what: "Set-up `zenml secret create \(Self.secretName)`")
        let commands = [("zenml", zenmlCommand(["version"])), ("zenml", zenmlCommand(["secret", "get", Self.secretName]))]
        progress("timing zenml: \(options.zenmlWarmup) warm-up + \(options.zenmlRuns) timed rounds of \(commands.count) commands")
        return try measure(commands, warmup: options.zenmlWarmup, runs: options.zenmlRuns)
    }

    /// The error for a failed run: runs the command once more with its output kept, to quote it.
    private func failure(_ command: SpawnableCommand, run: String, termination: Termination) -> BenchError {
        let error = (try? command.capture(in: scratch)).map { $0.error.isEmpty ? $0.output : $0.error } ?? ""
        return BenchError.failed(SpawnableCommand.failureMessage(
            what: "`\(command.command.label)` (\(run))", command: command.command, termination: termination, error: error))
    }

    // MARK: - Set-up

    private func folder(_ name: String) throws -> String {
        let path = scratch + "/" + name
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        return path
    }

    /// `--ferry`, else the `ferry` beside this executable.
    private func resolveFerry(environment: [String: String]) throws -> String {
        let wanted = options.ferry ?? Paths.ownDirectory() + "/ferry"
        guard let ferry = Paths.executable(wanted, environment: environment) else {
            throw BenchError.usage("No ferry executable at '\(wanted)': build it (swift build -c release) or pass --ferry PATH.")
        }
        return ferry
    }

    /// Copies the fixture `secrets.yaml` into `<scratch>/local_stores/<manager id>/`, so the
    /// benchmark never touches the repository's copy; returns the copy's path.
    private func prepareLegacyManager() throws -> String {
        let fixtures: String
        if let given = options.fixtures {
            fixtures = Paths.absolute(given)
        } else if let found = Self.findFixtures() {
            fixtures = found
        } else {
            throw BenchError.usage("No LegacyFixtures folder in the current directory or its parents: run from the repository or pass --fixtures DIR.")
        }
        let source = "\(fixtures)/local/zenml-0.52.0/config/local_stores/\(Self.legacyManagerID)/secrets.yaml"
        guard FileManager.default.fileExists(atPath: source) else {
            throw BenchError.usage("'\(source)' does not exist: is '\(fixtures)' the repository's LegacyFixtures?")
        }
        let target = try folder("local_stores/\(Self.legacyManagerID)") + "/secrets.yaml"
        try FileManager.default.copyItem(atPath: source, toPath: target)
        return target
    }

    /// `LegacyFixtures` in the current directory or the nearest parent that has one.
    static func findFixtures() -> String? {
        var directory = Paths.absolute(".")
        while true {
            let candidate = directory + "/LegacyFixtures"
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), isDirectory.boolValue {
                return candidate
            }
            let parent = NSString(string: directory).deletingLastPathComponent
            if parent == directory || parent.isEmpty { return nil }
            directory = parent
        }
    }

    /// The absolute interpreter path of a `#!/…/python` script, nil for anything else.
    private static func shebangInterpreter(of script: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: script) else { return nil }
        defer { try? handle.close() }
        let head = String(decoding: handle.readData(ofLength: 512), as: UTF8.self)
        guard head.hasPrefix("#!/"), let line = head.dropFirst(2).split(separator: "\n").first,
              let interpreter = line.split(separator: " ").first.map(String.init),
              NSString(string: interpreter).lastPathComponent.hasPrefix("python"), access(interpreter, X_OK) == 0
        else { return nil }
        return interpreter
    }

    /// `--python`, else `python3` on PATH; either way resolved through `sys.executable`, so
    /// that a wrapper such as a pyenv shim (a shell script) is not what gets timed.
    private func resolvePython(environment: [String: String]) throws -> String? {
        guard let python = Paths.executable(options.python ?? "python3", environment: environment) else {
            if let given = options.python { throw BenchError.usage("--python \(given): no such executable.") }
            return nil
        }
        let query = SpawnableCommand(Command(label: "python3 sys.executable", executable: python,
                                             arguments: ["-c", "import sys; sys.stdout.write(sys.executable)"],
                                             environment: environment))
        let resolved = try query.captureSucceeding(in: scratch, what: "`\(python) -c 'import sys; …'`")
        return resolved.hasPrefix("/") && access(resolved, X_OK) == 0 ? resolved : python
    }
}

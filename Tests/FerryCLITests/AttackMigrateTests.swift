import FerryCore
import FerryTesting
import Foundation
import Testing

/// The security review's migrate-side defects (D6, D8, D11, D14 of reviews/security-2026-12.md)
/// and the newcomer's friction points with `secrets-manager secret migrate`, each reproduced with
/// the built binary.
@Suite(.serialized) struct AttackMigrateTests {
    static let fixture = Repository.fixtures(from: #filePath) + "/local/zenml-0.52.0/config"
    /// ferry_local_b's folder in the fixture (12 secrets).
    static let managerB = "c634a458-2ceb-4b51-99c1-f8e9e14c9574"

    /// A copy of the ZenML 0.52 fixture installation in the test's home.
    func fixtureCopy(_ ferry: Ferry) throws -> String {
        let config = ferry.home.file("config")
        try FileManager.default.copyItem(atPath: Self.fixture, toPath: config)
        return config
    }

    func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    // MARK: - D6: names with NUL or other control characters

    /// `"db\0staging"` used to be stored as `db`: with an overwrite policy it replaced an unrelated
    /// secret. Such a name is planned as unreadable (exit 1) and never written.
    @Test func nulNamesAreRefusedAndNeverOverwriteAnotherSecret() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        #expect(try ferry("secret", "create", "db", "--password=PRODUCTION").status == 0)
        let file = ferry.home.file("secrets.yaml")
        try write("\"db\\0staging\":\n  password: U1RBR0lORw==\n  zenml_schema_name: arbitrary\n", to: file)
        for policy in [["--non-interactive"], ["--on-conflict", "overwrite"]] {
            let result = try ferry.run(["secrets-manager", "secret", "migrate", "--secrets-file", file, "--yes"] + policy)
            #expect(result.status == 1, "\(policy): \(result.stdout) \(result.stderr)")
            #expect(result.stdout.contains("invalid name") && result.stdout.contains("U+0000"), "\(result.stdout)")
            #expect(result.stdout.contains("1 unreadable") && !result.stdout.contains("updated"))
            let stored = try ferry("secret", "get", "db", "--show-secrets", "-o", "env")
            #expect(stored.stdout.contains("password='PRODUCTION'"), "\(policy): \(stored.stdout)")
        }
        // Two names that differ after the NUL: both refused, nothing lands on `db`.
        try write("\"db\\0one\":\n  password: MQ==\n  zenml_schema_name: arbitrary\n\"db\\0two\":\n  password: Mg==\n  zenml_schema_name: arbitrary\n",
                  to: file)
        let result = try ferry("secrets-manager", "secret", "migrate", "--secrets-file", file, "--yes", "--non-interactive", "-o", "json")
        #expect(result.status == 1)
        guard case .array(let items)? = try PythonJSON.parse(result.stdout).member("items") else {
            Issue.record("no items: \(result.stderr)")
            return
        }
        #expect(items.count == 2 && items.allSatisfy { $0.member("action")?.text == "unreadable" })
        let listed = try ferry("secret", "list", "-o", "json")
        #expect(listed.stdout.contains("\"total\": 1"))
        #expect(try ferry("secret", "get", "db", "--show-secrets", "-o", "env").stdout.contains("password='PRODUCTION'"))
    }

    // MARK: - D8: an installation that cannot be read

    /// A broken config.yaml used to be skipped silently, and another manager (found on disk) was
    /// listed and planned from. It is an error naming the file, unless the manager is named.
    @Test func aBrokenInstallationIsAnErrorNotAnotherManager() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let config = try fixtureCopy(ferry)
        for folder in ["d231df1e-6a14-4d57-8bcf-0c82b0428f2a", "4ddf55f9-73cc-4e35-8eae-24f7ba546ab1"] {
            try FileManager.default.removeItem(atPath: config + "/local_stores/" + folder)
        }
        let handle = try #require(FileHandle(forWritingAtPath: config + "/config.yaml"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("store: [broken\n".utf8))
        try handle.close()

        var result = try ferry("secrets-manager", "secret", "list", "--config-dir", config)
        #expect(result.status == 1, "\(result.stdout)")
        #expect(result.stderr.contains("config.yaml") && result.stdout.isEmpty, "\(result.stderr)")
        result = try ferry("secrets-manager", "secret", "migrate", "--dry-run", "--config-dir", config)
        #expect(result.status == 1)
        #expect(result.stderr.contains("config.yaml") && !result.stdout.contains("Plan:"), "\(result.stdout)")
        result = try ferry("secrets-manager", "secret", "get", "rotating", "--config-dir", config)
        #expect(result.status == 1 && result.stderr.contains("config.yaml"))
        // A name needs the installation; a UUID or a file names the manager without it.
        result = try ferry("secrets-manager", "secret", "list", "--config-dir", config, "--secrets-manager", "ferry_local_b")
        #expect(result.status == 1 && result.stderr.contains("config.yaml"), "\(result.stderr)")
        result = try ferry("secrets-manager", "secret", "list", "--config-dir", config, "--secrets-manager", Self.managerB)
        #expect(result.status == 0 && result.stdout.contains("rotating"), "\(result.stderr)")
    }

    // MARK: - D11: temporary copies left by a killed writer

    /// A `.secrets.yaml.ferry-XXXXXX` left by a killed process (a copy of every value) is removed
    /// by the next write to the folder and by `cleanup`; other files are left alone.
    @Test func staleTemporaryCopiesAreRemovedByTheNextWriteAndByCleanup() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let config = try fixtureCopy(ferry)
        let folder = config + "/local_stores/" + Self.managerB
        let stale = folder + "/.secrets.yaml.ferry-abc123"
        let other = folder + "/.secrets.yaml.ferry-notes"
        func plant() throws {
            for path in [stale, other] {
                try write("leaked:\n  k: TEVBS0VE\n  zenml_schema_name: arbitrary\n", to: path)
                chmod(path, 0o600)
            }
        }
        try plant()
        var result = try ferry("secrets-manager", "secret", "register", "fresh", "--v=1", "--config-dir", config, "--secrets-manager", Self.managerB)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(FileManager.default.fileExists(atPath: other), "only write's own pattern is removed")

        try plant()
        result = try ferry("secrets-manager", "secret", "cleanup", "--yes", "--config-dir", config, "--secrets-manager", Self.managerB)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(!FileManager.default.fileExists(atPath: folder + "/secrets.yaml"))
    }

    // MARK: - D14: --delete of many secrets

    /// 1,000 secrets with --delete: every one lands in the store, verified, and leaves the file.
    @Test func deleteManySecretsFromOneFile() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let file = ferry.home.file("many/secrets.yaml")
        try FileManager.default.createDirectory(atPath: ferry.home.file("many"), withIntermediateDirectories: true)
        try write((0..<1_000).map { "s\($0):\n  v: \(Data("value-\($0)".utf8).base64EncodedString())\n  zenml_schema_name: arbitrary\n" }.joined(),
                  to: file)
        let result = try ferry("secrets-manager", "secret", "migrate", "--secrets-file", file, "--yes", "--delete")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Done: 1000 created"))
        let left = try ferry("secrets-manager", "secret", "list", "-o", "json", "--secrets-file", file)
        #expect(left.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]", "\(left.stdout.prefix(200))")
        #expect(try ferry("secret", "list", "-o", "json").stdout.contains("\"total\": 1000"))
        #expect(try ferry("secret", "get", "s999", "--show-secrets", "-o", "env").stdout.contains("v='value-999'"))
    }

    /// Killed (SIGKILL) at sweeping moments, a `--delete` run loses nothing: each secret is in its
    /// source file or in the store with its values, and the next run completes the migration.
    @Test func aKilledDeleteRunLosesNothing() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let count = 1_500
        let file = ferry.home.file("many/secrets.yaml")
        try FileManager.default.createDirectory(atPath: ferry.home.file("many"), withIntermediateDirectories: true)
        try write((0..<count).map { "s\($0):\n  v: \(Data("value-\($0)".utf8).base64EncodedString())\n  zenml_schema_name: arbitrary\n" }.joined(),
                  to: file)
        var delay = 0.05
        var finished = false
        var runs = 0
        while !finished && runs < 40 {
            let process = ferry.process(["secrets-manager", "secret", "migrate", "--secrets-file", file, "--yes", "--delete"])
            try process.run()
            Thread.sleep(forTimeInterval: delay)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            finished = process.terminationReason == .exit
            runs += 1
            delay *= 1.3
            let source = try ferry("secrets-manager", "secret", "list", "-o", "json", "--secrets-file", file)
            guard case .array(let names) = try PythonJSON.parse(source.stdout) else {
                Issue.record("the secrets file cannot be listed: \(source.stderr)")
                return
            }
            let inSource = Set(names.compactMap(\.text))
            let stored = try ferry("secret", "list", "-o", "json", "--size", "10000")
            guard case .array(let items)? = try PythonJSON.parse(stored.stdout).member("items") else {
                Issue.record("the store cannot be listed: \(stored.stderr)")
                return
            }
            let inStore = Set(items.compactMap { $0.member("name")?.text })
            let lost = (0..<count).map { "s\($0)" }.filter { !inSource.contains($0) && !inStore.contains($0) }
            #expect(lost.isEmpty, "lost after a kill at \(delay) s: \(lost.prefix(5))")
        }
        let result = try ferry("secrets-manager", "secret", "migrate", "--secrets-file", file, "--yes", "--delete")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try ferry("secrets-manager", "secret", "list", "-o", "json", "--secrets-file", file).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
        #expect(try ferry("secret", "list", "-o", "json").stdout.contains("\"total\": \(count)"))
        #expect(try ferry("secret", "get", "s1499", "--show-secrets", "-o", "env").stdout.contains("v='value-1499'"))
    }

    // MARK: - Newcomer points

    /// 4, 5: with no installation, migrate says where it looked and how to point it elsewhere (exit 64).
    @Test func noInstallationSaysWhereItLooked() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        var result = try ferry("secrets-manager", "secret", "migrate", "--dry-run")
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("--config-dir") && result.stderr.contains("ZENML_CONFIG_PATH") && result.stderr.contains("--secrets-file"))
        #expect(!result.stderr.contains("create a secrets manager"))
        try FileManager.default.createDirectory(atPath: ferry.home.file("empty"), withIntermediateDirectories: true)
        result = try ferry("secrets-manager", "list", "--config-dir", ferry.home.file("empty"))
        #expect(result.stderr.contains("No config.yaml in") && result.stderr.contains("is this ZenML's configuration directory?"), "\(result.stderr)")
        #expect(!result.stderr.contains("zenml.db"))
    }

    /// 9: a secrets file that is not YAML: the whole manager is reported unreadable, with its file,
    /// line and column, and the summary says none of its secrets were migrated.
    @Test func aBrokenSecretsFileCountsAsAWholeManager() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let config = try fixtureCopy(ferry)
        let handle = try #require(FileHandle(forWritingAtPath: config + "/local_stores/\(Self.managerB)/secrets.yaml"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("broken: [\n".utf8))
        try handle.close()
        let result = try ferry("secrets-manager", "secret", "migrate", "--config-dir", config, "--secrets-manager", Self.managerB, "--yes")
        #expect(result.status == 1)
        #expect(result.stdout.contains("1 secrets manager unreadable (none of its secrets were migrated)"), "\(result.stdout)")
        #expect(!result.stdout.contains("Done: 1 unreadable"))
        #expect(result.stdout.contains("secrets.yaml") && result.stdout.contains("line") && result.stdout.contains("column"))
        #expect(result.stderr.contains("1 secrets manager could not be read, so none of its secrets were migrated"), "\(result.stderr)")
    }

    /// 10: on a terminal the plan comes before the question, and "no" exits 2 having written nothing.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs script(1) for a terminal"))
    func answeringNoShowsThePlanAndExits2() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let config = try fixtureCopy(ferry)
        let quoted = ([Ferry.binary, "secrets-manager", "secret", "migrate", "--config-dir", config, "--secrets-manager", Self.managerB])
            .map { "'" + $0 + "'" }.joined(separator: " ")
        let result = try ProcessRunner.run("/usr/bin/script", ["-qec", quoted, "/dev/null"], stdin: "n\n", environment: ferry.environment,
                                           directory: ferry.home.path)
        #expect(result.status == 2, "\(result.stdout)")
        let plan = try #require(result.stdout.range(of: "Plan: 12 to create"), "\(result.stdout)")
        let question = try #require(result.stdout.range(of: "Proceed? [y/N]"))
        #expect(plan.lowerBound < question.lowerBound)
        #expect(result.stdout.contains("Aborting migration"))
        #expect(try ferry("secret", "list", "-o", "json").stdout.contains("\"total\": 0"))
    }

    /// 11, 12, 13: messages that name the manager read, and --stack nope is a usage error.
    @Test func messagesNameTheManagerAndUsageErrorsExit64() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let config = try fixtureCopy(ferry)
        var result = try ferry("secrets-manager", "secret", "get", "no_such", "--config-dir", config, "--secrets-manager", Self.managerB)
        #expect(result.status == 1)
        #expect(result.stderr.contains("Secret `no_such` does not exist in the secrets manager ferry_local_b ("), "\(result.stderr)")
        #expect(!result.stderr.contains("does not exists"))
        result = try ferry("secrets-manager", "secret", "migrate", "nope", "--config-dir", config, "--secrets-manager", Self.managerB, "--dry-run")
        #expect(result.status == 1 && result.stderr.contains("ferry_local_b (") && result.stderr.contains(Self.managerB), "\(result.stderr)")
        result = try ferry("secrets-manager", "secret", "migrate", "--config-dir", config, "--stack", "nope", "--dry-run")
        #expect(result.status == 64, "\(result.stderr)")
        result = try ferry("secrets-manager", "secret", "migrate", "--config-dir", config, "--all", "--dry-run", "-o", "env")
        #expect(result.status == 64 && result.stdout.isEmpty)
        result = try ferry("secrets-manager", "secret", "migrate", "--config-dir", config, "--all", "--dry-run", "--store", "postgres://db/x")
        #expect(result.status == 64 && result.stderr.contains("ZenML server"), "\(result.stderr)")
        result = try ferry("secrets-manager", "secret", "migrate", "--help")
        #expect(result.stdout.contains("accepted and unused"))
    }

    /// 14: an empty store and a page past the end say different things; a page hints at --page.
    @Test func listPagesSayWhatIsWrong() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        var result = try ferry("secret", "list")
        #expect(result.stderr.contains("holds no secrets"), "\(result.stderr)")
        for index in 0..<3 { #expect(try ferry("secret", "create", "s\(index)", "--k=v").status == 0) }
        result = try ferry("secret", "list", "--size", "1")
        #expect(result.stdout.contains("Page 1 of 3") && result.stdout.contains("--page"))
        result = try ferry("secret", "list", "--size", "1", "--page", "5")
        #expect(result.stderr.contains("Page 5 is past the last page (3)."), "\(result.stderr)")
    }

    /// 16, 19: no progress line for a re-run that writes nothing; plural conflicts.
    @Test func reRunsAreQuietAndCountsArePlural() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let config = try fixtureCopy(ferry)
        var result = try ferry("secrets-manager", "secret", "migrate", "--config-dir", config, "--secrets-manager", Self.managerB, "--yes")
        #expect(result.status == 0 && result.stderr.contains("Migrating:"), "\(result.stderr)")
        result = try ferry("secrets-manager", "secret", "migrate", "--config-dir", config, "--secrets-manager", Self.managerB, "--yes")
        #expect(result.status == 0 && !result.stderr.contains("Migrating:"), "\(result.stderr)")
        #expect(!result.stderr.contains("about 0 s left"))
        #expect(try ferry("secret", "update", "rotating", "--x=changed").status == 0)
        #expect(try ferry("secret", "update", "aws_with_token", "--x=changed").status == 0)
        result = try ferry("secrets-manager", "secret", "migrate", "--config-dir", config, "--secrets-manager", Self.managerB, "--dry-run")
        #expect(result.stdout.contains("10 identical, 2 conflicts"), "\(result.stdout)")
        result = try ferry("secrets-manager", "secret", "migrate", "rotating", "--config-dir", config, "--secrets-manager", Self.managerB,
                           "--dry-run", "--on-conflict", "skip")
        #expect(result.stdout.contains("Plan: 1 conflict skipped"), "\(result.stdout)")
    }
}

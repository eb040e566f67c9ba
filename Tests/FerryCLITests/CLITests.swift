import FerryCore
import FerryLegacy
import FerryTesting
import Foundation
import Testing

/// Runs the built `ferry` binary (`swift build` first; `FERRY_BIN` overrides) in a private
/// FERRY_HOME and ZenML configuration directory.
struct Ferry {
    static let binary = Repository.ferryBinary(from: #filePath)
    let home: TemporaryDirectory
    var environment: [String: String]
    /// The working directory (default: the home folder).
    var directory: String?

    init(_ extra: [String: String] = [:]) throws {
        home = try TemporaryDirectory("ferry-cli")
        environment = ["FERRY_HOME": home.file("data"), "ZENML_CONFIG_PATH": home.file("zenml"), "FERRY_STORE": "",
                       "FERRY_SECRETS_STORE_ENCRYPTION_KEY": "", "ZENML_LOCAL_STORES_PATH": ""]
        environment.merge(extra) { _, new in new }
    }

    @discardableResult
    func callAsFunction(_ arguments: String..., stdin: String? = nil) throws -> ProcessResult {
        try run(arguments, stdin: stdin)
    }

    /// A `ferry` process not yet started, for tests that drive or kill it while it runs: this
    /// environment and folder, standard streams to /dev/null until the caller sets them.
    func process(_ arguments: [String]) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.currentDirectoryURL = URL(fileURLWithPath: directory ?? home.path)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        return process
    }

    func run(_ arguments: [String], stdin: String? = nil) throws -> ProcessResult {
        try ProcessRunner.run(Self.binary, arguments, stdin: stdin, environment: environment, directory: directory ?? home.path)
    }
}

@Suite(.serialized) struct HelpTests {
    @Test(arguments: [
        [], ["secret"], ["secret", "create"], ["secret", "get"], ["secret", "list"], ["secret", "update"],
        ["secret", "rename"], ["secret", "delete"], ["secret", "export"], ["secrets-manager"], ["secrets-manager", "secret"],
        ["secrets-manager", "secret", "register"], ["secrets-manager", "secret", "get"], ["secrets-manager", "secret", "list"],
        ["secrets-manager", "secret", "update"], ["secrets-manager", "secret", "delete"], ["secrets-manager", "secret", "cleanup"],
        ["secrets-manager", "secret", "migrate"],
    ])
    func everyCommandHasHelp(_ path: [String]) throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let result = try ferry.run(path + ["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("USAGE: ferry"))
    }
}

@Suite(.serialized) struct SecretCommandTests {
    @Test func createGetListUpdateRenameExportDelete() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        var result = try ferry("secret", "create", "db", "--user=admin", "--password=s3cr3t-VALUE", "--values", #"{"port": "5432"}"#)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Secret 'db' successfully created."))
        #expect(!result.stdout.contains("s3cr3t-VALUE"))

        result = try ferry("secret", "get", "db")
        #expect(result.status == 0)
        #expect(result.stdout.contains("Fetched public secret with name `db`"))
        #expect(result.stdout.contains("***"))
        #expect(!result.stdout.contains("s3cr3t-VALUE") && !result.stdout.contains("admin"))

        result = try ferry("secret", "get", "db", "--show-secrets", "-o", "json")
        guard case .object(let document) = try PythonJSON.parse(result.stdout),
            case .object(let values)? = document.first(where: { $0.key == "values" })?.value
        else {
            Issue.record("get -o json is not an object with values")
            return
        }
        #expect(values.map(\.key) == ["user", "password", "port"])
        #expect(values.first { $0.key == "password" }?.value == .string("s3cr3t-VALUE"))

        result = try ferry("secret", "get", "db", "-o", "env", "--show-secrets")
        #expect(result.stdout.contains("password='s3cr3t-VALUE'"))

        result = try ferry("secret", "update", "db", "--port=6543", "-r", "user")
        #expect(result.status == 0, "\(result.stderr)")
        result = try ferry("secret", "get", "db", "-o", "json", "--show-secrets")
        #expect(result.stdout.contains("6543") && !result.stdout.contains("\"user\""))

        result = try ferry("secret", "rename", "db", "--new-name", "database")
        #expect(result.stdout.contains("Secret 'db' successfully renamed to 'database'."))

        result = try ferry("secret", "export", "datab", "-f", "out.yaml")
        #expect(result.status == 0, "\(result.stderr)")
        let exported = try String(contentsOfFile: ferry.home.file("out.yaml"), encoding: .utf8)
        #expect(exported == "password: s3cr3t-VALUE\nport: '6543'\n")
        #expect(try FileManager.default.attributesOfItem(atPath: ferry.home.file("out.yaml"))[.posixPermissions] as? Int == 0o600)
        result = try ferry("secret", "create", "reimported", "--values", "@out.yaml")
        #expect(result.status == 0, "\(result.stderr)")

        result = try ferry("secret", "list", "-o", "json", "--sort_by", "asc:name")
        #expect(result.stdout.contains("\"total\": 2"))
        #expect(result.stdout.range(of: "database")!.lowerBound < result.stdout.range(of: "reimported")!.lowerBound)

        // No terminal and no --yes: refused with exit code 2, nothing deleted.
        result = try ferry("secret", "delete", "database")
        #expect(result.status == 2)
        #expect(try ferry("secret", "get", "database").status == 0)
        result = try ferry("secret", "delete", "database", "-y")
        #expect(result.status == 0)
        #expect(try ferry("secret", "get", "database").status == 1)
    }

    @Test func usageErrorsExit64AndNeverEchoValues() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        for arguments in [["secret", "create", "db", "--bad-key=leaky-VALUE"], ["secret", "create", "db", "leaky-VALUE"],
                          ["secret", "create", "name", "--a=leaky-VALUE"], ["secret", "create", "db", "--name=leaky-VALUE"]]
        {
            let result = try ferry.run(arguments)
            #expect(result.status == 64, "\(arguments)")
            #expect(!result.stderr.contains("leaky-VALUE") && !result.stdout.contains("leaky-VALUE"))
        }
        #expect(try ferry("secret", "get", "missing").status == 1)
        #expect(try ferry("secret", "list", "--size", "0").status == 64)
    }

    @Test func structuredOutputKeepsStringsStrings() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        #expect(try ferry("secret", "create", "y", "--t=true", "--n=null", "--num=8443", "--e=").status == 0)
        let result = try ferry("secret", "get", "y", "-o", "yaml", "--show-secrets")
        for line in ["t: 'true'", "n: 'null'", "num: '8443'", "e: ''"] { #expect(result.stdout.contains(line), "\(line)") }
        #expect(try ferry("secret", "create", "j", "--values", #"{"a": "x", "#).status == 64)
        #expect(try ferry("secret", "create", "k", "--values", "a: [x").status == 64)
        #expect(try ferry("secret", "create", "l", "--values", "[1, 2]").status == 64)
    }

    @Test func valuesFromStdinAndInteractivePipes() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        var result = try ferry("secret", "create", "piped", "--values", "-", stdin: "a: '1'\nb: two\n")
        #expect(result.status == 0, "\(result.stderr)")
        result = try ferry("secret", "create", "typed", "-i", stdin: "key1\nvalue one\nkey2\n@@literal\n")
        #expect(result.status == 0, "\(result.stderr)")
        result = try ferry("secret", "get", "typed", "-o", "json", "--show-secrets")
        #expect(result.stdout.contains(#""key1": "value one""#) && result.stdout.contains(#""key2": "@literal""#))
        result = try ferry("secret", "get", "piped", "-o", "json", "--show-secrets")
        #expect(result.stdout.contains(#""b": "two""#))
    }

    @Test func encryptedStoreNeedsItsKey() throws {
        var ferry = try Ferry()
        defer { ferry.home.remove() }
        ferry.environment["FERRY_SECRETS_STORE_ENCRYPTION_KEY"] = "right"
        #expect(try ferry("secret", "create", "s", "--a=1").status == 0)
        ferry.environment["FERRY_SECRETS_STORE_ENCRYPTION_KEY"] = "wrong"
        var result = try ferry("secret", "get", "s")
        #expect(result.status == 1)
        #expect(result.stderr.contains("encryption key"))
        #expect(try ferry("secret", "create", "t", "--a=1").status == 1)
        ferry.environment["FERRY_SECRETS_STORE_ENCRYPTION_KEY"] = ""
        result = try ferry("secret", "get", "s")
        #expect(result.status == 1 && result.stderr.contains("FERRY_SECRETS_STORE_ENCRYPTION_KEY"))
        ferry.environment["FERRY_SECRETS_STORE_ENCRYPTION_KEY"] = "right"
        result = try ferry("secret", "list", "-o", "json")
        #expect(result.stdout.contains("\"total\": 1"))
    }
}

@Suite(.serialized) struct SecretsManagerCommandTests {
    @Test func registerGetListUpdateDeleteCleanup() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let id = UUID().uuidString.lowercased()
        var result = try ferry("secrets-manager", "secret", "list")
        #expect(result.status == 64 && result.stderr.contains("no local secrets manager is in"))

        result = try ferry("secrets-manager", "secret", "register", "aws1", "--schema=aws", "--aws_access_key_id=AKIA",
                           "--aws_secret_access_key=sec-VALUE", "--secrets-manager", id)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("Secret schemas will be deprecated soon."))
        #expect(!result.stdout.contains("sec-VALUE"))
        let file = ferry.home.file("zenml/local_stores/\(id)/secrets.yaml")
        #expect(try String(contentsOfFile: file, encoding: .utf8).contains("zenml_schema_name: aws"))

        result = try ferry("secrets-manager", "secret", "register", "aws1", "--a=1")
        #expect(result.status == 1 && result.stderr.contains("A secret with name 'aws1' already exists."))
        result = try ferry("secrets-manager", "secret", "register", "bad", "--schema=aws", "--aws_access_key_id=A")
        #expect(result.status == 64 && result.stderr.contains("Secret values do not conform with the secret schema"))
        result = try ferry("secrets-manager", "secret", "register", "x", "--schema=nope", "--a=1")
        #expect(result.status == 64 && result.stderr.contains("No SecretSchema class found for schema flavor `nope`"))

        result = try ferry("secrets-manager", "secret", "get", "aws1", "--show-secrets")
        #expect(result.stdout.contains("sec-VALUE"))
        result = try ferry("secrets-manager", "secret", "get", "nope")
        #expect(result.stderr.contains("Secret `nope` does not exist in the secrets manager \(id) ("))

        result = try ferry("secrets-manager", "secret", "update", "aws1", "--aws_session_token=tok")
        #expect(result.stdout.contains("Secret with name 'aws1' has been updated"))
        result = try ferry("secrets-manager", "secret", "update", "aws1", "--unknown=1")
        #expect(result.status == 64)

        #expect(try ferry("secrets-manager", "secret", "register", "second", "--k=v").status == 0)
        result = try ferry("secrets-manager", "secret", "list", "-o", "json")
        #expect(result.stdout.contains("aws1") && result.stdout.contains("second"))

        #expect(try ferry("secrets-manager", "secret", "delete", "second").status == 2)
        result = try ferry("secrets-manager", "secret", "delete", "second", "-y")
        #expect(result.stdout.contains("Deleted secret `second`."))
        result = try ferry("secrets-manager", "secret", "delete", "second", "-y")
        #expect(result.stderr.contains("Secret with name `second` no longer present."))
        #expect(try ferry("secrets-manager", "secret", "cleanup", "-y").status == 0)
        #expect(!FileManager.default.fileExists(atPath: file))
    }

    /// Eight processes register into one file at once; none of the writes is lost.
    @Test func concurrentProcessesLoseNothing() async throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let id = UUID().uuidString.lowercased()
        try await withThrowingTaskGroup(of: Int32.self) { group in
            for index in 0..<8 {
                group.addTask {
                    try ferry.run(["secrets-manager", "secret", "register", "s\(index)", "--v=\(index)", "--secrets-manager", id]).status
                }
            }
            for try await status in group { #expect(status == 0) }
        }
        let result = try ferry("secrets-manager", "secret", "list", "-o", "json", "--secrets-manager", id)
        for index in 0..<8 { #expect(result.stdout.contains("\"s\(index)\"")) }
    }

    /// The README's main job: every fixture secret moves into the embedded store, verified, and a re-run changes nothing.
    @Test func migrateTheZenMLFixtures() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let config = ferry.home.file("config")
        try FileManager.default.copyItem(atPath: Repository.fixtures(from: #filePath) + "/local/zenml-0.52.0/config", toPath: config)
        var result = try ferry("secrets-manager", "secret", "migrate", "--config-dir", config, "--all", "--dry-run")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Plan: 52 to create"))
        #expect(!FileManager.default.fileExists(atPath: ferry.home.file("data")))   // a dry run creates nothing
        #expect(try ferry("secret", "list", "-o", "json").stdout.contains("\"total\": 0"))

        // A run that writes needs --yes when nobody can confirm; refused, it changes nothing.
        result = try ferry("secrets-manager", "secret", "migrate", "--config-dir", config, "--all")
        #expect(result.status == 2 && result.stderr.contains("pass --yes"))
        #expect(try ferry("secret", "list", "-o", "json").stdout.contains("\"total\": 0"))

        // As ZenML: without a selection, the active stack's secrets manager (ferry_local_a).
        result = try ferry("secrets-manager", "secret", "migrate", "--config-dir", config, "--dry-run", "-o", "json")
        guard case .array(let items)? = try PythonJSON.parse(result.stdout).member("items") else {
            Issue.record("no plan items: \(result.stderr)")
            return
        }
        #expect(!items.isEmpty && items.allSatisfy { $0.member("component")?.text == "ferry_local_a" })

        result = try ferry("secrets-manager", "secret", "migrate", "--config-dir", config, "--all", "--yes")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Done: 52 created"))
        #expect(result.stdout.contains("created, verified"))
        result = try ferry("secret", "get", "aws_with_token", "-o", "json", "--show-secrets")
        #expect(result.stdout.contains("AKIAIOSFODNN7EXAMPLE"))

        result = try ferry("secrets-manager", "secret", "migrate", "--config-dir", config, "--all", "-o", "json")
        #expect(result.status == 0, "an unchanged re-run writes nothing and needs no --yes: \(result.stderr)")
        // JSON carries the action's stable identifier; the table its label.
        #expect(!result.stdout.contains("\"create\"") && result.stdout.contains("\"action\": \"skip_identical\"")
            && !result.stdout.contains("skip (identical)"))

        // A changed target is a conflict (exit 1) unless --non-interactive overwrites it.
        #expect(try ferry("secret", "update", "aws_with_token", "--aws_session_token=changed").status == 0)
        result = try ferry("secrets-manager", "secret", "migrate", "--config-dir", config, "--all", "--yes", "--error-file", ferry.home.file("errors.jsonl"))
        #expect(result.status == 1 && result.stdout.contains("1 conflict"))
        let errors = try String(contentsOfFile: ferry.home.file("errors.jsonl"), encoding: .utf8)
        #expect(errors.contains("\"legacy_name\": \"aws_with_token\"") && errors.contains("\"action\": \"conflict\"") && !errors.contains("AKIA"))
        result = try ferry("secrets-manager", "secret", "migrate", "--config-dir", config, "--non-interactive", "aws_with_token",
                           "--secrets-manager", "c634a458-2ceb-4b51-99c1-f8e9e14c9574", "--yes")
        #expect(result.status == 0 && result.stdout.contains("updated, verified"))

        // --delete is a bulk change: refused without --yes when nobody can confirm.
        result = try ferry("secrets-manager", "secret", "migrate", "--config-dir", config, "--all", "--delete", "rotating")
        #expect(result.status == 2)
        // It removes the source only after verifying; a name is looked up across every manager.
        result = try ferry("secrets-manager", "secret", "migrate", "--config-dir", config, "--all", "--delete", "--yes", "rotating")
        #expect(result.stdout.contains("source deleted"))
        result = try ferry("secrets-manager", "secret", "get", "rotating", "--config-dir", config,
                           "--secrets-manager", "c634a458-2ceb-4b51-99c1-f8e9e14c9574")
        #expect(result.status == 1)
    }

    /// Names from a template; two sources on one name are a conflict, never merged; `rename` and
    /// `fail` policies; references that the new names would break are listed.
    @Test func nameTemplatesAndConflictPolicies() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let config = ferry.home.file("config")
        try FileManager.default.copyItem(atPath: Repository.fixtures(from: #filePath) + "/local/zenml-0.52.0/config", toPath: config)
        // Managers a and b get a secret of the same name with other values.
        for (manager, value) in [("ferry_local_a", "1"), ("ferry_local_b", "2")] {
            let registered = try ferry("secrets-manager", "secret", "register", "collides", "--v=\(value)", "--config-dir", config,
                                       "--secrets-manager", manager)
            #expect(registered.status == 0, "\(registered.stderr)")
        }
        var result = try ferry("secrets-manager", "secret", "migrate", "--config-dir", config, "--all", "--dry-run", "-o", "json")
        let plan = try PythonJSON.parse(result.stdout)
        guard case .array(let items)? = plan.member("items") else {
            Issue.record("no plan")
            return
        }
        let collisions = items.filter { $0.member("action")?.text == "conflict" }
        #expect(!collisions.isEmpty, "sources landing on one name must be a conflict")

        result = try ferry("secrets-manager", "secret", "migrate", "--config-dir", config, "--all", "--dry-run", "--name-template", "{component}-{name}",
                           "-o", "json")
        guard case .array(let templated)? = try PythonJSON.parse(result.stdout).member("items") else { Issue.record("not the JSON shape expected"); return }
        #expect(templated.allSatisfy { $0.member("target_name")?.text == "\($0.member("component")?.text ?? "")-\($0.member("legacy_name")?.text ?? "")" })
        #expect(!templated.contains { $0.member("action")?.text == "conflict" })

        result = try ferry("secrets-manager", "secret", "migrate", "--config-dir", config, "--all", "--dry-run", "--name-template", "{nope}")
        #expect(result.status == 64 && result.stderr.contains("{nope}"))

        result = try ferry("secrets-manager", "secret", "migrate", "--config-dir", config, "--all", "--yes", "--on-conflict", "fail")
        #expect(result.status == 2 && result.stderr.contains("Nothing was migrated"))
        #expect(try ferry("secret", "list", "-o", "json").stdout.contains("\"total\": 0"))

        result = try ferry("secrets-manager", "secret", "migrate", "--config-dir", config, "--all", "--yes", "--on-conflict", "rename", "-o", "json")
        #expect(result.status == 0, "\(result.stderr)")
        guard case .array(let applied)? = try PythonJSON.parse(result.stdout).member("items") else { Issue.record("not the JSON shape expected"); return }
        let renamed = applied.filter { $0.member("detail")?.text?.hasPrefix("renamed from") == true }
        #expect(renamed.count == collisions.count)
        #expect(renamed.allSatisfy { $0.member("verified") == .bool(true) && $0.member("target_name")?.text == "collides-ferry_local_b" })
    }

    /// Killed at any moment (SIGKILL), a re-run completes the migration: nothing lost, nothing twice.
    @Test func aKilledMigrationIsCompletedByTheNextRun() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let config = ferry.home.file("config")
        try FileManager.default.copyItem(atPath: Repository.fixtures(from: #filePath) + "/local/zenml-0.52.0/config", toPath: config)
        // 500 more secrets in one manager (ZenML's local layout: name, then base64 values), so that
        // writing takes long enough for kills to land between the first write and the last.
        let bulk = 500, total = 52 + bulk
        let secretsFile = config + "/local_stores/c634a458-2ceb-4b51-99c1-f8e9e14c9574/secrets.yaml"
        let handle = try #require(FileHandle(forWritingAtPath: secretsFile))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((0..<bulk).map { index in
            "bulk_\(index):\n  value: \(Data("v\(index)".utf8).base64EncodedString())\n  zenml_schema_name: arbitrary\n"
        }.joined().utf8))
        try handle.close()
        // Each run is killed a little later than the one before, so the kills sweep from "before the
        // first write" to "after the last", whatever the machine's speed, and each run resumes what the
        // killed ones left.
        var countsAfterKills: [Int] = []
        var delay = 0.08
        while countsAfterKills.count < 80 && countsAfterKills.last != total {
            let process = ferry.process(["secrets-manager", "secret", "migrate", "--config-dir", config, "--all", "--yes", "--jobs", "1",
                                         "--on-conflict", "rename"])
            try process.run()
            Thread.sleep(forTimeInterval: delay)
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let listed = try PythonJSON.parse(try ferry("secret", "list", "-o", "json", "--size", "1000").stdout)
            countsAfterKills.append(Int(listed.member("pagination")?.member("total")?.text ?? "") ?? -1)
            delay *= 1.08
        }
        // At least one kill landed mid-run (some secrets written, not all), or this test would prove nothing.
        #expect(countsAfterKills.contains { 0 < $0 && $0 < total }, "\(countsAfterKills)")
        let result = try ferry("secrets-manager", "secret", "migrate", "--config-dir", config, "--all", "--yes", "--on-conflict", "rename", "-o", "json")
        #expect(result.status == 0, "\(result.stderr)")
        guard case .array(let items)? = try PythonJSON.parse(result.stdout).member("items") else { Issue.record("not the JSON shape expected"); return }
        #expect(items.count == total && items.allSatisfy { $0.member("verified") == .bool(true) })
        // Exactly one target per source: nothing created twice under another name.
        let listed = try PythonJSON.parse(try ferry("secret", "list", "-o", "json", "--size", "1000").stdout)
        #expect(listed.member("pagination")?.member("total")?.text == String(total), "\(listed)")
        let again = try ferry("secrets-manager", "secret", "migrate", "--config-dir", config, "--all", "-o", "json", "--on-conflict", "rename")
        #expect(again.status == 0 && !again.stdout.contains("\"create\""))
    }
}

@Suite(.serialized) struct InteractiveUpdateTests {
    @Test func pipedInteractiveUpdateKeepsEmptyAnswersAndAddsPairs() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        #expect(try ferry("secret", "create", "s", "--a=1", "--b=2").status == 0)
        let result = try ferry("secret", "update", "s", "-i", stdin: "\nnew-b\nc\nthree\n")
        #expect(result.status == 0, "\(result.stderr)")
        let read = try ferry("secret", "get", "s", "-o", "json", "--show-secrets").stdout
        #expect(read.contains(#""a": "1""#) && read.contains(#""b": "new-b""#) && read.contains(#""c": "three""#))
        #expect(!result.stdout.contains("new-b") && !result.stderr.contains("new-b"))
    }
}

/// One cloud flavor end to end through the CLI: register, list, get (masked), a name the flavor
/// refuses (`badName`, whose error contains `rule`), migrate into a store whose values live in the
/// same cloud (`store` variables), read back with --show-secrets, delete, cleanup.
func checkCloudFlavorRoundTrip(_ ferry: Ferry, select: [String], value: String, badName: String, rule: String,
                               store: [String: String]) throws
{
    var result = try ferry.run(["secrets-manager", "secret", "register", "db", "--user=admin", "--pw=\(value)"] + select)
    #expect(result.status == 0, "\(result.stderr)")
    result = try ferry.run(["secrets-manager", "secret", "list", "-o", "json"] + select)
    #expect(result.stdout.contains("\"db\""), "\(result.stderr)")
    result = try ferry.run(["secrets-manager", "secret", "get", "db"] + select)
    #expect(result.status == 0 && !result.stdout.contains(value))
    result = try ferry.run(["secrets-manager", "secret", "register", badName, "--a=1"] + select)
    #expect(result.status == 64 && result.stderr.contains(rule), "\(result.stderr)")

    var onCloud = ferry
    onCloud.environment.merge(store) { _, new in new }
    result = try onCloud.run(["secrets-manager", "secret", "migrate", "--yes"] + select)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("created, verified"))
    result = try onCloud.run(["secret", "get", "db", "-o", "json", "--show-secrets"])
    #expect(result.stdout.contains(value))
    #expect(try onCloud.run(["secret", "delete", "db", "-y"]).status == 0)
    #expect(try ferry.run(["secrets-manager", "secret", "cleanup", "-y"] + select).status == 0)
    result = try ferry.run(["secrets-manager", "secret", "list"] + select)
    #expect(result.stderr.contains("No secrets registered."))
}

/// `--flavor aws` and the `aws` store back-end, against the moto that scripts/test starts.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["FERRY_MOTO_ENDPOINT"] != nil || Repository.inCI,
                             "needs moto (scripts/moto-server; FERRY_MOTO_ENDPOINT)"))
struct AWSCommandTests {
    @Test func registerListGetMigrateAndStoreOnAWS() throws {
        let endpoint = try #require(ProcessInfo.processInfo.environment["FERRY_MOTO_ENDPOINT"])
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let id = UUID().uuidString.lowercased()
        let namespace = "cli-\(id.prefix(8))"
        let select = ["--flavor", "aws", "--scope", "namespace", "--namespace", namespace, "--secrets-manager", id,
                      "--region", "eu-west-1", "--endpoint-url", endpoint]
        // The store's values in AWS (us-east-2, ZenML's `zenml/<uuid>` layout).
        try checkCloudFlavorRoundTrip(ferry, select: select, value: "aws-s3cr3t", badName: "bad/name",
                                      rule: "Must contain only alphanumeric characters",
                                      store: ["FERRY_SECRETS_STORE_TYPE": "aws", "FERRY_SECRETS_STORE_REGION_NAME": "us-east-2",
                                              "FERRY_SECRETS_STORE_ENDPOINT_URL": endpoint])

        var wrong = ferry
        wrong.environment["AWS_SECRET_ACCESS_KEY"] = "not-the-key"
        let result = try wrong.run(["secrets-manager", "secret", "list"] + select)
        #expect(result.status == 1 && result.stderr.contains("secret access key is wrong") && !result.stderr.contains("not-the-key"))
    }
}

/// `--flavor vault` against the OpenBao that scripts/test starts, with the ZenML 0.52.0 fixtures in `secret/`.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["FERRY_VAULT_ADDR"] != nil || Repository.inCI,
                             "needs OpenBao (scripts/openbao-server; FERRY_VAULT_ADDR)"))
struct VaultCommandTests {
    /// The none-scope component of LegacyFixtures/vault: its mount also holds a secret ZenML 0.10–0.11
    /// wrote at `zenml/arbitrary-legacy_db_creds`, which ZenML 0.52 does not list.
    @Test func strandedSecretsAreReportedAndMigrated() throws {
        let address = try #require(ProcessInfo.processInfo.environment["FERRY_VAULT_ADDR"])
        let ferry = try Ferry(["VAULT_TOKEN": ProcessInfo.processInfo.environment["VAULT_TOKEN"] ?? "root"])
        defer { ferry.home.remove() }
        let select = ["--flavor", "vault", "--scope", "none", "--secrets-manager", "6d0f3a51-9b1e-4c7a-8e21-000000000001",
                      "--endpoint-url", address]
        var result = try ferry.run(["secrets-manager", "secret", "list"] + select)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains("legacy_db_creds"), "ZenML's listing does not have it")
        #expect(result.stderr.contains("`legacy_db_creds` (secret/zenml/arbitrary-legacy_db_creds)"))
        #expect(result.stderr.contains("ZenML 0.10–0.11") && !result.stderr.contains("pä$$"))

        result = try ferry.run(["secrets-manager", "secret", "migrate", "--dry-run", "-o", "json"] + select)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains(#""legacy_location": "secret/zenml/arbitrary-legacy_db_creds""#))
        result = try ferry.run(["secrets-manager", "secret", "migrate", "--dry-run", "--skip-older-layouts", "-o", "json"] + select)
        #expect(!result.stdout.contains("legacy_db_creds"))

        result = try ferry.run(["secrets-manager", "secret", "migrate", "--yes", "-o", "json"] + select)
        #expect(result.status == 0, "\(result.stderr)")
        result = try ferry.run(["secret", "get", "legacy_db_creds", "-o", "env", "--show-secrets"])
        #expect(result.stdout == "password='pä$$ 🔐'\nuser='legacy'\n", "\(result.stdout)")
    }
}

/// `--flavor gcp` and the `gcp` store back-end, against the drongo that scripts/test starts.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["FERRY_DRONGO_ENDPOINT"] != nil || Repository.inCI,
                             "needs drongo (scripts/gcp-servers; FERRY_DRONGO_ENDPOINT)"))
struct GCPCommandTests {
    @Test func registerListGetMigrateAndStoreOnGCP() throws {
        let endpoint = try #require(ProcessInfo.processInfo.environment["FERRY_DRONGO_ENDPOINT"])
        let ferry = try Ferry(["CLOUDSDK_AUTH_ACCESS_TOKEN": "drongo-checks-no-token"])
        defer { ferry.home.remove() }
        let id = UUID().uuidString.lowercased()
        let project = "cli-\(id.prefix(8))"
        let select = ["--flavor", "gcp", "--scope", "namespace", "--namespace", "team-a", "--secrets-manager", id,
                      "--project-id", project, "--endpoint-url", endpoint]
        // The store's values in GCP (ZenML's `zenml-<uuid>` layout).
        try checkCloudFlavorRoundTrip(ferry, select: select, value: "gcp-s3cr3t", badName: "Bad.Name",
                                      rule: "Must contain only lowercase alphanumeric characters",
                                      store: ["FERRY_SECRETS_STORE_TYPE": "gcp", "FERRY_SECRETS_STORE_PROJECT_ID": project + "-store",
                                              "FERRY_SECRETS_STORE_ENDPOINT_URL": endpoint])

        // No project: a clear configuration error.
        let result = try ferry.run(["secrets-manager", "secret", "list", "--flavor", "gcp", "--secrets-manager", id, "--endpoint-url", endpoint])
        #expect(result.status == 1 && result.stderr.contains("needs its `project_id`"))
    }
}

/// `--flavor azure` and the `azure` store back-end, against the fake Key Vault scripts/test starts.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["FERRY_AZURE_VAULT_URL"] != nil || Repository.inCI,
                             "needs the fake Key Vault (scripts/azure-servers; FERRY_AZURE_VAULT_URL)"))
struct AzureCommandTests {
    @Test func registerListGetMigrateAndStoreOnAzure() throws {
        let environment = ProcessInfo.processInfo.environment
        let vault = try #require(environment["FERRY_AZURE_VAULT_URL"])
        let ferry = try Ferry(["AZURE_CLIENT_ID": environment["FERRY_AZURE_CLIENT_ID"] ?? "",
                               "AZURE_CLIENT_SECRET": environment["FERRY_AZURE_CLIENT_SECRET"] ?? "",
                               "AZURE_TENANT_ID": environment["FERRY_AZURE_TENANT_ID"] ?? "",
                               "AZURE_AUTHORITY_HOST": environment["FERRY_AZURE_AUTHORITY_HOST"] ?? "",
                               "REQUESTS_CA_BUNDLE": environment["FERRY_AZURE_CA"] ?? ""])
        defer { ferry.home.remove() }
        let id = UUID().uuidString.lowercased()
        let select = ["--flavor", "azure", "--scope", "component", "--secrets-manager", id, "--key-vault-name", "ferry-tests",
                      "--endpoint-url", vault]
        // The store's values in the same Key Vault (ZenML's `zenml-<uuid>` layout).
        try checkCloudFlavorRoundTrip(ferry, select: select, value: "azure-s3cr3t", badName: "bad_name",
                                      rule: "Must contain only alphanumeric characters and the character -.",
                                      store: ["FERRY_SECRETS_STORE_TYPE": "azure", "FERRY_SECRETS_STORE_KEY_VAULT_NAME": "ferry-tests",
                                              "FERRY_SECRETS_STORE_VAULT_URL": vault])

        var wrong = ferry
        wrong.environment["AZURE_CLIENT_SECRET"] = "not-the-secret"
        let result = try wrong.run(["secrets-manager", "secret", "list"] + select)
        #expect(result.status == 1 && result.stderr.contains("invalid_client") && !result.stderr.contains("not-the-secret"),
                "\(result.stderr)")
    }
}

/// `ferry stack …` and `ferry secrets-manager list/describe` on the installation real ZenML 0.52.0 made.
@Suite(.serialized) struct StackCommandTests {
    @Test func listDescribeAndTheActiveStacksSecretsManager() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let config = ferry.home.file("config")
        try FileManager.default.copyItem(atPath: Repository.fixtures(from: #filePath) + "/local/zenml-0.52.0/config", toPath: config)
        var result = try ferry("stack", "list", "--config-dir", config, "-o", "json")
        #expect(result.status == 0, "\(result.stderr)")
        guard case .array(let stacks) = try PythonJSON.parse(result.stdout) else {
            Issue.record("not a JSON list")
            return
        }
        #expect(stacks.compactMap { $0.member("name")?.text }.sorted() == ["default", "ferry_stack_a", "ferry_stack_b", "ferry_stack_empty"])
        #expect(stacks.filter { $0.member("active") == .bool(true) }.compactMap { $0.member("name")?.text } == ["ferry_stack_a"])

        result = try ferry("secrets-manager", "list", "--config-dir", config, "-o", "json")
        guard case .array(let managers) = try PythonJSON.parse(result.stdout) else {
            Issue.record("not a JSON list")
            return
        }
        let a = try #require(managers.first { $0.member("name")?.text == "ferry_local_a" })
        #expect(a.member("id")?.text == "d231df1e-6a14-4d57-8bcf-0c82b0428f2a" && a.member("flavor")?.text == "local")
        #expect(a.member("scope")?.text == "none" && a.member("namespace") == .null && a.member("stacks") == .array([.string("ferry_stack_a")]))

        // As ZenML: without --secrets-manager, the active stack's secrets manager (ferry_local_a).
        result = try ferry("secrets-manager", "secret", "list", "--config-dir", config, "-o", "json")
        #expect(result.status == 0 && result.stdout.contains("\"MixedCase\""), "\(result.stderr)")
        result = try ferry("secrets-manager", "secret", "list", "--config-dir", config, "--secrets-manager", "ferry_local_empty")
        #expect(result.stderr.contains("No secrets registered."))
        result = try ferry("secrets-manager", "describe", "ferry_local_b", "--config-dir", config)
        #expect(result.status == 0 && result.stdout.contains("c634a458-2ceb-4b51-99c1-f8e9e14c9574"))
        result = try ferry("stack", "describe", "nope", "--config-dir", config)
        #expect(result.status == 1 && result.stderr.contains("No stack `nope`"))
        result = try ferry("stack", "validate", "--config-dir", config)
        #expect(result.status == 0 && result.stdout.contains("has no secret references"))
        result = try ferry("stack", "export", "ferry_stack_a", ferry.home.file("a.yaml"), "--config-dir", config)
        #expect(result.status == 0, "\(result.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: ferry.home.file("a.yaml"))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        result = try ferry("resolve", ferry.home.file("a.yaml"), "--config-dir", config, "-o", "json")
        #expect(result.status == 0 && result.stdout.contains("\"stack\": \"ferry_stack_a\""), "\(result.stderr)")
    }
}

/// `ferry stack resolve` and `ferry stack validate` against ZenML 0.52.0 itself
/// (LegacyFixtures/tools/zenml_resolve.py) on the installation real ZenML 0.52.0 made.
@Suite(.enabled(if: Repository.zenml052Python != nil || Repository.inCI, "needs FERRY_ZENML052_PYTHON (set by scripts/test)"))
struct ResolveAgreesWithZenMLTests {
    static let stacks = ["ferry_stack_local", "ferry_stack_local_none", "ferry_stack_no_sm"]
    static let levels = ["SECRET_AND_KEY_EXISTS", "SECRET_EXISTS", "NONE"]

    /// A message with ZenML's unordered parts in one order: the component (ZenML prints its whole
    /// configuration, Ferry its name), Python sets and lists of references.
    static func normalized(_ message: String) -> String {
        var text = message
        if let start = text.range(of: "of stack component `"), let end = text.range(of: "`", options: .backwards), start.upperBound <= end.lowerBound {
            text.replaceSubrange(start.upperBound..<end.lowerBound, with: "…")
        }
        func sortList(between open: String, and close: String, separator: String) {
            guard let start = text.range(of: open), let end = text.range(of: close, range: start.upperBound..<text.endIndex) else { return }
            let items = text[start.upperBound..<end.lowerBound].components(separatedBy: separator).sorted()
            text.replaceSubrange(start.upperBound..<end.lowerBound, with: items.joined(separator: separator))
        }
        sortList(between: "Available keys: {", and: "}", separator: ", ")
        sortList(between: "Missing secrets for stack: [", and: "]", separator: ", ")
        sortList(between: "reference missing secret values: ", and: ".\n", separator: ", ")
        return text
    }

    @Test(arguments: stacks, levels)
    func agrees(stack: String, level: String) throws {
        let python = try #require(Repository.zenml052Python, "CI must set FERRY_ZENML052_PYTHON")
        var ferry = try Ferry(["ZENML_SECRET_VALIDATION_LEVEL": level])
        defer { ferry.home.remove() }
        ferry.environment["ZENML_SECRET_VALIDATION_LEVEL"] = level
        let config = ferry.home.file("config")
        try FileManager.default.copyItem(atPath: Repository.fixtures(from: #filePath) + "/installations/zenml-0.52.0/config", toPath: config)
        let zenml = try ProcessRunner.run(python, [Repository.fixtures(from: #filePath) + "/tools/zenml_resolve.py", "--config-dir", config,
                                                   "--stack", stack, "--validation-level", level])
        try #require(zenml.status == 0, "zenml_resolve.py: \(zenml.stderr.suffix(1500))")
        let theirs = try PythonJSON.parse(zenml.stdout)

        let resolved = try ferry("stack", "resolve", stack, "--config-dir", config, "--show-secrets", "-o", "json")
        #expect(resolved.status == 0 || resolved.status == 1, "\(resolved.stderr)")
        guard case .array(let components)? = try PythonJSON.parse(resolved.stdout).member("components") else {
            Issue.record("ferry stack resolve gave no components: \(resolved.stderr)")
            return
        }
        var compared = 0
        for component in components {
            let type = component.member("type")?.text ?? ""
            #expect(theirs.member("components")?.member(type)?.member("name") == component.member("name"), "\(type)")
            guard case .object(let attributes)? = component.member("attributes") else { continue }
            for (key, ours) in attributes {
                guard let zenmlAttribute = theirs.member("components")?.member(type)?.member("attributes")?.member(key) else {
                    Issue.record("ZenML has no attribute \(type).\(key)")
                    continue
                }
                if let error = ours.member("error")?.text {
                    let message = zenmlAttribute.member("error")?.member("message")?.text ?? "(ZenML resolved it)"
                    #expect(Self.normalized(error) == Self.normalized(message), "\(stack) \(type).\(key)")
                } else {
                    #expect(ours.member("value") == zenmlAttribute.member("value"), "\(stack) \(type).\(key)")
                }
                compared += 1
            }
        }
        #expect(compared > 0)

        let validated = try ferry("stack", "validate", stack, "--config-dir", config, "-o", "json")
        let ourValidation = try PythonJSON.parse(validated.stdout)
        let raised = theirs.member("validation")?.member("raised")?.member("message")?.text
        #expect((ourValidation.member("valid") == .bool(true)) == (raised == nil), "\(stack) at \(level): \(raised ?? "valid")")
        #expect(validated.status == (raised == nil ? 0 : 1))
        if let raised {
            #expect(Self.normalized(ourValidation.member("message")?.text ?? "") == Self.normalized(raised), "\(stack) at \(level)")
        }
    }
}

/// ZenML 0.52.0's own migrate and Ferry's, on the same local fixtures, give the same centralized
/// secrets (LegacyFixtures/tools/zenml_migrate.py runs ZenML's CLI on a copy).
@Suite(.enabled(if: Repository.zenml052Python != nil || Repository.inCI, "needs FERRY_ZENML052_PYTHON (set by scripts/test)"))
struct MigrateAgreesWithZenMLTests {
    @Test func sameCentralizedSecretsAsZenMLsMigrate() throws {
        let python = try #require(Repository.zenml052Python, "CI must set FERRY_ZENML052_PYTHON")
        let fixture = Repository.fixtures(from: #filePath) + "/local/zenml-0.52.0/config"
        let zenml = try ProcessRunner.run(python, [Repository.fixtures(from: #filePath) + "/tools/zenml_migrate.py", "--config-dir", fixture])
        try #require(zenml.status == 0, "zenml_migrate.py: \(zenml.stderr.suffix(2000))")
        guard case .object(let theirs) = try PythonJSON.parse(zenml.stdout) else {
            Issue.record("zenml_migrate.py printed no JSON object")
            return
        }

        let ferry = try Ferry()
        defer { ferry.home.remove() }
        // ZenML migrated each stack's secrets manager in turn; Ferry's --all takes them all at once.
        let migrated = try ferry("secrets-manager", "secret", "migrate", "--config-dir", fixture, "--all", "--yes")
        #expect(migrated.status == 0, "\(migrated.stderr)")
        let listed = try PythonJSON.parse(try ferry("secret", "list", "-c", "name,values", "--show-secrets", "-o", "json", "--size", "1000").stdout)
        guard case .array(let items)? = listed.member("items") else {
            Issue.record("ferry secret list gave no items")
            return
        }
        var ours: [String: SecretValues] = [:]
        for item in items {
            guard let name = item.member("name")?.text, case .object(let values)? = item.member("values") else { continue }
            ours[name] = SecretValues(values.map { ($0.key, $0.value.pythonString) })
        }
        #expect(theirs.count == 52)
        #expect(Set(ours.keys) == Set(theirs.map(\.key)))
        for (name, values) in theirs {
            guard case .object(let pairs) = values else { continue }
            #expect(ours[name] == SecretValues(pairs.map { ($0.key, $0.value.pythonString) }), "`\(name)`")
        }
    }
}

/// Migration into a live ZenML server (the newest release, scripts/zenml-server), read back
/// through ZenML's own client.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["FERRY_ZENML_SERVER_URL"] != nil || Repository.inCI,
                             "needs a ZenML server (scripts/zenml-server; FERRY_ZENML_SERVER_URL)"))
struct ZenMLServerMigrationTests {
    static let environment = ProcessInfo.processInfo.environment

    /// What ZenML's client reads from the server: name → (private, values).
    static func dump() throws -> [String: (isPrivate: Bool, values: SecretValues)] {
        let python = try #require(environment["FERRY_ZENML_SERVER_PYTHON"])
        let result = try ProcessRunner.run(python, [Repository.fixtures(from: #filePath) + "/../scripts/zenml_server_secrets.py", "dump"])
        try #require(result.status == 0, "zenml_server_secrets.py dump: \(result.stderr.suffix(1500))")
        guard case .object(let secrets) = try PythonJSON.parse(result.stdout) else { Issue.record("zenml_server_secrets.py dump printed no mapping"); return [:] }
        var read: [String: (isPrivate: Bool, values: SecretValues)] = [:]
        for (name, secret) in secrets {
            guard case .object(let values)? = secret.member("values") else { continue }
            read[name] = (secret.member("private") == .bool(true), SecretValues(values.map { ($0.key, $0.value.pythonString) }))
        }
        return read
    }

    @Test func migrateTheFixturesIntoAZenMLServer() throws {
        let url = try #require(Self.environment["FERRY_ZENML_SERVER_URL"])
        let python = try #require(Self.environment["FERRY_ZENML_SERVER_PYTHON"])
        let wiped = try ProcessRunner.run(python, [Repository.fixtures(from: #filePath) + "/../scripts/zenml_server_secrets.py", "wipe"])
        try #require(wiped.status == 0, "\(wiped.stderr)")
        let ferry = try Ferry(["ZENML_STORE_USERNAME": Self.environment["FERRY_ZENML_SERVER_USERNAME"] ?? "default",
                               "ZENML_STORE_PASSWORD": Self.environment["FERRY_ZENML_SERVER_PASSWORD"] ?? ""])
        defer { ferry.home.remove() }
        let fixture = Repository.fixtures(from: #filePath) + "/local/zenml-0.52.0"
        var result = try ferry("secrets-manager", "secret", "migrate", "--config-dir", fixture + "/config", "--all", "--yes", "--store", url,
                               "--private")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Done: 52 created"))

        // ZenML's own client reads every secret back exactly, private as asked.
        let read = try Self.dump()
        let expected = try PythonJSON.parse(try String(contentsOfFile: fixture + "/expected.json", encoding: .utf8))
        guard case .object(let components)? = expected.member("components") else { Issue.record("not the JSON shape expected"); return }
        var count = 0
        for (_, component) in components {
            guard case .object(let secrets)? = component.member("secrets") else { continue }
            for (name, secret) in secrets {
                let want = try LegacyFixtureSet.secret(name, secret)
                #expect(read[name]?.values == want.values, "`\(name)`")
                #expect(read[name]?.isPrivate == true, "`\(name)`")
                count += 1
            }
        }
        #expect(count == 52 && read.count == 52)

        // ZenML's own CLI (`zenml secret export`) reads them back exactly too.
        if let cli = Self.environment["FERRY_ZENML_SERVER_CLI"], let client = Self.environment["FERRY_ZENML_SERVER_CONFIG"] {
            for name in ["value_zoo", "café", "line1\nline2", "MixedCase"] {
                guard let want = read[name] else { continue }
                let file = ferry.home.file("export-\(abs(name.hashValue)).yaml")
                var exporter = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ZENML_") }
                exporter["ZENML_CONFIG_PATH"] = client
                exporter["ZENML_ANALYTICS_OPT_IN"] = "false"
                let exported = try ProcessRunner.run(cli, ["secret", "export", name, "-p", "true", "-f", file], environment: exporter)
                #expect(exported.status == 0, "zenml secret export \(name): \(exported.stderr.suffix(500))")
                let text = try String(contentsOfFile: file, encoding: .utf8)
                guard let node = try SafeYAMLBridge.compose(text), case .object(let pairs) = node else {
                    Issue.record("`\(name)`: the export is not a YAML mapping")
                    continue
                }
                #expect(SecretValues(pairs.map { ($0.key, $0.value.pythonString) }) == want.values, "`\(name)` as `zenml secret export` writes it")
            }
        }

        // An unchanged re-run writes nothing; the server's secrets are then skipped as identical.
        result = try ferry("secrets-manager", "secret", "migrate", "--config-dir", fixture + "/config", "--all", "--store", url, "--private", "-o", "json")
        #expect(result.status == 0 && !result.stdout.contains("\"create\""), "\(result.stderr)")

        // A wrong password is a clear error that does not echo it.
        var wrong = ferry
        wrong.environment["ZENML_STORE_PASSWORD"] = "not-the-password"
        result = try wrong.run(["secrets-manager", "secret", "migrate", "--config-dir", fixture + "/config", "--all", "--yes", "--store", url])
        #expect(result.status == 1 && result.stderr.contains("refused the login") && !result.stderr.contains("not-the-password"), "\(result.stderr)")
    }
}

/// Migration into a ZenML database file: the `secret` table of ZenML 0.52.0 (scopes) and of the
/// newest ZenML (0.98: `private`), read back by that ZenML release itself.
@Suite(.enabled(if: (Repository.zenml052Python != nil && ProcessInfo.processInfo.environment["FERRY_ZENML_SERVER_PYTHON"] != nil)
                    || Repository.inCI, "needs FERRY_ZENML052_PYTHON and FERRY_ZENML_SERVER_PYTHON (scripts/test)"))
struct ZenMLDatabaseMigrationTests {
    @Test(arguments: [("zenml-0.52.0", "FERRY_ZENML052_PYTHON"), ("zenml-0.52.0-upgraded", "FERRY_ZENML_SERVER_PYTHON")])
    func migrateIntoAZenMLDatabaseThatZenMLThenReads(installation: String, pythonVariable: String) throws {
        let python = try #require(ProcessInfo.processInfo.environment[pythonVariable].flatMap { $0.isEmpty ? nil : $0 })
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let database = ferry.home.file("zenml.db")
        try FileManager.default.copyItem(atPath: Repository.fixtures(from: #filePath) + "/installations/\(installation)/config/local_stores/default_zen_store/zenml.db",
                                         toPath: database)
        let fixture = Repository.fixtures(from: #filePath) + "/local/zenml-0.52.0"
        for isPrivate in [false, true] {
            let result = try ferry.run(["secrets-manager", "secret", "migrate", "--config-dir", fixture + "/config", "--all", "--yes",
                                        "--store", database] + (isPrivate ? ["--private"] : []))
            #expect(result.status == 0 && result.stdout.contains("Done: 52 created"), "\(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: ferry.home.file("data/ferry.db")), "Ferry's own store was not used")

        let read = try ProcessRunner.run(python, [Repository.fixtures(from: #filePath) + "/tools/zenml_db_secrets.py", "--db", database])
        try #require(read.status == 0, "zenml_db_secrets.py: \(read.stderr.suffix(1500))")
        guard case .object(let secrets) = try PythonJSON.parse(read.stdout) else { Issue.record("not the JSON shape expected"); return }
        // ZenML lists by name: the private and the public copy share a name, so one of them shows;
        // both visibilities were checked on write (Ferry reads each back).
        let expected = try PythonJSON.parse(try String(contentsOfFile: fixture + "/expected.json", encoding: .utf8))
        guard case .object(let components)? = expected.member("components") else { Issue.record("not the JSON shape expected"); return }
        var count = 0
        for (_, component) in components {
            guard case .object(let wanted)? = component.member("secrets") else { continue }
            for (name, secret) in wanted {
                let values = secrets.first { $0.key == name }?.value.member("values")
                guard case .object(let pairs)? = values else {
                    Issue.record("ZenML does not see `\(name)` in \(installation)")
                    continue
                }
                #expect(SecretValues(pairs.map { ($0.key, $0.value.pythonString) }) == (try LegacyFixtureSet.secret(name, secret)).values, "`\(name)`")
                count += 1
            }
        }
        #expect(count == 52)
        // An unchanged re-run writes nothing.
        let again = try ferry.run(["secrets-manager", "secret", "migrate", "--config-dir", fixture + "/config", "--all", "--store", database, "-o", "json"])
        #expect(again.status == 0 && !again.stdout.contains("\"create\""), "\(again.stderr)")
    }
}

extension ZenMLServerMigrationTests {
    /// Every cloud fixture (secrets real ZenML 0.52.0 wrote in AWS, GCP, Azure and Vault, every
    /// scope) migrated into the live ZenML server, one component at a time, then read back by
    /// ZenML's own client. Names get the component in front, so the scopes do not collide.
    @Test func migrateEveryCloudFixtureIntoAZenMLServer() throws {
        let env = Self.environment
        let url = try #require(env["FERRY_ZENML_SERVER_URL"])
        guard let moto = env["FERRY_MOTO_ENDPOINT"], let vault = env["FERRY_VAULT_ADDR"], let drongo = env["FERRY_DRONGO_ENDPOINT"],
              let azure = env["FERRY_AZURE_FIXTURES_VAULT_URL"]
        else {
            try #require(!Repository.inCI, "CI starts every back-end")
            return
        }
        var ferry = try Ferry(["ZENML_STORE_USERNAME": env["FERRY_ZENML_SERVER_USERNAME"] ?? "default",
                               "ZENML_STORE_PASSWORD": env["FERRY_ZENML_SERVER_PASSWORD"] ?? "",
                               "CLOUDSDK_AUTH_ACCESS_TOKEN": "drongo", "VAULT_TOKEN": env["VAULT_TOKEN"] ?? "root",
                               "AZURE_CLIENT_ID": env["FERRY_AZURE_CLIENT_ID"] ?? "", "AZURE_TENANT_ID": env["FERRY_AZURE_TENANT_ID"] ?? "",
                               "AZURE_CLIENT_SECRET": env["FERRY_AZURE_FIXTURES_CLIENT_SECRET"] ?? "",
                               "AZURE_AUTHORITY_HOST": env["FERRY_AZURE_FIXTURES_AUTHORITY_HOST"] ?? "",
                               "REQUESTS_CA_BUNDLE": env["FERRY_AZURE_FIXTURES_CA"] ?? ""])
        defer { ferry.home.remove() }
        ferry.environment["ZENML_CONFIG_PATH"] = ferry.home.file("no-installation")
        let settings: [String: [String]] = [
            "aws": ["--region", "us-east-1", "--endpoint-url", moto], "vault": ["--endpoint-url", vault, "--mount-point", "secret"],
            "gcp": ["--project-id", "ferry-fixtures", "--endpoint-url", drongo], "azure": ["--key-vault-name", "ferry-fixtures", "--endpoint-url", azure],
        ]
        var expected: [String: SecretValues] = [:]
        for (flavor, options) in settings {
            let set = try LegacyFixtureSet(root: Repository.fixtures(from: #filePath) + "/\(flavor)/zenml-0.52.0", flavor: flavor)
            for fixture in set.components where !fixture.secrets.isEmpty {
                let component = fixture.component
                var arguments = ["secrets-manager", "secret", "migrate", "--flavor", flavor, "--secrets-manager", component.id.uuidString.lowercased(),
                                 "--component-name", component.name, "--scope", component.scope.rawValue, "--store", url, "--yes",
                                 "--skip-older-layouts", "--name-template", "{component}.{name}"] + options
                if let namespace = component.namespace { arguments += ["--namespace", namespace] }
                let result = try ferry.run(arguments)
                #expect(result.status == 0, "\(flavor) \(component.name): \(result.stderr.suffix(800))")
                for (name, secret) in fixture.secrets { expected["\(component.name).\(name)"] = secret.values }
            }
        }
        let read = try Self.dump()
        #expect(expected.count > 150)
        for (name, values) in expected {
            #expect(read[name]?.values == values, "`\(name)` as ZenML reads it")
        }
    }
}

extension VaultCommandTests {
    /// After ZenML ≥ 0.53 deleted the components: `--all --flavor vault` migrates every component
    /// the mount's paths tell of (the global, component and namespace scopes of the fixtures).
    @Test func migrateEveryRecoveredComponent() throws {
        let address = try #require(ProcessInfo.processInfo.environment["FERRY_VAULT_ADDR"])
        let ferry = try Ferry(["VAULT_TOKEN": ProcessInfo.processInfo.environment["VAULT_TOKEN"] ?? "root"])
        defer { ferry.home.remove() }
        let result = try ferry.run(["secrets-manager", "secret", "migrate", "--all", "--flavor", "vault", "--endpoint-url", address,
                                    "--mount-point", "secret", "--name-template", "{scope}-{namespace}-{component_id}-{name}",
                                    "--dry-run", "-o", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        guard case .array(let items)? = try PythonJSON.parse(result.stdout).member("items") else {
            Issue.record("no plan")
            return
        }
        // What ZenML read from the fixture components of the scoped kinds, counted once per scope path.
        let set = try LegacyFixtureSet(root: Repository.fixtures(from: #filePath) + "/vault/zenml-0.52.0", flavor: "vault")
        var expected = Set<String>()
        for fixture in set.components where fixture.component.scope != .none {
            let component = fixture.component
            let key = component.scope == .component ? component.id.uuidString.lowercased() : (component.namespace ?? "global")
            for (name, _) in fixture.secrets { expected.insert("\(component.scope.rawValue)/\(key)/\(name)") }
        }
        let planned = Set(items.compactMap { item -> String? in
            guard let scope = item.member("scope")?.text, let name = item.member("legacy_name")?.text else { return nil }
            let key = scope == "component" ? (item.member("component_id")?.text ?? "") : (item.member("namespace")?.text ?? "global")
            return "\(scope)/\(key)/\(name)"
        })
        #expect(planned == expected)
        #expect(items.allSatisfy { $0.member("action")?.text == "create" })
    }
}

extension ZenMLDatabaseMigrationTests {
    /// ZenML 0.35–0.52's `migrate --scope user`: into a ZenML 0.52 database, user-scoped (private) secrets.
    @Test func scopeUserWritesUserScopedSecrets() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let database = ferry.home.file("zenml.db")
        try FileManager.default.copyItem(atPath: Repository.fixtures(from: #filePath) + "/installations/zenml-0.52.0/config/local_stores/default_zen_store/zenml.db",
                                         toPath: database)
        let config = Repository.fixtures(from: #filePath) + "/local/zenml-0.52.0/config"
        var result = try ferry.run(["secrets-manager", "secret", "migrate", "--config-dir", config, "--all", "--yes", "--store", database, "--scope", "user"])
        #expect(result.status == 0 && result.stdout.contains("Done: 52 created"), "\(result.stderr)")
        let db = try SQLiteDatabaseBridge.scopes(database)
        #expect(db["user"] == 52, "\(db)")
        result = try ferry.run(["secrets-manager", "secret", "list", "--config-dir", config, "--scope", "user"])
        #expect(result.status == 64 && result.stderr.contains("a scope of the centralized store"))
    }
}

@Suite(.serialized) struct JSONErrorTests {
    /// The `{"error": …}` object on stderr, or nil if stderr is not one.
    func error(_ stderr: String) -> (code: String, message: String, keys: [String])? {
        guard case .object(let document) = try? PythonJSON.parse(stderr), document.map(\.key) == ["error"],
              case .object(let fields)? = document.first?.value,
              case .string(let code)? = fields.first(where: { $0.key == "code" })?.value,
              case .string(let message)? = fields.first(where: { $0.key == "message" })?.value
        else { return nil }
        return (code, message, fields.map(\.key))
    }

    @Test func withJSONOutputAnErrorIsAJSONObjectOnStderrAndTheExitCodeStays() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        // A name with a bidi override: a \u escape on the terminal, the name itself once parsed.
        var result = try ferry("secret", "get", "a\u{202E}b", "-o", "json")
        #expect(result.status == 1 && result.stdout.isEmpty)
        #expect(!result.stderr.contains("\u{202E}") && !result.stderr.contains("Error:"), "\(result.stderr)")
        var parsed = error(result.stderr)
        #expect(parsed?.code == "secret_not_found" && parsed?.keys == ["code", "message"], "\(result.stderr)")
        #expect(parsed?.message.hasPrefix("No secret with name, ID or prefix 'a\u{202E}b' found") == true)

        // Found before the command is parsed, given before the command: still JSON, still a usage error.
        result = try ferry("--output=json", "secrte", "list")
        parsed = error(result.stderr)
        #expect(result.status == 64 && parsed?.code == "unknown_command", "\(result.stderr)")

        // Other formats keep the `Error:` line.
        result = try ferry("secret", "get", "nope", "-o", "yaml")
        #expect(result.status == 1 && result.stderr.hasPrefix("Error: No secret with name") && error(result.stderr) == nil)
    }
}

import FerryCore
import FerryTesting
import Foundation
import Testing

/// Migration into live ZenML servers from before 0.80 (0.75.0: `body`/`metadata` responses;
/// 0.52.0: flat responses), whose secrets have a `workspace` or `user` scope inside a workspace
/// (scripts/zenml-server … 0.75.0 / 0.52.0), read back through that release's own client and CLI.
@Suite(.serialized, .enabled(if: ["FERRY_ZENML075_SERVER_URL", "FERRY_ZENML052_SERVER_URL"].contains { ProcessInfo.processInfo.environment[$0] != nil }
                                 || Repository.inCI,
                             "needs an older ZenML server (scripts/zenml-server STATE PORT 0.75.0; FERRY_ZENML075_SERVER_URL)"))
struct ZenMLLegacyServerTests {
    /// One older server as scripts/zenml-server describes it in its env file.
    struct Server: CustomTestStringConvertible, Sendable {
        let prefix: String
        var testDescription: String { prefix }
        func variable(_ suffix: String) -> String? {
            ProcessInfo.processInfo.environment["FERRY_\(prefix)_SERVER_\(suffix)"].flatMap { $0.isEmpty ? nil : $0 }
        }
        var url: String? { variable("URL") }
    }

    static let all = [Server(prefix: "ZENML075"), Server(prefix: "ZENML052")]
    static let script = Repository.fixtures(from: #filePath) + "/../scripts/zenml_server_secrets.py"

    /// name and scope → values, as that release's Python client reads them.
    static func dump(_ server: Server) throws -> [String: SecretValues] {
        let python = try #require(server.variable("PYTHON"))
        let result = try ProcessRunner.run(python, [script, "dump", "--list", "--url", try #require(server.url),
                                                    "--username", server.variable("USERNAME") ?? "default", "--password", server.variable("PASSWORD") ?? ""])
        try #require(result.status == 0, "zenml_server_secrets.py dump: \(result.stderr.suffix(1500))")
        guard case .array(let rows) = try PythonJSON.parse(result.stdout) else { Issue.record("zenml_server_secrets.py dump --list printed no list"); return [:] }
        var read: [String: SecretValues] = [:]
        for row in rows {
            guard let name = row.member("name")?.text, let scope = row.member("scope")?.text, case .object(let values)? = row.member("values") else {
                Issue.record("a dump row without name, scope or values")
                continue
            }
            #expect(row.member("workspace")?.text == "default", "`\(name)` is in workspace `default`")
            #expect(read.updateValue(SecretValues(values.map { ($0.key, $0.value.pythonString) }), forKey: "\(scope)/\(name)") == nil,
                    "one `\(name)` per scope")
        }
        return read
    }

    static func wipe(_ server: Server) throws {
        let result = try ProcessRunner.run(try #require(server.variable("PYTHON")), [script, "wipe", "--url", try #require(server.url),
                                                                                 "--username", server.variable("USERNAME") ?? "default",
                                                                                 "--password", server.variable("PASSWORD") ?? ""])
        try #require(result.status == 0, "\(result.stderr)")
    }

    /// Runs that release's `zenml` CLI, logged into its server (and nothing of the caller's ZENML_*).
    static func zenml(_ server: Server, _ arguments: [String]) throws -> ProcessResult {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("ZENML_") }
        environment["ZENML_CONFIG_PATH"] = try #require(server.variable("CONFIG"))
        environment["ZENML_ANALYTICS_OPT_IN"] = "false"
        environment["COLUMNS"] = "1000"  // Rich wraps its output at 80 columns otherwise (an API key, a long value)
        return try ProcessRunner.run(try #require(server.variable("CLI")), arguments, environment: environment)
    }

    /// What that release's CLI exports: `zenml secret export NAME --scope SCOPE`.
    static func export(_ server: Server, _ name: String, scope: String, into home: TemporaryDirectory) throws -> SecretValues? {
        let file = home.file("export-\(scope)-\(abs(name.hashValue)).yaml")
        let exported = try zenml(server, ["secret", "export", name, "--scope", scope, "-f", file])
        #expect(exported.status == 0, "zenml secret export \(name) --scope \(scope): \(exported.stderr.suffix(500))")
        guard let text = try? String(contentsOfFile: file, encoding: .utf8), let node = try SafeYAMLBridge.compose(text),
              case .object(let pairs) = node
        else { return nil }
        return SecretValues(pairs.map { ($0.key, $0.value.pythonString) })
    }

    static var fixtureConfig: String { Repository.fixtures(from: #filePath) + "/local/zenml-0.52.0/config" }

    /// The 52 local fixture secrets by name.
    static func expected() throws -> [String: SecretValues] {
        let expected = try PythonJSON.parse(try String(contentsOfFile: Repository.fixtures(from: #filePath) + "/local/zenml-0.52.0/expected.json",
                                                       encoding: .utf8))
        guard case .object(let components)? = expected.member("components") else { Issue.record("expected.json has no components"); return [:] }
        var result: [String: SecretValues] = [:]
        for (_, component) in components {
            guard case .object(let secrets)? = component.member("secrets") else { continue }
            for (name, secret) in secrets { result[name] = try LegacyFixtureSet.secret(name, secret).values }
        }
        return result
    }

    /// The server's URL (its secrets wiped) and a Ferry logged in as its user; nil outside CI
    /// when that server is not running.
    func prepared(_ server: Server) throws -> (url: String, ferry: Ferry)? {
        guard let url = server.url else {
            try #require(!Repository.inCI, "CI starts the \(server.prefix) server (scripts/test)")
            return nil
        }
        try Self.wipe(server)
        return (url, try Ferry(["ZENML_STORE_USERNAME": server.variable("USERNAME") ?? "default",
                                "ZENML_STORE_PASSWORD": server.variable("PASSWORD") ?? ""]))
    }

    /// Both of ZenML 0.35–0.52's target scopes: the local fixtures into the workspace scope, then
    /// into the user scope (the same names, which these releases keep apart), each read back exactly
    /// by the release's client and, for a sample, by its CLI.
    @Test(arguments: ZenMLLegacyServerTests.all)
    func migrateTheFixturesIntoBothScopes(_ server: Server) throws {
        guard let (url, ferry) = try prepared(server) else { return }
        defer { ferry.home.remove() }
        var result = try ferry("secrets-manager", "secret", "migrate", "--config-dir", Self.fixtureConfig, "--all", "--yes", "--store", url)
        #expect(result.status == 0 && result.stdout.contains("Done: 52 created"), "\(result.stdout.suffix(500)) \(result.stderr.suffix(800))")
        #expect(result.stdout.contains("workspace `default`"), "the target names the workspace: \(result.stdout.suffix(300))")
        result = try ferry("secrets-manager", "secret", "migrate", "--config-dir", Self.fixtureConfig, "--all", "--yes", "--store", url, "--scope", "user")
        #expect(result.status == 0 && result.stdout.contains("Done: 52 created"), "\(result.stderr.suffix(800))")

        let expected = try Self.expected()
        #expect(expected.count == 52)
        let read = try Self.dump(server)
        #expect(read.count == 104, "52 in each scope: \(read.keys.sorted().prefix(5))")
        for (name, values) in expected {
            #expect(read["workspace/\(name)"] == values, "`\(name)` in the workspace scope")
            #expect(read["user/\(name)"] == values, "`\(name)` in the user scope")
        }
        for name in ["value_zoo", "café"] {
            #expect(try Self.export(server, name, scope: "workspace", into: ferry.home) == expected[name], "`\(name)` as `zenml secret export` writes it")
            #expect(try Self.export(server, name, scope: "user", into: ferry.home) == expected[name], "`\(name)` (user scope)")
        }

        // An unchanged re-run, in either scope, writes nothing: every secret is skipped as identical.
        for scope in ["workspace", "user"] {
            result = try ferry("secrets-manager", "secret", "migrate", "--config-dir", Self.fixtureConfig, "--all", "--store", url, "--scope", scope,
                               "-o", "json", "--dry-run")
            #expect(result.status == 0, "\(result.stderr)")
            guard case .array(let items)? = try PythonJSON.parse(result.stdout).member("items") else {
                Issue.record("no plan")
                continue
            }
            #expect(items.count == 52 && items.allSatisfy { $0.member("action")?.text == "skip_identical" }, "\(scope): every secret identical")
        }
    }

    /// `--non-interactive` overwrites a target whose values differ and drops the keys the legacy
    /// secret lacks (sent as `null`), in the chosen scope only.
    @Test(arguments: ZenMLLegacyServerTests.all)
    func overwriteDropsStaleKeysInThatScopeOnly(_ server: Server) throws {
        guard let (url, ferry) = try prepared(server) else { return }
        defer { ferry.home.remove() }
        let name = "value_zoo"
        var result = try ferry("secrets-manager", "secret", "migrate", name, "--config-dir", Self.fixtureConfig, "--all", "--yes", "--store", url)
        #expect(result.status == 0 && result.stdout.contains("Done: 1 created"), "\(result.stderr.suffix(800))")

        // Change it with ZenML's own CLI (the only secret of that name, so the CLI finds it by
        // name): a changed value and a new key.
        let expected = try #require(try Self.expected()[name])
        #expect(expected["at"] != nil)
        let changed = try Self.zenml(server, ["secret", "update", name, "--at=changed", "--stale_key=old"])
        try #require(changed.status == 0, "zenml secret update: \(changed.stderr.suffix(500)) \(changed.stdout.suffix(500))")
        // The user scope is another secret: created, and the changed workspace secret left alone.
        result = try ferry("secrets-manager", "secret", "migrate", name, "--config-dir", Self.fixtureConfig, "--all", "--yes", "--store", url,
                           "--scope", "user")
        #expect(result.status == 0 && result.stdout.contains("Done: 1 created"), "\(result.stderr.suffix(800))")
        var read = try Self.dump(server)
        #expect(read["workspace/\(name)"]?["stale_key"] == "old" && read["workspace/\(name)"]?["at"] == "changed")
        #expect(read["user/\(name)"] == expected)

        result = try ferry("secrets-manager", "secret", "migrate", name, "--config-dir", Self.fixtureConfig, "--all", "--store", url, "-o", "json",
                           "--dry-run")
        guard case .array(let items)? = try PythonJSON.parse(result.stdout).member("items") else {
            Issue.record("no plan: \(result.stderr)")
            return
        }
        #expect(items.map { $0.member("action")?.text } == ["conflict"], "the plan sees the difference (by default a conflict)")
        result = try ferry("secrets-manager", "secret", "migrate", name, "--config-dir", Self.fixtureConfig, "--all", "--yes", "--store", url,
                           "--non-interactive")
        #expect(result.status == 0, "\(result.stderr.suffix(800))")
        read = try Self.dump(server)
        #expect(read["workspace/\(name)"] == expected, "the stale key is gone and the changed value restored")
        #expect(read["user/\(name)"] == expected, "the user scope untouched")
        #expect(read.count == 2)
    }

    /// `ZENML_STORE_API_KEY`: a service account's key (made with that release's CLI) logs in, and
    /// its user-scoped secret is its own: the user `default` does not see it as theirs.
    @Test(arguments: ZenMLLegacyServerTests.all)
    func apiKeyOfAServiceAccount(_ server: Server) throws {
        guard let (url, ferry) = try prepared(server) else { return }
        defer { ferry.home.remove() }
        let account = "ferry-bot-\(UUID().uuidString.prefix(8).lowercased())"
        let created = try Self.zenml(server, ["service-account", "create", account])
        try #require(created.status == 0, "zenml service-account create: \(created.stderr.suffix(500))")
        // 0.75 prints the key bare, 0.52 in single quotes.
        let words = created.stdout.split(whereSeparator: \.isWhitespace).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "'")) }
        let key = try #require(words.first { $0.hasPrefix("ZENKEY_") }, "the CLI prints the key")
        var bot = ferry
        bot.environment["ZENML_STORE_API_KEY"] = key
        let name = "value_zoo"
        var result = try bot("secrets-manager", "secret", "migrate", name, "--config-dir", Self.fixtureConfig, "--all", "--yes", "--store", url,
                             "--scope", "user")
        #expect(result.status == 0 && result.stdout.contains("Done: 1 created"), "\(result.stderr.suffix(800))")
        #expect(!result.stdout.contains(key) && !result.stderr.contains(key))
        #expect(try Self.dump(server)["user/\(name)"] == (try Self.expected()[name]))
        // The user `default` has no user-scoped `value_zoo` of its own yet.
        result = try ferry("secrets-manager", "secret", "migrate", name, "--config-dir", Self.fixtureConfig, "--all", "--store", url,
                           "--scope", "user", "--dry-run", "-o", "json")
        guard case .array(let items)? = try PythonJSON.parse(result.stdout).member("items") else {
            Issue.record("no plan: \(result.stderr)")
            return
        }
        #expect(items.map { $0.member("action")?.text } == ["create"])
        // A wrong key is refused without being echoed.
        bot.environment["ZENML_STORE_API_KEY"] = "ZENKEY_not-a-key"
        result = try bot("secrets-manager", "secret", "migrate", name, "--config-dir", Self.fixtureConfig, "--all", "--yes", "--store", url)
        #expect(result.status == 1 && result.stderr.contains("refused the login") && !result.stderr.contains("not-a-key"), "\(result.stderr)")
    }

    /// A workspace the server lacks is a clear error before anything is written; a 0.80+ server
    /// (secrets without workspaces) refuses `--workspace`.
    @Test(arguments: ZenMLLegacyServerTests.all)
    func unknownWorkspaceIsAClearError(_ server: Server) throws {
        guard let (url, ferry) = try prepared(server) else { return }
        defer { ferry.home.remove() }
        let result = try ferry("secrets-manager", "secret", "migrate", "--config-dir", Self.fixtureConfig, "--all", "--yes", "--store", url,
                               "--workspace", "no-such-workspace")
        #expect(result.status != 0 && result.stderr.contains("no-such-workspace"), "\(result.stderr)")
        #expect(try Self.dump(server).isEmpty, "nothing written")
        if let newest = ProcessInfo.processInfo.environment["FERRY_ZENML_SERVER_URL"] {
            let refused = try ferry("secrets-manager", "secret", "migrate", "--config-dir", Self.fixtureConfig, "--all", "--yes", "--store", newest,
                                    "--workspace", "default", "--dry-run")
            #expect(refused.status == 64 && refused.stderr.contains("belong to no workspace"), "\(refused.stderr)")
        }
    }
}

extension ZenMLDatabaseMigrationTests {
    /// `--workspace` chooses the workspace of a 0.34–0.7x database by name or id; one it lacks is a
    /// clear error before anything is written; a 0.80+ database (no workspaces) refuses the option.
    @Test func workspaceOptionOnDatabases() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let installations = Repository.fixtures(from: #filePath) + "/installations"
        let database = ferry.home.file("zenml.db")
        try FileManager.default.copyItem(atPath: installations + "/zenml-0.52.0/config/local_stores/default_zen_store/zenml.db", toPath: database)
        let config = Repository.fixtures(from: #filePath) + "/local/zenml-0.52.0/config"
        let before = try SQLiteDatabaseBridge.scopes(database)
        var result = try ferry.run(["secrets-manager", "secret", "migrate", "--config-dir", config, "--all", "--yes", "--store", database,
                                    "--workspace", "no-such-workspace"])
        #expect(result.status == 1 && result.stderr.contains("no ZenML workspace `no-such-workspace`"), "\(result.stderr)")
        #expect(try SQLiteDatabaseBridge.scopes(database) == before, "nothing written")

        // The workspace's id, with dashes as ZenML prints it, chooses the same workspace as its name.
        let hex = try #require(try SQLiteDatabaseBridge.column(database, "SELECT id FROM workspace WHERE name = 'default'").first)
        try #require(hex.count == 32, "ZenML keeps ids as 32 hex digits")
        var dashed = hex
        for offset in [20, 16, 12, 8] { dashed.insert("-", at: dashed.index(dashed.startIndex, offsetBy: offset)) }
        let id = try #require(UUID(uuidString: dashed))
        result = try ferry.run(["secrets-manager", "secret", "migrate", "--config-dir", config, "--all", "--yes", "--store", database,
                                "--workspace", id.uuidString])
        #expect(result.status == 0 && result.stdout.contains("Done: 52 created"), "\(result.stderr)")
        #expect(try SQLiteDatabaseBridge.scopes(database)["workspace"] == (before["workspace"] ?? 0) + 52)
        #expect(try SQLiteDatabaseBridge.column(database, "SELECT DISTINCT workspace_id FROM secret") == [hex])

        // Ferry's own store has no workspaces either.
        result = try ferry.run(["secrets-manager", "secret", "migrate", "--config-dir", config, "--all", "--yes", "--workspace", "default"])
        #expect(result.status == 64 && result.stderr.contains("Ferry's store has no workspaces"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: ferry.home.file("data/ferry.db")))

        let upgraded = ferry.home.file("upgraded.db")
        try FileManager.default.copyItem(atPath: installations + "/zenml-0.52.0-upgraded/config/local_stores/default_zen_store/zenml.db", toPath: upgraded)
        result = try ferry.run(["secrets-manager", "secret", "migrate", "--config-dir", config, "--all", "--yes", "--store", upgraded, "--workspace", "default"])
        #expect(result.status == 64 && result.stderr.contains("belong to no workspace"), "\(result.stderr)")
    }
}

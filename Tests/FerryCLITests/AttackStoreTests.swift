import FerryCore
import FerryStore
import FerryTesting
import Foundation
import Testing

/// The store-side reproductions of `shared/reviews/security-2026-12.md` (D1, D2, D3, D9, D12,
/// D15) and of the newcomer's points 1 and 6: each asserts the safe behaviour.
@Suite(.serialized) struct AttackStoreTests {
    static let fixtures = Repository.fixtures(from: #filePath)

    func contents(_ path: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path))
    }

    func mode(_ path: String) throws -> Int {
        try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int ?? -1
    }

    func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Runs `script` with `shell -c` in `directory`; its standard output.
    func shell(_ shell: String, _ script: String, in directory: String) throws -> ProcessResult {
        try ProcessRunner.run("/bin/" + shell, ["-c", script], directory: directory)
    }

    // MARK: D1

    @Test func envOutputRefusesKeysThatAreNotShellNames() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let marker = ferry.home.file("PWNED")
        let yaml = "inj:\n  \"x;touch \(marker);y\": dg==\n  \"$(touch \(marker)2)\": dg==\n  ok: dg==\n  zenml_schema_name: arbitrary\n"
        try yaml.write(toFile: ferry.home.file("secrets.yaml"), atomically: true, encoding: .utf8)

        var result = try ferry("secrets-manager", "secret", "get", "inj", "--secrets-file", "secrets.yaml", "-o", "env", "--show-secrets")
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("-o env cannot print keys"))

        result = try ferry("secrets-manager", "secret", "migrate", "--secrets-file", "secrets.yaml", "--yes")
        #expect(result.status == 0, "\(result.stderr)")
        result = try ferry("secret", "get", "inj", "-o", "env", "--show-secrets")
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        // What a user pastes runs nothing.
        for sh in ["sh", "bash"] {
            _ = try shell(sh, "eval \"$(\(Ferry.binary) secret get inj -o env --show-secrets 2>/dev/null)\"", in: ferry.home.path)
        }
        #expect(!exists(marker) && !exists(marker + "2"))
    }

    @Test func envOutputQuotesEveryValueForShAndBash() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let marker = ferry.home.file("RAN")
        let values: [(String, String)] = [
            ("quote", "it's"), ("subst", "$(touch \(marker))"), ("tick", "`touch \(marker)`"), ("lines", "a\nb; touch \(marker)"),
            ("dollar", "$HOME and ${PATH}"), ("backslash", #"a\'b\\"#), ("empty", ""), ("controls", "tab\there\u{1b}[2J"),
        ]
        let json = "{" + values.map { "\"\($0.0)\": \(PythonJSON.dumps(.string($0.1)))" }.joined(separator: ", ") + "}"
        #expect(try ferry("secret", "create", "q", "--values", "-", stdin: json).status == 0)
        let env = try ferry("secret", "get", "q", "-o", "env", "--show-secrets")
        #expect(env.status == 0, "\(env.stderr)")
        try env.stdout.write(toFile: ferry.home.file("env.sh"), atomically: true, encoding: .utf8)
        for sh in ["sh", "bash"] {
            for (key, value) in values {
                let result = try shell(sh, "eval \"$(cat env.sh)\"; printf '%s' \"$\(key)\"", in: ferry.home.path)
                #expect(result.stdout == value, "\(sh): \(key)")
            }
        }
        #expect(!exists(marker))
        // Masked lines would set every variable to *** (and end up in a .env file): refused.
        let masked = try ferry("secret", "get", "q", "-o", "env")
        #expect(masked.status == 64)
        #expect(masked.stdout.isEmpty && masked.stderr.contains("--show-secrets"))
    }

    // MARK: D2

    @Test func exportWritesOnlyASafeFileNameInTheCurrentFolderAndNeverReplaces() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let outside = ferry.home.file("victim.yaml")
        try "important: config\n".write(toFile: outside, atomically: true, encoding: .utf8)
        var work = ferry
        try FileManager.default.createDirectory(atPath: ferry.home.file("work"), withIntermediateDirectories: true)
        work.directory = ferry.home.file("work")

        #expect(try work("secret", "create", "../victim", "--k=ATTACKER").status == 0)
        var result = try work("secret", "export", "../victim")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try String(contentsOfFile: outside, encoding: .utf8) == "important: config\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: ferry.home.file("work")) == ["_._victim.yaml"])
        #expect(try String(contentsOfFile: ferry.home.file("work/_._victim.yaml"), encoding: .utf8) == "k: ATTACKER\n")

        let absolute = ferry.home.file("abs/olute")
        #expect(try work("secret", "create", absolute, "--k=v").status == 0)
        result = try work("secret", "export", absolute)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!exists(ferry.home.file("abs")))
        #expect(exists(ferry.home.file("work/_" + String(absolute.dropFirst()).replacingOccurrences(of: "/", with: "_") + ".yaml")))

        // An existing file is never replaced without --force, by the default name or by -f.
        #expect(try work("secret", "update", "../victim", "--k=NEWER").status == 0)
        result = try work("secret", "export", "../victim")
        #expect(result.status == 1)
        #expect(result.stderr.contains("--force"))
        #expect(try String(contentsOfFile: ferry.home.file("work/_._victim.yaml"), encoding: .utf8) == "k: ATTACKER\n")
        result = try work("secret", "export", "../victim", "-f", outside)
        #expect(result.status == 1)
        #expect(try String(contentsOfFile: outside, encoding: .utf8) == "important: config\n")
        result = try work("secret", "export", "../victim", "--force")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try String(contentsOfFile: ferry.home.file("work/_._victim.yaml"), encoding: .utf8) == "k: NEWER\n")
        #expect(try mode(ferry.home.file("work/_._victim.yaml")) == 0o600)
        // No temporary copy of the values is left behind by the refused writes.
        #expect(try FileManager.default.contentsOfDirectory(atPath: ferry.home.file("work")).count == 2)
    }

    // MARK: D3

    @Test func aPlantedLinkIsNeverFollowedOrCreated() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        try FileManager.default.createDirectory(atPath: ferry.home.file("data"), withIntermediateDirectories: true)
        let target = ferry.home.file("elsewhere.db")
        try FileManager.default.createSymbolicLink(atPath: ferry.home.file("data/ferry.db"), withDestinationPath: target)
        for arguments in [["secret", "list"], ["secret", "get", "x"], ["secret", "create", "x", "--k=CANARY-7f3a9"]] {
            let result = try ferry.run(arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr.contains("symbolic link"))
            #expect(!exists(target))
        }
        // A link to an existing store is refused as well: the store is opened only as itself.
        let real = ferry.home.file("real.db")
        #expect(try ferry("secret", "create", "x", "--k=v", "--store", real).status == 0)
        try FileManager.default.removeItem(atPath: ferry.home.file("data/ferry.db"))
        try FileManager.default.createSymbolicLink(atPath: ferry.home.file("data/ferry.db"), withDestinationPath: real)
        #expect(try ferry("secret", "list").status == 1)
    }

    @Test func aFileOthersCanWriteNeverBecomesTheStore() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let shared = ferry.home.file("team.db")
        FileManager.default.createFile(atPath: shared, contents: nil)
        chmod(shared, 0o666)
        let result = try ferry("secret", "create", "x", "--k=CANARY-7f3a9", "--store", shared)
        #expect(result.status == 1)
        #expect(result.stderr.contains("can be written by other users"))
        #expect(try FileManager.default.attributesOfItem(atPath: shared)[.size] as? Int == 0)
        #expect(try mode(shared) == 0o666)
    }

    @Test func anExistingStoreAndItsWALAreMadePrivateOnWrite() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        #expect(try ferry("secret", "create", "x", "--k=v").status == 0)
        let database = ferry.home.file("data/ferry.db")
        chmod(database, 0o644)
        // A leftover WAL of a restored copy, also 0644.
        FileManager.default.createFile(atPath: database + "-wal", contents: nil)
        chmod(database + "-wal", 0o644)
        let listed = try ferry("secret", "list")
        #expect(listed.status == 0)
        #expect(listed.stderr.contains("can be read by other users"))
        #expect(try mode(database) == 0o644, "a read changes nothing")
        #expect(try ferry("secret", "create", "y", "--k=v").status == 0)
        #expect(try mode(database) == 0o600)
        for name in [database + "-wal", database + "-shm"] where exists(name) {
            #expect(try mode(name) == 0o600, "\(name)")
        }
    }

    @Test func readsCreateNothing() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        var deep = ferry
        deep.environment["FERRY_HOME"] = ferry.home.file("typo/deep/home")
        var result = try deep("secret", "list")
        #expect(result.status == 0)
        result = try deep("secret", "get", "nope")
        #expect(result.status == 1)
        // The message names the store it read (newcomer 6).
        #expect(result.stderr.contains("'\(ferry.home.file("typo/deep/home/ferry.db"))' (which does not exist yet)"))
        result = try deep("secret", "export", "nope")
        #expect(result.status == 1)
        #expect(!exists(ferry.home.file("typo")))

        // Reading an existing store leaves nothing beside it (no -wal or -shm) and changes nothing.
        #expect(try ferry("secret", "create", "x", "--k=v").status == 0)
        let database = ferry.home.file("data/ferry.db")
        let before = try contents(database)
        for arguments in [["secret", "list"], ["secret", "get", "x"], ["secret", "list", "-c", "values"]] {
            #expect(try ferry.run(arguments).status == 0)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: ferry.home.file("data")) == ["ferry.db"])
        #expect(try contents(database) == before)
    }

    // MARK: D9 and the newcomer's first point

    @Test func aForeignSQLiteDatabaseIsNeitherInitialisedNorChanged() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let app = ferry.home.file("app.db")
        try SQLiteDatabase(path: app, create: true).execute("CREATE TABLE users (id INTEGER)")
        let before = try contents(app)
        for arguments in [["secret", "list"], ["secret", "create", "x", "--k=v"], ["secret", "get", "x"]] {
            let result = try ferry.run(arguments + ["--store", app])
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr.contains("another program"))
        }
        #expect(try contents(app) == before)
        #expect(try SQLiteDatabaseBridge.column(app, "SELECT name FROM sqlite_master WHERE type = 'table'") == ["users"])
    }

    @Test func aZenMLDatabaseIsRefusedUnchangedAndStaysAMigrationTarget() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let zenml = ferry.home.file("z.db")
        try FileManager.default.copyItem(
            atPath: Self.fixtures + "/installations/zenml-0.52.0-upgraded/config/local_stores/default_zen_store/zenml.db", toPath: zenml)
        let before = try contents(zenml)
        for arguments in [["secret", "list"], ["secret", "create", "x", "--k=v"], ["secret", "delete", "x", "-y"]] {
            let result = try ferry.run(arguments + ["--store", zenml])
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr.contains("is a ZenML database") && result.stderr.contains("migrate --store"))
        }
        #expect(try contents(zenml) == before)
        #expect(!exists(zenml + "-wal"))

        // A ZenML database that an older Ferry gave a `ferry_meta` table is still ZenML's.
        try SQLiteDatabase(path: zenml).execute("CREATE TABLE ferry_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL)")
        let result = try ferry("secrets-manager", "secret", "migrate", "--secrets-file",
                               Self.fixtures + "/local/zenml-0.52.0/config/local_stores/c634a458-2ceb-4b51-99c1-f8e9e14c9574/secrets.yaml",
                               "--store", zenml, "--dry-run")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("the ZenML database \(zenml)"))
    }

    @Test func aStoreWithDamagedMetadataIsRefusedNotRepaired() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        #expect(try ferry("secret", "create", "mine", "--private", "--k=v").status == 0)
        let database = ferry.home.file("data/ferry.db")
        try SQLiteDatabase(path: database).execute("DELETE FROM ferry_meta WHERE key = 'owner_id'")
        for arguments in [["secret", "list"], ["secret", "get", "mine"], ["secret", "create", "other", "--k=v"]] {
            let result = try ferry.run(arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr.contains("is damaged"))
        }
        #expect(try SQLiteDatabaseBridge.column(database, "SELECT key FROM ferry_meta WHERE key = 'owner_id'").isEmpty)
        #expect(try SQLiteDatabaseBridge.column(database, "SELECT name FROM secret") == ["mine"])
    }

    @Test func anEncryptedStoreWithoutItsKeyRecordTakesNoPlaintext() throws {
        var ferry = try Ferry()
        defer { ferry.home.remove() }
        ferry.environment["FERRY_SECRETS_STORE_ENCRYPTION_KEY"] = "right"
        #expect(try ferry("secret", "create", "a", "--k=v").status == 0)
        let database = ferry.home.file("data/ferry.db")
        try SQLiteDatabase(path: database).execute("DELETE FROM ferry_meta WHERE key IN ('encryption', 'key_check')")
        ferry.environment["FERRY_SECRETS_STORE_ENCRYPTION_KEY"] = ""
        let result = try ferry("secret", "create", "b", "--k=plain")
        #expect(result.status == 1)
        #expect(result.stderr.contains("is damaged"))
        #expect(try SQLiteDatabaseBridge.column(database, "SELECT name FROM secret") == ["a"])
    }

    // MARK: D12

    @Test func twoCommandsCreatingANewStoreWaitForEachOther() async throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        for round in 0..<12 {
            var pair = ferry
            pair.environment["FERRY_HOME"] = ferry.home.file("round\(round)")
            let first = pair
            async let a = Task.detached { try first("secret", "create", "a", "--k=v") }.value
            async let b = Task.detached { try first("secret", "create", "b", "--k=v") }.value
            let results = try await [a, b]
            for result in results { #expect(result.status == 0, "round \(round): \(result.stderr)") }
            #expect(try pair("secret", "list", "-o", "json").stdout.contains("\"total\": 2"))
        }
    }

    // MARK: D15

    @Test func aDamagedValueIsCalledDamagedNotAKeyProblem() throws {
        var ferry = try Ferry()
        defer { ferry.home.remove() }
        #expect(try ferry("secret", "create", "plain", "--k=v").status == 0)
        let plainStore = ferry.home.file("data/ferry.db")
        try SQLiteDatabase(path: plainStore).execute("UPDATE secret SET \"values\" = X'00112233'")
        var result = try ferry("secret", "get", "plain")
        #expect(result.status == 1)
        #expect(result.stderr.contains("are damaged") && !result.stderr.contains("encrypted, but"))

        ferry.environment["FERRY_HOME"] = ferry.home.file("encrypted")
        ferry.environment["FERRY_SECRETS_STORE_ENCRYPTION_KEY"] = "right"
        #expect(try ferry("secret", "create", "sealed", "--k=v").status == 0)
        let sealed = ferry.home.file("encrypted/ferry.db")
        try SQLiteDatabase(path: sealed).execute(
            "UPDATE secret SET \"values\" = 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9w'")
        result = try ferry("secret", "get", "sealed")
        #expect(result.status == 1)
        #expect(result.stderr.contains("are damaged") && !result.stderr.contains("key is wrong"))
        ferry.environment["FERRY_SECRETS_STORE_ENCRYPTION_KEY"] = "wrong"
        result = try ferry("secret", "get", "sealed")
        #expect(result.stderr.contains("does not match"))
    }
}

import FerryCore
import FerryLegacy
import FerryStack
import FerryStore
import FerryTesting
import Foundation
import Testing

/// A throwaway copy of a fixture configuration directory (tests never touch the originals).
func copyOfFixture(_ relative: String) throws -> TemporaryDirectory {
    let folder = try TemporaryDirectory("ferry-stack")
    try FileManager.default.removeItem(atPath: folder.path)
    try FileManager.default.copyItem(atPath: Repository.fixtures(from: #filePath) + "/" + relative, toPath: folder.path)
    return folder
}

/// Every file under `path` with its bytes' SHA-256, to prove a reader wrote nothing.
func snapshot(_ path: String) throws -> [String: Data] {
    var result: [String: Data] = [:]
    let enumerator = FileManager.default.enumerator(atPath: path)
    while let entry = enumerator?.nextObject() as? String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path + "/" + entry, isDirectory: &isDirectory), !isDirectory.boolValue {
            result[entry] = FileManager.default.contents(atPath: path + "/" + entry)
        }
    }
    return result
}

/// The installation real ZenML 0.52.0 made for the local fixtures (LegacyFixtures/local).
@Suite struct InstallationTests {
    @Test func readsZenML052sDatabaseWithoutWritingAnything() throws {
        let folder = try copyOfFixture("local/zenml-0.52.0/config")
        defer { folder.remove() }
        let before = try snapshot(folder.path)
        let installation = try ZenMLInstallation.open(paths: ZenMLPaths(configDirectory: folder.path))
        #expect(installation.version == "0.52.0")
        #expect(installation.era == .sql030)
        // config.yaml names /tmp/ferry-zenml052-config/…: the moved directory's own database is read.
        #expect(installation.storeLocation == folder.path + "/local_stores/default_zen_store/zenml.db")
        #expect(installation.stacks.map(\.name).sorted() == ["default", "ferry_stack_a", "ferry_stack_b", "ferry_stack_empty"])
        #expect(installation.activeStack?.name == "ferry_stack_a")
        let managers = installation.secretsManagers()
        #expect(managers.map(\.component.name).sorted() == ["ferry_local_a", "ferry_local_b", "ferry_local_empty"])
        for manager in managers {
            #expect(manager.component.flavor == "local" && manager.component.scope == .none && manager.scopeIsDefault)
            #expect(!manager.orphaned)
            #expect(FileManager.default.fileExists(atPath: folder.path + "/local_stores/" + manager.component.id.uuidString.lowercased()))
        }
        #expect(managers.first { $0.component.name == "ferry_local_a" }?.stacks == ["ferry_stack_a"])
        #expect(try installation.secretsManager("ferry_local_b").component.id.uuidString.lowercased() == "c634a458-2ceb-4b51-99c1-f8e9e14c9574")
        #expect(try installation.secretsManager("c634a458").component.name == "ferry_local_b")
        #expect(try installation.stack(nil).name == "ferry_stack_a")
        #expect(try snapshot(folder.path) == before, "reading changed the installation")
    }

    /// After ZenML ≥ 0.53 the components are gone; their local secrets folders remain.
    @Test func foldersNoComponentClaimsAreOrphans() throws {
        let folder = try copyOfFixture("local/zenml-0.52.0/config")
        defer { folder.remove() }
        let database = try SQLiteDatabase(path: folder.path + "/local_stores/default_zen_store/zenml.db", create: true)
        _ = try database.run("DELETE FROM stack_composition WHERE component_id IN (SELECT id FROM stack_component WHERE type = 'secrets_manager')")
        _ = try database.run("DELETE FROM stack_component WHERE type = 'secrets_manager'")
        var config = try String(contentsOfFile: folder.path + "/config.yaml", encoding: .utf8)
        config = config.replacingOccurrences(of: "version: 0.52.0", with: "version: 0.60.0")
        try config.write(toFile: folder.path + "/config.yaml", atomically: true, encoding: .utf8)
        let installation = try ZenMLInstallation.open(paths: ZenMLPaths(configDirectory: folder.path))
        #expect(installation.era == .sql053)
        let managers = installation.secretsManagers()
        #expect(managers.count == 3 && managers.allSatisfy { $0.orphaned && $0.component.flavor == "local" })
    }

    @Test func secretReferencesResolveAsZenMLDid() async throws {
        let folder = try copyOfFixture("local/zenml-0.52.0/config")
        defer { folder.remove() }
        // An orchestrator of the active stack whose configuration holds references.
        let database = try SQLiteDatabase(path: folder.path + "/local_stores/default_zen_store/zenml.db", create: true)
        let stackID = try #require(try database.query("SELECT id FROM stack WHERE name = 'ferry_stack_a'") { $0.text(0) }.first ?? nil)
        let componentID = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let configuration = PythonJSON.dumps(.object([
            ("user", .string("{{ MixedCase.MixedKey }}")), ("password", .string("{{MixedCase.UPPER}}")),
            ("missing_key", .string("{{MixedCase.nope}}")), ("missing_secret", .string("{{ghost.key}}")), ("plain", .string("value")),
        ]))
        _ = try database.run("""
            INSERT INTO stack_component (id, created, updated, name, type, flavor, configuration, workspace_id, user_id)
            SELECT ?, created, updated, 'with_refs', 'step_operator', 'custom', ?, workspace_id, user_id FROM stack_component LIMIT 1
            """, [.text(componentID), .blob(Data(Data(configuration.utf8).base64EncodedString().utf8))])
        _ = try database.run("INSERT INTO stack_composition (stack_id, component_id) VALUES (?, ?)", [.text(stackID), .text(componentID)])
        let paths = ZenMLPaths(configDirectory: folder.path)
        let installation = try ZenMLInstallation.open(paths: paths)
        let stack = try installation.stack(nil)
        let resolver = ReferenceResolver(installation: installation, context: LegacyContext(paths: paths, environment: [:]))
        let cache = resolver.cache(for: stack)
        let component = try #require(stack.component(ofType: "step_operator"))
        let outcomes = Dictionary(uniqueKeysWithValues: await resolver.resolve(component, activeStack: stack, cache: cache).map { ($0.key, $0.outcome) })
        // What ZenML 0.52.0 read from ferry_local_a (LegacyFixtures/local/zenml-0.52.0/expected.json).
        let expected = try PythonJSON.parse(try String(contentsOfFile: Repository.fixtures(from: #filePath) + "/local/zenml-0.52.0/expected.json",
                                                       encoding: .utf8))
        let mysecret = try LegacyFixtureSet.secret("MixedCase", try #require(
            expected.member("components")?.member("d231df1e-6a14-4d57-8bcf-0c82b0428f2a")?.member("secrets")?.member("MixedCase")))
        guard case .resolved(_, let user, let from)? = outcomes["user"], case .resolved(_, let password, _)? = outcomes["password"] else {
            Issue.record("references of an existing secret did not resolve: \(outcomes)")
            return
        }
        #expect(user == mysecret.values["MixedKey"] && password == mysecret.values["UPPER"])
        #expect(from == "secrets manager `ferry_local_a`")
        guard case .failed(_, let keyError)? = outcomes["missing_key"], case .failed(_, let secretError)? = outcomes["missing_secret"] else {
            Issue.record("missing references resolved: \(outcomes)")
            return
        }
        #expect(keyError.message.hasPrefix("Failed to resolve secret reference for attribute missing_key of stack component `with_refs`: The secret MixedCase does not contain a value for key nope. Available keys: {'MixedKey', 'UPPER'}."))
        #expect(secretError.message == "Failed to resolve secret reference for attribute missing_secret of stack component `with_refs`: The secret ghost does not exist.")
        guard case .plain(.string("value"))? = outcomes["plain"] else {
            Issue.record("a plain value changed")
            return
        }
        let validation = await resolver.validate(stack, level: .secretAndKeyExists, cache: cache)
        #expect(validation.missing.map(\.description) == ["{{MixedCase.nope}}", "{{ghost.key}}"])
        #expect(validation.message?.hasPrefix("Missing secrets for stack: [SecretReference(name='MixedCase', key='nope'), SecretReference(name='ghost', key='key')].") == true)
        let existsOnly = await resolver.validate(stack, level: .secretExists, cache: cache)
        #expect(existsOnly.missing.map(\.description) == ["{{ghost.key}}"])
        #expect(await resolver.validate(stack, level: .none, cache: cache).message == nil)
    }
}

/// Broken installations give a clear error naming the file, and nothing is written.
@Suite struct BrokenInstallationTests {
    func installation(_ configYAML: String?, database: Data? = nil) throws -> TemporaryDirectory {
        let folder = try TemporaryDirectory("ferry-broken")
        if let configYAML { try configYAML.write(toFile: folder.file("config.yaml"), atomically: true, encoding: .utf8) }
        if let database {
            try FileManager.default.createDirectory(atPath: folder.file("local_stores/default_zen_store"), withIntermediateDirectories: true)
            try database.write(to: URL(fileURLWithPath: folder.file("local_stores/default_zen_store/zenml.db")))
        }
        return folder
    }

    @Test func malformedConfigYAML() throws {
        let folder = try installation("store: [unclosed\nversion: 0.52.0\n")
        defer { folder.remove() }
        #expect { try ZenMLInstallation.open(paths: ZenMLPaths(configDirectory: folder.path)) } throws: {
            ($0 as? FerryError)?.message.contains(folder.file("config.yaml")) == true
        }
    }

    @Test func aDatabaseThatIsNotSQLite() throws {
        let folder = try installation("version: 0.52.0\n", database: Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 7919) }))
        defer { folder.remove() }
        let before = try snapshot(folder.path)
        #expect { try ZenMLInstallation.open(paths: ZenMLPaths(configDirectory: folder.path)) } throws: { error in
            let message = (error as? FerryError)?.message ?? ""
            return message.contains("zenml.db") && message.contains("not a usable SQLite database")
        }
        #expect(try snapshot(folder.path) == before)
    }

    @Test func anUnknownSchema() throws {
        let folder = try installation("version: 0.52.0\n", database: Data())
        defer { folder.remove() }
        let path = folder.file("local_stores/default_zen_store/zenml.db")
        try FileManager.default.removeItem(atPath: path)
        let database = try SQLiteDatabase(path: path, create: true)
        try database.execute("CREATE TABLE things (id TEXT)")
        #expect { try ZenMLInstallation.open(paths: ZenMLPaths(configDirectory: folder.path)) } throws: { error in
            let message = (error as? FerryError)?.message ?? ""
            return message.contains(path) && message.contains("has none of the tables of a ZenML store")
        }
    }

    @Test func aConfigurationThatIsNotBase64JSON() throws {
        let folder = try copyOfFixture("local/zenml-0.52.0/config")
        defer { folder.remove() }
        let database = try SQLiteDatabase(path: folder.path + "/local_stores/default_zen_store/zenml.db", create: true)
        _ = try database.run("UPDATE stack_component SET configuration = ? WHERE name = 'ferry_local_b'", [.blob(Data("%%% not base64".utf8))])
        // The component is reported (named, with the file); the rest of the installation is read.
        let installation = try ZenMLInstallation.open(paths: ZenMLPaths(configDirectory: folder.path))
        #expect(installation.problems.count == 1)
        let message = installation.problems.first ?? ""
        #expect(message.contains("component `ferry_local_b`") && message.contains("zenml.db") && message.contains("not base64-encoded JSON"))
        // Its local secrets are not lost from view: the folder shows as an orphan.
        let managers = installation.secretsManagers()
        #expect(managers.filter { !$0.orphaned }.map(\.component.name).sorted() == ["ferry_local_a", "ferry_local_empty"])
        #expect(managers.filter(\.orphaned).map { $0.component.id.uuidString.lowercased() } == ["c634a458-2ceb-4b51-99c1-f8e9e14c9574"])
    }

    @Test func aLockedDatabase() throws {
        let folder = try copyOfFixture("local/zenml-0.52.0/config")
        defer { folder.remove() }
        let writer = try SQLiteDatabase(path: folder.path + "/local_stores/default_zen_store/zenml.db", create: true)
        try writer.execute("BEGIN EXCLUSIVE")
        defer { try? writer.execute("ROLLBACK") }
        #expect { try ZenMLInstallation.open(paths: ZenMLPaths(configDirectory: folder.path)) } throws: { error in
            (error as? FerryError)?.code == .databaseLocked && (error as? FerryError)?.message.contains("zenml.db") == true
        }
    }

    @Test func aServerStoreIsExplained() throws {
        let folder = try installation("store:\n  type: rest\n  url: http://127.0.0.1:8237\nversion: 0.98.0\n")
        defer { folder.remove() }
        #expect { try ZenMLInstallation.open(paths: ZenMLPaths(configDirectory: folder.path)) } throws: {
            ($0 as? FerryError)?.message.contains("points at a ZenML server (`rest` store http://127.0.0.1:8237)") == true
        }
    }
}

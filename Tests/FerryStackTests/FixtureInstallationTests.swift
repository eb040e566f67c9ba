import FerryCore
import FerryLegacy
import FerryStack
import FerryTesting
import Foundation
import Testing

/// The installations of LegacyFixtures/installations: what ZenML (or, for the eras that do not
/// install here, its released source) says is in them, against what Ferry reads.
@Suite struct FixtureInstallationTests {
    static let root = Repository.fixtures(from: #filePath) + "/installations"

    /// Checks one store's expectations (`secrets_managers`, `stacks`, `active_stack`); returns the differences.
    static func check(_ installation: ZenMLInstallation, _ expected: PythonJSON.Value, activeStackName: String?) -> [String] {
        var problems: [String] = []
        let managers = installation.secretsManagers().filter { !$0.orphaned }
        guard case .array(let wanted)? = expected.member("secrets_managers") else { return ["no secrets_managers in expected.json"] }
        if Set(managers.map(\.component.name)) != Set(wanted.compactMap { $0.member("name")?.text }) {
            problems.append("secrets managers \(managers.map(\.component.name).sorted()) != \(wanted.compactMap { $0.member("name")?.text }.sorted())")
        }
        for entry in wanted {
            let name = entry.member("name")?.text ?? ""
            guard let found = managers.first(where: { $0.component.name == name })?.component else { continue }
            if let id = entry.member("id")?.text, found.id.uuidString.lowercased() != id { problems.append("\(name): id \(found.id)") }
            if found.flavor != entry.member("flavor")?.text { problems.append("\(name): flavor \(found.flavor)") }
            if found.scope.rawValue != entry.member("scope")?.text { problems.append("\(name): scope \(found.scope.rawValue), expected \(entry.member("scope")?.text ?? "?")") }
            if found.namespace != entry.member("namespace")?.text { problems.append("\(name): namespace \(found.namespace ?? "nil")") }
            if case .object(let config)? = entry.member("config") {
                for (key, value) in config where key != "secrets_file" && value != .null && found.configuration[key] != value.pythonString {
                    problems.append("\(name): \(key) = \(found.configuration[key] ?? "nil")")
                }
            }
            // Where the local manager reads: its (re-rooted) `secrets_file`, else the default path.
            let file = found.configuration["secrets_file"].flatMap { $0.isEmpty ? nil : $0 }
                ?? installation.paths.defaultLocalSecretsFile(componentID: found.id)
            if let relative = entry.member("secrets_file_relative")?.text, file != installation.paths.configDirectory + "/" + relative {
                problems.append("\(name): secrets file \(file), not \(relative)")
            }
        }
        guard case .array(let stacks)? = expected.member("stacks") else { return problems + ["no stacks in expected.json"] }
        if Set(installation.stacks.map(\.name)) != Set(stacks.compactMap { $0.member("name")?.text }) {
            problems.append("stacks \(installation.stacks.map(\.name).sorted())")
        }
        for entry in stacks {
            let name = entry.member("name")?.text ?? ""
            guard let stack = installation.stacks.first(where: { $0.name == name }) else { continue }
            if let id = entry.member("id")?.text, stack.idText != id { problems.append("stack \(name): id \(stack.idText)") }
            guard case .object(let components)? = entry.member("components") else { continue }
            if Set(stack.components.map(\.type)) != Set(components.map(\.key)) { problems.append("stack \(name): types \(stack.components.map(\.type))") }
            for (type, component) in components where stack.component(ofType: type)?.name != component.member("name")?.text {
                problems.append("stack \(name): \(type) is \(stack.component(ofType: type)?.name ?? "nil")")
            }
        }
        if installation.activeStack?.name != activeStackName { problems.append("active stack \(installation.activeStack?.name ?? "nil")") }
        return problems
    }

    @Test(arguments: ["synthetic-0.20", "synthetic-0.35"])
    func sqlStores(_ name: String) throws {
        let folder = try copyOfFixture("installations/\(name)")
        defer { folder.remove() }
        let before = try snapshot(folder.path)
        let expected = try PythonJSON.parse(try String(contentsOfFile: folder.file("expected.json"), encoding: .utf8))
        let installation = try ZenMLInstallation.open(paths: ZenMLPaths(configDirectory: folder.file("config")))
        #expect(installation.era == (name == "synthetic-0.20" ? .sql020 : .sql030))
        let problems = Self.check(installation, expected, activeStackName: expected.member("active_stack")?.member("name")?.text)
        #expect(problems.isEmpty, "\(problems)")
        #expect(try snapshot(folder.path) == before, "reading changed the installation")
    }

    @Test(arguments: ["synthetic-0.13-yaml", "synthetic-0.13-sql"])
    func profileStores(_ name: String) throws {
        let folder = try copyOfFixture("installations/\(name)")
        defer { folder.remove() }
        let before = try snapshot(folder.path)
        let expected = try PythonJSON.parse(try String(contentsOfFile: folder.file("expected.json"), encoding: .utf8))
        guard case .object(let profiles)? = expected.member("profiles") else {
            Issue.record("no profiles in expected.json")
            return
        }
        for (profile, wanted) in profiles {
            let installation = try ZenMLInstallation.open(paths: ZenMLPaths(configDirectory: folder.file("config")), profile: profile)
            #expect(installation.era == (name.hasSuffix("yaml") ? .yaml01x : .sql01x))
            let problems = Self.check(installation, wanted, activeStackName: wanted.member("active_stack")?.text)
            #expect(problems.isEmpty, "profile \(profile): \(problems)")
        }
        // The repository's .zen/config.yaml chooses the profile and the active stack.
        let repository = try ZenMLInstallation.open(paths: ZenMLPaths(configDirectory: folder.file("config")), repository: folder.file("repo"))
        #expect(repository.profile == expected.member("repository")?.member("active_profile_name")?.text)
        #expect(repository.activeStack?.name == expected.member("repository")?.member("active_stack_name")?.text)
        #expect(try snapshot(folder.path) == before, "reading changed the installation")
    }

    @Test func exportFilesOfEveryEra() throws {
        let folder = Self.root + "/synthetic-exports"
        let expected = try PythonJSON.parse(try String(contentsOfFile: folder + "/expected.json", encoding: .utf8))
        guard case .object(let files) = expected else { Issue.record("expected.json is not a mapping"); return }
        var checked = 0
        for (file, wanted) in files where file.hasSuffix(".yaml") {
            let export = try StackExport.read(folder + "/" + file)
            #expect(export.stackName == wanted.member("stack_name")?.text, "\(file)")
            #expect(export.zenmlVersion == wanted.member("zenml_version")?.text, "\(file)")
            #expect(export.components.map(\.type).sorted() == (wanted.member("components").flatMap {
                if case .array(let types) = $0 { return types.compactMap(\.text) } else { return nil }
            } ?? []).sorted(), "\(file)")
            let manager = export.components.first { $0.type == "secrets_manager" }
            let want = wanted.member("secrets_manager")
            #expect(manager?.name == want?.member("name")?.text && manager?.flavor == want?.member("flavor")?.text, "\(file)")
            if case .object(let config)? = want?.member("config") {
                for (key, value) in config { #expect(manager?.field(key) == value, "\(file) \(key)") }
            }
            checked += 1
        }
        #expect(checked == 2)
    }

    @Test(arguments: ["malformed-config", "stacks-not-mapping", "db-not-sqlite", "db-unknown-schema"])
    func brokenInstallationsFailClearly(_ name: String) throws {
        let folder = try copyOfFixture("installations/synthetic-broken/\(name)")
        defer { folder.remove() }
        let before = try snapshot(folder.path)
        let config = FileManager.default.fileExists(atPath: folder.file("config")) ? folder.file("config") : folder.path
        #expect {
            try ZenMLInstallation.open(paths: ZenMLPaths(configDirectory: config))
        } throws: { error in
            guard let failure = error as? FerryError else { return false }
            // The message names the file it is about.
            return failure.message.contains(folder.path)
        }
        #expect(try snapshot(folder.path) == before)
    }

    /// Components whose configuration is not base64 JSON of a mapping are reported one by one; the rest is read.
    @Test func unreadableComponentsAreReportedAndTheRestIsRead() throws {
        let folder = try copyOfFixture("installations/synthetic-broken/bad-configuration")
        defer { folder.remove() }
        let config = FileManager.default.fileExists(atPath: folder.file("config")) ? folder.file("config") : folder.path
        let installation = try ZenMLInstallation.open(paths: ZenMLPaths(configDirectory: config))
        let broken = installation.components.filter { $0.problem != nil }
        #expect(broken.count == 3, "\(installation.problems)")
        #expect(installation.problems.allSatisfy { $0.contains("zenml.db") && $0.contains("component `") })
        #expect(installation.components.count > broken.count, "the valid row is still read")
    }
}

import FerryCore
import FerryLegacy
import FerryStack
import FerryTesting
import Foundation
import Testing

/// Installations real ZenML releases made (LegacyFixtures/installations/zenml-*), against what
/// ZenML's own Python API reported about them (expected.json).
@Suite struct RealInstallationTests {
    static func expected(_ name: String) throws -> PythonJSON.Value {
        try PythonJSON.parse(try String(contentsOfFile: Repository.fixtures(from: #filePath) + "/installations/\(name)/expected.json", encoding: .utf8))
    }

    @Test(arguments: ["zenml-0.43.0", "zenml-0.52.0"])
    func secretsManagersStacksAndReferences(_ name: String) throws {
        let folder = try copyOfFixture("installations/\(name)")
        defer { folder.remove() }
        let before = try snapshot(folder.path)
        let expected = try Self.expected(name)
        let installation = try ZenMLInstallation.open(paths: ZenMLPaths(configDirectory: folder.file("config")))
        #expect(installation.version == expected.member("zenml_version")?.text)
        #expect(installation.era == .sql030)
        #expect(installation.activeStack?.name == expected.member("config")?.member("active_stack_name")?.text)
        guard case .object(let managers)? = expected.member("secrets_managers"), case .object(let stacks)? = expected.member("stacks") else {
            Issue.record("expected.json lacks secrets_managers or stacks")
            return
        }
        let found = installation.secretsManagers()
        #expect(Set(found.map(\.component.name)) == Set(managers.map(\.key)))
        #expect(!found.contains { $0.orphaned })
        for (managerName, want) in managers {
            let component = try #require(found.first { $0.component.name == managerName })
            #expect(component.component.id.uuidString.lowercased() == want.member("id")?.text, "\(managerName)")
            #expect(component.component.flavor == want.member("flavor")?.text, "\(managerName)")
            #expect(component.component.scope.rawValue == want.member("scope")?.text, "\(managerName) scope")
            #expect(component.component.namespace == want.member("namespace")?.text, "\(managerName) namespace")
            #expect(component.scopeIsDefault == (want.member("configuration")?.member("scope") == nil), "\(managerName)")
            if case .array(let using)? = want.member("stacks") { #expect(component.stacks.sorted() == using.compactMap(\.text).sorted(), "\(managerName)") }
            if case .object(let configuration)? = want.member("configuration") {
                for (key, value) in configuration where !["scope", "namespace"].contains(key) {
                    #expect(component.component.configuration[key] == value.pythonString, "\(managerName).\(key)")
                }
            }
        }
        #expect(Set(installation.stacks.map(\.name)) == Set(stacks.map(\.key)))
        for (stackName, want) in stacks {
            let stack = try installation.stack(stackName)
            #expect(stack.idText == want.member("id")?.text)
            guard case .object(let components)? = want.member("components") else { continue }
            for (type, component) in components {
                #expect(stack.component(ofType: type)?.idText == component.member("id")?.text, "\(stackName) \(type)")
            }
        }
        // Every reference ZenML found, with its field.
        let resolver = ReferenceResolver(installation: installation, context: LegacyContext(paths: installation.paths, environment: [:]))
        if case .object(let components)? = expected.member("components_with_references") {
            for (componentName, want) in components {
                let record = try #require(installation.components.first { $0.name == componentName })
                let references = Dictionary(uniqueKeysWithValues: resolver.references(of: record).map { ($0.key, $0.reference) })
                guard case .object(let fields)? = want.member("references") else { continue }
                #expect(Set(references.keys) == Set(fields.map(\.key)), "\(componentName)")
                for (field, reference) in fields {
                    #expect(references[field]?.name == reference.member("name")?.text && references[field]?.key == reference.member("key")?.text,
                            "\(componentName).\(field)")
                }
            }
        }
        // ZenML's centralized secrets (0.34–0.52 `secret` table).
        if case .object(let secrets)? = expected.member("centralized_secrets") {
            for (secretName, want) in secrets {
                let secret = try #require(installation.centralizedSecrets.first { $0.name == secretName })
                if case .object(let values)? = want.member("values") {
                    #expect((try? secret.values.get()) == SecretValues(values.map { ($0.key, $0.value.pythonString) }), "\(secretName)")
                }
            }
        }
        #expect(try snapshot(folder.path) == before, "reading changed the installation")
    }

    /// ZenML 0.98 deleted the secrets managers; their local secrets remain and are found as orphans.
    @Test func anUpgradedInstallationYieldsItsLegacySecrets() async throws {
        let folder = try copyOfFixture("installations/zenml-0.52.0-upgraded")
        defer { folder.remove() }
        let expected = try Self.expected("zenml-0.52.0-upgraded")
        let installation = try ZenMLInstallation.open(paths: ZenMLPaths(configDirectory: folder.file("config")))
        #expect(installation.era == .sql053)
        #expect(installation.version == "0.98.0")
        guard case .object(let orphans)? = expected.member("orphaned_local_stores") else {
            Issue.record("no orphaned_local_stores")
            return
        }
        let found = installation.secretsManagers()
        #expect(found.allSatisfy { $0.orphaned })
        #expect(Set(found.map { $0.component.id.uuidString.lowercased() }) == Set(orphans.map(\.key)))
        for manager in found {
            let legacy = try LegacyFlavors.manager(for: manager.component, context: LegacyContext(paths: installation.paths, environment: [:]))
            let read = try await legacy.readAll()
            #expect(read.allSatisfy { (try? $0.result.get()) != nil }, "\(manager.component.id)")
        }
    }
}

import FerryCore
import FerryLegacy
import FerryMigrate
import FerryStore
import FerryTesting
import Foundation
import Testing

/// D12 of the security review: two migrations of the same secrets that overlap. A secret the other
/// run created after this run's plan is this run's result too when its values are the same, and a
/// conflict (not a failure, never overwritten) when they differ.
@Suite struct OverlapTests {
    func manager(_ directory: TemporaryDirectory, _ secrets: [String: String]) throws -> LocalSecretsManager {
        let file = directory.file("secrets.yaml")
        try Data(secrets.sorted { $0.key < $1.key }.map { "\($0.key):\n  v: \(Data($0.value.utf8).base64EncodedString())\n  zenml_schema_name: arbitrary\n" }
            .joined().utf8).write(to: URL(fileURLWithPath: file))
        return LocalSecretsManager(component: LegacyComponent(id: UUID(), name: "local", flavor: "local"), secretsFile: file)
    }

    @Test func secretsTheOtherRunCreatedAreVerifiedNotFailed() async throws {
        let directory = try TemporaryDirectory("ferry-overlap")
        defer { directory.remove() }
        let source = try manager(directory, ["same": "one", "other": "two", "free": "three"])
        let store = try SecretStore(configuration: StoreConfiguration(databasePath: directory.file("ferry.db")))
        let migrator = Migrator(target: StoreTarget(store: store))
        var plan = try await migrator.plan(sources: [source], options: MigrationOptions())
        #expect(plan.allSatisfy { $0.action == .create })
        // The other run lands between this run's plan and its writes.
        try await store.create(name: "same", values: ["v": "one"])
        try await store.create(name: "other", values: ["v": "someone else's"])
        try await migrator.apply(&plan, sources: [source], options: MigrationOptions())

        let byName = Dictionary(uniqueKeysWithValues: plan.map { ($0.legacyName, $0) })
        #expect(byName["same"]?.action == .skip && byName["same"]?.verified == true)
        #expect(byName["other"]?.action == .conflict && byName["other"]?.verified == false)
        #expect(byName["free"]?.action == .create && byName["free"]?.verified == true)
        #expect(try await store.values(of: store.find("other")) == ["v": "someone else's"])
    }
}

import FerryCore
import FerryLegacy
import FerryMigrate
import FerryStore
import FerryTesting
import Foundation
import Testing

/// A local secrets manager that counts how its secrets are deleted.
struct CountingManager: LegacySecretsManager {
    final class Counts: @unchecked Sendable {
        private let lock = NSLock()
        private var one = 0
        private var batches: [Int] = []
        func single() { lock.withLock { one += 1 } }
        func batch(_ size: Int) { lock.withLock { batches.append(size) } }
        var singles: Int { lock.withLock { one } }
        var batchSizes: [Int] { lock.withLock { batches } }
    }

    let base: LocalSecretsManager
    let counts = Counts()
    var component: LegacyComponent { base.component }
    var location: String { base.location }
    func registerSecret(_ secret: LegacySecret) async throws { try await base.registerSecret(secret) }
    func getSecret(named name: String) async throws -> LegacySecret { try await base.getSecret(named: name) }
    func secretNames() async throws -> [String] { try await base.secretNames() }
    func updateSecret(_ secret: LegacySecret) async throws { try await base.updateSecret(secret) }
    func deleteSecret(named name: String) async throws {
        counts.single()
        try await base.deleteSecret(named: name)
    }
    func deleteSecrets(named names: [String]) async -> [String: FerryError] {
        counts.batch(names.count)
        return await base.deleteSecrets(named: names)
    }
    func deleteAllSecrets() async throws { try await base.deleteAllSecrets() }
    func readAll() async throws -> [(name: String, result: Result<LegacySecret, FerryError>)] { try await base.readAll() }
}

@Suite struct BatchDeleteTests {
    /// D14: `--delete` of 1,200 secrets of one secrets file deletes them in batches (3 rewrites of
    /// the file, not 1,200), and only those whose target read back equal.
    @Test func verifiedSourcesAreDeletedInBatchesAndOnlyThey() async throws {
        let directory = try TemporaryDirectory("ferry-migrate")
        defer { directory.remove() }
        let file = directory.file("secrets.yaml")
        let count = 1_200
        try Data((0..<count).map { "s\($0):\n  v: \(Data("value-\($0)".utf8).base64EncodedString())\n  zenml_schema_name: arbitrary\n" }.joined().utf8)
            .write(to: URL(fileURLWithPath: file))
        let manager = CountingManager(base: LocalSecretsManager(component: LegacyComponent(id: UUID(), name: "local", flavor: "local"), secretsFile: file))
        let target = InMemoryMigrationTarget(garbled: ["s7"])
        let migrator = Migrator(target: target)
        var options = MigrationOptions()
        options.deleteSources = true
        var plan = try await migrator.plan(sources: [manager], options: options)
        #expect(plan.count == count)
        try await migrator.apply(&plan, sources: [manager], options: options)

        #expect(manager.counts.singles == 0)
        #expect(manager.counts.batchSizes.count == 3 && manager.counts.batchSizes.reduce(0, +) == count - 1, "\(manager.counts.batchSizes)")
        #expect(target.count == count)
        #expect(try await manager.secretNames() == ["s7"], "the one that did not read back equal stays")
        #expect(plan.filter(\.deletedSource).count == count - 1)
        #expect(plan.first { $0.legacyName == "s7" }?.action == .failed)
    }
}

import FerryCore
import FerryLegacy
import FerryMigrate
import FerryStore
import FerryTesting
import Foundation
import Testing

/// The migrator on its own: in-memory legacy managers (``InMemoryLegacySecretsManager``) into an
/// in-memory target (``InMemoryMigrationTarget``).
@Suite struct MigratorTests {
    static func source(_ name: String, _ secrets: [String: SecretValues]) -> InMemoryLegacySecretsManager {
        InMemoryLegacySecretsManager(component: LegacyComponent(id: UUID(), name: name, flavor: "memory"),
                                     secrets: secrets.map { LegacySecret(name: $0.key, values: $0.value) })
    }

    static func options(_ policy: ConflictPolicy = .report, delete: Bool = false) -> MigrationOptions {
        var options = MigrationOptions()
        options.onConflict = policy
        options.deleteSources = delete
        return options
    }

    /// Plans and applies; returns the items by legacy name (then component, when two sources share one).
    static func migrate(_ sources: [InMemoryLegacySecretsManager], into target: InMemoryMigrationTarget,
                        _ options: MigrationOptions) async throws -> [MigrationItem]
    {
        let migrator = Migrator(target: target)
        var plan = try await migrator.plan(sources: sources, options: options)
        try await migrator.apply(&plan, sources: sources, options: options)
        return plan
    }

    static func item(_ plan: [MigrationItem], _ name: String, component: String? = nil) throws -> MigrationItem {
        try #require(plan.first { $0.legacyName == name && (component == nil || $0.component.name == component) })
    }

    // MARK: conflicts with the target

    @Test func reportLeavesTheConflictAndWritesTheRest() async throws {
        let target = InMemoryMigrationTarget(secrets: ["db": ["password": "theirs"]])
        let plan = try await Self.migrate([Self.source("aws", ["db": ["password": "ours"], "api": ["key": "k"]])], into: target, Self.options(.report))
        #expect(try Self.item(plan, "db").action == .conflict)
        #expect(try Self.item(plan, "db").detail == "a public secret `db` with other values exists")
        #expect(try Self.item(plan, "api").action == .create && Self.item(plan, "api").verified)
        #expect(target.values("db") == ["password": "theirs"] && target.values("api") == ["key": "k"])
    }

    @Test func skipLeavesTheTargetAsItIs() async throws {
        let target = InMemoryMigrationTarget(secrets: ["db": ["password": "theirs"]])
        let plan = try await Self.migrate([Self.source("aws", ["db": ["password": "ours"]])], into: target, Self.options(.skip))
        #expect(try Self.item(plan, "db").action == .skipConflict && !Self.item(plan, "db").verified)
        #expect(target.values("db") == ["password": "theirs"] && target.writeCount == 0)
    }

    @Test func overwriteReplacesEveryValue() async throws {
        let target = InMemoryMigrationTarget(secrets: ["db": ["password": "theirs", "extra": "dropped"]])
        let plan = try await Self.migrate([Self.source("aws", ["db": ["password": "ours"]])], into: target, Self.options(.overwrite))
        #expect(try Self.item(plan, "db").action == .update && Self.item(plan, "db").verified)
        #expect(target.values("db") == ["password": "ours"])
    }

    @Test func renameWritesUnderTheFirstFreeName() async throws {
        let target = InMemoryMigrationTarget(secrets: ["db": ["password": "theirs"], "db-aws": ["password": "also taken"]])
        let plan = try await Self.migrate([Self.source("aws", ["db": ["password": "ours"]])], into: target, Self.options(.rename))
        let db = try Self.item(plan, "db")
        #expect(db.action == .create && db.targetName == "db-aws-2" && db.verified)
        #expect(db.detail == "renamed from `db`: a conflict")
        #expect(target.values("db-aws-2") == ["password": "ours"] && target.values("db") == ["password": "theirs"])
    }

    @Test func failWritesNothingAtAll() async throws {
        let target = InMemoryMigrationTarget(secrets: ["db": ["password": "theirs"]])
        let source = Self.source("aws", ["db": ["password": "ours"], "api": ["key": "k"]])
        let migrator = Migrator(target: target)
        var plan = try await migrator.plan(sources: [source], options: Self.options(.fail))
        await #expect(throws: FerryError.self) { try await migrator.apply(&plan, sources: [source], options: Self.options(.fail, delete: true)) }
        #expect(target.writeCount == 0 && target.values("api") == nil)
        #expect(try await source.secretNames() == ["api", "db"])
    }

    // MARK: names

    @Test func nameTemplatesRenderEveryField() async throws {
        let component = LegacyComponent(id: UUID(uuidString: "7b1f0c3e-0000-4000-8000-000000000001")!, name: "team_aws", flavor: "memory",
                                        scope: .namespace, namespace: "ns1")
        let source = InMemoryLegacySecretsManager(component: component, secrets: [LegacySecret(name: "db", values: ["k": "v"])])
        var options = Self.options()
        options.nameTemplate = try NameTemplate("{flavor}/{scope}/{namespace}/{component}/{component_id}/{name}")
        let target = InMemoryMigrationTarget()
        let plan = try await Self.migrate([source], into: target, options)
        #expect(plan.map(\.targetName) == ["memory/namespace/ns1/team_aws/7b1f0c3e-0000-4000-8000-000000000001/db"])
        #expect(target.values(plan[0].targetName) == ["k": "v"])
        #expect(throws: FerryError.self) { try NameTemplate("{component}") }
        #expect(throws: FerryError.self) { try NameTemplate("{name}-{unknown}") }
        #expect(throws: FerryError.self) { try NameTemplate("{name") }
    }

    // MARK: collisions between sources

    @Test func twoSourcesWithTheSameValuesLandOnOneSecret() async throws {
        let target = InMemoryMigrationTarget()
        let plan = try await Self.migrate([Self.source("a", ["db": ["k": "v"]]), Self.source("b", ["db": ["k": "v"]])], into: target, Self.options())
        #expect(try Self.item(plan, "db", component: "a").action == .create)
        let second = try Self.item(plan, "db", component: "b")
        #expect(second.action == .skip && second.detail == "component a has the same secret" && second.verified)
        #expect(target.count == 1)
    }

    @Test(arguments: [ConflictPolicy.report, .skip, .overwrite, .rename])
    func twoSourcesWithOtherValuesAreNeverMerged(policy: ConflictPolicy) async throws {
        let target = InMemoryMigrationTarget()
        let plan = try await Self.migrate([Self.source("a", ["db": ["k": "first"]]), Self.source("b", ["db": ["k": "second"]])],
                                          into: target, Self.options(policy))
        #expect(try Self.item(plan, "db", component: "a").action == .create)
        #expect(target.values("db") == ["k": "first"], "the first source keeps the name; \(policy) never overwrites another source")
        let second = try Self.item(plan, "db", component: "b")
        switch policy {
        case .rename: #expect(second.action == .create && second.targetName == "db-b" && target.values("db-b") == ["k": "second"])
        case .skip: #expect(second.action == .skipConflict)
        default: #expect(second.action == .conflict && second.detail?.contains("component a also has a secret") == true)
        }
    }

    // MARK: repair, unreadable secrets and sources

    @Test func missingValuesAreRepaired() async throws {
        let target = InMemoryMigrationTarget()
        target.addInterrupted("db")
        let plan = try await Self.migrate([Self.source("aws", ["db": ["k": "v"]])], into: target, Self.options())
        #expect(try Self.item(plan, "db").action == .repair && Self.item(plan, "db").verified)
        #expect(target.values("db") == ["k": "v"])
    }

    @Test func anUnreadableSecretIsReportedAndTheRestMigrate() async throws {
        let source = Self.source("aws", ["broken": ["k": "v"], "fine": ["k": "v"]])
        source.makeUnreadable("broken", FerryError(.corruptData, code: .badValue, "The value of `broken` is not JSON."))
        let target = InMemoryMigrationTarget()
        let plan = try await Self.migrate([source], into: target, Self.options(delete: true))
        let broken = try Self.item(plan, "broken")
        #expect(broken.action == .unreadable && broken.detail == "The value of `broken` is not JSON." && !broken.wholeSource)
        #expect(!broken.deletedSource && target.values("broken") == nil)
        #expect(try Self.item(plan, "fine").deletedSource)
        #expect(try await source.secretNames() == ["broken"])
    }

    @Test func aSourceThatCannotBeListedIsOneRowAndTheOthersMigrate() async throws {
        let failing = Self.source("down", ["db": ["k": "v"]])
        failing.failListing(FerryError(.backend, code: FerryError.Code("unreachable"), "The back-end cannot be reached."))
        let target = InMemoryMigrationTarget()
        let plan = try await Self.migrate([failing, Self.source("up", ["db": ["k": "v"]])], into: target, Self.options())
        let row = try Self.item(plan, "*", component: "down")
        #expect(row.wholeSource && row.action == .unreadable && row.detail == "none of its secrets can be read: The back-end cannot be reached.")
        #expect(try Self.item(plan, "db", component: "up").action == .create && target.values("db") == ["k": "v"])
    }

    /// A real secret named `*` (the local flavor accepts it) is an ordinary secret: planned,
    /// migrated, selected by name only when asked for, and never taken for a failed listing.
    @Test func aSecretNamedStarIsAnOrdinarySecret() async throws {
        let directory = try TemporaryDirectory("ferry-star")
        defer { directory.remove() }
        let file = directory.file("secrets.yaml")
        try Data("'*':\n  v: \(Data("star".utf8).base64EncodedString())\n  zenml_schema_name: arbitrary\nother:\n  v: \(Data("o".utf8).base64EncodedString())\n  zenml_schema_name: arbitrary\n".utf8)
            .write(to: URL(fileURLWithPath: file))
        let local = LocalSecretsManager(component: LegacyComponent(id: UUID(), name: "local", flavor: "local"), secretsFile: file)
        let failing = Self.source("down", [:])
        failing.failListing(FerryError(.backend, code: FerryError.Code("unreachable"), "The back-end cannot be reached."))
        let sources: [any LegacySecretsManager] = [local, failing]

        let target = InMemoryMigrationTarget()
        let migrator = Migrator(target: target)
        var plan = try await migrator.plan(sources: sources, options: Self.options())
        try await migrator.apply(&plan, sources: sources, options: Self.options())
        let star = try #require(plan.first { $0.legacyName == "*" && $0.component.name == "local" })
        #expect(star.action == .create && star.verified && !star.wholeSource)
        #expect(target.values("*") == ["v": "star"])
        #expect(plan.filter(\.wholeSource).map(\.component.name) == ["down"])

        var only = Self.options()
        only.names = ["other"]
        let other = try await migrator.plan(sources: [local], options: only)
        #expect(other.map(\.legacyName) == ["other"], "a secret named `*` is not selected by other names")
        only.names = ["*"]
        let starOnly = try await migrator.plan(sources: [local], options: only)
        #expect(starOnly.map(\.legacyName) == ["*"] && starOnly.first?.action == .skip)
    }

    // MARK: --delete

    @Test func sourcesAreDeletedOnlyAfterTheirTargetVerified() async throws {
        let source = Self.source("aws", ["fine": ["k": "v"], "garbled": ["k": "v"], "conflicting": ["k": "ours"]])
        let target = InMemoryMigrationTarget(garbled: ["garbled"], secrets: ["conflicting": ["k": "theirs"]])
        let plan = try await Self.migrate([source], into: target, Self.options(delete: true))
        #expect(try Self.item(plan, "fine").deletedSource && Self.item(plan, "fine").verified)
        let garbled = try Self.item(plan, "garbled")
        #expect(garbled.action == .failed && !garbled.verified && !garbled.deletedSource)
        #expect(try !Self.item(plan, "conflicting").deletedSource)
        #expect(try await source.secretNames() == ["conflicting", "garbled"])
    }

    @Test func aRerunIsANoOp() async throws {
        let source = Self.source("aws", ["a": ["k": "1"], "b": ["k": "2"]])
        let target = InMemoryMigrationTarget()
        _ = try await Self.migrate([source], into: target, Self.options())
        let writes = target.writeCount
        let again = try await Self.migrate([source], into: target, Self.options())
        #expect(again.allSatisfy { $0.action == .skip && $0.verified } && target.writeCount == writes)
    }

    // MARK: the target

    /// A store whose tables cannot be read (another program broke them) fails the plan: it is
    /// never read as empty, which would plan `create` for every secret.
    @Test func aStoreThatCannotBeReadIsNotPlannedAsEmpty() async throws {
        let directory = try TemporaryDirectory("ferry-unreadable-target")
        defer { directory.remove() }
        let path = directory.file("ferry.db")
        let store = try SecretStore(configuration: StoreConfiguration(databasePath: path))
        try await store.create(name: "a", values: ["k": "v"])
        let other = try SQLiteDatabase(path: path)
        try other.execute("ALTER TABLE secret RENAME TO secret_moved")
        let source = Self.source("aws", ["a": ["k": "v"], "b": ["k": "w"]])
        let migrator = Migrator(target: StoreTarget(store: store))
        do {
            let plan = try await migrator.plan(sources: [source], options: Self.options())
            Issue.record("planned \(plan.map(\.action.rawValue)) against a store it could not read")
        } catch let error as FerryError {
            #expect(error.kind != .notFound, "\(error)")
        }
    }

    /// Every action has a stable identifier (JSON, the error file) and a label (tables).
    @Test func actionsHaveStableIdentifiersAndLabels() {
        #expect(MigrationItem.Action.allCases.map(\.rawValue)
            == ["create", "update", "repair", "skip_identical", "skip_conflict", "conflict", "unreadable", "failed"])
        #expect(MigrationItem.Action.allCases.map(\.label)
            == ["create", "update", "repair (values missing)", "skip (identical)", "skip (conflict)", "conflict", "unreadable", "failed"])
    }
}

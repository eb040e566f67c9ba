import FerryCore
import FerryMigrate
import FerryStore
import FerryTesting
import Foundation
import Testing

@Suite struct NulNameTests {
    /// D6, defense in depth: a name with a NUL that reaches the store (not through the migrator's
    /// plan) is refused there instead of being cut short to the secret its prefix names.
    @Test func theStoreRefusesANameWithANul() async throws {
        let directory = try TemporaryDirectory("ferry-migrate")
        defer { directory.remove() }
        let store = try SecretStore(configuration: StoreConfiguration(databasePath: directory.file("ferry.db"),
                                                                      secretsStore: BackendConfiguration(type: "sql")))
        let target = StoreTarget(store: store)
        await #expect(throws: FerryError.self) { try await target.create("db\u{0}staging", values: ["password": "STAGING"], isPrivate: false) }
        #expect(try store.list(SecretQuery()).total == 0, "nothing was created, not even `db`")
        _ = try await store.create(name: "db", values: ["password": "PRODUCTION"])
        #expect(try await target.lookup("db\u{0}staging", isPrivate: false) == nil, "`db` is not found under a longer name")
        #expect(target.nameProblem("db\u{0}staging")?.contains("U+0000") == true)
        #expect(target.nameProblem("line1\nline2") == nil, "ZenML's migrate carries names with line breaks over")
        #expect(try await target.lookup("db", isPrivate: false)?.values == ["password": "PRODUCTION"])
    }
}

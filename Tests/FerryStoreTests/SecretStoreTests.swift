import FerryCore
import FerryStore
import FerryTesting
import Foundation
import Testing

func makeStore(_ directory: TemporaryDirectory, key: String? = nil, file: String = "ferry.db") throws -> SecretStore {
    var backend = BackendConfiguration(type: "sql")
    if let key { backend.fields["encryption_key"] = key }
    return try SecretStore(configuration: StoreConfiguration(databasePath: directory.file(file), secretsStore: backend))
}

func rowCount(_ store: SecretStore) throws -> Int {
    try store.database.withConnection { try $0.query("SELECT COUNT(*) FROM secret", [], { Int($0.integer(0)) })[0] }
}

@Suite struct SecretStoreTests {
    @Test(arguments: [nil, "a-key"] as [String?])
    func sqlBackendPassesTheConformanceSuite(key: String?) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try makeStore(directory, key: key)
        let backend = SQLValuesBackend(database: store.database, encryptionKey: key)
        var index = 0
        let ran = try await SecretValuesBackendConformance.run(backend) {
            index += 1
            // A metadata row without values, as the store creates it before storing values.
            let secret = try await store.create(name: "s\(index)", values: [:])
            try await backend.deleteValues(for: secret.id)
            return secret.id
        }
        #expect(ran.count == 6)
    }

    @Test func inMemoryBackendPassesTheConformanceSuite() async throws {
        #expect(try await SecretValuesBackendConformance.run(InMemoryValuesBackend()) { UUID() }.count == 6)
    }

    @Test func createGetUpdateRenameDelete() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try makeStore(directory)
        let created = try await store.create(name: "db", values: ["c": "3", "a": "1", "b": "2"])
        let found = try store.find("db")
        #expect(found.id == created.id)
        #expect(try await store.values(of: found).keys == ["c", "a", "b"])
        let updated = try await store.update(found, addOrUpdate: ["d": "4"], removeKeys: ["a"])
        #expect(try await store.values(of: updated) == ["c": "3", "b": "2", "d": "4"])
        #expect(updated.updated > created.updated)
        await #expect(throws: FerryError.self) { try await store.update(updated, removeKeys: ["missing"]) }
        await #expect(throws: FerryError.self) { try await store.update(updated, addOrUpdate: ["x": "1"], removeKeys: ["x"]) }
        let renamed = try await store.update(updated, newName: "database")
        #expect(try store.find("database").id == created.id)
        #expect(throws: FerryError.self) { try store.find("db") }
        try await store.delete(renamed)
        #expect(throws: FerryError.self) { try store.find("database") }
        #expect(try rowCount(store) == 0)
    }

    @Test func namesAreUniquePerVisibilityAsInZenML080() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try makeStore(directory)
        let publicOne = try await store.create(name: "shared", values: ["v": "public"])
        await #expect { try await store.create(name: "shared", values: ["v": "again"]) } throws: {
            ($0 as? FerryError)?.message == "Found an existing public secret with the same 'shared' name."
        }
        let privateOne = try await store.create(name: "shared", values: ["v": "private"], isPrivate: true)
        await #expect(throws: FerryError.self) { try await store.create(name: "shared", values: [:], isPrivate: true) }
        // Public first, as `zenml secret get` does; `isPrivate` chooses.
        #expect(try store.find("shared").id == publicOne.id)
        #expect(try store.find("shared", isPrivate: true).id == privateOne.id)
        // Making the private one public would clash.
        await #expect(throws: FerryError.self) { try await store.update(privateOne, isPrivate: false) }
        #expect(try store.secret(id: privateOne.id).isPrivate)
        #expect(try rowCount(store) == 2)
    }

    @Test func findByIDAndPrefixes() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try makeStore(directory)
        let one = try await store.create(name: "prod-db", values: ["a": "1"])
        _ = try await store.create(name: "prod-cache", values: ["a": "1"])
        #expect(try store.find(one.id.uuidString).id == one.id)
        #expect(try store.find(one.id.hexString).id == one.id)
        #expect(try store.find("-db", allowPartial: true).id == one.id)
        #expect(throws: FerryError.self) { try store.find("-db", allowPartial: false) }
        #expect { try store.find("prod", allowPartial: true) } throws: { ($0 as? FerryError)?.code == .ambiguousSecret }
        #expect(try store.find(String(one.id.hexString.prefix(12)), allowPartial: true).id == one.id)
    }

    @Test func listFiltersSortsAndPages() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try makeStore(directory)
        for index in 0..<25 { try await store.create(name: String(format: "s%02d", index), values: ["i": "\(index)"]) }
        try await store.create(name: "private-one", values: [:], isPrivate: true)
        var query = SecretQuery()
        query.sort = try .init("asc:name")
        query.size = 10
        query.page = 3
        let page = try store.list(query)
        #expect(page.total == 26 && page.totalPages == 3 && page.items.count == 6)
        #expect(page.items.first?.name == "s19")   // "private-one" sorts first
        query = SecretQuery()
        query.filters = [try .init(field: .name, expression: "startswith:s1")]
        #expect(try store.list(query).total == 10)
        query.filters = [try .init(field: .private, expression: "true")]
        #expect(try store.list(query).items.map(\.name) == ["private-one"])
        query.filters = [try .init(field: .name, expression: "oneof:s01,s02"), try .init(field: .name, expression: "private-one")]
        query.matchAny = true
        #expect(try store.list(query).total == 3)
        #expect(try store.list(SecretQuery()).items.first?.name == "private-one")   // newest first
        #expect(throws: FerryError.self) { try SecretQuery.Sort("desc:colour") }
        #expect(throws: FerryError.self) { try SecretQuery.Filter(field: .created, expression: "gte:yesterday") }
    }

    @Test func valuesLayoutInTheDatabaseIsZenMLs() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try makeStore(directory)
        let secret = try await store.create(name: "plain", values: ["a": "1"])
        let row = try store.database.withConnection { db in
            try db.query("SELECT id, \"values\", typeof(\"values\"), created FROM secret", [], {
                ($0.text(0) ?? "", $0.text(1) ?? "", $0.text(2) ?? "", $0.text(3) ?? "")
            })[0]
        }
        #expect(row.0 == secret.id.hexString)
        #expect(row.1 == "eyJhIjogIjEifQ==")   // base64 of {"a": "1"}, as ZenML stores it
        #expect(row.2 == "blob")
        #expect(ZenMLTimestamp.parse(row.3) != nil && row.3.count == 26)
        let mode = try FileManager.default.attributesOfItem(atPath: directory.file("ferry.db"))[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let journal = try store.database.withConnection { try $0.query("PRAGMA journal_mode", [], { $0.text(0) ?? "" })[0] }
        #expect(journal == "wal")
    }

    @Test func aWrongOrMissingKeyChangesNothing() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let encrypted = try makeStore(directory, key: "right key")
        let secret = try await encrypted.create(name: "s", values: ["pw": "top"])
        for (key, code) in [("wrong key", .wrongEncryptionKey), (nil, .missingEncryptionKey)] as [(String?, FerryError.Code)] {
            let store = try makeStore(directory, key: key)
            await #expect { _ = try await store.values(of: secret) } throws: { ($0 as? FerryError)?.code == code }
            await #expect { try await store.create(name: "t", values: ["a": "b"]) } throws: { ($0 as? FerryError)?.code == code }
            await #expect { try await store.update(secret, addOrUpdate: ["a": "b"]) } throws: { ($0 as? FerryError)?.code == code }
            await #expect { try await store.delete(secret) } throws: { ($0 as? FerryError)?.code == code }
            #expect(try rowCount(store) == 1)
        }
        let reopened = try makeStore(directory, key: "right key")
        #expect(try await reopened.values(of: secret) == ["pw": "top"])
        #expect(ZenMLTimestamp.format(try reopened.find("s").updated) == ZenMLTimestamp.format(secret.updated))
        // An unencrypted store refuses a key once it holds values.
        let plain = try makeStore(directory, file: "plain.db")
        try await plain.create(name: "p", values: ["a": "1"])
        let keyed = try makeStore(directory, key: "k", file: "plain.db")
        await #expect { try await keyed.create(name: "q", values: ["a": "1"]) } throws: {
            ($0 as? FerryError)?.code == .unexpectedEncryptionKey
        }
    }

    @Test func limitsOfNamesAndValues() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try makeStore(directory)
        await #expect(throws: FerryError.self) { try await store.create(name: "", values: [:]) }
        await #expect(throws: FerryError.self) { try await store.create(name: String(repeating: "n", count: 256), values: [:]) }
        try await store.create(name: String(repeating: "n", count: 255), values: [:])
        await #expect(throws: FerryError.self) {
            try await store.create(name: "big", values: ["k": String(repeating: "v", count: 64 * 1024)])
        }
        #expect(try rowCount(store) == 1)
    }

    @Test func aBackendFailureLeavesNoMetadata() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let database = try StoreDatabase(path: directory.file("ferry.db"))
        let store = SecretStore(database: database, backend: FailingBackend())
        await #expect(throws: FerryError.self) { try await store.create(name: "s", values: ["a": "1"]) }
        #expect(try rowCount(store) == 0)
    }

    @Test func configurationFromFileAndEnvironment() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.file("store.yaml")
        try Data("secrets_store:\n  type: sql\n  encryption_key: from-file\n".utf8).write(to: URL(fileURLWithPath: file))
        var configuration = try StoreConfiguration.resolve(environment: ["FERRY_HOME": directory.path])
        #expect(configuration.databasePath == directory.file("ferry.db"))
        #expect(configuration.secretsStore.encryptionKey == "from-file")
        configuration = try StoreConfiguration.resolve(environment: ["FERRY_HOME": directory.path,
                                                                     "FERRY_SECRETS_STORE_ENCRYPTION_KEY": "from-env"])
        #expect(configuration.secretsStore.encryptionKey == "from-env")
        configuration = try StoreConfiguration.resolve(environment: ["FERRY_HOME": directory.path, "FERRY_SECRETS_STORE_TYPE": "sql"])
        #expect(configuration.secretsStore.encryptionKey == nil)   // _TYPE replaces the file's block
        #expect(!configuration.secretsStore.description.contains("from-file"))
        configuration = try StoreConfiguration.resolve(environment: [:], store: "sqlite:////tmp/x.db")
        #expect(configuration.databasePath == "/tmp/x.db")
        try Data("secrets_store: [oops\n".utf8).write(to: URL(fileURLWithPath: file))
        #expect { try StoreConfiguration.resolve(environment: ["FERRY_HOME": directory.path]) } throws: {
            ($0 as? FerryError)?.message.contains(file) == true
        }
        #expect(throws: FerryError.self) {
            try SecretStore(configuration: StoreConfiguration(databasePath: directory.file("a.db"),
                                                              secretsStore: BackendConfiguration(type: "vault-ish")))
        }
    }

    /// Every bad `secrets_store` block fails with a message that names the problem, and creates no database.
    @Test(arguments: [
        (BackendConfiguration(type: "vault"), "No store implementation found for secrets store type `vault`."),
        (BackendConfiguration(type: "none"), "The secrets store type is `none`: no centralized secrets store is configured."),
        (BackendConfiguration(type: "sql", fields: ["region_name": "x"]), "The sql secrets store has no field `region_name`."),
        (BackendConfiguration(type: "aws", fields: ["vault_addr": "x", "zz": "y"]), "The aws secrets store has no field `vault_addr`, `zz`."),
        (BackendConfiguration(type: "hashicorp", fields: ["vault_addr": "http://v", "max_versions": "0"]), "`max_versions` must be a positive integer"),
        (BackendConfiguration(type: "hashicorp", fields: ["vault_addr": "http://v", "auth_method": "app_role", "app_role_id": "r"]),
         "The hashicorp secrets store needs `app_secret_id` for the `app_role` auth method."),
        (BackendConfiguration(type: "gcp"), "The gcp secrets store needs a `project_id` (in `auth_config`)."),
        (BackendConfiguration(type: "gcp", fields: ["auth_config": "[1]"]), "The gcp secrets store's `auth_config` is not a JSON object."),
        (BackendConfiguration(type: "gcp", fields: ["auth_method": "service-account", "auth_config": #"{"project_id": "p"}"#]),
         "The gcp secrets store needs `service_account_json` in `auth_config` for the `service-account` auth method."),
        (BackendConfiguration(type: "gcp", fields: ["project_id": "p", "auth_method": "external-account"]),
         "The gcp secrets store's `auth_method` is `external-account`"),
        (BackendConfiguration(type: "azure"), "The azure secrets store needs a `key_vault_name`."),
        (BackendConfiguration(type: "azure", fields: ["key_vault_name": "v", "auth_method": "access-token"]),
         "The azure secrets store needs `token` in `auth_config` for the `access-token` auth method."),
        (BackendConfiguration(type: "custom"), "The `custom` values back-end is not available in this Ferry build."),
    ])
    func badBackendConfigurationsCreateNothing(backend: BackendConfiguration, message: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect {
            try SecretStore(configuration: StoreConfiguration(databasePath: directory.file("ferry.db"), secretsStore: backend), environment: [:])
        } throws: { ($0 as? FerryError)?.message.contains(message) == true }
        #expect(!FileManager.default.fileExists(atPath: directory.file("ferry.db")))
    }

    /// ZenML's `auth_config` as a nested mapping in store.yaml is read as the JSON its variable holds.
    @Test func nestedAuthConfigInTheFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Data("secrets_store:\n  type: gcp\n  auth_method: oauth2-token\n  auth_config:\n    project_id: p1\n    token: t\n".utf8)
            .write(to: URL(fileURLWithPath: directory.file("store.yaml")))
        let configuration = try StoreConfiguration.resolve(environment: ["FERRY_HOME": directory.path])
        #expect(configuration.secretsStore.fields["auth_config"] == #"{"project_id": "p1", "token": "t"}"#)
        #expect(!configuration.secretsStore.description.contains("\"t\""), "the description shows no credential")
    }
}

struct FailingBackend: SecretValuesBackend {
    let type = "failing"
    func storeValues(_ values: SecretValues, for id: UUID) async throws { throw FerryError(.backend, "unreachable") }
    func getValues(for id: UUID) async throws -> SecretValues { throw FerryError(.backend, "unreachable") }
    func updateValues(_ values: SecretValues, for id: UUID) async throws { throw FerryError(.backend, "unreachable") }
    func deleteValues(for id: UUID) async throws { throw FerryError(.backend, "unreachable") }
}

@Suite struct ListPathsAgreeTests {
    /// Without filters SQLite sorts and pages; with filters Swift does. Both must agree.
    @Test(arguments: ["asc:name", "desc:name", "desc:created", "asc:updated", "asc:private", "desc:id"])
    func sqlAndSwiftOrderingsMatch(sort: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = try makeStore(directory)
        for name in ["b", "a", "B", "é", "e\u{301}", "z9", "Z10", "日本", "🔐", "a b"] {
            try await store.create(name: name, values: ["k": name], isPrivate: name.hasPrefix("a"))
        }
        var plain = SecretQuery()
        plain.sort = try .init(sort)
        plain.size = 3
        var filtered = plain
        filtered.filters = [try .init(field: .name, expression: "notequals:\u{0}")]
        for page in 1...4 {
            plain.page = page
            filtered.page = page
            let a = try store.list(plain), b = try store.list(filtered)
            #expect(a.items.map(\.id) == b.items.map(\.id), "page \(page)")
            #expect(a.total == 10 && b.total == 10 && a.totalPages == 4)
        }
    }
}

struct ForeignBackend: SecretValuesBackend {
    let type = "foreign"
    func storeValues(_ values: SecretValues, for id: UUID) async throws {}
    func getValues(for id: UUID) async throws -> SecretValues { throw FerryError(.notFound, code: .valuesNotOurs, "not ours") }
    func updateValues(_ values: SecretValues, for id: UUID) async throws {}
    func deleteValues(for id: UUID) async throws { throw FerryError(.notFound, code: .valuesNotOurs, "not ours") }
}

@Suite struct ForeignValuesTests {
    /// Values that belong to another ZenML deployment are never a reason to drop the metadata silently.
    @Test func deleteRefusesWhenTheValuesAreAnotherStores() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let store = SecretStore(database: try StoreDatabase(path: directory.file("ferry.db")), backend: ForeignBackend())
        let secret = try await store.create(name: "s", values: ["a": "1"])
        await #expect { try await store.delete(secret) } throws: { ($0 as? FerryError)?.code == .valuesNotOurs }
        #expect(try rowCount(store) == 1)
    }
}

@Suite struct OwnershipMismatchTests {
    /// `values_not_ours` is the one not-found error a back-end must not read as "the values are missing".
    @Test func onlyValuesNotOursIsAnOwnershipMismatch() throws {
        #expect(FerryError(.notFound, code: .valuesNotOurs, "m").isOwnershipMismatch)
        #expect(!FerryError(.notFound, code: .valuesNotFound, "m").isOwnershipMismatch)
        #expect(!FerryError(.notFound, "m").isOwnershipMismatch)
        let mine = UUID(), secret = UUID()
        #expect { try ZenMLSecretMetadata.check({ ["zenml": UUID().uuidString.lowercased()][$0] }, store: mine, secret: secret, object: "x", kind: "tag") }
            throws: { ($0 as? FerryError)?.isOwnershipMismatch == true }
    }
}

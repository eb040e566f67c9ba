import FerryCore
import FerryGCP
import FerryHTTP
import FerryLegacy
import FerryStore
import FerryTesting
import Foundation
import Testing

/// The `gcp` flavor and the `gcp` values back-end against drongo (which ignores `filter`, so
/// Ferry's own label check is what keeps scopes apart) and against Ferry's fake (which filters
/// and pages as Google documents).
@Suite(.enabled(if: GCPServers.available || Repository.inCI, "needs scripts/gcp-servers"))
struct GCPLegacyFlavorTests {
    enum Server: String, CaseIterable { case drongo, fake }

    static func client(_ server: Server, project: String) throws -> GCPSecretManagerClient {
        server == .drongo ? try GCPServers.drongoClient(project: project) : try GCPServers.fakeClient(project: project)
    }

    static func manager(_ server: Server, project: String, scope: LegacyScope, id: UUID = UUID(), namespace: String? = nil,
                        name: String = "ferry_gcp_test") throws -> GCPLegacySecretsManager
    {
        let component = LegacyComponent(id: id, name: name, flavor: "gcp", scope: scope,
                                        namespace: namespace ?? (scope == .namespace ? "team-x" : nil),
                                        configuration: ["project_id": project])
        return try GCPLegacySecretsManager(component: component, client: client(server, project: project))
    }

    @Test(arguments: Server.allCases, [LegacyScope.none, .global, .component, .namespace])
    func passesTheConformanceSuite(server: Server, scope: LegacyScope) async throws {
        let project = GCPServers.uniqueProject("conf")
        let ran = try await LegacySecretsManagerConformance.run(names: ["db", "with_underscore", "dash-09"]) {
            try Self.manager(server, project: project, scope: scope)
        }
        #expect(ran.count == 9)
    }

    /// Every scope in one project, on a server that ignores filters: each manager sees its own.
    @Test(arguments: Server.allCases)
    func nothingLeaksAcrossScopes(server: Server) async throws {
        let project = GCPServers.uniqueProject("leak")
        let managers = [
            try Self.manager(server, project: project, scope: .none),
            try Self.manager(server, project: project, scope: .global),
            try Self.manager(server, project: project, scope: .component),
            try Self.manager(server, project: project, scope: .component),
            try Self.manager(server, project: project, scope: .namespace, namespace: "team-a"),
            try Self.manager(server, project: project, scope: .namespace, namespace: "team-b"),
        ]
        for (index, manager) in managers.enumerated() {
            try await manager.registerSecret(LegacySecret(name: "shared", values: ["owner": "\(index)"]))
            try await manager.registerSecret(LegacySecret(name: "only_\(index)", values: ["k": "v"]))
        }
        for (index, manager) in managers.enumerated() {
            #expect(Set(try await manager.secretNames()) == ["shared", "only_\(index)"], "manager \(index)")
            #expect(try await manager.getSecret(named: "shared").values == ["owner": "\(index)"], "manager \(index)")
            let other = (index + 1) % managers.count
            await #expect(throws: FerryError.self) { _ = try await manager.getSecret(named: "only_\(other)") }
        }
        for manager in managers { try await manager.deleteAllSecrets() }
        #expect(try await Self.client(server, project: project).listSecrets().isEmpty)
    }

    /// The none scope's per-key layout: ZenML's ids and labels, and an update that adds and
    /// removes keys (ZenML's own update failed on a new key and left removed ones behind).
    @Test func noneScopeLayoutAndKeyChanges() async throws {
        let project = GCPServers.uniqueProject("none")
        let manager = try Self.manager(.fake, project: project, scope: .none)
        let client = try Self.client(.fake, project: project)
        try await manager.registerSecret(LegacySecret(name: "db", schemaType: "basic_auth", values: ["username": "u", "password": "p"]))
        let listed = try await client.listSecrets()
        #expect(listed.map(\.id).sorted() == ["db_password", "db_username"])
        #expect(listed.allSatisfy { $0.label("zenml-group-key") == "db" && $0.label("zenml-schema-name") == "basic_auth" })
        #expect(listed.allSatisfy { $0.labels.count == 2 })
        #expect(String(decoding: try await client.access(id: "db_password"), as: UTF8.self) == "p")

        try await manager.updateSecret(LegacySecret(name: "db", values: ["username": "v", "token": "t"]))
        #expect(try await client.listSecrets().map(\.id).sorted() == ["db_token", "db_username"])
        let read = try await manager.getSecret(named: "db")
        #expect(read.values == ["username": "v", "token": "t"] && read.schemaType == "arbitrary")

        // A key ZenML's update left behind (a secret of the group nobody wrote again) reads back, as in ZenML.
        try await client.createSecret(id: "db_stale", labels: [("zenml-group-key", "db"), ("zenml-schema-name", "arbitrary")])
        try await client.addVersion(id: "db_stale", data: Array("old".utf8))
        #expect(try await manager.getSecret(named: "db").values["stale"] == "old")

        // A failed register leaves nothing: `é` is a valid Python key but not a GCP secret id.
        await #expect(throws: FerryError.self) {
            try await manager.registerSecret(LegacySecret(name: "bad", values: ["a": "1", "é": "2"]))
        }
        #expect(try await client.listSecrets().filter { $0.id.hasPrefix("bad_") }.isEmpty)
        await #expect { try await manager.registerSecret(LegacySecret(name: "Upper", values: ["a": "1"])) } throws: {
            ($0 as? FerryError)?.message.contains("Must contain only lowercase alphanumeric characters") == true
        }
        await #expect { try await manager.registerSecret(LegacySecret(name: String(repeating: "a", count: 64), values: ["a": "1"])) } throws: {
            ($0 as? FerryError)?.message.contains("limited to maximum 63 characters") == true
        }
        try await manager.deleteAllSecrets()
    }

    @Test func scopedLayoutIsZenMLs() async throws {
        let project = GCPServers.uniqueProject("scoped")
        let id = UUID()
        let manager = try Self.manager(.fake, project: project, scope: .component, id: id, name: "my_sm")
        let client = try Self.client(.fake, project: project)
        try await manager.registerSecret(LegacySecret(name: "db", schemaType: "basic_auth", values: ["username": "u", "password": "p"]))
        let secret = try await client.getSecret(id: "zenml-component-\(id.uuidString.lowercased())-db")
        #expect(secret.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } == [
            "zenml_component_name=my_sm", "zenml_component_uuid=\(id.uuidString.lowercased())", "zenml_scope=component",
            "zenml_secret_name=db", "zenml_secret_schema=basic_auth",
        ])
        #expect(String(decoding: try await client.access(id: secret.id), as: UTF8.self)
            == #"{"username": "u", "password": "p", "zenml_schema_name": "basic_auth"}"#)
        try await manager.deleteAllSecrets()
    }

    /// ZenML 0.52.0's own `GCPSecretsManager` (pointed at drongo) reads what Ferry registers.
    @Test(arguments: [LegacyScope.none, .global, .component, .namespace])
    func zenmlReadsWhatFerryRegisters(scope: LegacyScope) async throws {
        let python = try #require(Repository.zenml052Python, "CI must set FERRY_ZENML052_PYTHON")
        let project = GCPServers.uniqueProject("interop")
        let id = UUID()
        let namespace = scope == .namespace ? "interop" : nil
        let manager = try Self.manager(.drongo, project: project, scope: scope, id: id, namespace: namespace, name: "ferry_interop")
        let secrets = try ZenMLInteropCheck.secrets(awkward: "awkward", basicAuth: "basic-auth_1", seldon: "seldon")
        let problems = try await ZenMLInteropCheck.run(manager, registering: secrets, fields: [("project_id", project)], python: python,
                                                       script: Repository.fixtures(from: #filePath) + "/tools/zenml_gcp_read.py",
                                                       arguments: ["--endpoint", try #require(GCPServers.drongo)])
        #expect(problems.isEmpty, "\(problems)")
        try await manager.deleteAllSecrets()
    }

    @Test(arguments: Server.allCases)
    func gcpBackendPassesTheConformanceSuite(server: Server) async throws {
        let project = GCPServers.uniqueProject("backend")
        let backend = GCPValuesBackend(client: try Self.client(server, project: project), storeID: UUID())
        let other = GCPValuesBackend(client: try Self.client(server, project: project), storeID: UUID())
        #expect(try await SecretValuesBackendConformance.run(backend, foreign: other) { UUID() }.count == 7)
        let id = UUID()
        try await backend.storeValues(["a": "1"], for: id)
        let stored = try await backend.client.getSecret(id: "zenml-\(id.uuidString.lowercased())")
        #expect(stored.label("zenml") == backend.storeID.uuidString.lowercased())
        #expect(stored.label("zenml_secret_id") == id.uuidString.lowercased())
        try await backend.deleteValues(for: id)
    }

    /// The embedded store with its values in GCP, configured as ZenML ≥ 0.55 configures it.
    @Test func storeWithServiceAccountAuthConfig() async throws {
        let project = GCPServers.uniqueProject("store")
        let key = try String(contentsOfFile: try #require(GCPServers.keyFile), encoding: .utf8)
        let folder = try TemporaryDirectory("ferry-gcp-store")
        defer { folder.remove() }
        let authConfig = PythonJSON.dumps(.object([("project_id", .string(project)), ("service_account_json", .string(key))]))
        let store = try SecretStore(configuration: StoreConfiguration(
            databasePath: folder.file("ferry.db"),
            secretsStore: BackendConfiguration(type: "gcp", fields: ["auth_method": "service-account", "auth_config": authConfig,
                                                                     "endpoint_url": try #require(GCPServers.fake)])),
                                    environment: [:])
        let secret = try await store.create(name: "db", values: ["password": "s3cr3t"])
        #expect(try await store.values(of: secret) == ["password": "s3cr3t"])
        let client = try GCPServers.fakeClient(project: project)
        #expect(try await client.listSecrets().map(\.id) == ["zenml-\(secret.id.uuidString.lowercased())"])
        try await store.delete(secret)
        #expect(try await client.listSecrets().isEmpty)
        // A missing field of the auth method is an error before anything is created.
        #expect {
            _ = try SecretStore(configuration: StoreConfiguration(
                databasePath: folder.file("bad.db"),
                secretsStore: BackendConfiguration(type: "gcp", fields: ["auth_method": "service-account",
                                                                         "auth_config": #"{"project_id": "p"}"#])),
                                environment: [:])
        } throws: { ($0 as? FerryError)?.message.contains("`service_account_json`") == true }
        #expect(!FileManager.default.fileExists(atPath: folder.file("bad.db")))
    }
}

/// Secrets real ZenML 0.52.0 wrote through its `GCPSecretsManager` (LegacyFixtures/gcp),
/// replayed by scripts/test into project `ferry-fixtures` of drongo (which ignores filters, so
/// Ferry's own label check must keep the scopes apart) and of Ferry's fake (which filters, and
/// here pages 5 secrets at a time).
@Suite(.enabled(if: GCPServers.available || Repository.inCI, "needs drongo and the fake with the replayed dump (scripts/test)"))
struct GCPFixtureTests {
    @Test(arguments: GCPLegacyFlavorTests.Server.allCases)
    func everyZenMLWrittenSecretIsListedAndReadExactly(server: GCPLegacyFlavorTests.Server) async throws {
        let set = try LegacyFixtureSet(root: Repository.fixtures(from: #filePath) + "/gcp/zenml-0.52.0", flavor: "gcp")
        #expect(set.components.count == 8)
        var total = 0
        let counting = GCPFakeServerTests.Counting()
        for fixture in set.components {
            let project = fixture.component.configuration["project_id"] ?? ""
            var client: GCPSecretManagerClient
            if server == .drongo {
                client = try GCPServers.drongoClient(project: project)
            } else {
                client = try GCPSecretManagerClient.make(environment: ["GOOGLE_APPLICATION_CREDENTIALS": try #require(GCPServers.keyFile)],
                                                         project: project, endpoint: try #require(GCPServers.fake), transport: counting)
                client.listPageSize = 5
            }
            let problems = try await fixture.check(try GCPLegacySecretsManager(component: fixture.component, client: client))
            #expect(problems.isEmpty, "\(problems)")
            total += fixture.secrets.count
        }
        #expect(total >= 48)
        // As after ZenML ≥ 0.53: the components are gone, the labels tell them.
        var base = try #require(set.components.first).component
        base.scope = .none
        base.namespace = nil
        var client = server == .drongo ? try GCPServers.drongoClient(project: "ferry-fixtures")
            : try GCPSecretManagerClient.make(environment: ["GOOGLE_APPLICATION_CREDENTIALS": try #require(GCPServers.keyFile)],
                                              project: "ferry-fixtures", endpoint: try #require(GCPServers.fake), transport: counting)
        client.listPageSize = 5
        let recovered = try await GCPLegacySecretsManager(component: base, client: client).recoverComponents()
        let problems = set.checkRecovery(recovered, namesKept: true, noneFound: true)
        #expect(problems.isEmpty, "\(problems)")
        if server == .fake {
            // The none scope alone has 50 GCP secrets: its listings took several pages.
            #expect(counting.pageTokens > 10)
        }
    }
}

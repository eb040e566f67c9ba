import FerryAzure
import FerryCore
import FerryHTTP
import FerryLegacy
import FerryStore
import FerryTesting
import Foundation
import Testing

/// The two fake Key Vaults scripts/test starts (scripts/azure-servers): `FERRY_AZURE_*` for the
/// tests' own secrets, `FERRY_AZURE_FIXTURES_*` holding what real ZenML 0.52.0 wrote.
enum AzureServers {
    static let environment = ProcessInfo.processInfo.environment
    static func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
    static var available: Bool { value("FERRY_AZURE_VAULT_URL") != nil && value("FERRY_AZURE_FIXTURES_VAULT_URL") != nil }

    /// The variables ``AzureCredentials`` reads, for a service principal of the fake's tenant.
    static func credentials(fixtures: Bool = false) throws -> [String: String] {
        let prefix = fixtures ? "FERRY_AZURE_FIXTURES_" : "FERRY_AZURE_"
        return ["AZURE_CLIENT_ID": try #require(value("FERRY_AZURE_CLIENT_ID")),
                "AZURE_CLIENT_SECRET": try #require(value(prefix + "CLIENT_SECRET")),
                "AZURE_TENANT_ID": try #require(value("FERRY_AZURE_TENANT_ID")),
                "AZURE_AUTHORITY_HOST": try #require(value(prefix + "AUTHORITY_HOST")),
                "REQUESTS_CA_BUNDLE": try #require(value(prefix + "CA"))]
    }

    static func client(fixtures: Bool = false, transport: (any HTTPTransport)? = nil) throws -> KeyVaultClient {
        let prefix = fixtures ? "FERRY_AZURE_FIXTURES_" : "FERRY_AZURE_"
        return try KeyVaultClient.make(environment: try credentials(fixtures: fixtures), vaultName: nil,
                                       vaultURL: try #require(value(prefix + "VAULT_URL")), transport: transport)
    }

    @discardableResult
    static func hook(_ method: String, _ path: String, _ body: String? = nil) async throws -> HTTPResponse {
        var request = HTTPRequest(method: method, url: URL(string: try #require(value("FERRY_AZURE_VAULT_URL")) + path)!)
        if let body {
            request.body = Data(body.utf8)
            request.setHeader("Content-Type", "application/json")
        }
        return try await SocketTransport(caFile: value("FERRY_AZURE_CA")).send(request)
    }
}

/// Without a server.
struct AzureUnitTests {
    @Test func keyNamesAreZenMLs() {
        // ZenML 0.52.0: "zenml-" + base64.b64encode(f"{name}-{key}".encode()).hex()
        #expect(AzureLegacySecretsManager.keyName(secret: "db_creds", key: "user") == "zenml-5a474a6659334a6c5a484d7464584e6c63673d3d")
    }

    /// The flavor registry builds the `azure` manager's client on the context's transport (a stub
    /// here), so it can be tested without a Key Vault.
    @Test func flavorFactorySendsThroughTheGivenTransport() async throws {
        let transport = RecordingTransport { _ in HTTPResponse(status: 200, headers: [:], body: Data(#"{"value": []}"#.utf8)) }
        let component = LegacyComponent(id: UUID(), name: "kv", flavor: "azure", configuration: ["key_vault_name": "ferry-stub"])
        let context = LegacyContext(paths: ZenMLPaths(configDirectory: "/nonexistent"), environment: ["AZURE_ACCESS_TOKEN": "t"],
                                    transport: transport)
        let manager = try LegacyFlavors.manager(for: component, context: context)
        #expect(try await manager.secretNames() == [])
        #expect(!transport.sent.isEmpty && transport.sent.allSatisfy { $0.url.host == "ferry-stub.vault.azure.net" })
    }

    @Test func challengeParsing() {
        let parsed = KeyVaultClient.parseChallenge(#"Bearer authorization="https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47", resource="https://vault.azure.net""#)
        #expect(parsed?.tenant == "72f988bf-86f1-41af-91ab-2d7cd011db47" && parsed?.scope == "https://vault.azure.net/.default")
        let scoped = KeyVaultClient.parseChallenge(#"Bearer authorization_uri="https://login.windows.net/t1", scope="https://vault.azure.net/.default""#)
        #expect(scoped?.tenant == "t1" && scoped?.scope == "https://vault.azure.net/.default")
        #expect(KeyVaultClient.parseChallenge("Basic realm=x") == nil)
        #expect(KeyVaultClient.parseChallenge(nil) == nil)
    }

    @Test func credentialOrder() throws {
        let transport = SocketTransport()
        #expect(try AzureCredentials.resolve(environment: ["AZURE_ACCESS_TOKEN": "t", "AZURE_CLIENT_SECRET": "s"], transport: transport)
            .description == "a fixed access token")
        #expect(try AzureCredentials.resolve(environment: ["AZURE_CLIENT_ID": "c", "AZURE_CLIENT_SECRET": "s", "AZURE_TENANT_ID": "t"],
                                             transport: transport).description == "client c of tenant t")
        #expect(throws: FerryError.self) { try AzureCredentials.resolve(environment: ["AZURE_CLIENT_SECRET": "s"], transport: transport) }
        #expect(try AzureCredentials.resolve(environment: ["IDENTITY_ENDPOINT": "http://127.0.0.1:1/msi/token", "IDENTITY_HEADER": "h"],
                                             transport: transport).description == "the managed identity at http://127.0.0.1:1")
        #expect(try AzureCredentials.resolve(environment: [:], transport: transport).description
            == "the managed identity of the instance metadata service at http://169.254.169.254")
    }
}

/// Everything against the test vault, one test at a time: the fake's hooks (throttling, token
/// expiry) act on whichever request comes next, and the none scope lists the whole vault.
@Suite(.serialized, .enabled(if: AzureServers.available || Repository.inCI, "needs scripts/azure-servers (FERRY_AZURE_VAULT_URL)"))
struct AzureTestVault {}

/// The Key Vault client against the fake: challenge, tokens, paging, soft delete, throttling.
extension AzureTestVault {
@Suite struct KeyVaultClientTests {
    let prefix = "kv-\(UUID().uuidString.prefix(8).lowercased())"

    @Test func challengeTokenAndEveryOperation() async throws {
        let vault = try AzureServers.client()
        #expect(vault.credentials.description.hasPrefix("client "))
        let name = "\(prefix)-db"
        try await vault.setSecret(name, value: "v1 pä$$", tags: [("team", "ml")], contentType: "text/plain")
        let second = try await vault.setSecret(name, value: "v2")
        #expect(try await vault.getSecret(name).value == "v2")
        let versions = try await vault.listVersions(name)
        #expect(versions.count == 2)
        let first = try #require(versions.first { $0.version != second.version })
        #expect(try await vault.getSecret(name, version: first.version ?? "").value == "v1 pä$$")
        try await vault.updateProperties(name, tags: [("team", "data")], contentType: "application/json")
        let updated = try await vault.getSecret(name)
        #expect(updated.tag("team") == "data" && updated.contentType == "application/json")

        // Soft delete: gone from the listing, present among the deleted, recoverable, purgeable.
        try await vault.deleteSecret(name)
        await #expect { _ = try await vault.getSecret(name) } throws: { ($0 as? FerryError)?.kind == .notFound }
        #expect(try await vault.getDeletedSecret(name).name.lowercased() == name)
        #expect(try await vault.listDeletedSecrets().contains { $0.name.lowercased() == name })
        try await vault.recoverDeletedSecret(name)
        #expect(try await vault.getSecret(name).value == "v2")
        // Writing a soft-deleted name recovers it first, instead of failing with 409.
        try await vault.deleteSecret(name)
        await #expect { try await vault.setSecret(name, value: "v3", recoverDeleted: false) } throws: {
            ($0 as? FerryError)?.code == .azureDeletedRecoverable
        }
        try await vault.setSecret(name, value: "v3")
        #expect(try await vault.getSecret(name).value == "v3")
        try await vault.deleteSecret(name)
        try await vault.purgeDeletedSecret(name)
        await #expect { _ = try await vault.getDeletedSecret(name) } throws: { ($0 as? FerryError)?.kind == .notFound }
    }

    @Test func listingFollowsNextLink() async throws {
        let vault = try AzureServers.client()
        for index in 0..<7 { try await vault.setSecret("\(prefix)-page-\(index)", value: "\(index)") }
        let listed = try await vault.listSecrets(pageSize: 2).map { $0.name.lowercased() }.filter { $0.hasPrefix("\(prefix)-page-") }
        #expect(listed.sorted() == (0..<7).map { "\(prefix)-page-\($0)" })
        for index in 0..<7 { try await vault.deleteSecret("\(prefix)-page-\(index)") }
    }

    /// Records the status of every answer that passes through it.
    final class Recording: HTTPTransport, @unchecked Sendable {
        let inner: SocketTransport
        private let lock = NSLock()
        private var seen: [(status: Int, retryAfter: String?)] = []
        init(caFile: String?) { inner = SocketTransport(caFile: caFile) }
        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            let response = try await inner.send(request)
            lock.withLock { seen.append((response.status, response.header("retry-after"))) }
            return response
        }
        var answers: [(status: Int, retryAfter: String?)] { lock.withLock { seen } }
    }

    @Test func throttlingIsRetried() async throws {
        let recording = Recording(caFile: AzureServers.value("FERRY_AZURE_CA"))
        let vault = try AzureServers.client(transport: recording)
        try await vault.setSecret("\(prefix)-throttle", value: "x")
        try await AzureServers.hook("POST", "/fake/throttle", #"{"count": 2, "retry_after": 1, "target": "vault"}"#)
        let before = recording.answers.count
        #expect(try await vault.getSecret("\(prefix)-throttle").value == "x")
        // Two 429 answers with Retry-After, then the read itself.
        let statuses = recording.answers.dropFirst(before)
        #expect(statuses.map(\.status) == [429, 429, 200])
        #expect(statuses.first?.retryAfter == "1")
        try await vault.deleteSecret("\(prefix)-throttle")
    }

    @Test func wrongSecretAndExpiredTokensFailClearly() async throws {
        var environment = try AzureServers.credentials()
        environment["AZURE_CLIENT_SECRET"] = "not-the-secret"
        let wrong = try KeyVaultClient.make(environment: environment, vaultName: nil,
                                            vaultURL: try #require(AzureServers.value("FERRY_AZURE_VAULT_URL")))
        await #expect { _ = try await wrong.listSecrets() } throws: { error in
            let message = (error as? FerryError)?.message ?? ""
            return (error as? FerryError)?.code == .azureTokenRefused && message.contains("invalid_client")
                && !message.contains("not-the-secret")
        }
        let fixed = KeyVaultClient(vaultURL: URL(string: try #require(AzureServers.value("FERRY_AZURE_VAULT_URL")))!,
                                   credentials: AzureStaticToken("eyJ.not-a-token"),
                                   transport: SocketTransport(caFile: AzureServers.value("FERRY_AZURE_CA")))
        await #expect { _ = try await fixed.listSecrets() } throws: { error in
            (error as? FerryError)?.code == .azureUnauthenticated
                && (error as? FerryError)?.message.contains("(a fixed access token) for the list of secrets") == true
        }
        // Tokens that expire are fetched again (the client retries once after a 401).
        let vault = try AzureServers.client()
        _ = try await vault.listSecrets()
        try await AzureServers.hook("POST", "/fake/expire-tokens")
        _ = try await vault.listSecrets()
    }

    @Test func managedIdentityToken() async throws {
        let endpoint = try #require(AzureServers.value("FERRY_AZURE_IDENTITY_ENDPOINT"))
        let header = try #require(AzureServers.value("FERRY_AZURE_IDENTITY_HEADER"))
        let vault = try KeyVaultClient.make(environment: ["IDENTITY_ENDPOINT": endpoint, "IDENTITY_HEADER": header,
                                                          "REQUESTS_CA_BUNDLE": try #require(AzureServers.value("FERRY_AZURE_CA"))],
                                            vaultName: nil, vaultURL: try #require(AzureServers.value("FERRY_AZURE_VAULT_URL")))
        #expect(vault.credentials.description.hasPrefix("the managed identity at "))
        try await vault.setSecret("\(prefix)-mi", value: "from a managed identity")
        #expect(try await vault.getSecret("\(prefix)-mi").value == "from a managed identity")
        try await vault.deleteSecret("\(prefix)-mi")
    }
}

}

/// The `azure` flavor and the `azure` values back-end against the test vault; each test cleans up.
extension AzureTestVault {
@Suite struct AzureLegacyFlavorTests {
    static func manager(scope: LegacyScope, id: UUID = UUID(), namespace: String? = nil, name: String = "ferry_azure_test") throws
        -> AzureLegacySecretsManager
    {
        let component = LegacyComponent(id: id, name: name, flavor: "azure", scope: scope,
                                        namespace: namespace ?? (scope == .namespace ? "team-\(id.uuidString.prefix(6).lowercased())" : nil),
                                        configuration: ["key_vault_name": "ferry-tests"])
        return try AzureLegacySecretsManager(component: component, client: try AzureServers.client())
    }

    @Test(arguments: [LegacyScope.none, .global, .component, .namespace])
    func passesTheConformanceSuite(scope: LegacyScope) async throws {
        // Global secrets are shared by every global component: each run gets names of its own.
        let suffix = scope == .global ? "-\(UUID().uuidString.prefix(6).lowercased())" : ""
        let ran = try await LegacySecretsManagerConformance.run(names: ["db\(suffix)", "Mixed-Case-1\(suffix)", "with-dash\(suffix)"],
                                                                concurrentPrefix: "concurrent\(suffix)-") {
            try Self.manager(scope: scope)
        }
        #expect(ran.count == 9)
    }

    @Test func nothingLeaksAcrossScopes() async throws {
        let managers = [
            try Self.manager(scope: .none), try Self.manager(scope: .component), try Self.manager(scope: .component),
            try Self.manager(scope: .namespace, namespace: "leak-a"), try Self.manager(scope: .namespace, namespace: "leak-b"),
        ]
        for (index, manager) in managers.enumerated() {
            try await manager.registerSecret(LegacySecret(name: "shared", values: ["owner": "\(index)"]))
        }
        for (index, manager) in managers.enumerated() {
            #expect(try await manager.secretNames() == ["shared"], "manager \(index)")
            #expect(try await manager.getSecret(named: "shared").values == ["owner": "\(index)"], "manager \(index)")
        }
        for manager in managers { try await manager.deleteAllSecrets() }
    }

    @Test func noneScopeLayoutAndKeyChanges() async throws {
        let manager = try Self.manager(scope: .none)
        let vault = try AzureServers.client()
        try await manager.registerSecret(LegacySecret(name: "az_db", schemaType: "basic_auth", values: ["username": "u", "password": "p"]))
        let part = try await vault.getSecret(AzureLegacySecretsManager.keyName(secret: "az_db", key: "password"))
        #expect(part.value == "p")
        #expect(part.tags.map { "\($0.key)=\($0.value)" }.sorted()
            == ["zenml-group-key=az_db", "zenml-key-name=password", "zenml-schema-name=basic_auth"])
        try await manager.updateSecret(LegacySecret(name: "az_db", values: ["username": "v", "token": "t"]))
        #expect(try await manager.getSecret(named: "az_db").values == ["username": "v", "token": "t"])
        await #expect { _ = try await vault.getSecret(AzureLegacySecretsManager.keyName(secret: "az_db", key: "password")) } throws: {
            ($0 as? FerryError)?.kind == .notFound
        }
        // Deleted (soft-deleted) names can be registered again: Ferry recovers them first.
        try await manager.deleteSecret(named: "az_db")
        try await manager.registerSecret(LegacySecret(name: "az_db", values: ["username": "again"]))
        #expect(try await manager.getSecret(named: "az_db").values == ["username": "again"])
        try await manager.deleteAllSecrets()
    }

    @Test func scopedLayoutIsZenMLs() async throws {
        let id = UUID()
        let manager = try Self.manager(scope: .component, id: id, name: "my_sm")
        try await manager.registerSecret(LegacySecret(name: "db", schemaType: "basic_auth", values: ["username": "u", "password": "pé"]))
        let stored = try await AzureServers.client().getSecret("zenml-component-\(id.uuidString.lowercased())-db")
        #expect(stored.value == #"{"username": "u", "password": "p\u00e9", "zenml_schema_name": "basic_auth"}"#)
        #expect(stored.tags.map { "\($0.key)=\($0.value)" }.sorted() == [
            "zenml_component_name=my_sm", "zenml_component_uuid=\(id.uuidString.lowercased())", "zenml_scope=component",
            "zenml_secret_name=db", "zenml_secret_schema=basic_auth",
        ])
        await #expect { try await manager.registerSecret(LegacySecret(name: "bad_name", values: ["a": "1"])) } throws: {
            ($0 as? FerryError)?.message.contains("Must contain only alphanumeric characters and the character -.") == true
        }
        try await manager.deleteAllSecrets()
    }

    /// ZenML 0.52.0's own `AzureSecretsManager` (pointed at the fake) reads what Ferry registers.
    @Test(arguments: [LegacyScope.none, .global, .component, .namespace])
    func zenmlReadsWhatFerryRegisters(scope: LegacyScope) async throws {
        let python = try #require(Repository.zenml052Python, "CI must set FERRY_ZENML052_PYTHON")
        let id = UUID()
        let namespace = scope == .namespace ? "interop" : nil
        let manager = try Self.manager(scope: scope, id: id, namespace: namespace, name: "ferry_interop")
        let suffix = scope == .global ? "-\(id.uuidString.prefix(6).lowercased())" : ""
        let secrets = try ZenMLInteropCheck.secrets(awkward: "awkward\(suffix)", basicAuth: "basic-auth-1\(suffix)", seldon: nil)
        defer { Task { try? await manager.deleteAllSecrets() } }
        let credentials = try AzureServers.credentials()
        // The global scope is shared with other runs' secrets: only these must be found.
        let problems = try await ZenMLInteropCheck.run(
            manager, registering: secrets, fields: [("key_vault_name", "ferry-tests")], python: python,
            script: Repository.fixtures(from: #filePath) + "/tools/zenml_azure_read.py",
            arguments: ["--vault-url", try #require(AzureServers.value("FERRY_AZURE_VAULT_URL")),
                        "--ca", credentials["REQUESTS_CA_BUNDLE"] ?? "", "--authority", credentials["AZURE_AUTHORITY_HOST"] ?? "",
                        "--tenant", credentials["AZURE_TENANT_ID"] ?? "", "--client-id", credentials["AZURE_CLIENT_ID"] ?? "",
                        "--client-secret", credentials["AZURE_CLIENT_SECRET"] ?? ""],
            exactly: scope != .global)
        #expect(problems.isEmpty, "\(problems)")
        try await manager.deleteAllSecrets()
    }

    @Test func azureBackendPassesTheConformanceSuite() async throws {
        let backend = AzureValuesBackend(client: try AzureServers.client(), storeID: UUID())
        let other = AzureValuesBackend(client: try AzureServers.client(), storeID: UUID())
        #expect(try await SecretValuesBackendConformance.run(backend, foreign: other) { UUID() }.count == 7)
        let id = UUID()
        try await backend.storeValues(["a": "1"], for: id)
        let stored = try await backend.client.getSecret("zenml-\(id.uuidString.lowercased())")
        #expect(stored.contentType == "application/json" && stored.tag("zenml_secret_id") == id.uuidString.lowercased())
        try await backend.deleteValues(for: id)
    }

    /// The embedded store with its values in Key Vault, configured as ZenML ≥ 0.55 configures it.
    @Test func storeWithServicePrincipalAuthConfig() async throws {
        let credentials = try AzureServers.credentials()
        let folder = try TemporaryDirectory("ferry-azure-store")
        defer { folder.remove() }
        let authConfig = PythonJSON.dumps(.object([("client_id", .string(credentials["AZURE_CLIENT_ID"] ?? "")),
                                                   ("client_secret", .string(credentials["AZURE_CLIENT_SECRET"] ?? "")),
                                                   ("tenant_id", .string(credentials["AZURE_TENANT_ID"] ?? ""))]))
        let store = try SecretStore(configuration: StoreConfiguration(
            databasePath: folder.file("ferry.db"),
            secretsStore: BackendConfiguration(type: "azure", fields: [
                "key_vault_name": "ferry-tests", "vault_url": try #require(AzureServers.value("FERRY_AZURE_VAULT_URL")),
                "auth_method": "service-principal", "auth_config": authConfig,
            ])),
                                    environment: ["AZURE_AUTHORITY_HOST": credentials["AZURE_AUTHORITY_HOST"] ?? "",
                                                  "REQUESTS_CA_BUNDLE": credentials["REQUESTS_CA_BUNDLE"] ?? ""])
        let secret = try await store.create(name: "db", values: ["password": "s3cr3t"])
        #expect(try await store.values(of: secret) == ["password": "s3cr3t"])
        try await store.delete(secret)
        #expect {
            _ = try SecretStore(configuration: StoreConfiguration(
                databasePath: folder.file("bad.db"),
                secretsStore: BackendConfiguration(type: "azure", fields: ["key_vault_name": "v", "auth_method": "service-principal"])),
                                environment: [:])
        } throws: { ($0 as? FerryError)?.message.contains("`client_id`") == true }
        #expect(!FileManager.default.fileExists(atPath: folder.file("bad.db")))
    }
}

}

/// Secrets real ZenML 0.52.0 wrote through its `AzureSecretsManager` (LegacyFixtures/azure),
/// replayed into the fixtures vault by scripts/test, which pages 5 secrets at a time.
@Suite(.enabled(if: AzureServers.available || Repository.inCI, "needs the fixtures vault (scripts/test)"))
struct AzureFixtureTests {
    static let root = Repository.fixtures(from: #filePath) + "/azure/zenml-0.52.0"

    @Test func everyZenMLWrittenSecretIsListedAndReadExactly() async throws {
        let set = try LegacyFixtureSet(root: Self.root, flavor: "azure")
        #expect(set.components.count == 8)
        var total = 0
        for fixture in set.components {
            let manager = try AzureLegacySecretsManager(component: fixture.component, client: try AzureServers.client(fixtures: true))
            let problems = try await fixture.check(manager)
            #expect(problems.isEmpty, "\(problems)")
            total += fixture.secrets.count
            // The 0.9–0.10 layout: found only as stranded secrets of the none scope.
            let stranded = try await manager.strandedSecrets()
            if fixture.component.scope == .none {
                guard case .object(let top) = try PythonJSON.parse(try String(contentsOfFile: Self.root + "/expected.json", encoding: .utf8)),
                      case .object(let old)? = top.first(where: { $0.key == "layout_0_10" })?.value.member("secrets")
                else {
                    Issue.record("no layout_0_10 in expected.json")
                    continue
                }
                #expect(Set(stranded.map(\.name)) == Set(old.map(\.key)))
                for (name, value) in old {
                    let want = try LegacyFixtureSet.secret(name, value)
                    let got = try stranded.first { $0.name == name }?.result.get()
                    #expect(got?.values == want.values && got?.schemaType == want.schemaType, "stranded `\(name)`")
                }
            } else {
                #expect(stranded.isEmpty)
            }
        }
        #expect(total >= 50)
        // As after ZenML ≥ 0.53: the components are gone, the tags tell them.
        var base = try #require(set.components.first).component
        base.scope = .none
        let recovered = try await AzureLegacySecretsManager(component: base, client: try AzureServers.client(fixtures: true)).recoverComponents()
        let problems = set.checkRecovery(recovered, namesKept: true, noneFound: true)
        #expect(problems.isEmpty, "\(problems)")
    }
}

import FerryAWS
import FerryCore
import FerryHTTP
import FerryLegacy
import FerryStore
import FerryTesting
import Foundation
import Testing

/// The moto server that scripts/test starts with signature checking on (`scripts/moto-server`).
enum Moto {
    static let environment = ProcessInfo.processInfo.environment
    static var endpoint: String? { environment["FERRY_MOTO_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 } }
    static var available: Bool { endpoint != nil || Repository.inCI }

    /// A client for `region` with the IAM user's keys from the environment.
    static func client(region: String, secretKey: String? = nil) throws -> SecretsManagerClient {
        let endpoint = try #require(Moto.endpoint, "CI must set FERRY_MOTO_ENDPOINT (scripts/moto-server)")
        var explicit: AWSCredentials?
        if let secretKey {
            explicit = AWSCredentials(accessKeyID: environment["AWS_ACCESS_KEY_ID"] ?? "", secretAccessKey: secretKey,
                                      sessionToken: nil, expiration: nil)
        }
        return try SecretsManagerClient.make(environment: environment, region: region, endpoint: endpoint,
                                             explicitCredentials: explicit)
    }

    /// Deletes every secret of `region`, so a test starts from the same state on every run.
    static func wipe(_ region: String) async throws {
        let client = try client(region: region)
        for entry in try await client.listSecrets(includePlannedDeletion: true) {
            try await client.deleteSecret(id: entry.name, forceWithoutRecovery: true)
        }
    }

    /// A manager for a fresh component in `region`.
    static func manager(region: String, scope: LegacyScope, namespace: String? = nil, id: UUID = UUID(),
                        name: String = "ferry-test") throws -> AWSLegacySecretsManager
    {
        try AWSLegacySecretsManager(
            component: LegacyComponent(id: id, name: name, flavor: "aws", scope: scope, namespace: namespace,
                                       configuration: ["region_name": region]),
            client: client(region: region))
    }
}

/// Regions are separate back-ends in moto: each test that lists unscoped secrets gets its own.
@Suite(.enabled(if: Moto.available, "needs moto (scripts/moto-server; FERRY_MOTO_ENDPOINT)"))
struct AWSLegacyFlavorTests {
    @Test(arguments: [(LegacyScope.none, "eu-west-1"), (.global, "eu-west-2"), (.component, "eu-west-3"), (.namespace, "eu-central-1")])
    func passesTheConformanceSuiteInEveryScope(scope: LegacyScope, region: String) async throws {
        let namespace = scope == .namespace ? "ns-\(UUID().uuidString.prefix(8))" : nil
        try await Moto.wipe(region)
        let ran = try await LegacySecretsManagerConformance.run(names: ["db", "db.prod@eu+1=x-y_z", "MiXeD-09"]) {
            try Moto.manager(region: region, scope: scope, namespace: namespace)
        }
        #expect(ran.count == 9)
    }

    @Test func scopesAndComponentsDoNotLeak() async throws {
        try await Moto.wipe("ap-south-1")
        let region = "ap-south-1"
        let componentA = try Moto.manager(region: region, scope: .component)
        let componentB = try Moto.manager(region: region, scope: .component)
        let global = try Moto.manager(region: region, scope: .global)
        let teamA = try Moto.manager(region: region, scope: .namespace, namespace: "team-a")
        let teamAB = try Moto.manager(region: region, scope: .namespace, namespace: "team-a-b")
        let unscoped = try Moto.manager(region: region, scope: .none)
        let all: [AWSLegacySecretsManager] = [componentA, componentB, global, teamA, teamAB, unscoped]
        for (index, manager) in all.enumerated() {
            try await manager.registerSecret(LegacySecret(name: "shared", values: ["owner": "\(index)"]))
        }
        for (index, manager) in all.enumerated() {
            #expect(try await manager.secretNames() == ["shared"], "manager \(index)")
            #expect(try await manager.getSecret(named: "shared").values["owner"] == "\(index)")
        }
    }

    @Test func tagsAndPayloadAreZenMLs() async throws {
        try await Moto.wipe("ap-northeast-1")
        let region = "ap-northeast-1"
        let id = UUID(uuidString: "12345678-1234-5678-1234-567812345678")!
        let manager = try Moto.manager(region: region, scope: .namespace, namespace: "team-a", id: id, name: "MySM")
        let seldon = try SecretSchema.require("seldon_s3").validate(["rclone_config_s3_region": "eu"])
        try await manager.registerSecret(LegacySecret(name: "db_creds", schemaType: "seldon_s3", values: seldon))
        let entry = try await Moto.client(region: region).describeSecret(id: "zenml/namespace/team-a/db_creds")
        #expect(entry.tags.map(\.key) == ["zenml_scope", "zenml_secret_name", "zenml_namespace", "zenml_component_name",
                                          "zenml_component_uuid", "zenml_secret_schema"])
        #expect(entry.tags.first { $0.key == "zenml_component_uuid" }?.value == "12345678-1234-5678-1234-567812345678")
        let value = try await Moto.client(region: region).getSecretValue(id: "zenml/namespace/team-a/db_creds")
        #expect(value.secretString == #"{"rclone_config_s3_type": "s3", "rclone_config_s3_provider": "aws", "rclone_config_s3_env_auth": false, "rclone_config_s3_region": "eu", "zenml_schema_name": "seldon_s3"}"#)
        #expect(try await manager.getSecret(named: "db_creds").values == seldon)
    }

    @Test func pagingOverMoreThan100SecretsInOneScope() async throws {
        try await Moto.wipe("sa-east-1")
        let region = "sa-east-1"
        let manager = try Moto.manager(region: region, scope: .global)
        let client = try Moto.client(region: region)
        for index in 0..<130 {
            let name = String(format: "paged-%03d", index)
            try await client.createSecret(
                name: "zenml/global/\(name)", secretString: #"{"i": "\#(index)", "zenml_schema_name": "arbitrary"}"#,
                tags: [.init("zenml_scope", "global"), .init("zenml_secret_name", name)])
        }
        let names = try await manager.secretNames()
        #expect(names.count == 130)
        #expect(Set(names).count == 130)
        #expect(try await manager.getSecret(named: "paged-129").values == ["i": "129"])
    }

    @Test func unicodeValuesAndNameRules() async throws {
        try await Moto.wipe("ca-central-1")
        let manager = try Moto.manager(region: "ca-central-1", scope: .component)
        let values: SecretValues = ["é": "日本語 🔐", "multi": "a\nb", "empty": "", "eq": "=="]
        try await manager.registerSecret(LegacySecret(name: "Az09_+=.@-", values: values))
        #expect(try await manager.getSecret(named: "Az09_+=.@-").values == values)
        await #expect { try await manager.registerSecret(LegacySecret(name: "no/slash", values: [:])) } throws: {
            ($0 as? FerryError)?.message
                == "Invalid secret name or namespace 'no/slash'. Must contain only alphanumeric characters and the characters _+=.@-."
        }
        #expect(throws: FerryError.self) { try Moto.manager(region: "ca-central-1", scope: .namespace, namespace: "bad ns") }
    }

    @Test func aWrongSecretKeyIsAClearError() async throws {
        let client = try Moto.client(region: "us-west-1", secretKey: "definitely-not-the-key")
        await #expect { _ = try await client.listSecrets() } throws: { error in
            guard let error = error as? FerryError else { return false }
            return error.remoteCode == "SignatureDoesNotMatch" && error.message.contains("secret access key is wrong")
                && !error.message.contains("definitely-not-the-key")
        }
    }

    @Test func unreachableServerIsAClearError() async throws {
        let client = try SecretsManagerClient.make(environment: Moto.environment, region: "us-east-1", endpoint: "http://127.0.0.1:9",
                                                   transport: SocketTransport(timeout: 2))
        let quiet = SecretsManagerClient(region: "us-east-1", endpoint: client.endpoint,
                                         credentials: AWSCredentialChain(environment: Moto.environment, transport: SocketTransport()),
                                         transport: SocketTransport(timeout: 2))
        await #expect { _ = try await quiet.listSecrets() } throws: {
            ($0 as? FerryError)?.message.contains("Cannot reach http://127.0.0.1:9") == true
        }
    }
}

@Suite(.enabled(if: Moto.available, "needs moto (scripts/moto-server; FERRY_MOTO_ENDPOINT)"))
struct AWSValuesBackendTests {
    @Test func passesTheConformanceSuite() async throws {
        let backend = AWSValuesBackend(client: try Moto.client(region: "us-east-2"), storeID: UUID())
        let other = AWSValuesBackend(client: try Moto.client(region: "us-east-2"), storeID: UUID())
        #expect(try await SecretValuesBackendConformance.run(backend, foreign: other) { UUID() }.count == 7)
    }

    @Test func layoutIsZenMLs() async throws {
        let client = try Moto.client(region: "us-east-2")
        let store = UUID()
        let backend = AWSValuesBackend(client: client, storeID: store)
        let id = UUID()
        try await backend.storeValues(["a": "1", "pw": "h\u{f6}h\u{f6}"], for: id)
        let name = "zenml/\(id.uuidString.lowercased())"
        #expect(try await client.getSecretValue(id: name).secretString == #"{"a": "1", "pw": "h\u00f6h\u00f6"}"#)
        #expect(try await client.describeSecret(id: name).tags.map(\.key) == ["zenml", "zenml_secret_id"])
        try await backend.deleteValues(for: id)
    }
}

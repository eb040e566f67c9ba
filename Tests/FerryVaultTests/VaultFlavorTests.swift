import FerryCore
import FerryLegacy
import FerryStore
import FerryTesting
import FerryVault
import Foundation
import Testing

/// The OpenBao server that scripts/test starts (`scripts/openbao-server`, dev mode, KV v2 at `secret/`).
enum Bao {
    static let environment = ProcessInfo.processInfo.environment
    static var address: String? { environment["FERRY_VAULT_ADDR"].flatMap { $0.isEmpty ? nil : $0 } }
    static var available: Bool { address != nil }

    static func client() throws -> VaultClient {
        try VaultClient.make(environment: environment, address: try #require(address), token: environment["VAULT_TOKEN"] ?? "root")
    }

    /// A fresh mount, so every test starts empty whatever ran before.
    static func manager(scope: LegacyScope, namespace: String? = nil, mount: String) throws -> VaultLegacySecretsManager {
        try VaultLegacySecretsManager(
            component: LegacyComponent(id: UUID(), name: "ferry-test", flavor: "vault", scope: scope, namespace: namespace,
                                       configuration: ["mount_point": mount]),
            client: client())
    }
}

@Suite(.serialized, .enabled(if: Bao.available || Repository.inCI, "needs OpenBao (scripts/openbao-server; FERRY_VAULT_ADDR)"))
struct VaultLegacyFlavorTests {
    @Test(arguments: [LegacyScope.none, .global, .component, .namespace])
    func passesTheConformanceSuiteInEveryScope(scope: LegacyScope) async throws {
        let namespace = scope == .namespace ? "ns-\(UUID().uuidString.prefix(8))" : nil
        // The `none` scope lists a mount's root: it gets `ferry-none`, a mount no fixture uses
        // (scripts/test creates it); the conformance suite empties it again at its end.
        let mount = scope == .none ? "ferry-none" : "ferry-tests"
        let ran = try await LegacySecretsManagerConformance.run(names: ["db", "db.prod@eu+1=x-y_z", "MiXeD-09"]) {
            try Bao.manager(scope: scope, namespace: namespace, mount: mount)
        }
        #expect(ran.count == 9)
    }

    /// ZenML 0.52.0's own `VaultSecretsManager` reads what Ferry registers (same suite: serialized
    /// with the conformance runs that share the `ferry-none` and `ferry-tests` mounts).
    @Test(arguments: [(LegacyScope.none, "ferry-none"), (.global, "ferry-tests"), (.component, "ferry-tests"), (.namespace, "ferry-tests")])
    func zenmlReadsWhatFerryRegisters(scope: LegacyScope, mount: String) async throws {
        let python = try #require(Repository.zenml052Python, "CI must set FERRY_ZENML052_PYTHON")
        let address = try #require(Bao.address)
        let namespace = scope == .namespace ? "interop-\(UUID().uuidString.prefix(6))" : nil
        let id = UUID()
        let manager = try VaultLegacySecretsManager(
            component: LegacyComponent(id: id, name: "ferry-interop", flavor: "vault", scope: scope, namespace: namespace,
                                       configuration: ["mount_point": mount]),
            client: Bao.client())
        let secrets = try ZenMLInteropCheck.secrets(awkward: "awkward", basicAuth: "basic.auth@1", seldon: "seldon")
        let problems = try await ZenMLInteropCheck.run(manager, registering: secrets, fields: [("mount_point", mount)], python: python,
                                                       script: Repository.fixtures(from: #filePath) + "/tools/zenml_vault_read.py",
                                                       arguments: ["--addr", address, "--token", Bao.environment["VAULT_TOKEN"] ?? "root"])
        #expect(problems.isEmpty, "\(problems)")
        try await manager.deleteAllSecrets()
    }

    @Test func hashicorpBackendPassesTheConformanceSuite() async throws {
        let backend = HashiCorpValuesBackend(client: try Bao.client(), storeID: UUID())
        let other = HashiCorpValuesBackend(client: try Bao.client(), storeID: UUID())
        #expect(try await SecretValuesBackendConformance.run(backend, foreign: other) { UUID() }.count == 7)
    }
}

/// Secrets real ZenML 0.52.0 wrote through its `VaultSecretsManager` (LegacyFixtures/vault),
/// replayed into OpenBao's `secret/` mount by scripts/test.
@Suite(.enabled(if: Bao.available || Repository.inCI, "needs OpenBao with the replayed dump (scripts/test)"))
struct VaultFixtureTests {
    static let root = Repository.fixtures(from: #filePath) + "/vault/zenml-0.52.0"

    @Test func everyZenMLWrittenSecretIsListedAndReadExactly() async throws {
        let set = try LegacyFixtureSet(root: Self.root, flavor: "vault")
        #expect(set.components.count == 8)
        var total = 0
        for fixture in set.components {
            var component = fixture.component
            if component.configuration["mount_point"] == nil { component.configuration["mount_point"] = "secret" }
            let manager = try VaultLegacySecretsManager(component: component, client: Bao.client())
            let problems = try await fixture.check(manager)
            #expect(problems.isEmpty, "\(problems)")
            total += fixture.secrets.count
            // The 0.10–0.11 secret at zenml/<TYPE>-<name> is found only as a stranded secret, and only
            // in the none scope (components made before 0.12 have it).
            let stranded = try await manager.strandedSecrets()
            if component.scope == .none {
                #expect(stranded.map(\.name) == ["legacy_db_creds"])
                #expect(stranded.map(\.location) == ["secret/zenml/arbitrary-legacy_db_creds"])
                let secret = try #require(try stranded.first?.result.get())
                #expect(secret.schemaType == "arbitrary")
                #expect(secret.values == SecretValues([("password", "pä$$ 🔐"), ("user", "legacy")]))
            } else {
                #expect(stranded.isEmpty, "stranded secrets are reported by none-scope components only")
            }
        }
        #expect(total > 20)
        // As after ZenML ≥ 0.53: the components are gone, the paths tell them.
        let any = try VaultLegacySecretsManager(component: LegacyComponent(id: UUID(), name: "any", flavor: "vault",
                                                                           configuration: ["mount_point": "secret"]), client: Bao.client())
        let problems = set.checkRecovery(try await any.recoverComponents(), namesKept: false, noneFound: false)
        #expect(problems.isEmpty, "\(problems)")
    }
}

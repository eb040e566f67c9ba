import FerryAWS
import FerryCore
import FerryLegacy
import FerryTesting
import Foundation
import Testing

/// The secrets real ZenML 0.52.0 wrote through its `AWSSecretsManager` (LegacyFixtures/aws),
/// replayed into moto's us-east-1 by scripts/test. moto lists in a fixed order, so names and
/// keys must also come in the order ZenML saw.
@Suite(.enabled(if: Moto.available, "needs moto with the replayed dump (scripts/test)"))
struct AWSFixtureTests {
    @Test func everyZenMLWrittenSecretIsListedAndReadExactly() async throws {
        let set = try LegacyFixtureSet(root: Repository.fixtures(from: #filePath) + "/aws/zenml-0.52.0", flavor: "aws")
        #expect(set.components.count == 8)
        var total = 0
        for fixture in set.components {
            let component = fixture.component
            let manager = try Moto.manager(region: component.configuration["region_name"] ?? "us-east-1", scope: component.scope,
                                           namespace: component.namespace, id: component.id, name: component.name)
            let problems = try await fixture.check(manager, ordered: true)
            #expect(problems.isEmpty, "\(problems)")
            total += fixture.secrets.count
        }
        #expect(total > 30)
        // As after ZenML ≥ 0.53: the components are gone, the tags tell them.
        let base = try #require(set.components.first).component
        let recovered = try await Moto.manager(region: base.configuration["region_name"] ?? "us-east-1", scope: .none, namespace: nil,
                                               id: UUID(), name: "any").recoverComponents()
        let problems = set.checkRecovery(recovered, namesKept: true, noneFound: false)
        #expect(problems.isEmpty, "\(problems)")
    }
}

/// ZenML 0.52.0's own `AWSSecretsManager` finds and reads what Ferry registers.
@Suite(.enabled(if: Moto.available && (Repository.zenml052Python != nil || Repository.inCI), "needs moto and FERRY_ZENML052_PYTHON"))
struct AWSZenMLInteropTests {
    @Test(arguments: [(LegacyScope.none, nil as String?, "ap-southeast-1"), (.global, nil, "ap-southeast-2"),
                      (.component, nil, "ap-northeast-2"), (.namespace, "interop-ns", "ap-northeast-3")])
    func zenmlReadsWhatFerryRegisters(scope: LegacyScope, namespace: String?, region: String) async throws {
        let python = try #require(Repository.zenml052Python, "CI must set FERRY_ZENML052_PYTHON")
        let endpoint = try #require(Moto.endpoint)
        try await Moto.wipe(region)
        let id = UUID()
        let manager = try Moto.manager(region: region, scope: scope, namespace: namespace, id: id, name: "ferry-interop")
        let prefix = "\(scope.rawValue)-\(id.uuidString.prefix(6))"
        let secrets = try ZenMLInteropCheck.secrets(awkward: "\(prefix)-awkward", basicAuth: "\(prefix)-basic", seldon: "\(prefix)-seldon")
        let problems = try await ZenMLInteropCheck.run(manager, registering: secrets, fields: [("region_name", region)], python: python,
                                                       script: Repository.fixtures(from: #filePath) + "/tools/zenml_aws_read.py",
                                                       arguments: ["--endpoint", endpoint])
        #expect(problems.isEmpty, "\(problems)")
    }
}

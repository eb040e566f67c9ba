import FerryAWS
import FerryCore
import FerryLegacy
import FerryTesting
import Foundation
import Testing

/// The secrets real ZenML 0.52.0 wrote through its `AWSSecretsManager` (LegacyFixtures/aws),
/// replayed into moto's us-east-1 by scripts/test.
enum AWSFixtures {
    static let root = Repository.fixtures(from: #filePath) + "/aws/zenml-0.52.0"

    struct Component {
        let id: UUID
        let name: String
        let scope: LegacyScope
        let namespace: String?
        let region: String
    }

    static func components() throws -> [Component] {
        let text = try String(contentsOfFile: root + "/components.json", encoding: .utf8)
        guard case .array(let items) = try PythonJSON.parse(text) else { throw FerryError(.corruptData, "components.json") }
        return items.compactMap { item in
            guard case .object(let pairs) = item else { return nil }
            func field(_ key: String) -> String? {
                if case .string(let text)? = pairs.first(where: { $0.key == key })?.value { return text }
                return nil
            }
            guard let id = field("id").flatMap(UUID.init(uuidString:)), let scope = field("scope").flatMap(LegacyScope.init(rawValue:))
            else { return nil }
            return Component(id: id, name: field("name") ?? "", scope: scope, namespace: field("namespace"),
                             region: field("region_name") ?? "us-east-1")
        }
    }

    /// component id → ordered (name, secret) as ZenML's get_all_secret_keys + get_secret returned them.
    static func expected() throws -> [UUID: [(name: String, secret: LegacySecret)]] {
        let text = try String(contentsOfFile: root + "/expected.json", encoding: .utf8)
        guard case .object(let top) = try PythonJSON.parse(text),
            case .object(let components)? = top.first(where: { $0.key == "components" })?.value
        else { throw FerryError(.corruptData, "expected.json") }
        var result: [UUID: [(name: String, secret: LegacySecret)]] = [:]
        for (id, component) in components {
            guard let uuid = UUID(uuidString: id), case .object(let fields) = component,
                case .object(let secrets)? = fields.first(where: { $0.key == "secrets" })?.value
            else { continue }
            result[uuid] = secrets.compactMap { name, entry in
                guard case .object(let parts) = entry, case .string(let schema)? = parts.first(where: { $0.key == "schema" })?.value,
                    case .object(let values)? = parts.first(where: { $0.key == "values" })?.value
                else { return nil }
                return (name, LegacySecret(name: name, schemaType: schema, values: SecretValues(values.map { ($0.key, $0.value.pythonString) })))
            }
        }
        return result
    }
}

@Suite(.enabled(if: Moto.available, "needs moto with the replayed dump (scripts/test)"))
struct AWSFixtureTests {
    @Test func everyZenMLWrittenSecretIsListedAndReadExactly() async throws {
        let expected = try AWSFixtures.expected()
        let components = try AWSFixtures.components()
        #expect(components.count == 8)
        var total = 0
        for component in components {
            let manager = try Moto.manager(region: component.region, scope: component.scope, namespace: component.namespace,
                                           id: component.id, name: component.name)
            let wanted = try #require(expected[component.id])
            let names = try await manager.secretNames()
            #expect(names == wanted.map(\.name), "names of \(component.name)")
            for (name, secret) in wanted {
                let read = try await manager.getSecret(named: name)
                #expect(read == secret, "`\(name)` of \(component.name)")
                #expect(read.values.keys == secret.values.keys, "key order of `\(name)` in \(component.name)")
                total += 1
            }
        }
        #expect(total > 30)
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
        let secrets = [
            LegacySecret(name: "\(prefix)-awkward", values: ConformanceValues.awkward),
            LegacySecret(name: "\(prefix)-basic", schemaType: "basic_auth", values: ["username": "u", "password": "p=é"]),
            LegacySecret(name: "\(prefix)-seldon", schemaType: "seldon_s3",
                         values: try SecretSchema.require("seldon_s3").validate(["rclone_config_s3_env_auth": "yes"])),
        ]
        for secret in secrets { try await manager.registerSecret(secret) }
        let component = PythonJSON.dumps(.object([
            ("id", .string(id.uuidString.lowercased())), ("name", .string("ferry-interop")), ("scope", .string(scope.rawValue)),
            ("namespace", namespace.map { .string($0) } ?? .null), ("region_name", .string(region)),
        ]))
        let result = try ProcessRunner.run(python, [Repository.fixtures(from: #filePath) + "/tools/zenml_aws_read.py",
                                                    "--component", component, "--endpoint", endpoint])
        #expect(result.status == 0, "\(result.stderr)")
        guard case .object(let read) = try PythonJSON.parse(result.stdout) else {
            Issue.record("not JSON")
            return
        }
        for secret in secrets {
            guard case .object(let parts)? = read.first(where: { $0.key == secret.name })?.value,
                case .string(let schema)? = parts.first(where: { $0.key == "schema" })?.value,
                case .object(let values)? = parts.first(where: { $0.key == "values" })?.value
            else {
                Issue.record("ZenML did not find `\(secret.name)` in \(scope.rawValue) scope")
                continue
            }
            #expect(schema == secret.schemaType)
            #expect(SecretValues(values.map { ($0.key, $0.value.pythonString) }) == secret.values)
        }
        #expect(read.count == secrets.count, "ZenML saw other secrets")
    }
}

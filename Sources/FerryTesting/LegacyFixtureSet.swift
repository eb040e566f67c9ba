public import FerryCore
public import FerryLegacy
import Foundation

/// The fixtures real ZenML wrote for one flavor (`LegacyFixtures/<flavor>/zenml-<version>/`):
/// `components.json` (id, name, scope, namespace and the flavor's own fields) and
/// `expected.json` (per component id, the secrets ZenML read back: schema and values).
///
/// ```swift
/// let set = try LegacyFixtureSet(root: Repository.fixtures(from: #filePath) + "/gcp/zenml-0.52.0", flavor: "gcp")
/// for fixture in set.components { let problems = try await fixture.check(manager(for: fixture.component)) }
/// ```
public struct LegacyFixtureSet: Sendable {
    public struct Component: Sendable {
        public let component: LegacyComponent
        /// What ZenML read back, in the order of `expected.json`.
        public let secrets: [(name: String, secret: LegacySecret)]
        /// What ZenML read back, by secret name.
        public var expected: [String: LegacySecret] { Dictionary(secrets.map { ($0.name, $0.secret) }, uniquingKeysWith: { first, _ in first }) }

        /// Lists and reads every secret through `manager`; returns what differs (names only, never
        /// values). With `ordered`, names and keys must also come in ZenML's order (for back-ends
        /// that list deterministically).
        public func check(_ manager: any LegacySecretsManager, ordered: Bool = false) async throws -> [String] {
            var problems: [String] = []
            let expected = self.expected
            let names = try await manager.secretNames()
            if Set(names) != Set(expected.keys) {
                problems.append("\(component.name): listed \(Set(names).subtracting(expected.keys).sorted()) too many, "
                    + "\(Set(expected.keys).subtracting(names).sorted()) missing")
            } else if ordered && names != secrets.map(\.name) {
                problems.append("\(component.name): names listed in another order than ZenML's")
            }
            if names.count != Set(names).count { problems.append("\(component.name): a name is listed twice") }
            for (name, secret) in secrets {
                do {
                    let read = try await manager.getSecret(named: name)
                    if read.schemaType != secret.schemaType {
                        problems.append("\(component.name)/\(name): schema \(read.schemaType), ZenML read \(secret.schemaType)")
                    }
                    if read.values != secret.values {
                        problems.append("\(component.name)/\(name): values differ (keys \(read.values.keys.sorted()), ZenML's \(secret.values.keys.sorted()))")
                    } else if ordered && read.values.keys != secret.values.keys {
                        problems.append("\(component.name)/\(name): keys in another order than ZenML's")
                    }
                } catch {
                    problems.append("\(component.name)/\(name): \(error)")
                }
            }
            for (name, result) in try await manager.readAll() {
                guard let secret = expected[name] else { continue }
                if (try? result.get()).map({ $0.values == secret.values && $0.schemaType == secret.schemaType }) != true {
                    problems.append("\(component.name)/\(name): readAll differs from what ZenML read")
                }
            }
            return problems
        }
    }

    public let components: [Component]

    /// Compares components recovered from a back-end with the fixture's: every component with
    /// secrets must be found (component scope by id and, where the back-end keeps it, name; the
    /// shared scopes once each), and nothing else. Returns the differences.
    public func checkRecovery(_ recovered: [RecoveredComponent], namesKept: Bool, noneFound: Bool) -> [String] {
        var problems: [String] = []
        let withSecrets = components.filter { !$0.secrets.isEmpty }
        for fixture in withSecrets {
            let component = fixture.component
            let match: RecoveredComponent?
            switch component.scope {
            case .component: match = recovered.first { $0.component.scope == .component && $0.component.id == component.id }
            case .namespace: match = recovered.first { $0.component.scope == .namespace && $0.component.namespace == component.namespace }
            case .global: match = recovered.first { $0.component.scope == .global }
            case .none: match = noneFound ? recovered.first { $0.component.scope == .none } : nil
            }
            if match == nil && (component.scope != .none || noneFound) { problems.append("\(component.name) (\(component.scope.rawValue)) not recovered") }
            if component.scope == .component, namesKept, let match, match.component.name != component.name {
                problems.append("\(component.name) recovered as `\(match.component.name)`")
            }
        }
        let componentIDs = Set(withSecrets.filter { $0.component.scope == .component }.map(\.component.id))
        for extra in recovered where extra.component.scope == .component && !componentIDs.contains(extra.component.id) {
            problems.append("recovered an unknown component \(extra.component.id)")
        }
        let namespaces = Set(withSecrets.compactMap { $0.component.scope == .namespace ? $0.component.namespace : nil })
        if Set(recovered.compactMap { $0.component.scope == .namespace ? $0.component.namespace : nil }) != namespaces {
            problems.append("namespaces \(recovered.compactMap { $0.component.namespace }.sorted()), expected \(namespaces.sorted())")
        }
        return problems
    }

    public init(root: String, flavor: String) throws {
        guard case .array(let list) = try PythonJSON.parse(try String(contentsOfFile: root + "/components.json", encoding: .utf8)),
              case .object(let top) = try PythonJSON.parse(try String(contentsOfFile: root + "/expected.json", encoding: .utf8)),
              case .object(let expected)? = top.first(where: { $0.key == "components" })?.value
        else {
            throw FerryError(.corruptData, "the fixture files in \(root) are not the expected JSON")
        }
        var components: [Component] = []
        for case .object(let fields) in list {
            var strings: [String: String] = [:]
            for (key, value) in fields { if case .string(let text) = value { strings[key] = text } }
            guard let id = strings["id"].flatMap(UUID.init(uuidString:)), let scope = strings["scope"].flatMap(LegacyScope.init(rawValue:)) else {
                throw FerryError(.corruptData, "a component in \(root)/components.json lacks an id or scope")
            }
            let own = strings.filter { !["id", "name", "scope", "namespace"].contains($0.key) }
            let component = LegacyComponent(id: id, name: strings["name"] ?? "", flavor: flavor, scope: scope,
                                            namespace: strings["namespace"], configuration: own)
            var secrets: [(name: String, secret: LegacySecret)] = []
            if case .object(let entry)? = expected.first(where: { $0.key == id.uuidString.lowercased() })?.value,
               case .object(let listed)? = entry.first(where: { $0.key == "secrets" })?.value
            {
                secrets = try listed.map { ($0.key, try Self.secret($0.key, $0.value)) }
            }
            components.append(Component(component: component, secrets: secrets))
        }
        self.components = components
    }

    /// `{"schema": …, "values": {…}}`, as the fixtures and the `zenml_*_read.py` readers print it.
    public static func secret(_ name: String, _ value: PythonJSON.Value) throws -> LegacySecret {
        guard case .object(let parts) = value, case .string(let schema)? = parts.first(where: { $0.key == "schema" })?.value,
              case .object(let values)? = parts.first(where: { $0.key == "values" })?.value
        else {
            throw FerryError(.corruptData, "secret `\(name)` is not {schema, values}")
        }
        return LegacySecret(name: name, schemaType: schema, values: SecretValues(values.map { ($0.key, $0.value.pythonString) }))
    }

    /// Runs one of `LegacyFixtures/tools/zenml_*_read.py` (ZenML's own manager reading a component)
    /// and returns what ZenML read, by name.
    public static func zenmlRead(python: String, script: String, arguments: [String]) throws -> [String: LegacySecret] {
        let result = try ProcessRunner.run(python, [script] + arguments)
        guard result.status == 0 else {
            throw FerryError(.backend, "\(URL(fileURLWithPath: script).lastPathComponent) exited \(result.status): \(result.stderr.suffix(2000))")
        }
        guard case .object(let read) = try PythonJSON.parse(result.stdout) else {
            throw FerryError(.corruptData, "the reader's output is not a JSON object")
        }
        var secrets: [String: LegacySecret] = [:]
        for (name, value) in read { secrets[name] = try secret(name, value) }
        return secrets
    }
}

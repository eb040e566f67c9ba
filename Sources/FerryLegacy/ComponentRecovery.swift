import FerryCore
import Foundation

/// A secrets-manager component found from the secrets it left in a back-end, after ZenML ≥ 0.53
/// deleted the component itself (ZenML 0.53.0 migration `1041bc644e0d`).
public struct RecoveredComponent: Sendable {
    /// Enough to read its secrets: id (the writer's, for shared scopes), name, scope, namespace, flavor settings.
    public let component: LegacyComponent
    /// How many back-end secrets point at it.
    public let secretCount: Int
    /// What it was recovered from, for people.
    public let evidence: String
}

extension LegacySecretsManager {
    /// The components whose secrets are in this manager's back-end (default: none can be told).
    public func recoverComponents() async throws -> [RecoveredComponent] { [] }
}

/// Groups scoped back-end secrets by the scope metadata ZenML gave them (`zenml_scope`,
/// `zenml_namespace`, `zenml_component_uuid`, `zenml_component_name`: `_get_secret_metadata`,
/// ZenML 0.52.0 `src/zenml/secrets_managers/base_secrets_manager.py`).
enum ComponentRecovery {
    /// `metadata` of each back-end secret (tags or labels); `base` gives the flavor and its settings.
    static func group(_ metadata: [[String: String]], base: LegacyComponent, evidence: String) -> [RecoveredComponent] {
        var order: [String] = []
        var groups: [String: (component: LegacyComponent, count: Int)] = [:]
        for tags in metadata {
            guard let scopeText = tags["zenml_scope"], let scope = LegacyScope(rawValue: scopeText), scope != .none else { continue }
            let writer = tags["zenml_component_uuid"].flatMap(UUID.init(flexible:))
            let key: String
            switch scope {
            case .component: key = "component/" + (writer?.uuidString.lowercased() ?? "?")
            case .namespace: key = "namespace/" + (tags["zenml_namespace"] ?? "")
            default: key = "global"
            }
            if var known = groups[key] {
                known.count += 1
                groups[key] = known
                continue
            }
            let id = writer ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
            let name: String
            switch scope {
            case .component: name = tags["zenml_component_name"] ?? id.uuidString.lowercased()
            case .namespace: name = "namespace \(tags["zenml_namespace"] ?? "")"
            default: name = "global"
            }
            order.append(key)
            groups[key] = (LegacyComponent(id: id, name: name, flavor: base.flavor, scope: scope,
                                           namespace: scope == .namespace ? tags["zenml_namespace"] : nil,
                                           configuration: base.configuration), 1)
        }
        return order.compactMap { key in groups[key].map { RecoveredComponent(component: $0.component, secretCount: $0.count, evidence: evidence) } }
    }

    /// Scoped paths without metadata (`zenml/global/<n>`, `zenml/component/<uuid>/<n>`,
    /// `zenml/namespace/<ns>/<n>`), for the vault flavor.
    static func group(paths: [String], base: LegacyComponent, evidence: String) -> [RecoveredComponent] {
        var metadata: [[String: String]] = []
        for path in paths {
            let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 3, parts[0] == ScopePath.prefix else { continue }
            switch parts[1] {
            case "global" where parts.count == 3: metadata.append(["zenml_scope": "global"])
            case "component" where parts.count == 4: metadata.append(["zenml_scope": "component", "zenml_component_uuid": parts[2]])
            case "namespace" where parts.count == 4: metadata.append(["zenml_scope": "namespace", "zenml_namespace": parts[2]])
            default: continue
            }
        }
        return group(metadata, base: base, evidence: evidence)
    }
}

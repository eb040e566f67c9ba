public import Foundation

/// The scope of a legacy secrets manager (ZenML 0.12–0.52 `SecretsManagerScope`).
///
/// ZenML 0.52.0 `src/zenml/secrets_managers/base_secrets_manager.py` (identical 0.20.0 → 0.52.0).
public enum LegacyScope: String, Sendable, CaseIterable, Codable {
    /// Unscoped: secrets sit at the back-end's root (every flavor before 0.12; `local` always).
    case none
    /// Shared by every secrets manager of the same back-end: `zenml/global/<name>`.
    case global
    /// Private to one component: `zenml/component/<component-uuid>/<name>` (the default from 0.20 on).
    case component
    /// Shared by managers with the same namespace: `zenml/namespace/<namespace>/<name>`.
    case namespace
}

/// Where a scoped secrets manager puts its secrets, and the name codec ZenML derives from it.
///
/// ZenML joins `["zenml", scope, <uuid|namespace>, name]` with `/` (aws, vault) or `-` (gcp,
/// azure); see `_get_scope_path` and `_get_scoped_secret_name` in
/// ZenML 0.52.0 `src/zenml/secrets_managers/base_secrets_manager.py`.
///
/// ```swift
/// let path = ScopePath(scope: .component, componentID: id)
/// path.scopedName("db", separator: "/")   // "zenml/component/<id>/db"
/// path.unscopedName(of: "zenml/component/<id>/db", separator: "/")   // "db"
/// ```
public struct ScopePath: Sendable, Hashable {
    /// The prefix ZenML puts before every scoped path (`ZENML_SCOPE_PATH_PREFIX`).
    public static let prefix = "zenml"

    public let scope: LegacyScope
    public let componentID: UUID?
    public let namespace: String?

    /// A scope path. `componentID` is used by `component` scope, `namespace` by `namespace` scope.
    public init(scope: LegacyScope, componentID: UUID? = nil, namespace: String? = nil) {
        self.scope = scope
        self.componentID = componentID
        self.namespace = namespace
    }

    /// `_get_scope_path()`: the path segments before the secret name.
    public var segments: [String] {
        switch scope {
        case .none: return []
        case .global: return [Self.prefix, "global"]
        case .component: return [Self.prefix, "component", componentID.map(Self.canonical) ?? ""]
        case .namespace:
            var result = [Self.prefix, "namespace"]
            if let namespace, !namespace.isEmpty { result.append(namespace) }
            return result
        }
    }

    /// `_get_scoped_secret_name(name, separator)`: `none` gives the bare name.
    public func scopedName(_ name: String, separator: String) -> String {
        (segments + [name]).joined(separator: separator)
    }

    /// `_get_scoped_secret_name_prefix(separator)`: the segments and a trailing separator (`none` gives the separator alone).
    public func namePrefix(separator: String) -> String {
        segments.joined(separator: separator) + separator
    }

    /// `_get_unscoped_secret_name(name, separator)`: the secret name when `scopedName` lies exactly in this scope, else nil.
    ///
    /// Like ZenML, the name is split on every separator, so in `none` scope a name that contains
    /// the separator is not this scope's, and in a `-` scope a name containing `-` is never found.
    public func unscopedName(of scopedName: String, separator: String) -> String? {
        let parts = scopedName.components(separatedBy: separator)
        guard let last = parts.last, !last.isEmpty, Array(parts.dropLast()) == segments else { return nil }
        return last
    }

    /// `_get_secret_scope_metadata(name)`: the scope tags or labels, in ZenML's order.
    public func scopeMetadata(secretName: String? = nil) -> [(key: String, value: String)] {
        if scope == .none { return [] }
        var result: [(key: String, value: String)] = [("zenml_scope", scope.rawValue)]
        if let secretName, !secretName.isEmpty { result.append(("zenml_secret_name", secretName)) }
        if scope == .namespace, let namespace, !namespace.isEmpty { result.append(("zenml_namespace", namespace)) }
        if scope == .component { result.append(("zenml_component_uuid", componentID.map(Self.canonical) ?? "")) }
        return result
    }

    /// `_get_secret_metadata(secret)`: scope metadata plus the writing component and the schema.
    /// A key already present keeps its position (Python's `dict.update`).
    public func secretMetadata(secretName: String, componentName: String, schemaType: String)
        -> [(key: String, value: String)]
    {
        if scope == .none { return [] }
        var result = scopeMetadata(secretName: secretName)
        let extra: [(String, String)] = [
            ("zenml_component_name", componentName),
            ("zenml_component_uuid", componentID.map(Self.canonical) ?? ""),
            ("zenml_secret_schema", schemaType),
        ]
        for (key, value) in extra {
            if let index = result.firstIndex(where: { $0.key == key }) {
                result[index].value = value
            } else {
                result.append((key, value))
            }
        }
        return result
    }

    /// Python's `str(uuid)`: lowercase, hyphenated.
    public static func canonical(_ id: UUID) -> String { id.uuidString.lowercased() }
}

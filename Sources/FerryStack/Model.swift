public import FerryCore
public import FerryLegacy
public import Foundation

/// A stack component as a ZenML store keeps it: id, name, type, flavor and the configuration the
/// user gave (not the defaults), in stored order.
public struct StackComponentRecord: Sendable {
    /// nil for 0.1x YAML stores before 0.12, which kept no component ids.
    public let id: UUID?
    public let name: String
    /// `secrets_manager`, `orchestrator`, `artifact_store`, … (ZenML's `StackComponentType` values).
    public let type: String
    public let flavor: String
    public let configuration: [(key: String, value: PythonJSON.Value)]
    /// Where it was read, for people: a file, or a table of a database.
    public let source: String
    /// Why its configuration could not be read (then it is empty), naming the component and the file.
    public let problem: String?

    public init(id: UUID?, name: String, type: String, flavor: String, configuration: [(key: String, value: PythonJSON.Value)],
                source: String, problem: String? = nil)
    {
        self.problem = problem
        self.id = id
        self.name = name
        self.type = type
        self.flavor = flavor
        self.configuration = configuration
        self.source = source
    }

    public func field(_ key: String) -> PythonJSON.Value? { configuration.first { $0.key == key }?.value }

    /// The id as ZenML prints it.
    public var idText: String { id?.uuidString.lowercased() ?? "" }
}

/// A stack: a name and one component per type (ZenML's `stack_composition`).
public struct StackRecord: Sendable {
    public let id: UUID?
    public let name: String
    /// Component ids (or, in 0.1x YAML stores, names) by component type, in type order.
    public let components: [(type: String, component: StackComponentRecord)]

    public init(id: UUID?, name: String, components: [(type: String, component: StackComponentRecord)]) {
        self.id = id
        self.name = name
        self.components = components.sorted { $0.type < $1.type }
    }

    public func component(ofType type: String) -> StackComponentRecord? { components.first { $0.type == type }?.component }
    public var secretsManager: StackComponentRecord? { component(ofType: "secrets_manager") }
    public var idText: String { id?.uuidString.lowercased() ?? "" }
}

/// A secrets manager found in an installation, with what ZenML's rules make of its stored
/// configuration.
public struct DiscoveredSecretsManager: Sendable {
    /// The flavor's view: id, name, flavor, scope after ZenML's defaults, namespace, flavor fields.
    public let component: LegacyComponent
    /// Whether the scope was stored, or ZenML's default for the flavor applies.
    public let scopeIsDefault: Bool
    /// The stacks that use it, by name.
    public let stacks: [String]
    /// True when the component is gone from the database (ZenML ≥ 0.53) and only its secrets remain.
    public let orphaned: Bool
    /// Where it was found.
    public let source: String
}

/// Which on-disk era an installation's store is.
public enum StoreEra: String, Sendable {
    /// ZenML 0.1x local YAML store (`profiles/<p>/stacks.yaml`).
    case yaml01x = "0.1x YAML store"
    /// ZenML 0.1x SQL store (`zenstackcomponent` …).
    case sql01x = "0.1x SQL store"
    /// ZenML 0.20.x (`stackcomponentschema` …).
    case sql020 = "0.20 SQL store"
    /// ZenML 0.30–0.52 (`stack_component` … with secrets-manager components).
    case sql030 = "0.30+ SQL store"
    /// ZenML ≥ 0.53: the database has no secrets managers any more.
    case sql053 = "0.53+ SQL store"
}

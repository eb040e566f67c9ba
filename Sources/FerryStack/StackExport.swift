public import FerryCore
import FerryYAML
import Foundation

/// A `zenml stack export` file of any era, and Ferry's own export.
///
/// Shapes (reference: ZenML's `src/zenml/cli/stack.py` of each release):
/// - 0.13: `{zenml_version, stack_name, components: {<type>: {<config…>, name, flavor}}}`;
/// - 0.20–0.6x: `{stack_name, components: {<type>: {name, type, flavor, configuration}}, zenml_version}`;
/// - 0.9x: `components: {<type>: [{configuration, flavor, name, type}, …]}` (a list per type).
public struct StackExport: Sendable {
    public let stackName: String
    public let zenmlVersion: String?
    public let components: [StackComponentRecord]

    public init(stackName: String, zenmlVersion: String?, components: [StackComponentRecord]) {
        self.stackName = stackName
        self.zenmlVersion = zenmlVersion
        self.components = components
    }

    /// Reads an export file; errors name the file and the part that is wrong.
    public static func read(_ path: String) throws -> StackExport {
        let top = try ZenMLInstallation.readYAMLMapping(path, required: true)
        func field(_ key: String) -> PythonJSON.Value? { top.first { $0.key == key }?.value }
        guard case .object(let byType)? = field("components") else {
            throw FerryError(.corruptData, code: .exportShape, "'\(path)' is not a ZenML stack export: it has no `components` mapping.")
        }
        var components: [StackComponentRecord] = []
        for (type, entry) in byType {
            let entries: [PythonJSON.Value]
            if case .array(let list) = entry { entries = list } else { entries = [entry] }
            for item in entries {
                guard case .object(let fields) = item else {
                    throw FerryError(.corruptData, code: .exportShape, "`components.\(type)` in '\(path)' is not a component mapping.")
                }
                func text(_ key: String) -> String? { fields.first { $0.key == key }?.value.text }
                guard let name = text("name"), let flavor = text("flavor") else {
                    throw FerryError(.corruptData, code: .exportShape, "`components.\(type)` in '\(path)' lacks a `name` or `flavor`.")
                }
                let configuration: [(key: String, value: PythonJSON.Value)]
                if case .object(let nested)? = fields.first(where: { $0.key == "configuration" })?.value {
                    configuration = nested
                } else {
                    // 0.13: the configuration fields sit beside name and flavor.
                    configuration = fields.filter { !["name", "flavor", "type", "uuid", "configuration"].contains($0.key) }
                }
                components.append(StackComponentRecord(id: nil, name: name, type: text("type") ?? type, flavor: flavor,
                                                       configuration: configuration, source: "'\(path)'"))
            }
        }
        return StackExport(stackName: field("stack_name")?.text ?? URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent,
                           zenmlVersion: field("zenml_version")?.text, components: components)
    }

    /// The 0.20–0.6x shape, which ZenML 0.20–0.52 import.
    public var document: PythonJSON.Value {
        .object([
            ("stack_name", .string(stackName)),
            ("components", .object(components.map { component in
                (component.type, .object([("name", .string(component.name)), ("type", .string(component.type)),
                                          ("flavor", .string(component.flavor)), ("configuration", .object(component.configuration))]))
            })),
            ("zenml_version", zenmlVersion.map { .string($0) } ?? .null),
        ])
    }

    /// The stack of an export, for resolution.
    public var stack: StackRecord { StackRecord(id: nil, name: stackName, components: components.map { ($0.type, $0) }) }
}

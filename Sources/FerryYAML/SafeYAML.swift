import FerryCore
@_exported import Yams

/// YAML parsing whose errors never quote the document: a parse error names the place
/// (`line 3, column 7`) and the problem, not the text around it, which may hold secret values.
///
/// ```swift
/// let node = try SafeYAML.compose(text, source: "'/path/secrets.yaml'")
/// ```
public enum SafeYAML {
    /// Parses one YAML document into a node tree; nil for an empty document.
    public static func compose(_ text: String, source: String) throws -> Node? {
        do {
            return try Yams.compose(yaml: text)
        } catch {
            throw FerryError(.corruptData, code: "malformed_yaml", "\(source) is not valid YAML: \(describe(error)).")
        }
    }

    /// Whether a node is YAML null (`~`, `null`, or nothing) written plain.
    public static func isNull(_ node: Node) -> Bool {
        guard let scalar = node.scalar, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// A description of a Yams error with positions but no document text.
    public static func describe(_ error: Error) -> String {
        guard let yamlError = error as? YamlError else { return "unreadable document" }
        func at(_ mark: Mark) -> String { "line \(mark.line), column \(mark.column)" }
        switch yamlError {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return "\(problem) at \(at(mark))"
        case .reader(let problem, let offset, _, _):
            return "\(problem)" + (offset.map { " at byte \($0)" } ?? "")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return "duplicated keys \(duplicates.joined(separator: ", ")) at \(at(context.mark))"
        case .dataCouldNotBeDecoded:
            return "not UTF-8 text"
        default:
            return "unreadable document"
        }
    }
}

extension SafeYAML {
    /// A node as `yaml.safe_load` gives it, in JSON terms: mappings keep their order, plain scalars
    /// are typed by the YAML 1.1 resolver (`true`, `1`, `1.5`, `null`), quoted ones stay strings.
    public static func value(_ node: Node) -> PythonJSON.Value {
        switch node {
        case .mapping(let mapping):
            return .object(mapping.map { (key: $0.key.scalar?.string ?? "", value: value($0.value)) })
        case .sequence(let sequence):
            return .array(sequence.map(value))
        case .scalar(let scalar):
            guard scalar.style == .plain else { return .string(scalar.string) }
            if isNull(node) { return .null }
            if let flag = node.bool { return .bool(flag) }
            if node.int != nil || node.float != nil, scalar.string.first.map({ $0.isNumber || $0 == "-" || $0 == "+" || $0 == "." }) == true {
                return .number(scalar.string)
            }
            return .string(scalar.string)
        case .alias:
            return .null
        }
    }
}

public import FerryCore
@_exported import Yams
// libyaml as Yams vendors it: its event parser measures what aliases expand to before Yams builds a tree.
internal import CYaml

/// YAML parsing whose errors never quote the document: a parse error names the place
/// (`line 3, column 7`) and the problem, not the text around it, which may hold secret values.
///
/// Aliases are capped: a document whose aliases (`*name`) would repeat more than
/// ``aliasNodeLimit`` nodes or ``aliasTextLimit`` bytes of scalar text in all is refused before
/// any tree is built, so a "billion laughs" document costs time and memory in proportion to its length.
///
/// ```swift
/// let node = try SafeYAML.compose(text, source: "'/path/secrets.yaml'")
/// ```
public enum SafeYAML {
    /// The most nodes that aliases may repeat in one document, counted as if every alias were
    /// replaced by a copy of its anchored node.
    public static let aliasNodeLimit = 100_000
    /// The most bytes of scalar text that aliases may repeat in one document (4 MiB).
    public static let aliasTextLimit = 4 << 20

    /// Parses one YAML document into a node tree; nil for an empty document.
    public static func compose(_ text: String, source: String) throws -> Node? {
        try checkAliases(text, source: source)
        do {
            return try Yams.compose(yaml: text)
        } catch {
            throw FerryError(.corruptData, code: .malformedYAML, "\(source) is not valid YAML: \(describe(error)).")
        }
    }

    /// Refuses a document whose aliases expand past ``aliasNodeLimit`` or ``aliasTextLimit``.
    ///
    /// One pass over libyaml's events: every finished node's expanded size (nodes, scalar bytes) is
    /// added to its parent, an anchor remembers its node's size, and an alias adds its anchor's size
    /// to the total that aliases repeat. A document with no `*` has no alias and is not scanned.
    /// Syntax errors end the scan silently: Yams reports them, as before.
    static func checkAliases(_ text: String, source: String) throws {
        var bytes = Array(text.utf8)
        guard bytes.contains(UInt8(ascii: "*")) else { return }
        struct Size {
            var nodes = 0
            var text = 0
            mutating func add(_ other: Size) {
                nodes += other.nodes
                text += other.text
            }
        }
        var anchors: [[UInt8]: Size] = [:]
        var open: [(anchor: [UInt8]?, size: Size)] = []
        var repeated = Size()
        func name(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> [UInt8]? {
            guard let pointer else { return nil }
            return Array(UnsafeBufferPointer(start: pointer, count: strlen(UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))))
        }
        func finish(_ anchor: [UInt8]?, _ size: Size) {
            if let anchor { anchors[anchor] = size }
            if !open.isEmpty { open[open.count - 1].size.add(size) }
        }

        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        try bytes.withUnsafeMutableBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var event = yaml_event_t()
            while yaml_parser_parse(&parser, &event) == 1 {
                defer { yaml_event_delete(&event) }
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return
                case YAML_SCALAR_EVENT:
                    finish(name(event.data.scalar.anchor), Size(nodes: 1, text: event.data.scalar.length))
                case YAML_SEQUENCE_START_EVENT:
                    open.append((name(event.data.sequence_start.anchor), Size(nodes: 1)))
                case YAML_MAPPING_START_EVENT:
                    open.append((name(event.data.mapping_start.anchor), Size(nodes: 1)))
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    if let done = open.popLast() { finish(done.anchor, done.size) }
                case YAML_ALIAS_EVENT:
                    let size = name(event.data.alias.anchor).flatMap { anchors[$0] } ?? Size()
                    repeated.add(size)
                    guard repeated.nodes <= aliasNodeLimit, repeated.text <= aliasTextLimit else {
                        throw FerryError(
                            .corruptData, code: .yamlAliasLimit,
                            "\(source) repeats too much through YAML aliases (over \(aliasNodeLimit) nodes or "
                                + "\(aliasTextLimit >> 20) MiB of text once expanded): Ferry refuses it.")
                    }
                    finish(nil, size)
                default:
                    break
                }
            }
        }
    }

    /// Whether a node is YAML null (`~`, `null`, or nothing) written plain.
    public static func isNull(_ node: Node) -> Bool {
        guard let scalar = node.scalar, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// A description of a Yams error with positions but no document text.
    public static func describe(_ error: any Error) -> String {
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
            // The resolver's tag, not `node.int`: Yams' construction of a YAML 1.1 base-60 integer
            // (`1:20:30`) traps on overflow, and only the text is kept anyway.
            let explicit = Tag.Name(rawValue: node.tag.rawValue)
            let tag = explicit == .implicit ? Resolver.default.resolveTag(of: node) : explicit
            if tag == .int || tag == .float, scalar.string.first.map({ $0.isNumber || $0 == "-" || $0 == "+" || $0 == "." }) == true {
                return .number(scalar.string)
            }
            return .string(scalar.string)
        case .alias:
            return .null
        }
    }
}

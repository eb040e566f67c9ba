import FerryCore
import FerryYAML
import Foundation

/// Writing to the terminal: tables, JSON, YAML and env lines, with values masked unless asked.
enum Console {
    /// What a hidden value prints as (ZenML's `***`).
    static let mask = "***"

    /// A plain-text message or table on stdout: control characters other than line feeds are
    /// escaped (a name or a server's text cannot steer the terminal).
    static func out(_ text: String = "") {
        document(DisplaySafety.escaped(text, keepingNewlines: true))
    }

    /// JSON, YAML or env text on stdout as it is (those formats quote for themselves).
    static func document(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// A message on stderr, escaped as ``out(_:)``.
    static func err(_ text: String) {
        FileHandle.standardError.write(Data((DisplaySafety.escaped(text, keepingNewlines: true) + "\n").utf8))
    }

    /// A name (or any outside text) for one line of a message: every control character escaped, line feeds too.
    static func escaped(_ text: String) -> String { DisplaySafety.escaped(text) }

    /// The cell of a `multiline` table column: one line per part, each part escaped.
    static func lines(_ parts: [String]) -> String { parts.map(escaped).joined(separator: "\n") }

    /// A warning on stderr, as ZenML's `warning()`.
    static func warning(_ text: String) { err("Warning: " + text) }

    /// A value as shown: clear with `--show-secrets`, masked otherwise.
    static func shown(_ value: String, _ show: Bool) -> String { show ? value : mask }

    /// A plain table: an upper-case header row, a rule, then the rows; no line ends in spaces.
    /// Every cell is one line, its control characters (line feeds too) escaped, except in the
    /// `multiline` columns, whose cells (built by ``lines(_:)``) continue on the next lines.
    /// Cells of the columns in `truncate` are cut to `maxWidth` characters (names, not values).
    static func table(_ headers: [String], _ rows: [[String]], truncate: Set<Int> = [], multiline: Set<Int> = [],
                      maxWidth: Int = 48) -> String
    {
        let expanded: [[String]] = rows.flatMap { row -> [[String]] in
            let cells = row.enumerated().map { index, cell -> [String] in
                let lines = multiline.contains(index) ? cell.components(separatedBy: "\n").map(escaped) : [escaped(cell)]
                guard truncate.contains(index) else { return lines }
                return lines.map { $0.count > maxWidth ? String($0.prefix(maxWidth - 1)) + "…" : $0 }
            }
            let height = cells.map(\.count).max() ?? 1
            return (0..<height).map { line in cells.map { line < $0.count ? $0[line] : "" } }
        }
        var widths = headers.map(displayWidth)
        for row in expanded {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], displayWidth(cell))
            }
        }
        func line(_ cells: [String]) -> String {
            var text = ""
            for (index, cell) in cells.enumerated() {
                let isLast = index == cells.count - 1
                text += cell + (isLast ? "" : String(repeating: " ", count: widths[index] - displayWidth(cell) + 2))
            }
            while text.hasSuffix(" ") { text.removeLast() }
            return text
        }
        var lines = [line(headers), widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")]
        lines += expanded.map(line)
        return lines.joined(separator: "\n")
    }

    /// Terminal columns a string takes (wide East Asian characters and emoji count two).
    static func displayWidth(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { total, scalar in
            let value = scalar.value
            if scalar.properties.generalCategory == .nonspacingMark || value == 0x200D || (0xFE00...0xFE0F).contains(value) {
                return total
            }
            let wide = (0x1100...0x115F).contains(value) || (0x2E80...0xA4CF).contains(value)
                || (0xAC00...0xD7A3).contains(value) || (0xF900...0xFAFF).contains(value)
                || (0xFF00...0xFF60).contains(value) || (0xFFE0...0xFFE6).contains(value)
                || (0x1F300...0x1FAFF).contains(value) || (0x20000...0x3FFFD).contains(value)
            return total + (wide ? 2 : 1)
        }
    }

    /// Indented JSON that keeps key order and writes non-ASCII as it is.
    static func json(_ value: PythonJSON.Value, indent: String = "") -> String {
        let inner = indent + "  "
        switch value {
        case .object(let pairs):
            if pairs.isEmpty { return "{}" }
            let body = pairs.map { inner + jsonString($0.key) + ": " + json($0.value, indent: inner) }
            return "{\n" + body.joined(separator: ",\n") + "\n" + indent + "}"
        case .array(let items):
            if items.isEmpty { return "[]" }
            return "[\n" + items.map { inner + json($0, indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case .string(let text): return jsonString(text)
        default: return PythonJSON.dumps(value)
        }
    }

    /// An error as `-o json` shows it on stderr, on one line: `{"error": {"code": "…", "message": "…"}}`,
    /// with `"remote_code"` after the code when a server named its error. Controls and bidi marks
    /// in the message are `\u` escapes, so the line is safe on a terminal and still valid JSON.
    static func errorJSON(_ error: FerryError) -> String {
        var fields = [("code", error.code.rawValue)]
        if let remote = error.remoteCode { fields.append(("remote_code", remote)) }
        fields.append(("message", error.message))
        let body = fields.map { jsonString($0.0) + ": " + jsonString($0.1, displaySafe: true) }.joined(separator: ", ")
        return #"{"error": {"# + body + "}}"
    }

    /// `displaySafe` writes every ``DisplaySafety/isControl(_:)`` scalar as a `\u` escape, not only C0 and DEL.
    private static func jsonString(_ text: String, displaySafe: Bool = false) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (displaySafe && DisplaySafety.isControl(scalar)) {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// YAML of a JSON-shaped value, key order kept.
    static func yaml(_ value: PythonJSON.Value) -> String {
        func node(_ value: PythonJSON.Value) -> Node {
            switch value {
            case .object(let pairs): return .mapping(Node.Mapping(pairs.map { (Node($0.key), node($0.value)) }))
            case .array(let items): return .sequence(Node.Sequence(items.map(node)))
            case .string(let text):
                // Quote strings that a YAML reader would take for a bool, number, null or date.
                let plain = Node(text)
                let style: Node.Scalar.Style = Resolver.default.resolveTag(of: plain) == .str ? .any : .singleQuoted
                return Node(text, Tag(.str), style)
            case .number(let text): return Node(text, Tag(.int))
            case .bool(let flag): return Node(flag ? "true" : "false", Tag(.bool))
            case .null: return Node("null", Tag(.null))
            }
        }
        let text = (try? Yams.serialize(node: node(value), allowUnicode: true)) ?? ""
        return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }

    /// `KEY='value'` lines for `eval` in a POSIX shell. Refused without `--show-secrets` (every
    /// line would set `***`, easy to save as a `.env` by mistake), and for a key that is not a
    /// shell name: legacy managers allowed any key, and `$(…)` or `;` in one would run as a
    /// command. Values are single-quoted, so nothing in them is ever executed.
    static func env(_ values: SecretValues, show: Bool) throws -> String {
        guard show else {
            throw FerryError(.invalidInput, code: .envNeedsShowSecrets,
                             "-o env prints shell assignments of the values, and without --show-secrets every value would be '***'; add --show-secrets (or use -o yaml to see the keys).")
        }
        let unsafe = values.keys.filter { !isShellName($0) }
        guard unsafe.isEmpty else {
            let listed = unsafe.prefix(3).map { String(reflecting: $0) }.joined(separator: ", ")
            throw FerryError(.invalidInput, code: .envUnsafeKey,
                             "-o env cannot print key\(unsafe.count == 1 ? "" : "s") \(listed)\(unsafe.count > 3 ? " and \(unsafe.count - 3) more" : ""): a shell variable name is letters, digits and _ and does not start with a digit. Use -o json or -o yaml.")
        }
        return values.revealedPairs.map { "\($0.key)='\($0.value.replacingOccurrences(of: "'", with: "'\\''"))'" }.joined(separator: "\n")
    }

    /// A POSIX shell variable name: `[A-Za-z_][A-Za-z0-9_]*`.
    static func isShellName(_ key: String) -> Bool {
        guard let first = key.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return key.utf8.allSatisfy { byte in
            byte == UInt8(ascii: "_") || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
    }

    /// Prints `document` in `format`; `table` gives the table text (`-o env` prints YAML).
    static func emit(_ format: OutputFormat, document: PythonJSON.Value, table: () -> String) {
        emit(format, document: document, table: table, env: { yaml(document) })
    }

    /// Prints `document` in `format`, with `env` giving the `-o env` text.
    static func emit(_ format: OutputFormat, document: PythonJSON.Value, table: () -> String,
                     env envText: () throws -> String) rethrows
    {
        switch format {
        case .json: self.document(json(document))
        case .yaml: self.document(yaml(document))
        case .env: self.document(try envText())
        case .table: out(table())
        }
    }
}

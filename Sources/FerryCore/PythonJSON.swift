import Foundation

/// JSON as ZenML writes and reads it: Python's `json.dumps` defaults (`", "` and `": "`
/// separators, `ensure_ascii=True`, insertion order) and an order-keeping parser.
///
/// ZenML stores secret values as `json.dumps(values)` (ZenML 0.52.0
/// `src/zenml/zen_stores/schemas/secret_schemas.py`) and legacy payloads as
/// `json.dumps(secret_to_dict(secret))` (`src/zenml/secrets_managers/utils.py`).
///
/// ```swift
/// PythonJSON.dumps([("pw", .string("höhö"))])   // {"pw": "h\u00f6h\u00f6"}
/// ```
public enum PythonJSON {
    /// A JSON value with objects in document order.
    public indirect enum Value: Sendable, Equatable {
        case string(String)
        case number(String)
        case bool(Bool)
        case null
        case array([Value])
        case object([(key: String, value: Value)])

        public static func == (lhs: Value, rhs: Value) -> Bool {
            switch (lhs, rhs) {
            case (.string(let a), .string(let b)), (.number(let a), .number(let b)): return a == b
            case (.bool(let a), .bool(let b)): return a == b
            case (.null, .null): return true
            case (.array(let a), .array(let b)): return a == b
            case (.object(let a), .object(let b)):
                return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
            default: return false
            }
        }

        /// Python's `str(value)` for a scalar: strings as they are, booleans `True`/`False`,
        /// null `None`, numbers as written; containers as JSON.
        public var pythonString: String {
            switch self {
            case .string(let text): return text
            case .number(let text): return text
            case .bool(let flag): return flag ? "True" : "False"
            case .null: return "None"
            case .array, .object: return PythonJSON.dumps(self)
            }
        }

        /// The first member named `key` of an object (nil for other values).
        public func member(_ key: String) -> Value? {
            guard case .object(let pairs) = self else { return nil }
            return pairs.first { $0.key == key }?.value
        }

        /// The text of a string or number (nil for other values).
        public var text: String? {
            switch self {
            case .string(let text), .number(let text): return text
            default: return nil
            }
        }
    }

    /// `json.dumps(value)` with Python's defaults.
    public static func dumps(_ value: Value) -> String {
        var out = ""
        write(value, into: &out)
        return out
    }

    /// `json.dumps` of a flat string map, in order.
    public static func dumps(_ values: SecretValues) -> String {
        dumps(.object(values.revealedPairs.map { ($0.key, .string($0.value)) }))
    }

    private static func write(_ value: Value, into out: inout String) {
        switch value {
        case .string(let text): writeString(text, into: &out)
        case .number(let text): out += text
        case .bool(let flag): out += flag ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += ", " }
                write(item, into: &out)
            }
            out += "]"
        case .object(let pairs):
            out += "{"
            for (index, pair) in pairs.enumerated() {
                if index > 0 { out += ", " }
                writeString(pair.key, into: &out)
                out += ": "
                write(pair.value, into: &out)
            }
            out += "}"
        }
    }

    private static let hexDigits = Array("0123456789abcdef".unicodeScalars)

    /// Python's `py_encode_basestring_ascii`: everything outside printable ASCII is escaped.
    private static func writeString(_ text: String, into out: inout String) {
        var scalars = String.UnicodeScalarView()
        scalars.append("\"")
        func appendHex(_ unit: UInt32) {
            scalars.append("\\"); scalars.append("u")
            for shift in stride(from: 12, through: 0, by: -4) { scalars.append(hexDigits[Int((unit >> UInt32(shift)) & 0xF)]) }
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": scalars.append("\\"); scalars.append("\"")
            case "\\": scalars.append("\\"); scalars.append("\\")
            case "\n": scalars.append("\\"); scalars.append("n")
            case "\r": scalars.append("\\"); scalars.append("r")
            case "\t": scalars.append("\\"); scalars.append("t")
            case "\u{08}": scalars.append("\\"); scalars.append("b")
            case "\u{0C}": scalars.append("\\"); scalars.append("f")
            default:
                let v = scalar.value
                if v >= 0x20 && v < 0x7F {
                    scalars.append(scalar)
                } else if v < 0x10000 {
                    appendHex(v)
                } else {
                    let u = v - 0x10000
                    appendHex(0xD800 | (u >> 10))
                    appendHex(0xDC00 | (u & 0x3FF))
                }
            }
        }
        scalars.append("\"")
        out.unicodeScalars.append(contentsOf: scalars)
    }

    /// Parses one JSON document (RFC 8259, plus Python's `NaN`/`Infinity` literals), keeping object order.
    public static func parse(_ text: String) throws -> Value {
        var parser = Parser(Array(text.utf8))
        parser.skipSpace()
        let value = try parser.parseValue(depth: 0)
        parser.skipSpace()
        guard parser.atEnd else { throw parser.failure("extra data after the document") }
        return value
    }

    /// Parses a JSON object whose values are all scalars into a string map, Python `str()`-ing
    /// non-strings (so a stored `true` reads as `True`, as ZenML's migrate does).
    public static func parseFlatMap(_ text: String, what: String) throws -> SecretValues {
        let value: Value
        do {
            value = try parse(text)
        } catch let error as FerryError {
            throw FerryError(.corruptData, code: .invalidJSON, "\(what) is not valid JSON: \(error.message)")
        }
        guard case .object(let pairs) = value else {
            throw FerryError(.corruptData, code: .notAMap, "\(what) is not a JSON object of keys and values.")
        }
        var values = SecretValues()
        for (key, item) in pairs { values[key] = item.pythonString }
        return values
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        var atEnd: Bool { index >= bytes.count }

        func failure(_ reason: String) -> FerryError {
            FerryError(.corruptData, code: .invalidJSON, "\(reason) at byte \(index)")
        }

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func parseValue(depth: Int) throws -> Value {
            guard depth < 512 else { throw failure("nesting too deep") }
            guard index < bytes.count else { throw failure("unexpected end") }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var pairs: [(key: String, value: Value)] = []
                var positions: [ScalarKey: Int] = [:]  // a key's place in `pairs` (a linear search was quadratic)
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(pairs) }
                while true {
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a key") }
                    let key = try parseString()
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure("expected ':'") }
                    index += 1
                    skipSpace()
                    let value = try parseValue(depth: depth + 1)
                    // A repeated key keeps its first position and its last value (Python dict).
                    if let existing = positions[ScalarKey(key)] {
                        pairs[existing].value = value
                    } else {
                        positions[ScalarKey(key)] = pairs.count
                        pairs.append((key, value))
                    }
                    skipSpace()
                    guard index < bytes.count else { throw failure("unexpected end") }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(pairs) }
                    throw failure("expected ',' or '}'")
                }
            case UInt8(ascii: "["):
                index += 1
                var items: [Value] = []
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                while true {
                    skipSpace()
                    items.append(try parseValue(depth: depth + 1))
                    skipSpace()
                    guard index < bytes.count else { throw failure("unexpected end") }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
                    throw failure("expected ',' or ']'")
                }
            case UInt8(ascii: "\""):
                return .string(try parseString())
            default:
                for (literal, value) in [("true", Value.bool(true)), ("false", .bool(false)), ("null", .null),
                                         ("NaN", .number("NaN")), ("Infinity", .number("Infinity")),
                                         ("-Infinity", .number("-Infinity"))]
                where matches(literal) {
                    index += literal.utf8.count
                    return value
                }
                let start = index
                while index < bytes.count, "+-0123456789.eE".utf8.contains(bytes[index]) { index += 1 }
                guard index > start, let text = String(bytes: bytes[start..<index], encoding: .utf8),
                    Double(text) != nil
                else { throw failure("unexpected character") }
                return .number(text)
            }
        }

        func matches(_ literal: String) -> Bool {
            let utf8 = Array(literal.utf8)
            return index + utf8.count <= bytes.count && Array(bytes[index..<(index + utf8.count)]) == utf8
        }

        mutating func parseString() throws -> String {
            index += 1  // opening quote
            var scalars = String.UnicodeScalarView()
            var runStart = index
            func flushRun() throws {
                if runStart < index {
                    guard let run = String(bytes: bytes[runStart..<index], encoding: .utf8) else {
                        throw failure("invalid UTF-8 in a string")
                    }
                    scalars.append(contentsOf: run.unicodeScalars)
                }
            }
            while true {
                guard index < bytes.count else { throw failure("unterminated string") }
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    try flushRun()
                    index += 1
                    return String(scalars)
                }
                if byte < 0x20 { throw failure("control character in a string") }
                if byte != UInt8(ascii: "\\") { index += 1; continue }
                try flushRun()
                index += 1
                guard index < bytes.count else { throw failure("unterminated escape") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    var unit = try hex4()
                    if (0xD800..<0xDC00).contains(unit), matches("\\u") {
                        let saved = index
                        index += 2
                        let low = try hex4()
                        if (0xDC00..<0xE000).contains(low) {
                            unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            index = saved
                        }
                    }
                    // A lone surrogate (which Python allows) becomes U+FFFD.
                    scalars.append(Unicode.Scalar(unit) ?? "\u{FFFD}")
                default: throw failure("invalid escape")
                }
                runStart = index
            }
        }

        mutating func hex4() throws -> UInt32 {
            guard index + 4 <= bytes.count,
                let text = String(bytes: bytes[index..<(index + 4)], encoding: .ascii),
                let unit = UInt32(text, radix: 16)
            else { throw failure("invalid \\u escape") }
            index += 4
            return unit
        }
    }
}

import Foundation

// MARK: - Value model

/// A YAML value as PyYAML's representer sees the data ZenML writes:
/// Python `str` objects and (nested) `dict`s whose keys are `str`.
///
/// Mappings keep their entries in insertion order (like a Python `dict`);
/// `PyYAMLEmitter.dump(_:sortKeys:)` decides whether they are sorted.
///
/// Equality follows Python's `str` semantics: two strings are equal only when
/// they consist of the same Unicode code points (Swift's `String ==` would
/// also equate canonically equivalent strings, which PyYAML writes
/// differently).
public indirect enum PyYAMLValue: Sendable {
    case string(String)
    case mapping([(key: String, value: PyYAMLValue)])
}

extension PyYAMLValue: Equatable {
    public static func == (lhs: PyYAMLValue, rhs: PyYAMLValue) -> Bool {
        switch (lhs, rhs) {
        case let (.string(a), .string(b)):
            return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case let (.mapping(a), .mapping(b)):
            guard a.count == b.count else { return false }
            for (x, y) in zip(a, b) {
                guard x.key.unicodeScalars.elementsEqual(y.key.unicodeScalars), x.value == y.value else {
                    return false
                }
            }
            return true
        default:
            return false
        }
    }
}

extension PyYAMLValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        self = .string(value)
    }
}

extension PyYAMLValue: ExpressibleByDictionaryLiteral {
    /// Entries keep the literal's order (relevant for `sortKeys: false`).
    public init(dictionaryLiteral elements: (String, PyYAMLValue)...) {
        self = .mapping(elements.map { (key: $0.0, value: $0.1) })
    }
}

extension PyYAMLValue {
    /// Builds a mapping from a Swift dictionary. Entries are ordered by
    /// Unicode code point, i.e. the order `yaml.dump` would write them in.
    public init(_ dictionary: [String: PyYAMLValue]) {
        let entries = dictionary.map { (key: $0.key, value: $0.value) }
        self = .mapping(entries.sorted { PyYAMLEmitter.codePointPrecedes($0.key, $1.key) })
    }
}

// MARK: - Emitter

/// Writes YAML exactly as PyYAML 6's pure-Python `yaml.dump` does with its
/// default settings: block style, `indent=2`, `width=80`,
/// `allow_unicode=False`, `\n` line breaks, no explicit document markers.
public enum PyYAMLEmitter {

    /// Byte-exact equivalent of `yaml.dump(value)` (`sortKeys: true`) or
    /// `yaml.dump(value, sort_keys=False)` (`sortKeys: false`).
    public static func dump(_ value: PyYAMLValue, sortKeys: Bool = true) -> String {
        var writer = YAMLWriter(sortKeys: sortKeys)
        writer.emitDocument(value)
        return String(decoding: writer.output, as: UTF8.self)
    }

    /// Python's `str` ordering: lexicographic by Unicode code point.
    /// UTF-8 byte order coincides with code point order.
    static func codePointPrecedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}

// MARK: - Character classes

private enum Ch {
    static let nul: UInt32 = 0x00
    static let tab: UInt32 = 0x09
    static let lf: UInt32 = 0x0A
    static let cr: UInt32 = 0x0D
    static let space: UInt32 = 0x20
    static let nel: UInt32 = 0x85
    static let ls: UInt32 = 0x2028
    static let ps: UInt32 = 0x2029

    /// `\n`, NEL, LS, PS — the characters PyYAML treats as line breaks.
    @inline(__always) static func isBreak(_ c: UInt32) -> Bool {
        c == lf || c == nel || c == ls || c == ps
    }

    /// NUL, space, tab, CR and the line breaks: what counts as "whitespace"
    /// around indicators in the scalar analysis.
    @inline(__always) static func isBlankOrBreakOrNul(_ c: UInt32) -> Bool {
        c == nul || c == space || c == tab || c == cr || isBreak(c)
    }

    @inline(__always) static func isDigit(_ c: UInt32) -> Bool { c >= 0x30 && c <= 0x39 }
    @inline(__always) static func isPrintableASCII(_ c: UInt32) -> Bool { c >= 0x20 && c <= 0x7E }
}

// MARK: - Implicit resolvers (YAML 1.1 as configured by PyYAML)

/// Answers whether PyYAML's default `Resolver` would give a plain scalar with
/// this text a tag other than `str` (bool, int, float, null, timestamp, merge,
/// value or yaml). Such strings must not be written plain.
private enum ImplicitResolver {

    static func resolvesToNonString(_ t: [UInt32]) -> Bool {
        guard let first = t.first else { return true }  // '' is null
        // Python's `$` also matches right before a final "\n".
        if matches(t, t.count, first) { return true }
        if t.count > 1, t[t.count - 1] == Ch.lf, matches(t, t.count - 1, first) { return true }
        return false
    }

    /// Tries the resolvers registered for the first character against t[0..<n].
    private static func matches(_ t: [UInt32], _ n: Int, _ first: UInt32) -> Bool {
        switch first {
        case 0x79, 0x59, 0x6E, 0x4E, 0x74, 0x54, 0x66, 0x46, 0x6F, 0x4F:  // yYnNtTfFoO
            if isBool(t, n) { return true }
            if first == 0x6E || first == 0x4E { return isNull(t, n) }
            return false
        case 0x2D, 0x2B:  // - +
            return isFloat(t, n) || isInt(t, n)
        case 0x30...0x39:
            return isFloat(t, n) || isInt(t, n) || isTimestamp(t, n)
        case 0x2E:  // .
            return isFloat(t, n)
        case 0x3C:  // <
            return equals(t, n, "<<")
        case 0x7E:  // ~
            return n == 1
        case 0x3D:  // =
            return n == 1
        case 0x21, 0x26, 0x2A:  // ! & *
            return n == 1
        default:
            return false
        }
    }

    private static func equals(_ t: [UInt32], _ n: Int, _ word: StaticString) -> Bool {
        guard n == word.utf8CodeUnitCount else { return false }
        return word.withUTF8Buffer { buf in
            for i in 0..<n where t[i] != UInt32(buf[i]) { return false }
            return true
        }
    }

    private static let boolWords: [StaticString] = [
        "yes", "Yes", "YES", "no", "No", "NO",
        "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF",
    ]

    private static func isBool(_ t: [UInt32], _ n: Int) -> Bool {
        guard n >= 2 && n <= 5 else { return false }
        return boolWords.contains { equals(t, n, $0) }
    }

    private static func isNull(_ t: [UInt32], _ n: Int) -> Bool {
        equals(t, n, "null") || equals(t, n, "Null") || equals(t, n, "NULL")
    }

    // Small scanning helpers over t[i..<n].

    private static func isSign(_ c: UInt32) -> Bool { c == 0x2D || c == 0x2B }
    private static func isDigitOrUnderscore(_ c: UInt32) -> Bool { Ch.isDigit(c) || c == 0x5F }

    /// Index after the longest run of characters satisfying `pred` from `i`.
    private static func skip(_ t: [UInt32], _ i: Int, _ n: Int, _ pred: (UInt32) -> Bool) -> Int {
        var j = i
        while j < n && pred(t[j]) { j += 1 }
        return j
    }

    /// One or more `:[0-5]?[0-9]` groups starting at `i`. Each group's digit
    /// run must be complete (the regex needs a non-digit after it). Returns the
    /// index after the last group, or nil.
    private static func sexagesimalTail(_ t: [UInt32], _ i: Int, _ n: Int) -> Int? {
        var j = i
        var groups = 0
        while j < n && t[j] == 0x3A {
            let start = j + 1
            let end = skip(t, start, n, Ch.isDigit)
            let len = end - start
            if len == 1 || (len == 2 && t[start] <= 0x35) {
                j = end
                groups += 1
            } else {
                return nil
            }
        }
        return groups > 0 ? j : nil
    }

    /// `[eE][-+][0-9]+` exactly covering t[i..<n], or nothing at all.
    private static func optionalExponentToEnd(_ t: [UInt32], _ i: Int, _ n: Int) -> Bool {
        if i == n { return true }
        guard t[i] == 0x65 || t[i] == 0x45 else { return false }
        guard i + 1 < n, isSign(t[i + 1]) else { return false }
        let end = skip(t, i + 2, n, Ch.isDigit)
        return end > i + 2 && end == n
    }

    private static func isFloat(_ t: [UInt32], _ n: Int) -> Bool {
        guard n > 0 else { return false }
        let hasSign = isSign(t[0])
        let s = hasSign ? 1 : 0
        guard s < n else { return false }

        if Ch.isDigit(t[s]) {
            // [-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?
            let afterInt = skip(t, s + 1, n, isDigitOrUnderscore)
            if afterInt < n && t[afterInt] == 0x2E {
                let afterFrac = skip(t, afterInt + 1, n, isDigitOrUnderscore)
                if optionalExponentToEnd(t, afterFrac, n) { return true }
            }
            // [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
            if afterInt < n && t[afterInt] == 0x3A,
               let afterSex = sexagesimalTail(t, afterInt, n),
               afterSex < n, t[afterSex] == 0x2E {
                if skip(t, afterSex + 1, n, isDigitOrUnderscore) == n { return true }
            }
            return false
        }
        if t[s] == 0x2E {
            let rest = s + 1
            // [-+]?\.(?:inf|Inf|INF)
            if n - rest == 3 {
                let w = (t[rest], t[rest + 1], t[rest + 2])
                if w == (0x69, 0x6E, 0x66) || w == (0x49, 0x6E, 0x66) || w == (0x49, 0x4E, 0x46) { return true }
                if !hasSign {
                    // \.(?:nan|NaN|NAN)
                    if w == (0x6E, 0x61, 0x6E) || w == (0x4E, 0x61, 0x4E) || w == (0x4E, 0x41, 0x4E) { return true }
                }
            }
            // \.[0-9][0-9_]*(?:[eE][-+][0-9]+)?   (no sign allowed)
            if !hasSign && rest < n && Ch.isDigit(t[rest]) {
                let afterFrac = skip(t, rest + 1, n, isDigitOrUnderscore)
                if optionalExponentToEnd(t, afterFrac, n) { return true }
            }
        }
        return false
    }

    private static func isInt(_ t: [UInt32], _ n: Int) -> Bool {
        guard n > 0 else { return false }
        let s = isSign(t[0]) ? 1 : 0
        guard s < n else { return false }
        if t[s] == 0x30 {
            if n - s == 1 { return true }  // 0
            let c = t[s + 1]
            if c == 0x62 {  // 0b[0-1_]+
                let end = skip(t, s + 2, n) { $0 == 0x30 || $0 == 0x31 || $0 == 0x5F }
                return end > s + 2 && end == n
            }
            if c == 0x78 {  // 0x[0-9a-fA-F_]+
                let end = skip(t, s + 2, n) {
                    Ch.isDigit($0) || ($0 >= 0x61 && $0 <= 0x66) || ($0 >= 0x41 && $0 <= 0x46) || $0 == 0x5F
                }
                return end > s + 2 && end == n
            }
            // 0[0-7_]+
            let end = skip(t, s + 1, n) { ($0 >= 0x30 && $0 <= 0x37) || $0 == 0x5F }
            return end == n
        }
        if t[s] >= 0x31 && t[s] <= 0x39 {
            let afterInt = skip(t, s + 1, n, isDigitOrUnderscore)
            if afterInt == n { return true }  // [1-9][0-9_]*
            // [1-9][0-9_]*(?::[0-5]?[0-9])+
            if let afterSex = sexagesimalTail(t, afterInt, n), afterSex == n { return true }
        }
        return false
    }

    private static func isTimestamp(_ t: [UInt32], _ n: Int) -> Bool {
        // Both alternatives start with [0-9]{4}-
        guard n >= 8 else { return false }
        for i in 0..<4 where !Ch.isDigit(t[i]) { return false }
        guard t[4] == 0x2D else { return false }
        // [0-9]{4}-[0-9]{2}-[0-9]{2}
        if n == 10 && Ch.isDigit(t[5]) && Ch.isDigit(t[6]) && t[7] == 0x2D && Ch.isDigit(t[8]) && Ch.isDigit(t[9]) {
            return true
        }
        // -[0-9][0-9]? -[0-9][0-9]?
        var i = 5
        var end = skip(t, i, n, Ch.isDigit)
        guard end - i == 1 || end - i == 2, end < n, t[end] == 0x2D else { return false }
        i = end + 1
        end = skip(t, i, n, Ch.isDigit)
        guard end - i == 1 || end - i == 2, end < n else { return false }
        i = end
        // (?:[Tt]|[ \t]+)
        if t[i] == 0x54 || t[i] == 0x74 {
            i += 1
        } else {
            let e = skip(t, i, n) { $0 == Ch.space || $0 == Ch.tab }
            guard e > i else { return false }
            i = e
        }
        // [0-9][0-9]? :[0-9][0-9] :[0-9][0-9]
        end = skip(t, i, n, Ch.isDigit)
        guard end - i == 1 || end - i == 2, end < n, t[end] == 0x3A else { return false }
        i = end + 1
        guard i + 2 < n, Ch.isDigit(t[i]), Ch.isDigit(t[i + 1]), t[i + 2] == 0x3A else { return false }
        i += 3
        guard i + 1 < n, Ch.isDigit(t[i]), Ch.isDigit(t[i + 1]) else { return false }
        i += 2
        // (?:\.[0-9]*)?
        if i < n && t[i] == 0x2E {
            i = skip(t, i + 1, n, Ch.isDigit)
        }
        if i == n { return true }
        // (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?
        i = skip(t, i, n) { $0 == Ch.space || $0 == Ch.tab }
        guard i < n else { return false }
        if t[i] == 0x5A { return i + 1 == n }
        guard isSign(t[i]) else { return false }
        i += 1
        end = skip(t, i, n, Ch.isDigit)
        guard end - i == 1 || end - i == 2 else { return false }
        i = end
        if i == n { return true }
        guard t[i] == 0x3A, i + 3 == n, Ch.isDigit(t[i + 1]), Ch.isDigit(t[i + 2]) else { return false }
        return true
    }
}

// MARK: - Scalar analysis

private struct ScalarAnalysis {
    var empty = false
    var multiline = false
    var allowFlowPlain = true
    var allowBlockPlain = true
    var allowSingleQuoted = true
    var allowDoubleQuoted = true
    var allowBlock = true

    init(_ s: UnsafeBufferPointer<UInt32>) {
        if s.isEmpty {
            empty = true
            allowFlowPlain = false
            allowBlock = false
            return
        }
        let n = s.count
        var blockIndicators = false
        var flowIndicators = false
        var lineBreaks = false
        var specialCharacters = false
        var leadingSpace = false
        var leadingBreak = false
        var trailingSpace = false
        var trailingBreak = false
        var breakSpace = false
        var spaceBreak = false

        // Document markers at the very start.
        if n >= 3 {
            let a = s[0], b = s[1], c = s[2]
            if (a == 0x2D && b == 0x2D && c == 0x2D) || (a == 0x2E && b == 0x2E && c == 0x2E) {
                blockIndicators = true
                flowIndicators = true
            }
        }

        var precededByWhitespace = true
        var followedByWhitespace = n == 1 || Ch.isBlankOrBreakOrNul(s[1])
        var previousSpace = false
        var previousBreak = false

        for index in 0..<n {
            let ch = s[index]
            if index == 0 {
                switch ch {
                case 0x23, 0x2C, 0x5B, 0x5D, 0x7B, 0x7D, 0x26, 0x2A, 0x21, 0x7C, 0x3E, 0x27, 0x22, 0x25, 0x40, 0x60:
                    // # , [ ] { } & * ! | > ' " % @ `
                    flowIndicators = true
                    blockIndicators = true
                case 0x3F, 0x3A:  // ? :
                    flowIndicators = true
                    if followedByWhitespace { blockIndicators = true }
                case 0x2D:  // -
                    if followedByWhitespace {
                        flowIndicators = true
                        blockIndicators = true
                    }
                default:
                    break
                }
            } else {
                switch ch {
                case 0x2C, 0x3F, 0x5B, 0x5D, 0x7B, 0x7D:  // , ? [ ] { }
                    flowIndicators = true
                case 0x3A:  // :
                    flowIndicators = true
                    if followedByWhitespace { blockIndicators = true }
                case 0x23:  // #
                    if precededByWhitespace {
                        flowIndicators = true
                        blockIndicators = true
                    }
                default:
                    break
                }
            }

            let isBreak = Ch.isBreak(ch)
            if isBreak { lineBreaks = true }
            // With allow_unicode=False every character outside printable
            // ASCII (other than "\n") is special.
            if !(ch == Ch.lf || Ch.isPrintableASCII(ch)) {
                specialCharacters = true
            }

            if ch == Ch.space {
                if index == 0 { leadingSpace = true }
                if index == n - 1 { trailingSpace = true }
                if previousBreak { breakSpace = true }
                previousSpace = true
                previousBreak = false
            } else if isBreak {
                if index == 0 { leadingBreak = true }
                if index == n - 1 { trailingBreak = true }
                if previousSpace { spaceBreak = true }
                previousSpace = false
                previousBreak = true
            } else {
                previousSpace = false
                previousBreak = false
            }

            precededByWhitespace = Ch.isBlankOrBreakOrNul(ch)
            followedByWhitespace = index + 2 >= n || Ch.isBlankOrBreakOrNul(s[index + 2])
        }

        if leadingSpace || leadingBreak || trailingSpace || trailingBreak {
            allowFlowPlain = false
            allowBlockPlain = false
        }
        if trailingSpace {
            allowBlock = false
        }
        if breakSpace {
            allowFlowPlain = false
            allowBlockPlain = false
            allowSingleQuoted = false
        }
        if spaceBreak || specialCharacters {
            allowFlowPlain = false
            allowBlockPlain = false
            allowSingleQuoted = false
            allowBlock = false
        }
        if lineBreaks {
            allowFlowPlain = false
            allowBlockPlain = false
        }
        if flowIndicators {
            allowFlowPlain = false
        }
        if blockIndicators {
            allowBlockPlain = false
        }
        multiline = lineBreaks
    }
}

// MARK: - Writer

private enum ScalarStyle {
    case plain, singleQuoted, doubleQuoted
}

/// A scalar prepared for emission: its code points and analysis.
private struct PreparedScalar {
    /// The string's UTF-8 encoding (also the sort key: UTF-8 byte order is
    /// code point order).
    let utf8: [UInt8]
    /// The string's code points; PyYAML indexes and measures by these.
    let text: [UInt32]
    /// Whether `utf8` and `text` coincide element for element.
    let isASCII: Bool
    let analysis: ScalarAnalysis

    init(_ string: String) {
        utf8 = Array(string.utf8)
        isASCII = utf8.allSatisfy { $0 < 0x80 }
        if isASCII {
            text = utf8.map { UInt32($0) }
        } else {
            text = utf8.withUnsafeBufferPointer { Self.decodeCodePoints($0) }
        }
        analysis = text.withUnsafeBufferPointer { ScalarAnalysis($0) }
    }

    /// Python's `str` ordering (by code point).
    static func precedes(_ a: PreparedScalar, _ b: PreparedScalar) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// Decodes (already validated) UTF-8 into code points; much faster than
    /// going through `String.UnicodeScalarView`.
    private static func decodeCodePoints(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt32] {
        [UInt32](unsafeUninitializedCapacity: bytes.count) { buffer, initializedCount in
            var i = 0
            var out = 0
            let n = bytes.count
            while i < n {
                let b0 = UInt32(bytes[i])
                let value: UInt32
                if b0 < 0x80 {
                    value = b0
                    i += 1
                } else if b0 < 0xE0 {
                    value = (b0 & 0x1F) << 6 | UInt32(bytes[i + 1] & 0x3F)
                    i += 2
                } else if b0 < 0xF0 {
                    value = (b0 & 0x0F) << 12 | UInt32(bytes[i + 1] & 0x3F) << 6 | UInt32(bytes[i + 2] & 0x3F)
                    i += 3
                } else {
                    value = (b0 & 0x07) << 18 | UInt32(bytes[i + 1] & 0x3F) << 12
                        | UInt32(bytes[i + 2] & 0x3F) << 6 | UInt32(bytes[i + 3] & 0x3F)
                    i += 4
                }
                buffer[out] = value
                out += 1
            }
            initializedCount = out
        }
    }
}

private struct YAMLWriter {
    let sortKeys: Bool
    let bestIndent = 2
    let bestWidth = 80

    var output: [UInt8] = []

    // Emitter state, mirroring PyYAML's.
    var indents: [Int?] = []
    var indent: Int? = nil
    var flowLevel = 0
    var column = 0
    var whitespace = true
    var indention = true
    var openEnded = false

    // Node context.
    var rootContext = false
    var simpleKeyContext = false

    /// Length PyYAML adds for the str node's tag (`!!str`) when it measures a key.
    static let strTagLength = 5
    /// PyYAML's limit for implicit (simple) keys.
    static let simpleKeyLimit = 128

    init(sortKeys: Bool) {
        self.sortKeys = sortKeys
        output.reserveCapacity(4096)
    }

    // MARK: Document / nodes

    mutating func emitDocument(_ value: PyYAMLValue) {
        // The document start is implicit: no directives, no `---`.
        emitNode(value, root: true, simpleKey: false)
        // Document end.
        writeIndent()
        // Stream end.
        if openEnded {
            writeIndicator("...", needWhitespace: true)
            writeIndent()
        }
    }

    mutating func emitNode(_ value: PyYAMLValue, root: Bool, simpleKey: Bool) {
        switch value {
        case .string(let s):
            emitScalar(PreparedScalar(s), root: root, simpleKey: simpleKey)
        case .mapping(let entries):
            rootContext = root
            simpleKeyContext = simpleKey
            if entries.isEmpty || flowLevel > 0 {
                emitEmptyFlowMapping()
            } else {
                emitBlockMapping(entries)
            }
        }
    }

    mutating func emitScalar(_ scalar: PreparedScalar, root: Bool, simpleKey: Bool) {
        rootContext = root
        simpleKeyContext = simpleKey
        let style = chooseStyle(scalar)
        increaseIndent(flow: true, indentless: false)
        let split = !simpleKeyContext
        switch style {
        case .plain: writePlain(scalar, split: split)
        case .singleQuoted: writeSingleQuoted(scalar, split: split)
        case .doubleQuoted: writeDoubleQuoted(scalar, split: split)
        }
        indent = indents.removeLast()
    }

    mutating func emitEmptyFlowMapping() {
        writeIndicator("{", needWhitespace: true, whitespace: true)
        flowLevel += 1
        increaseIndent(flow: true, indentless: false)
        indent = indents.removeLast()
        flowLevel -= 1
        writeIndicator("}", needWhitespace: false)
    }

    mutating func emitBlockMapping(_ entries: [(key: String, value: PyYAMLValue)]) {
        increaseIndent(flow: false, indentless: false)
        let keys = entries.map { PreparedScalar($0.key) }
        if sortKeys {
            // Stable: entries with identical keys keep their relative order.
            let order = keys.indices.sorted { i, j in
                if PreparedScalar.precedes(keys[i], keys[j]) { return true }
                if PreparedScalar.precedes(keys[j], keys[i]) { return false }
                return i < j
            }
            for i in order { emitMappingEntry(key: keys[i], value: entries[i].value) }
        } else {
            for i in entries.indices { emitMappingEntry(key: keys[i], value: entries[i].value) }
        }
        indent = indents.removeLast()
    }

    mutating func emitMappingEntry(key: PreparedScalar, value: PyYAMLValue) {
        writeIndent()
        if isSimpleKey(key) {
            emitScalar(key, root: false, simpleKey: true)
            writeIndicator(":", needWhitespace: false)
        } else {
            writeIndicator("?", needWhitespace: true, indention: true)
            emitScalar(key, root: false, simpleKey: false)
            writeIndent()
            writeIndicator(":", needWhitespace: true, indention: true)
        }
        emitNode(value, root: false, simpleKey: false)
    }

    func isSimpleKey(_ key: PreparedScalar) -> Bool {
        let length = Self.strTagLength + key.text.count
        return length < Self.simpleKeyLimit && !key.analysis.empty && !key.analysis.multiline
    }

    func chooseStyle(_ scalar: PreparedScalar) -> ScalarStyle {
        let a = scalar.analysis
        if !ImplicitResolver.resolvesToNonString(scalar.text) {
            let plainAllowed = flowLevel > 0 ? a.allowFlowPlain : a.allowBlockPlain
            if !(simpleKeyContext && (a.empty || a.multiline)) && plainAllowed {
                return .plain
            }
        }
        if a.allowSingleQuoted && !(simpleKeyContext && a.multiline) {
            return .singleQuoted
        }
        return .doubleQuoted
    }

    mutating func increaseIndent(flow: Bool, indentless: Bool) {
        indents.append(indent)
        if let current = indent {
            if !indentless { indent = current + bestIndent }
        } else {
            indent = flow ? bestIndent : 0
        }
    }

    // MARK: Low-level output

    mutating func writeASCII(_ s: StaticString) {
        s.withUTF8Buffer { output.append(contentsOf: $0) }
    }

    /// Appends code points start..<end of the scalar (UTF-8 encoded) and
    /// advances the column by their number.
    mutating func writeText(_ scalar: PreparedScalar, _ start: Int, _ end: Int) {
        guard start < end else { return }
        column += end - start
        if scalar.isASCII {
            output.append(contentsOf: scalar.utf8[start..<end])
        } else {
            for i in start..<end { appendScalar(scalar.text[i]) }
        }
    }

    mutating func appendScalar(_ v: UInt32) {
        if v < 0x80 {
            output.append(UInt8(v))
        } else if let scalar = Unicode.Scalar(v) {
            output.append(contentsOf: Array(String(Character(scalar)).utf8))
        }
    }

    mutating func writeIndicator(_ indicator: StaticString, needWhitespace: Bool,
                                 whitespace newWhitespace: Bool = false, indention newIndention: Bool = false) {
        var length = indicator.utf8CodeUnitCount
        if !(whitespace || !needWhitespace) {
            output.append(0x20)
            length += 1
        }
        writeASCII(indicator)
        whitespace = newWhitespace
        indention = indention && newIndention
        column += length
        openEnded = false
    }

    mutating func writeIndent() {
        let target = indent ?? 0
        if !indention || column > target || (column == target && !whitespace) {
            writeLineBreak()
        }
        if column < target {
            whitespace = true
            output.append(contentsOf: repeatElement(0x20, count: target - column))
            column = target
        }
    }

    mutating func writeLineBreak(_ character: UInt32? = nil) {
        whitespace = true
        indention = true
        column = 0
        if let c = character {
            appendScalar(c)
        } else {
            output.append(0x0A)
        }
    }

    /// Writes the run of line breaks text[start..<end] the way PyYAML's
    /// plain and single-quoted writers do (an extra break for a leading "\n").
    mutating func writeBreaks(_ text: [UInt32], _ start: Int, _ end: Int) {
        if text[start] == Ch.lf {
            writeLineBreak()
        }
        for i in start..<end {
            let br = text[i]
            writeLineBreak(br == Ch.lf ? nil : br)
        }
    }

    // MARK: Scalar writers

    mutating func writePlain(_ scalar: PreparedScalar, split: Bool) {
        let text = scalar.text
        if rootContext { openEnded = true }
        if text.isEmpty { return }
        if !whitespace {
            output.append(0x20)
            column += 1
        }
        whitespace = false
        indention = false
        var spaces = false
        var breaks = false
        var start = 0
        let n = text.count
        var end = 0
        while end <= n {
            let ch: UInt32? = end < n ? text[end] : nil
            if spaces {
                if ch != Ch.space {
                    if start + 1 == end && column > bestWidth && split {
                        writeIndent()
                        whitespace = false
                        indention = false
                    } else {
                        writeText(scalar, start, end)
                    }
                    start = end
                }
            } else if breaks {
                if ch == nil || !Ch.isBreak(ch!) {
                    writeBreaks(text, start, end)
                    writeIndent()
                    whitespace = false
                    indention = false
                    start = end
                }
            } else {
                if ch == nil || ch == Ch.space || Ch.isBreak(ch!) {
                    writeText(scalar, start, end)
                    start = end
                }
            }
            if let c = ch {
                spaces = c == Ch.space
                breaks = Ch.isBreak(c)
            }
            end += 1
        }
    }

    mutating func writeSingleQuoted(_ scalar: PreparedScalar, split: Bool) {
        let text = scalar.text
        writeIndicator("'", needWhitespace: true)
        var spaces = false
        var breaks = false
        var start = 0
        let n = text.count
        var end = 0
        while end <= n {
            let ch: UInt32? = end < n ? text[end] : nil
            if spaces {
                if ch == nil || ch != Ch.space {
                    if start + 1 == end && column > bestWidth && split && start != 0 && end != n {
                        writeIndent()
                    } else {
                        writeText(scalar, start, end)
                    }
                    start = end
                }
            } else if breaks {
                if ch == nil || !Ch.isBreak(ch!) {
                    writeBreaks(text, start, end)
                    writeIndent()
                    start = end
                }
            } else {
                if ch == nil || ch == Ch.space || Ch.isBreak(ch!) || ch == 0x27 {
                    if start < end {
                        writeText(scalar, start, end)
                        start = end
                    }
                }
            }
            if ch == 0x27 {
                writeASCII("''")
                column += 2
                start = end + 1
            }
            if let c = ch {
                spaces = c == Ch.space
                breaks = Ch.isBreak(c)
            }
            end += 1
        }
        writeIndicator("'", needWhitespace: false)
    }

    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// PyYAML's escape for a character that cannot appear literally inside
    /// a double-quoted scalar (allow_unicode=False).
    mutating func writeEscape(_ ch: UInt32) {
        let short: UInt8?
        switch ch {
        case 0x00: short = 0x30          // \0
        case 0x07: short = 0x61          // \a
        case 0x08: short = 0x62          // \b
        case 0x09: short = 0x74          // \t
        case 0x0A: short = 0x6E          // \n
        case 0x0B: short = 0x76          // \v
        case 0x0C: short = 0x66          // \f
        case 0x0D: short = 0x72          // \r
        case 0x1B: short = 0x65          // \e
        case 0x22: short = 0x22          // \"
        case 0x5C: short = 0x5C          // \\
        case 0x85: short = 0x4E          // \N
        case 0xA0: short = 0x5F          // \_
        case 0x2028: short = 0x4C        // \L
        case 0x2029: short = 0x50        // \P
        default: short = nil
        }
        output.append(0x5C)
        if let s = short {
            output.append(s)
            column += 2
            return
        }
        let digits: Int
        if ch <= 0xFF {
            output.append(0x78)  // x
            digits = 2
        } else if ch <= 0xFFFF {
            output.append(0x75)  // u
            digits = 4
        } else {
            output.append(0x55)  // U
            digits = 8
        }
        for shift in stride(from: (digits - 1) * 4, through: 0, by: -4) {
            output.append(Self.hexDigits[Int((ch >> UInt32(shift)) & 0xF)])
        }
        column += 2 + digits
    }

    mutating func writeDoubleQuoted(_ scalar: PreparedScalar, split: Bool) {
        let text = scalar.text
        writeIndicator("\"", needWhitespace: true)
        var start = 0
        let n = text.count
        var end = 0
        while end <= n {
            let ch: UInt32? = end < n ? text[end] : nil
            let mustEscape: Bool
            if let c = ch {
                mustEscape = c == 0x22 || c == 0x5C || !Ch.isPrintableASCII(c)
            } else {
                mustEscape = false
            }
            if ch == nil || mustEscape {
                if start < end {
                    writeText(scalar, start, end)
                    start = end
                }
                if let c = ch {
                    writeEscape(c)
                    start = end + 1
                }
            }
            if 0 < end && end < n - 1 && (ch == Ch.space || start >= end)
                && column + (end - start) > bestWidth && split {
                writeText(scalar, start, end)
                output.append(0x5C)
                column += 1
                if start < end { start = end }
                writeIndent()
                whitespace = false
                indention = false
                if text[start] == Ch.space {
                    output.append(0x5C)
                    column += 1
                }
            }
            end += 1
        }
        writeIndicator("\"", needWhitespace: false)
    }
}

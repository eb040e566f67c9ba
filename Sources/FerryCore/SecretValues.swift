/// The key→value map of a secret. It redacts itself: printing, interpolating, dumping or
/// reflecting it shows `<REDACTED>` values; the clear text comes only from ``revealed(_:)``,
/// ``revealedPairs`` or ``revealedDictionary``.
///
/// Keys keep their insertion order (ZenML stores Python dicts, whose order is the insertion
/// order). Equality ignores order, as Python's dict equality does.
///
/// ```swift
/// var values = SecretValues()
/// values["password"] = "hunter2"
/// print(values)                       // ["password": <REDACTED>]
/// values.revealed("password")         // "hunter2"
/// ```
public struct SecretValues: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable, ExpressibleByDictionaryLiteral
{
    private var order: [String] = []
    /// Keyed by Unicode scalars: Python tells "é" and "e\u{301}" apart, Swift's `String ==` does not.
    private var storage: [ScalarKey: String] = [:]

    /// An empty map.
    public init() {}

    /// A map from ordered pairs; a repeated key keeps its first position and its last value (as a Python dict).
    public init<S: Sequence>(_ pairs: S) where S.Element == (String, String) {
        for (key, value) in pairs { self[key] = value }
    }

    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// The keys in insertion order.
    public var keys: [String] { order }
    /// The number of keys.
    public var count: Int { order.count }
    /// Whether the map has no keys.
    public var isEmpty: Bool { order.isEmpty }

    /// Whether `key` is present.
    public func contains(_ key: String) -> Bool { storage[ScalarKey(key)] != nil }

    /// Sets or removes a value; reading returns the clear value (use ``revealed(_:)`` where the intent should show).
    public subscript(key: String) -> String? {
        get { storage[ScalarKey(key)] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: ScalarKey(key)) == nil { order.append(key) }
            } else if storage.removeValue(forKey: ScalarKey(key)) != nil {
                order.removeAll { ScalarKey($0) == ScalarKey(key) }
            }
        }
    }

    /// The clear value of `key`.
    public func revealed(_ key: String) -> String? { storage[ScalarKey(key)] }

    /// The clear pairs in insertion order.
    public var revealedPairs: [(key: String, value: String)] { order.map { ($0, storage[ScalarKey($0)]!) } }

    /// The clear values as a dictionary.
    public var revealedDictionary: [String: String] {
        Dictionary(storage.map { ($0.key.text, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    /// Adds or overwrites every pair of `other`, keeping this map's order for existing keys.
    public mutating func merge(_ other: SecretValues) {
        for (key, value) in other.revealedPairs { self[key] = value }
    }

    /// Total UTF-8 bytes of all keys and values (ZenML 0.98 caps this at 64 KiB).
    public var utf8ByteCount: Int { storage.reduce(0) { $0 + $1.key.text.utf8.count + $1.value.utf8.count } }

    public static func == (lhs: SecretValues, rhs: SecretValues) -> Bool {
        lhs.storage.count == rhs.storage.count
            && lhs.storage.allSatisfy { key, value in rhs.storage[key].map { PythonText.scalarsEqual($0, value) } ?? false }
    }
    public func hash(into hasher: inout Hasher) { hasher.combine(storage) }

    public var description: String {
        "[" + order.map { "\"\($0)\": <REDACTED>" }.joined(separator: ", ") + "]"
    }
    public var debugDescription: String { "SecretValues(\(description))" }
    public var customMirror: Mirror { Mirror(self, children: ["keys": order], displayStyle: .struct) }
}

/// A dictionary key that compares strings by Unicode scalars, as Python compares `str`
/// (Swift's `String ==` treats canonically equivalent strings as equal).
public struct ScalarKey: Hashable, Sendable {
    public let text: String
    public init(_ text: String) { self.text = text }
    public static func == (lhs: ScalarKey, rhs: ScalarKey) -> Bool { PythonText.scalarsEqual(lhs.text, rhs.text) }
    public func hash(into hasher: inout Hasher) {
        for scalar in text.unicodeScalars { hasher.combine(scalar.value) }
    }
}

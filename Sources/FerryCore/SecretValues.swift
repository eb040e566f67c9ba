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
    private var storage: [String: String] = [:]

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
    public func contains(_ key: String) -> Bool { storage[key] != nil }

    /// Sets or removes a value; reading returns the clear value (use ``revealed(_:)`` where the intent should show).
    public subscript(key: String) -> String? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { order.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                order.removeAll { $0 == key }
            }
        }
    }

    /// The clear value of `key`.
    public func revealed(_ key: String) -> String? { storage[key] }

    /// The clear pairs in insertion order.
    public var revealedPairs: [(key: String, value: String)] { order.map { ($0, storage[$0]!) } }

    /// The clear values as a dictionary.
    public var revealedDictionary: [String: String] { storage }

    /// Adds or overwrites every pair of `other`, keeping this map's order for existing keys.
    public mutating func merge(_ other: SecretValues) {
        for (key, value) in other.revealedPairs { self[key] = value }
    }

    /// Total UTF-8 bytes of all keys and values (ZenML 0.98 caps this at 64 KiB).
    public var utf8ByteCount: Int { storage.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count } }

    public static func == (lhs: SecretValues, rhs: SecretValues) -> Bool { lhs.storage == rhs.storage }
    public func hash(into hasher: inout Hasher) { hasher.combine(storage) }

    public var description: String {
        "[" + order.map { "\"\($0)\": <REDACTED>" }.joined(separator: ", ") + "]"
    }
    public var debugDescription: String { "SecretValues(\(description))" }
    public var customMirror: Mirror { Mirror(self, children: ["keys": order], displayStyle: .struct) }
}

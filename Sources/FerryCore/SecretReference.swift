/// A `{{secret_name.key}}` reference in a stack component's configuration.
///
/// The whole value must be the reference. The name is the text before the first `.` (so a
/// secret whose name contains a dot cannot be referenced) and the key is the rest.
/// ZenML 0.52.0 `src/zenml/utils/secret_utils.py`; the grammar changed in 0.40.0.
///
/// ```swift
/// SecretReference(parsing: "{{ db.password }}", era: .zenml040)   // name "db", key "password"
/// SecretReference(parsing: "{{ db.password }}", era: .zenml013)   // nil: 0.13–0.39 allowed no spaces
/// ```
public struct SecretReference: Sendable, Hashable, CustomStringConvertible {
    /// Which ZenML grammar to apply.
    public enum Era: Sendable, CaseIterable {
        /// ZenML 0.13.0–0.39.1: `\{\{\S+?\.\S+\}\}`.
        case zenml013
        /// ZenML 0.40.0 and later: `\{\{\s*\S+?\.\S+\s*\}\}`, name and key stripped.
        case zenml040
    }

    public let name: String
    public let key: String

    public init(name: String, key: String) {
        self.name = name
        self.key = key
    }

    /// Parses `value` as a reference under `era`'s grammar; nil when it is not a reference.
    public init?(parsing value: String, era: Era = .zenml040) {
        let scalars = Array(value.unicodeScalars)
        guard scalars.count >= 4, scalars[0] == "{", scalars[1] == "{",
            scalars[scalars.count - 1] == "}", scalars[scalars.count - 2] == "}"
        else { return nil }
        var inner = scalars[2..<(scalars.count - 2)]
        if era == .zenml040 {
            // `\s*` on both sides; what is left must be `\S+?\.\S+`.
            while let first = inner.first, PythonText.isSpace(first) { inner = inner.dropFirst() }
            while let last = inner.last, PythonText.isSpace(last) { inner = inner.dropLast() }
        }
        // `\S+?\.\S+`: no whitespace at all, and a dot that is neither the first nor the last character.
        guard !inner.isEmpty, !inner.contains(where: PythonText.isSpace) else { return nil }
        guard inner.dropFirst().dropLast().contains(".") else { return nil }
        // `r[2:-2].split(".", 1)`, then (0.40+) `.strip()` of both parts.
        var nameEnd = inner.startIndex
        while inner[nameEnd] != "." { nameEnd += 1 }
        let name = String(String.UnicodeScalarView(inner[inner.startIndex..<nameEnd]))
        let key = String(String.UnicodeScalarView(inner[(nameEnd + 1)...]))
        self.name = name
        self.key = key
    }

    /// Whether `value` is a reference under `era`'s grammar (`is_secret_reference`).
    public static func isReference(_ value: String, era: Era = .zenml040) -> Bool {
        SecretReference(parsing: value, era: era) != nil
    }

    public var description: String { "{{\(name).\(key)}}" }
}

import Foundation

/// Making outside text safe to print: URLs without their passwords, names without terminal controls.
public enum DisplaySafety {
    /// Query parameters whose values are credentials (compared lower-cased, `-` read as `_`).
    static let credentialParameters: [String] = ["password", "passwd", "pwd", "secret", "token", "ssl_key", "sslkey",
                                                 "sslpassword", "key", "credential", "auth", "signature"]

    /// A URL as messages may show it: the password of its user info becomes `***`, and query
    /// parameters that carry credentials (`password=`, `ssl_key=`, `token=`…) are dropped. Scheme,
    /// user, host, port and path stay. Text that is not a `scheme://` URL comes back unchanged.
    ///
    /// ```swift
    /// DisplaySafety.redactedURL("mysql://zenml:S3cret@db/zenml?ssl_key=/k")  // "mysql://zenml:***@db/zenml"
    /// ```
    public static func redactedURL(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://") else { return text }
        let scheme = text[..<schemeEnd.lowerBound]
        var rest = text[schemeEnd.upperBound...]
        var fragment: Substring = ""
        if let hash = rest.firstIndex(of: "#") {
            fragment = rest[hash...]
            rest = rest[..<hash]
        }
        // The user info ends at the last `@`: a password may hold `/`, `?` or `@` unescaped, and
        // reading too much as user info only hides more.
        var userInfo = ""
        if let at = rest.lastIndex(of: "@") {
            let info = rest[..<at]
            userInfo = info.firstIndex(of: ":").map { info[..<$0] + ":***@" } ?? info + "@"
            rest = rest[rest.index(after: at)...]
        }
        var query: String?
        if let question = rest.firstIndex(of: "?") {
            let kept = rest[rest.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false).filter { pair in
                let name = pair.split(separator: "=", maxSplits: 1).first.map(String.init)?.lowercased()
                    .replacingOccurrences(of: "-", with: "_") ?? ""
                return !credentialParameters.contains { name.contains($0) }
            }
            query = kept.isEmpty ? nil : kept.joined(separator: "&")
            rest = rest[..<question]
        }
        return scheme + "://" + userInfo + rest + (query.map { "?" + $0 } ?? "") + (fragment.isEmpty ? "" : "#…")
    }

    /// Whether a scalar would steer a terminal or reorder text: C0 controls, DEL, C1 controls
    /// (ESC's 8-bit forms among them) and the Unicode bidirectional embeddings, overrides and isolates.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        return value < 0x20 || (0x7F...0x9F).contains(value) || (0x202A...0x202E).contains(value)
            || (0x2066...0x2069).contains(value) || value == 0x200E || value == 0x200F || value == 0x061C
    }

    /// Outside text (a secret name, a key, a server's message) for a plain-text line: every
    /// control scalar written visibly (`\e`, `\n`, `\r`, `\t`, `\u{202e}`…); `keepingNewlines`
    /// leaves line feeds alone (for text of several lines). Backslashes are left as they are, so
    /// escaping twice changes nothing.
    ///
    /// ```swift
    /// DisplaySafety.escaped("a\u{1b}[2Jb\nc")  // "a\\e[2Jb\\nc"
    /// ```
    public static func escaped(_ text: String, keepingNewlines: Bool = false) -> String {
        func escapes(_ scalar: Unicode.Scalar) -> Bool { isControl(scalar) && !(keepingNewlines && scalar == "\n") }
        guard text.unicodeScalars.contains(where: escapes) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            guard escapes(scalar) else {
                out.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\u{1B}": out += "\\e"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out += "\\u{" + String(scalar.value, radix: 16) + "}"
            }
        }
        return out
    }
}

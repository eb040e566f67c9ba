import FerryCore
import Foundation

/// What Ferry relays of a server's error answer: the HTTP status, the service's error code and a
/// short message, never anything the request carried.
///
/// A server, emulator or proxy may echo the request in its error text: the token header, the
/// client secret of a token request, the values of a write. So the code and the message are
/// shown only when no part of them repeats the request's credentials or body: a message that
/// shares 8 bytes in a row (or a whole short value) with them is withheld. Body strings that the
/// caller names as `identifiers` (a secret's name, a role ARN: what Ferry's own message shows
/// anyway) may be repeated. What is shown is cut to ``maxMessage`` characters, on one line, with
/// its control characters escaped.
///
/// ```swift
/// let detail = ServerRefusal.detail(status: 400, code: "ValidationException", message: message, sent: request)
/// // " (HTTP 400 ValidationException): Invalid name"
/// ```
public enum ServerRefusal {
    /// The longest message relayed, in characters.
    public static let maxMessage = 200
    /// The longest error code relayed.
    public static let maxCode = 64
    /// What stands for a message that repeats what the request sent.
    public static let withheld = "its message is not shown: it repeats what Ferry sent"

    /// ` (HTTP <status> <code>): <message>`, or ` (HTTP <status> <code>; its message is not shown…)`,
    /// leaving out what is missing.
    public static func detail(status: Int?, code: String?, message: String?, sent request: HTTPRequest?,
                              identifiers: [String] = []) -> String
    {
        let shownCode = self.code(code, sent: request)
        var tag = ([status.map { "HTTP \($0)" }, shownCode].compactMap { $0 }).joined(separator: " ")
        let text = self.message(message, sent: request, identifiers: identifiers)
        if text == withheld {
            tag += (tag.isEmpty ? "" : "; ") + withheld
            return " (\(tag))"
        }
        return (tag.isEmpty ? "" : " (\(tag))") + (text.map { ": " + $0 } ?? "")
    }

    /// A service's error code (`ResourceNotFoundException`, `INVALID_ARGUMENT`, `invalid_client`)
    /// if it looks like one and repeats nothing the request sent.
    public static func code(_ text: String?, sent request: HTTPRequest?) -> String? {
        guard let text, !text.isEmpty, text.count <= maxCode,
              text.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) && $0.isASCII || "_-.:#/".unicodeScalars.contains($0) }),
              !repeats(Array(text.utf8), material(of: request))
        else { return nil }
        return text
    }

    /// What a ``FerryError`` keeps as its `remoteCode`: the service's error code when ``code(_:sent:)``
    /// lets it be shown, else the HTTP status (`"503"`), else nil.
    public static func remoteCode(status: Int?, code: String?, sent request: HTTPRequest?) -> String? {
        self.code(code, sent: request) ?? status.map(String.init)
    }

    /// A server's free-text message as Ferry may show it: one line, at most ``maxMessage``
    /// characters, controls escaped; ``withheld`` when it repeats what the request sent.
    public static func message(_ text: String?, sent request: HTTPRequest?, identifiers: [String] = []) -> String? {
        guard var text = text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        while text.hasSuffix(".") { text.removeLast() }  // messages end with a full stop; ours add one
        let cut = text.count > maxMessage
        let shown = String(text.prefix(maxMessage))
        // The whole text is checked, not only what is shown: a credential cut at the limit would
        // otherwise show its first bytes.
        if repeats(Array(text.utf8), material(of: request, identifiers: identifiers)) { return withheld }
        return DisplaySafety.escaped(shown) + (cut ? "…" : "")
    }

    /// Header values that carry no credential.
    static let plainHeaders: Set<String> = ["accept", "content-type", "content-length", "host", "user-agent", "x-amz-target",
                                           "x-amz-date", "x-vault-request", "connection", "accept-encoding", "metadata",
                                           "metadata-flavor"]

    /// Parts of form field names that mark a credential.
    static let formCredentials = ["secret", "password", "token", "assertion", "key", "externalid", "code"]

    /// The byte strings of a request that must not come back: credential header values (of an
    /// `Authorization` header its token, access key ID and signature) and the body, as sent and decoded.
    static func material(of request: HTTPRequest?, identifiers: [String] = []) -> [[UInt8]] {
        guard let request else { return [] }
        var items: [String] = []
        for (name, value) in request.headers where !plainHeaders.contains(name.lowercased()) {
            guard name.lowercased() == "authorization" || name.lowercased() == "proxy-authorization" else {
                items.append(value)
                continue
            }
            // `Bearer <token>`, `Basic <b64>`, `AWS4-HMAC-SHA256 Credential=<key>/<scope>, SignedHeaders=…, Signature=<hex>`.
            for part in value.split(whereSeparator: { $0 == " " || $0 == "," }).dropFirst() {
                var item = Substring(part)
                if let equals = item.firstIndex(of: "="), item[..<equals].allSatisfy(\.isLetter), !item[..<equals].isEmpty {
                    if item[..<equals] == "SignedHeaders" { continue }  // header names, not a secret
                    item = item[item.index(after: equals)...]
                }
                // A credential scope (`<key>/<date>/<region>/<service>/aws4_request`): the key, and long parts.
                let pieces = item.split(separator: "/")
                items += pieces.count > 1 ? [String(pieces[0])] + pieces.dropFirst().filter { $0.count >= 16 }.map(String.init) : [String(item)]
            }
        }
        let body = String(decoding: request.body, as: UTF8.self)
        if let json = try? PythonJSON.parse(body) {
            func leaves(_ value: PythonJSON.Value) {
                switch value {
                case .string(let text):
                    items.append(text)
                    // Values travel base64-encoded (GCP's payload, Vault's IAM login); a server may echo them decoded.
                    if text.count >= 8, let decoded = Data(base64Encoded: text) { items.append(String(decoding: decoded, as: UTF8.self)) }
                case .object(let pairs): pairs.forEach { leaves($0.value) }
                case .array(let values): values.forEach(leaves)
                default: break
                }
            }
            leaves(json)
        } else if request.header("Content-Type")?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true {
            // A form's credentials (`client_secret`, `password`, `assertion`, `refresh_token`…); its
            // other fields (`grant_type`, `client_id`, STS's `Action` and `RoleArn`) are what messages name.
            for pair in body.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = (parts.first.map(String.init) ?? "").lowercased()
                guard formCredentials.contains(where: { name.contains($0) }) else { continue }
                let value = parts.count > 1 ? String(parts[1]) : ""
                items.append(value.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? value)
            }
        } else if !body.isEmpty {
            items.append(body)
        }
        // SigV4 SignedHeaders lists and the like are not secret; tiny values would match anything.
        let allowed = Set(identifiers)
        return items.filter { $0.utf8.count >= 4 && !allowed.contains($0) }.map { Array($0.utf8) }
    }

    /// Whether `text` holds one of `material` whole, or 8 bytes in a row of one.
    static func repeats(_ text: [UInt8], _ material: [[UInt8]]) -> Bool {
        guard !text.isEmpty, !material.isEmpty else { return false }
        var windows = Set<UInt64>()
        if text.count >= 8 {
            var word: UInt64 = 0
            for (index, byte) in text.enumerated() {
                word = word << 8 | UInt64(byte)
                if index >= 7 { windows.insert(word) }
            }
        }
        for item in material {
            if item.count < 8 {
                if text.count >= item.count, (0...(text.count - item.count)).contains(where: { text[$0..<($0 + item.count)].elementsEqual(item) }) {
                    return true
                }
                continue
            }
            var word: UInt64 = 0
            for (index, byte) in item.enumerated() {
                word = word << 8 | UInt64(byte)
                if index >= 7 && windows.contains(word) { return true }
            }
        }
        return false
    }
}

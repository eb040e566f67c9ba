import FerryCrypto
public import FerryHTTP
public import Foundation

/// An AWS access key pair, with the session token and expiry of temporary credentials.
///
/// The access key ID is an identifier and prints as is; the secret access key and the session
/// token never appear in `description`, `debugDescription` or `dump`.
///
/// ```swift
/// let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: secret, sessionToken: nil, expiration: nil)
/// print(credentials)   // AWSCredentials(accessKeyID: AKIDEXAMPLE, secretAccessKey: <REDACTED>, sessionToken: nil, expiration: nil)
/// ```
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let accessKeyID: String
    public let secretAccessKey: String
    /// The session token of temporary credentials (STS, `AWS_SESSION_TOKEN`); nil for long-term keys.
    public let sessionToken: String?
    /// When temporary credentials stop working; nil when unknown or never.
    public let expiration: Date?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String?, expiration: Date?) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    public var description: String {
        let token = sessionToken == nil ? "nil" : "<REDACTED>"
        let expiry = expiration.map { "\($0)" } ?? "nil"
        return "AWSCredentials(accessKeyID: \(accessKeyID), secretAccessKey: <REDACTED>, sessionToken: \(token), expiration: \(expiry))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: [
            "accessKeyID": accessKeyID, "secretAccessKey": "<REDACTED>",
            "sessionToken": sessionToken == nil ? "nil" : "<REDACTED>", "expiration": expiration as Any,
        ])
    }
}

/// Signs HTTP requests with AWS Signature Version 4 (`AWS4-HMAC-SHA256`, `Authorization` header).
///
/// The canonical request follows AWS's rules for every service except S3:
/// - **Path**: the URL's path as sent on the wire (percent-encoded), with `.`/`..` segments and
///   empty segments removed, then URI-encoded once more, keeping only RFC 3986 unreserved
///   characters and `/`. A path that is already percent-encoded is therefore encoded twice
///   (`/a%20b` → `/a%2520b`), which is what AWS verifies for non-S3 services and what botocore sends.
/// - **Query**: each parameter percent-decoded and re-encoded with the unreserved set (`+` is a
///   literal plus), sorted by encoded name, then value; repeated names are kept.
/// - **Headers**: every header on the request plus `host` (taken from the URL, with the port when
///   it is not the scheme's default, unless the request sets `Host` itself); names lower-cased;
///   values trimmed with runs of whitespace, line breaks included, folded to one space; repeated
///   names joined with commas in order. Like botocore, `Authorization`, `User-Agent`, `Expect`
///   and `X-Amzn-Trace-Id` are never signed, since clients and proxies may rewrite them.
/// - **Payload**: the lowercase hex SHA-256 of the body.
///
/// ```swift
/// var request = HTTPRequest(method: "POST", url: URL(string: "https://secretsmanager.us-east-1.amazonaws.com/")!, body: body)
/// request.setHeader("Content-Type", "application/x-amz-json-1.1")
/// request.setHeader("X-Amz-Target", "secretsmanager.GetSecretValue")
/// SigV4Signer(credentials: credentials, region: "us-east-1", service: "secretsmanager").sign(&request)
/// ```
public struct SigV4Signer: Sendable {
    public let credentials: AWSCredentials
    public let region: String
    /// The signing name of the service (`secretsmanager`, `sts`), as in the credential scope.
    public let service: String

    static let algorithm = "AWS4-HMAC-SHA256"
    /// Headers that are never signed (lower-cased).
    static let unsignedHeaders: Set<String> = ["authorization", "user-agent", "expect", "x-amzn-trace-id"]

    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// Adds X-Amz-Date (and X-Amz-Security-Token when there is a session token) and Authorization;
    /// signs host (from the URL, with a non-default port), every header already on the request, and
    /// the SHA-256 of the body. An Authorization header from an earlier signing is replaced.
    public func sign(_ request: inout HTTPRequest, date: Date = Date()) {
        prepare(&request.headers, date: date)
        request.headers.append(("Authorization", authorization(Message(request), date: date)))
    }

    /// The canonical request that ``sign(_:date:)`` would sign for `request` as it is now.
    public func canonicalRequest(_ request: HTTPRequest) -> String {
        canonicalRequest(Message(request))
    }

    /// The string to sign for `request` as it is now, at `date`.
    public func stringToSign(_ request: HTTPRequest, date: Date) -> String {
        stringToSign(canonicalRequest: canonicalRequest(Message(request)), date: date)
    }

    // MARK: - The algorithm, over a request as it appears on the wire

    /// A request as the signer sees it: the method, the path and query exactly as on the request
    /// line, the header fields and the body. The public API builds one from an ``HTTPRequest``;
    /// tests build one from a raw request whose path no `URL` can hold (AWS's test suite has a
    /// literal space and raw UTF-8 in request lines).
    struct Message {
        var method: String
        var path: String
        var query: String?
        var headers: [(name: String, value: String)]
        var body: Data

        init(method: String, path: String, query: String?, headers: [(name: String, value: String)], body: Data) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.body = body
        }

        init(_ request: HTTPRequest) {
            var headers = request.headers
            if !headers.contains(where: { $0.name.lowercased() == "host" }) {
                headers.append(("host", SigV4Signer.host(of: request.url)))
            }
            self.init(method: request.method, path: request.url.path(percentEncoded: true),
                      query: request.url.query(percentEncoded: true), headers: headers, body: request.body)
        }

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    /// Signs a message in place, as ``sign(_:date:)`` signs a request.
    func sign(_ message: inout Message, date: Date) {
        prepare(&message.headers, date: date)
        message.headers.append(("Authorization", authorization(message, date: date)))
    }

    /// Removes a stale Authorization and sets X-Amz-Date and, with a session token, X-Amz-Security-Token.
    private func prepare(_ headers: inout [(name: String, value: String)], date: Date) {
        Self.replace(&headers, "Authorization", with: nil)
        Self.replace(&headers, "X-Amz-Date", with: Self.timestamp(date))
        if let token = credentials.sessionToken {
            Self.replace(&headers, "X-Amz-Security-Token", with: token)
        }
    }

    private static func replace(_ headers: inout [(name: String, value: String)], _ name: String, with value: String?) {
        headers.removeAll { $0.name.caseInsensitiveCompare(name) == .orderedSame }
        if let value { headers.append((name, value)) }
    }

    func canonicalRequest(_ message: Message) -> String {
        canonicalForm(message).request
    }

    /// The canonical request and its signed-header list.
    private func canonicalForm(_ message: Message) -> (request: String, signedHeaders: String) {
        let (canonicalHeaders, signedHeaders) = Self.canonicalHeaders(message.headers)
        let request = [
            message.method,
            Self.canonicalPath(message.path),
            Self.canonicalQuery(message.query),
            canonicalHeaders,
            signedHeaders,
            SHA256.hexDigest(message.body),
        ].joined(separator: "\n")
        return (request, signedHeaders)
    }

    func stringToSign(_ message: Message, date: Date) -> String {
        stringToSign(canonicalRequest: canonicalRequest(message), date: date)
    }

    func authorization(_ message: Message, date: Date) -> String {
        let (canonical, signedHeaders) = canonicalForm(message)
        let signature = signature(stringToSign(canonicalRequest: canonical, date: date), date: date)
        return "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(scope(date)), SignedHeaders=\(signedHeaders), Signature=\(signature)"
    }

    private func stringToSign(canonicalRequest: String, date: Date) -> String {
        [Self.algorithm, Self.timestamp(date), scope(date), SHA256.hexDigest(Array(canonicalRequest.utf8))].joined(separator: "\n")
    }

    private func scope(_ date: Date) -> String {
        "\(Self.timestamp(date).prefix(8))/\(region)/\(service)/aws4_request"
    }

    private func signature(_ stringToSign: String, date: Date) -> String {
        var key = HMACSHA256.authenticationCode(for: Array(Self.timestamp(date).prefix(8).utf8),
                                                key: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [region, service, "aws4_request"] {
            key = HMACSHA256.authenticationCode(for: Array(part.utf8), key: key)
        }
        return HMACSHA256.authenticationCode(for: Array(stringToSign.utf8), key: key).hexString
    }

    // MARK: - Canonical forms

    /// `20150830T123600Z` (ISO 8601 basic format, UTC).
    static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { value.map { $0 < 10 ? "0\($0)" : "\($0)" } ?? "00" }
        let year = String(parts.year ?? 1970)
        return String(repeating: "0", count: max(0, 4 - year.count)) + year + two(parts.month) + two(parts.day)
            + "T" + two(parts.hour) + two(parts.minute) + two(parts.second) + "Z"
    }

    /// The `Host` an HTTP client sends for `url`: the host (bracketed when IPv6), and the port
    /// unless it is the scheme's default.
    static func host(of url: URL) -> String {
        var host = url.host(percentEncoded: true) ?? ""
        if host.contains(":") && !host.hasPrefix("[") { host = "[\(host)]" }
        if let port = url.port {
            let scheme = url.scheme?.lowercased()
            let isDefault = (scheme == "https" && port == 443) || (scheme == "http" && port == 80)
            if !isDefault { host += ":\(port)" }
        }
        return host
    }

    /// Removes empty, `.` and `..` segments, keeps a leading and trailing slash, and URI-encodes
    /// what remains (the `%` of existing escapes included).
    static func canonicalPath(_ path: String) -> String {
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..": _ = segments.popLast()
            default: segments.append(segment)
            }
        }
        var normalized = "/" + segments.joined(separator: "/")
        if path.hasSuffix("/") && !segments.isEmpty { normalized += "/" }
        return uriEncode(Array(normalized.utf8), keepSlash: true)
    }

    /// Parameters decoded, re-encoded, and sorted by name then value (byte order).
    static func canonicalQuery(_ query: String?) -> String {
        guard let query, !query.isEmpty else { return "" }
        var pairs: [(name: String, value: String)] = []
        for parameter in query.split(separator: "&", omittingEmptySubsequences: true) {
            let name: Substring
            let value: Substring
            if let equals = parameter.firstIndex(of: "=") {
                name = parameter[..<equals]
                value = parameter[parameter.index(after: equals)...]
            } else {
                name = parameter
                value = ""
            }
            pairs.append((uriEncode(percentDecode(name), keepSlash: false), uriEncode(percentDecode(value), keepSlash: false)))
        }
        pairs.sort { left, right in
            left.name == right.name
                ? left.value.utf8.lexicographicallyPrecedes(right.value.utf8)
                : left.name.utf8.lexicographicallyPrecedes(right.name.utf8)
        }
        return pairs.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    /// The canonical header block (each line ending in a newline) and the signed-header list.
    static func canonicalHeaders(_ headers: [(name: String, value: String)]) -> (String, String) {
        var order: [String] = []
        var values: [String: [String]] = [:]
        for (name, value) in headers {
            let key = name.lowercased()
            if unsignedHeaders.contains(key) { continue }
            if values[key] == nil { order.append(key) }
            values[key, default: []].append(foldWhitespace(value))
        }
        let names = order.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        let block = names.map { "\($0):\(values[$0]!.joined(separator: ","))\n" }.joined()
        return (block, names.joined(separator: ";"))
    }

    /// Trims a header value and folds every run of whitespace (line breaks included) into one space.
    static func foldWhitespace(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\u{0B}" || $0 == "\u{0C}" || $0 == "\r\n" })
            .joined(separator: " ")
    }

    /// Percent-encodes every byte except RFC 3986's unreserved characters (and `/` when asked).
    static func uriEncode(_ bytes: [UInt8], keepSlash: Bool) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(byte)
            case UInt8(ascii: "/") where keepSlash:
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes `%XX` escapes to bytes; a `%` not followed by two hex digits stays literal.
    static func percentDecode(_ text: Substring) -> [UInt8] {
        let bytes = Array(text.utf8)
        func digit(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count,
                let high = digit(bytes[index + 1]), let low = digit(bytes[index + 2])
            {
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return out
    }
}

import FerryCore
public import Foundation

/// An HTTP request as the API clients build it. Header names keep their case; bodies are bytes.
///
/// ```swift
/// var request = HTTPRequest(method: "POST", url: URL(string: "http://127.0.0.1:4566/")!)
/// request.setHeader("Content-Type", "application/x-amz-json-1.1")
/// ```
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: URL
    /// Header fields in order; names compare case-insensitively through the accessors.
    public var headers: [(name: String, value: String)]
    public var body: Data

    public init(method: String, url: URL, headers: [(name: String, value: String)] = [], body: Data = Data()) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The first value of a header, by case-insensitive name.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    /// Replaces every value of a header.
    public mutating func setHeader(_ name: String, _ value: String) {
        headers.removeAll { $0.name.caseInsensitiveCompare(name) == .orderedSame }
        headers.append((name, value))
    }
}

/// An HTTP response: status, headers (names lower-cased) and body.
public struct HTTPResponse: Sendable {
    public let status: Int
    public let headers: [String: String]
    public let body: Data

    public init(status: Int, headers: [String: String], body: Data) {
        self.status = status
        var lowered: [String: String] = [:]
        for (name, value) in headers { lowered[name.lowercased()] = value }
        self.headers = lowered
        self.body = body
    }

    /// A header by case-insensitive name.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// Sends one request and returns the response; a transport error (refused connection, timeout)
/// is thrown as ``FerryError/Kind/backend`` naming the host. Non-2xx statuses are returned, not thrown.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// The origin of a URL for messages.
public enum HTTPOrigin {
    /// `scheme://host:port` of a URL, for messages (never the path or query, which may carry names).
    /// An IPv6 host is bracketed; the port appears only when the URL spells one.
    public static func of(_ url: URL) -> String {
        var host = url.host ?? "?"
        if host.contains(":") && !host.hasPrefix("[") { host = "[\(host)]" }
        var text = (url.scheme ?? "http") + "://" + host
        if let port = url.port { text += ":\(port)" }
        return text
    }
}

public import FerryHTTP
public import Foundation

/// An ``HTTPTransport`` that records every request and answers from a closure: a stub server for
/// clients and flavors built with an injected transport (``LegacyContext``'s `transport`).
///
/// ```swift
/// let transport = RecordingTransport { _ in HTTPResponse(status: 403, headers: [:], body: Data()) }
/// ```
public final class RecordingTransport: HTTPTransport, @unchecked Sendable {
    public let lock = NSLock()
    /// Every request, in the order they were sent (guarded by `lock`).
    public var requests: [HTTPRequest] = []
    let answer: @Sendable (HTTPRequest) -> HTTPResponse

    public init(answer: @escaping @Sendable (HTTPRequest) -> HTTPResponse) { self.answer = answer }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        lock.withLock { requests.append(request) }
        return answer(request)
    }

    /// The requests so far.
    public var sent: [HTTPRequest] { lock.withLock { requests } }
}

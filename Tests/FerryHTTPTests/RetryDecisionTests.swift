import FerryCore
import FerryHTTP
import Foundation
import Testing

/// Fails with each error in turn, then answers 200.
private final class FailingTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var failures: [FerryError]
    private(set) var attempts = 0

    init(_ failures: [FerryError]) { self.failures = failures }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try lock.withLock {
            attempts += 1
            if !failures.isEmpty { throw failures.removeFirst() }
            return HTTPResponse(status: 200, headers: [:], body: Data())
        }
    }
}

@Suite struct RetryDecisionTests {
    @Test func aConnectionFailureIsRetriedATLSFailureIsNot() async throws {
        let request = HTTPRequest(method: "GET", url: URL(string: "https://127.0.0.1:1/")!)
        let policy = RetryingTransport.Policy(maxAttempts: 3, baseDelay: 0.001, maxDelay: 0.001)

        let unreachable = FailingTransport([FerryError(.backend, code: .httpUnreachable, "Cannot reach the server.")])
        #expect(try await RetryingTransport(unreachable, policy: policy).send(request).status == 200)
        #expect(unreachable.attempts == 2)

        for code in [FerryError.Code.tlsUntrusted, .tlsFailed, .tlsCAFile] {
            let tls = FailingTransport([FerryError(.backend, code: code, "TLS went wrong.")])
            await #expect { _ = try await RetryingTransport(tls, policy: policy).send(request) } throws: { ($0 as? FerryError)?.code == code }
            #expect(tls.attempts == 1, "\(code) is not retried")
        }
        let refused = FailingTransport([FerryError(.invalidInput, code: .httpBadRequest, "Bad request.")])
        await #expect(throws: FerryError.self) { _ = try await RetryingTransport(refused, policy: policy).send(request) }
        #expect(refused.attempts == 1)
    }

    @Test func isRetryable() {
        #expect(FerryError(.backend, code: .httpUnreachable, "m").isRetryable)
        #expect(FerryError(.backend, "m").isRetryable)
        #expect(!FerryError(.backend, code: .tlsUntrusted, "m").isRetryable)
        #expect(!FerryError(.io, "m").isRetryable)
    }
}

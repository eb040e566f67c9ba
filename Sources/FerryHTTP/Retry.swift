public import FerryCore
import Foundation
public import Logging

/// Retries throttled and failing requests with jittered exponential backoff, honouring
/// `Retry-After`, and logs each wait at `notice` level on `logger` (never a header or a body).
///
/// ```swift
/// let transport = RetryingTransport(SocketTransport(), policy: .init(maxAttempts: 5)) { response in
///     response.status == 429 || response.status >= 500
/// }
/// ```
public struct RetryingTransport: HTTPTransport {
    /// How often and how long to retry.
    public struct Policy: Sendable {
        public var maxAttempts: Int
        public var baseDelay: Double
        public var maxDelay: Double

        public init(maxAttempts: Int = 5, baseDelay: Double = 0.2, maxDelay: Double = 20) {
            self.maxAttempts = maxAttempts
            self.baseDelay = baseDelay
            self.maxDelay = maxDelay
        }

        /// "Full jitter": a random delay up to base × 2^attempt, capped.
        public func delay(attempt: Int) -> Double {
            let ceiling = min(maxDelay, baseDelay * pow(2, Double(attempt)))
            return Double.random(in: 0...ceiling)
        }
    }

    private let inner: any HTTPTransport
    private let policy: Policy
    private let shouldRetry: @Sendable (HTTPResponse) -> Bool
    private let logger: Logger

    /// Wraps `inner`. `shouldRetry` decides on a response (throttling, 5xx); transport errors are
    /// retried too. Each wait is one `notice` on `logger`.
    public init(_ inner: any HTTPTransport, policy: Policy = Policy(), logger: Logger = Logger(label: "ferry.http"),
                shouldRetry: @escaping @Sendable (HTTPResponse) -> Bool = { $0.status == 429 || $0.status >= 500 })
    {
        self.inner = inner
        self.policy = policy
        self.shouldRetry = shouldRetry
        self.logger = logger
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var attempt = 0
        while true {
            attempt += 1
            let outcome: Result<HTTPResponse, any Error>
            do {
                outcome = .success(try await inner.send(request))
            } catch {
                outcome = .failure(error)
            }
            let retryable: Bool
            var wait = policy.delay(attempt: attempt - 1)
            switch outcome {
            case .success(let response):
                retryable = shouldRetry(response)
                if let after = response.header("retry-after").flatMap(Double.init) { wait = min(policy.maxDelay, max(0, after)) }
                if !retryable || attempt >= policy.maxAttempts { return response }
            case .failure(let error):
                // Connection failures are worth another try; a certificate that is not trusted is not.
                let failure = error as? FerryError
                retryable = failure?.isRetryable == true
                if !retryable || attempt >= policy.maxAttempts { throw error }
            }
            let reason: String
            switch outcome {
            case .success(let response): reason = "HTTP \(response.status)"
            case .failure: reason = "no connection"
            }
            logger.notice("\(String(format: "%@ %@: %@, retrying in %.1f s (attempt %d of %d)", request.method, HTTPOrigin.of(request.url), reason, wait, attempt + 1, policy.maxAttempts))")
            try await Task.sleep(nanoseconds: UInt64(wait * 1_000_000_000))
        }
    }
}

extension FerryError {
    /// Whether a transport that failed with this error is worth another try: a connection
    /// failure is, a TLS set-up or certificate failure (and any non-backend error) is not.
    public var isRetryable: Bool {
        kind == .backend && ![.tlsUntrusted, .tlsFailed, .tlsCAFile].contains(code)
    }
}

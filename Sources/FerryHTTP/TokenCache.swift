public import Foundation

/// Caches a bearer token obtained by a login (Vault AppRole, a GCP JWT exchange, an Entra ID
/// client-credentials grant): concurrent callers share one login, and the token is fetched
/// again once its expiry has passed or after ``invalidate(_:)``.
///
/// ```swift
/// let cache = TokenCache()
/// let token = try await cache.current { try await login() }   // (token, refresh-after date or nil)
/// ```
public actor TokenCache {
    private var token: String?
    /// When to log in again (nil: the token does not expire).
    private var expiry: Date?
    private var pending: Task<(String, Date?), any Error>?

    public init() {}

    /// The cached token, or the result of `login` (a token and when to log in again; nil: never).
    public func current(login: @escaping @Sendable () async throws -> (String, Date?)) async throws -> String {
        if let token, expiry.map({ $0.timeIntervalSinceNow > 0 }) ?? true { return token }
        if let pending { return try await pending.value.0 }
        let task = Task { try await login() }
        pending = task
        defer { pending = nil }
        let (fresh, freshExpiry) = try await task.value
        token = fresh
        expiry = freshExpiry
        return fresh
    }

    /// Forgets `stale` (if it is still the cached token), so the next call logs in again.
    public func invalidate(_ stale: String) {
        if token == stale {
            token = nil
            expiry = nil
        }
    }
}

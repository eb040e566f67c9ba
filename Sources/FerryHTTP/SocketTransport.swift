import COpenSSL
import FerryCore
public import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Ferry's HTTP/1.1 client: POSIX sockets, and TLS through OpenSSL's libssl.
///
/// It replaces URLSession, whose FoundationNetworking (libcurl and about 30 shared libraries)
/// doubled the start-up time of every `ferry` process and which on Linux cannot trust a CA that
/// the user supplies. What it does:
///
/// - `http` and `https` URLs; IPv4 and IPv6 through `getaddrinfo` (`localhost`, `127.0.0.1`, `[::1]`).
///   The request line carries the URL's path and query exactly as `url.absoluteString` spells them
///   (nothing is re-encoded), which is what SigV4 signs.
/// - Headers sent: `Host` (with a non-default port, unless the request sets `Host` itself), the
///   request's headers in order, `Content-Length` for a body (and for an empty POST, PUT or PATCH),
///   and `Connection: keep-alive`. The request's own `Content-Length`, `Transfer-Encoding` and
///   `Connection` are replaced by the transport's.
/// - Responses framed by `Content-Length`, `Transfer-Encoding: chunked` (trailers are merged into
///   the headers) or the end of the connection; `HEAD`, 1xx, 204 and 304 have no body. Repeated
///   header names are joined with ", ". Redirects are returned, not followed; bodies are not
///   decompressed (the transport never asks for a content coding).
/// - Keep-alive: idle connections are pooled per (scheme, host, port). A pooled connection that
///   fails before the first response byte (the server closed it while it was idle) is replaced by a
///   fresh connection once, transparently.
/// - TLS 1.2 or newer, SNI, and verification of the certificate chain and of the host name or IP
///   address. Trust comes from OpenSSL's default paths (the system store; `SSL_CERT_FILE` and
///   `SSL_CERT_DIR` override them as in any OpenSSL program), or only from `caFile` when one is
///   given, as with `curl --cacert` or `VAULT_CACERT`.
/// - `timeout` bounds connecting (all addresses together), the TLS handshake, and every wait for the
///   socket to become readable or writable: it is an inactivity timeout, as URLSession's
///   `timeoutIntervalForRequest` was. Name resolution is the system's and has no separate bound.
/// - Proxy variables (`http_proxy`, `https_proxy`, `all_proxy`) are ignored on purpose: Ferry only
///   talks to the APIs the user configured, and a proxy would see every secret in transit.
/// - Each request runs its blocking I/O on a thread of its own, never on a Swift concurrency
///   thread; cancelling the task shuts the socket down. The transport is safe to share.
///
/// Errors are ``FerryError``s of kind ``FerryError/Kind/backend``: `http_unreachable` (resolution,
/// connection, time-outs, a connection lost mid-response), `tls_untrusted` (certificate not
/// trusted, or not valid for the host), `tls_failed` (another handshake failure), and
/// `http_bad_response`. They name the origin and never contain header values or bodies.
///
/// ```swift
/// let transport = SocketTransport(timeout: 10, caFile: environment["VAULT_CACERT"])
/// let response = try await transport.send(HTTPRequest(method: "GET", url: URL(string: "https://127.0.0.1:8200/v1/sys/health")!))
/// ```
public final class SocketTransport: HTTPTransport, @unchecked Sendable {
    /// A process-wide transport with the defaults (30 s, the system's trust store).
    public static let shared = SocketTransport()

    /// The inactivity timeout, in seconds.
    public let timeout: TimeInterval
    /// The PEM bundle that replaces the system's trust store, if any.
    public let caFile: String?
    /// Whether certificates are verified; `false` is insecure and meant for throwaway test servers.
    public let verifyTLS: Bool
    /// The variable(s) through which the user names a CA file for this client, for messages.
    public let caVariable: String

    /// Guards `idle`.
    private let poolLock = NSLock()
    private var idle: [PoolKey: [Connection]] = [:]
    /// Guards `tlsState`; the OpenSSL context is made on the first `https` request, so that
    /// creating a transport costs nothing at start-up.
    private let tlsLock = NSLock()
    private var tlsState: TLSState = .notLoaded

    static let maxIdlePerOrigin = 4
    static let maxIdleSeconds = 50.0

    /// A transport. `timeout` is the inactivity timeout in seconds; `caFile` a PEM bundle of the CAs
    /// to trust instead of the system's; `verifyTLS: false` turns certificate checks off (tests only).
    /// `caVariable` names the variable that sets `caFile` for this client (an untrusted certificate's
    /// error suggests it); OpenSSL's own `SSL_CERT_FILE` otherwise.
    public init(timeout: TimeInterval = 30, caFile: String? = nil, verifyTLS: Bool = true, caVariable: String = "SSL_CERT_FILE") {
        self.timeout = timeout > 0 ? timeout : 30
        self.caVariable = caVariable
        self.caFile = caFile.flatMap { $0.isEmpty ? nil : $0 }
        self.verifyTLS = verifyTLS
    }

    deinit {
        for connections in idle.values { for connection in connections { connection.close() } }
        if case .ready(let context) = tlsState { SSL_CTX_free(context) }
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try Task.checkCancellation()
        let cancellation = Cancellation()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                let worker = Thread {
                    SocketTransport.blockSIGPIPE()
                    continuation.resume(with: Result { try self.perform(request, cancellation: cancellation) })
                }
                worker.name = "ferry-http"
                worker.start()
            }
        } onCancel: {
            cancellation.cancel()
        }
    }

    /// Closes every idle pooled connection.
    public func closeIdleConnections() {
        poolLock.lock()
        let all = idle.values.flatMap { $0 }
        idle.removeAll()
        poolLock.unlock()
        for connection in all { connection.close() }
    }

    // MARK: - One exchange

    /// Sends `request` and reads its response, blocking the calling (worker) thread.
    private func perform(_ request: HTTPRequest, cancellation: Cancellation) throws -> HTTPResponse {
        let target = try Target(request.url)
        let head = try Self.requestHead(request, target: target)
        let isHead = request.method.uppercased() == "HEAD"
        var fresh = false
        while true {
            if cancellation.isCancelled { throw CancellationError() }
            var reused = false
            let connection: Connection
            if !fresh, let pooled = takeIdle(target.key) {
                connection = pooled
                reused = true
                guard cancellation.attach(connection.fd) else {
                    connection.close()
                    throw CancellationError()
                }
            } else {
                connection = try open(target, cancellation: cancellation)
            }
            do {
                let (response, reusable) = try exchange(connection, head: head, body: request.body, isHead: isHead)
                cancellation.detach()
                if reusable { putIdle(connection) } else { connection.close() }
                return response
            } catch let failure as WireFailure {
                cancellation.detach()
                connection.close()
                if cancellation.isCancelled { throw CancellationError() }
                if reused && connection.received == 0 && failure.isConnectionLoss {
                    // The server closed the idle connection as the request went out: its siblings
                    // are probably stale too, and a fresh connection gets one more try.
                    dropIdle(target.key)
                    fresh = true
                    continue
                }
                throw failure.error(target: target, timeout: timeout, caVariable: caVariable)
            } catch {
                cancellation.detach()
                connection.close()
                throw error
            }
        }
    }

    /// Writes the request and reads one response; says whether the connection may be reused.
    private func exchange(_ connection: Connection, head: [UInt8], body: Data, isHead: Bool) throws
        -> (HTTPResponse, Bool)
    {
        connection.received = 0
        if body.count <= 16 * 1024 {
            var message = head
            message.append(contentsOf: body)
            try message.withUnsafeBytes { try connection.write($0) }
        } else {
            try head.withUnsafeBytes { try connection.write($0) }
            try body.withUnsafeBytes { try connection.write($0) }
        }
        return try Self.readResponse(connection, isHead: isHead)
    }

    /// Reads one response (status line, fields, body by its framing); says whether the connection may be reused.
    static func readResponse(_ connection: Connection, isHead: Bool) throws -> (HTTPResponse, Bool) {
        var status = 0
        var version = ""
        var fields: [(name: String, value: String)] = []
        repeat {
            let line = try connection.readLine(.waitingForResponse)
            if line.isEmpty && status == 0 && version.isEmpty { continue }  // tolerate a stray CRLF
            (version, status) = try Self.parseStatusLine(line)
            fields = try connection.readFields(.readingResponse)
        } while (100...199).contains(status) && status != 101

        var headers = Self.joined(fields)
        let connectionTokens = Set((headers["connection"] ?? "").lowercased().split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) })
        var reusable = version == "HTTP/1.1" ? !connectionTokens.contains("close") : connectionTokens.contains("keep-alive")

        var responseBody = Data()
        if isHead || status == 204 || status == 304 || (100...199).contains(status) {
            if status == 101 { reusable = false }
        } else if let codings = headers["transfer-encoding"] {
            let last = codings.lowercased().split(separator: ",").last.map { $0.trimmingCharacters(in: .whitespaces) }
            if headers["content-length"] != nil { reusable = false }  // RFC 9112 6.1: close after such a response
            if last == "chunked" {
                let trailers = try connection.readChunked(into: &responseBody)
                for (name, value) in Self.joined(trailers) {
                    headers[name] = headers[name].map { $0 + ", " + value } ?? value
                }
            } else {
                try connection.readToEnd(into: &responseBody)
                reusable = false
            }
        } else if let lengthText = headers["content-length"] {
            let values = Set(lengthText.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            guard values.count == 1, let only = values.first, !only.isEmpty, only.count <= 18,
                  only.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let length = Int(only)
            else { throw WireFailure.malformed("an invalid Content-Length") }
            responseBody.reserveCapacity(min(length, 16 << 20))
            try connection.readExact(length, into: &responseBody)
        } else {
            try connection.readToEnd(into: &responseBody)
            reusable = false
        }
        if connection.hasBufferedBytes { reusable = false }
        return (HTTPResponse(status: status, headers: headers, body: responseBody), reusable)
    }

    /// Reads one HTTP/1.1 response from `bytes` as from a server that sends them and closes the
    /// connection: the parser of ``send(_:)`` (status line, fields, Content-Length, chunked bodies
    /// and trailers, a body up to the end). For fuzzing and tests; throws what a malformed response throws.
    public static func parseResponse(_ bytes: Data, isHead: Bool = false) throws -> HTTPResponse {
        var ends: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, socketStream, 0, &ends) == 0 else { throw WireFailure.system(errno, .waitingForResponse) }
        let writeEnd = ends[1]
        // What fits in the socket's buffer is written now, without a thread; a writer thread sends the rest.
        _ = fcntl(writeEnd, F_SETFL, fcntl(writeEnd, F_GETFL) | O_NONBLOCK)
        var sent = 0
        bytes.withUnsafeBytes { buffer in
            while sent < buffer.count {
                let count = systemSend(writeEnd, buffer.baseAddress! + sent, buffer.count - sent)
                if count <= 0 { break }
                sent += count
            }
        }
        let written = DispatchSemaphore(value: 0)
        if sent == bytes.count {
            _ = systemClose(writeEnd)
            written.signal()
        } else {
            _ = fcntl(writeEnd, F_SETFL, fcntl(writeEnd, F_GETFL) & ~O_NONBLOCK)
            let rest = bytes.subdata(in: sent..<bytes.count)
            Thread {
                defer { written.signal() }
                rest.withUnsafeBytes { buffer in
                    var offset = 0
                    while offset < buffer.count {
                        let count = systemSend(writeEnd, buffer.baseAddress! + offset, buffer.count - offset)
                        if count <= 0 { break }
                        offset += count
                    }
                }
                _ = systemClose(writeEnd)
            }.start()
        }
        let connection = Connection(fd: ends[0], ssl: nil, key: PoolKey(isTLS: false, host: "", port: 0), timeout: 60)
        defer {
            connection.close()  // a writer still sending gets EPIPE and stops
            written.wait()
        }
        return try readResponse(connection, isHead: isHead).0
    }

    // MARK: - Request and response text

    /// The request line and header block.
    static func requestHead(_ request: HTTPRequest, target: Target) throws -> [UInt8] {
        let method = request.method
        guard !method.isEmpty, method.utf8.allSatisfy(isTokenByte) else {
            throw FerryError(.invalidInput, code: .httpBadRequest, "An HTTP method must be a token; got one that is not.")
        }
        var text = "\(method) \(target.requestTarget) HTTP/1.1\r\n"
        var fields = ""
        var hasHost = false
        for (name, value) in request.headers {
            guard !name.isEmpty, name.utf8.allSatisfy(isTokenByte) else {
                throw FerryError(.invalidInput, code: .httpBadRequest, "A request header name is not an HTTP token.")
            }
            guard !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                throw FerryError(.invalidInput, code: .httpBadRequest, "The value of request header `\(name)` contains a line break.")
            }
            switch name.lowercased() {
            case "content-length", "transfer-encoding", "connection", "keep-alive": continue
            case "host":
                if hasHost { continue }
                hasHost = true
            default: break
            }
            fields += "\(name): \(value)\r\n"
        }
        if !hasHost { text += "Host: \(target.hostHeader)\r\n" }
        text += fields
        if !request.body.isEmpty || ["POST", "PUT", "PATCH"].contains(method.uppercased()) {
            text += "Content-Length: \(request.body.count)\r\n"
        }
        text += "Connection: keep-alive\r\n\r\n"
        return Array(text.utf8)
    }

    /// `HTTP/1.1 200 OK` → ("HTTP/1.1", 200).
    static func parseStatusLine(_ line: [UInt8]) throws -> (String, Int) {
        let parts = line.split(separator: 0x20, maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2 else { throw WireFailure.malformed("a malformed status line") }
        let version = String(decoding: parts[0], as: UTF8.self)
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
            throw WireFailure.malformed("an unsupported protocol version (not HTTP/1.x)")
        }
        let code = parts[1]
        guard code.count == 3, code.allSatisfy({ (0x30...0x39).contains($0) }),
              let status = Int(String(decoding: code, as: UTF8.self)), status >= 100
        else { throw WireFailure.malformed("a malformed status code") }
        return (version, status)
    }

    /// Lower-cased names; values of repeated names joined with ", ".
    static func joined(_ fields: [(name: String, value: String)]) -> [String: String] {
        var headers: [String: String] = [:]
        for (name, value) in fields {
            let key = name.lowercased()
            headers[key] = headers[key].map { $0 + ", " + value } ?? value
        }
        return headers
    }

    /// RFC 9110 `tchar`.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }

    // MARK: - Connections and the pool

    /// A new connection to `target` (TLS handshake included), attached to `cancellation`.
    private func open(_ target: Target, cancellation: Cancellation) throws -> Connection {
        let context = target.isTLS ? try tlsContext() : nil
        let fd: Int32
        do {
            fd = try Self.connect(host: target.host, port: target.port, timeout: timeout, cancellation: cancellation)
        } catch let failure as WireFailure {
            if cancellation.isCancelled { throw CancellationError() }
            throw failure.error(target: target, timeout: timeout, caVariable: caVariable)
        }
        var ssl: OpaquePointer?
        if let context {
            ssl = SSL_new(context)
            if ssl == nil {
                cancellation.detach()
                _ = systemClose(fd)
                throw WireFailure.tls(Self.opensslError()).error(target: target, timeout: timeout, caVariable: caVariable)
            }
            SSL_set_fd(ssl, fd)
        }
        let connection = Connection(fd: fd, ssl: ssl, key: target.key, timeout: timeout)
        if ssl != nil {
            do {
                try connection.handshake(host: target.host, isIPAddress: target.isIPAddress, verify: verifyTLS)
            } catch let failure as WireFailure {
                cancellation.detach()
                connection.close()
                if cancellation.isCancelled { throw CancellationError() }
                throw failure.error(target: target, timeout: timeout, caVariable: caVariable)
            }
        }
        return connection
    }

    /// The most recently used idle connection to `key` that still looks open, if any.
    private func takeIdle(_ key: PoolKey) -> Connection? {
        let now = monotonicSeconds()
        while true {
            poolLock.lock()
            guard var list = idle[key], let candidate = list.popLast() else {
                poolLock.unlock()
                return nil
            }
            idle[key] = list.isEmpty ? nil : list
            poolLock.unlock()
            if now - candidate.idleSince <= Self.maxIdleSeconds && candidate.looksOpen() { return candidate }
            candidate.close()
        }
    }

    private func putIdle(_ connection: Connection) {
        connection.idleSince = monotonicSeconds()
        poolLock.lock()
        var list = idle[connection.key] ?? []
        list.append(connection)
        let evicted = list.count > Self.maxIdlePerOrigin ? list.removeFirst() : nil
        idle[connection.key] = list
        poolLock.unlock()
        evicted?.close()
    }

    private func dropIdle(_ key: PoolKey) {
        poolLock.lock()
        let list = idle.removeValue(forKey: key) ?? []
        poolLock.unlock()
        for connection in list { connection.close() }
    }

    // MARK: - TLS context

    private enum TLSState {
        case notLoaded
        case ready(OpaquePointer)
        case failed(FerryError)
    }

    private func tlsContext() throws -> OpaquePointer {
        tlsLock.lock()
        defer { tlsLock.unlock() }
        switch tlsState {
        case .ready(let context): return context
        case .failed(let error): throw error
        case .notLoaded: break
        }
        do {
            let context = try Self.makeTLSContext(caFile: caFile, verify: verifyTLS)
            tlsState = .ready(context)
            return context
        } catch {
            tlsState = .failed(error)
            throw error
        }
    }

    private static func makeTLSContext(caFile: String?, verify: Bool) throws(FerryError) -> OpaquePointer {
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw FerryError(.backend, code: .tlsFailed, "Cannot set up TLS: \(opensslError()).")
        }
        guard ferry_ssl_ctx_set_min_tls12(context) == 1 else {
            SSL_CTX_free(context)
            throw FerryError(.backend, code: .tlsFailed, "Cannot set up TLS: \(opensslError()).")
        }
        ferry_ssl_ctx_set_client_modes(context)
        ferry_ssl_ctx_set_client_options(context)
        guard verify else {
            SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
            return context
        }
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        if let caFile {
            guard FileManager.default.isReadableFile(atPath: caFile) else {
                SSL_CTX_free(context)
                throw FerryError(.configuration, code: .tlsCAFile, "The CA file `\(caFile)` does not exist or cannot be read.")
            }
            guard SSL_CTX_load_verify_locations(context, caFile, nil) == 1 else {
                let reason = opensslError()
                SSL_CTX_free(context)
                throw FerryError(.configuration, code: .tlsCAFile,
                                 "Cannot load the CA file `\(caFile)` (\(reason)); it must exist and hold PEM certificates.")
            }
        } else {
            // The system store; OpenSSL lets SSL_CERT_FILE and SSL_CERT_DIR replace it.
            _ = SSL_CTX_set_default_verify_paths(context)
        }
        ERR_clear_error()
        return context
    }

    /// The reason of the oldest error on this thread's OpenSSL error queue (then cleared).
    static func opensslError() -> String {
        var reason = "unknown OpenSSL error"
        let code = ERR_get_error()
        if code != 0 {
            if let text = ERR_reason_error_string(code) {
                reason = String(cString: text)
            } else {
                var buffer = [CChar](repeating: 0, count: 256)
                ERR_error_string_n(code, &buffer, buffer.count)
                reason = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
        }
        ERR_clear_error()
        return reason
    }

    // MARK: - Sockets

    /// A connected non-blocking TCP socket to `host`:`port`, trying each resolved address in turn
    /// within one `timeout`. The socket stays attached to `cancellation`.
    static func connect(host: String, port: Int, timeout: TimeInterval, cancellation: Cancellation) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = socketStream
        hints.ai_protocol = Int32(IPPROTO_TCP)
        hints.ai_flags = AI_NUMERICSERV
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            let reason = status == EAI_SYSTEM ? errorText(errno) : String(cString: gai_strerror(status))
            throw WireFailure.resolve(host, reason)
        }
        defer { freeaddrinfo(first) }
        let deadline = monotonicSeconds() + timeout
        var failure = WireFailure.resolve(host, "no address")
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            cursor = info.pointee.ai_next
            let fd = makeSocket(info.pointee.ai_family, info.pointee.ai_protocol)
            if fd < 0 {
                failure = .system(errno, .connecting)
                continue
            }
            guard cancellation.attach(fd) else {
                _ = systemClose(fd)
                throw CancellationError()
            }
            var code: Int32 = 0
            if systemConnect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) != 0 {
                code = errno
                if code == EINPROGRESS || code == EINTR {
                    code = 0
                    do {
                        try waitFor(fd, events: Int16(POLLOUT), until: deadline, phase: .connecting)
                        var value: Int32 = 0
                        var size = socklen_t(MemoryLayout<Int32>.size)
                        if getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &size) != 0 { value = errno }
                        code = value
                    } catch let timedOut as WireFailure {
                        cancellation.detach()
                        _ = systemClose(fd)
                        throw timedOut
                    }
                }
            }
            if code == 0 {
                var one: Int32 = 1
                _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                #if canImport(Darwin)
                _ = setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
                #endif
                return fd
            }
            cancellation.detach()
            _ = systemClose(fd)
            failure = .connect(code)
            if cancellation.isCancelled { throw CancellationError() }
        }
        throw failure
    }

    /// Waits until `fd` is ready for `events`, or throws `timedOut` at `deadline`.
    static func waitFor(_ fd: Int32, events: Int16, until deadline: Double, phase: WireFailure.Phase) throws {
        var entry = pollfd(fd: fd, events: events, revents: 0)
        while true {
            let remaining = deadline - monotonicSeconds()
            if remaining <= 0 { throw WireFailure.timedOut(phase) }
            let milliseconds = Int32(min(Double(Int32.max), (remaining * 1000).rounded(.up)))
            let ready = poll(&entry, 1, milliseconds)
            if ready > 0 { return }
            if ready == 0 { continue }  // re-checks the clock, then throws
            let code = errno
            if code != EINTR { throw WireFailure.system(code, phase) }
        }
    }

    /// Blocks SIGPIPE on the calling worker thread: a write to a connection the server closed must
    /// fail with EPIPE, not end the process (OpenSSL writes with plain `write`).
    static func blockSIGPIPE() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }
}

// MARK: - Pieces

/// Where a request goes, from its URL.
struct Target {
    let isTLS: Bool
    /// The host to resolve: no brackets, percent-decoded (an IPv6 zone is `%eth0`).
    let host: String
    let port: Int
    let isIPAddress: Bool
    /// `Host` header value: bracketed IPv6, port unless the scheme's default.
    let hostHeader: String
    /// Path and query exactly as the URL encodes them.
    let requestTarget: String
    /// `scheme://host:port`, always with the port, for messages.
    let origin: String
    var key: PoolKey { PoolKey(isTLS: isTLS, host: host, port: port) }

    init(_ given: URL) throws {
        let url = given.absoluteURL
        let scheme = url.scheme?.lowercased() ?? ""
        guard scheme == "http" || scheme == "https" else {
            throw FerryError(.invalidInput, code: .httpUnsupportedScheme,
                             "\(HTTPOrigin.of(url)) is not an http or https URL.")
        }
        isTLS = scheme == "https"
        var host = url.host(percentEncoded: false) ?? ""
        var encodedHost = url.host(percentEncoded: true) ?? ""
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if encodedHost.hasPrefix("[") && encodedHost.hasSuffix("]") { encodedHost = String(encodedHost.dropFirst().dropLast()) }
        guard !host.isEmpty else {
            throw FerryError(.invalidInput, code: .httpBadRequest, "\(HTTPOrigin.of(url)) has no host.")
        }
        let defaultPort = isTLS ? 443 : 80
        port = url.port ?? defaultPort
        guard (1...65535).contains(port) else {
            throw FerryError(.invalidInput, code: .httpBadRequest, "\(HTTPOrigin.of(url)) has an invalid port.")
        }
        self.host = host
        isIPAddress = Self.isIPAddress(host)
        let bracketed = encodedHost.contains(":") ? "[\(encodedHost)]" : encodedHost
        hostHeader = port == defaultPort ? bracketed : "\(bracketed):\(port)"
        origin = "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        var target = url.path(percentEncoded: true)
        if target.isEmpty { target = "/" } else if !target.hasPrefix("/") { target = "/" + target }
        if let query = url.query(percentEncoded: true) { target += "?" + query }
        guard !target.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            throw FerryError(.invalidInput, code: .httpBadRequest, "The URL for \(origin) has spaces or control characters in its path.")
        }
        requestTarget = target
    }

    static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        let bare = host.split(separator: "%", maxSplits: 1).first.map(String.init) ?? host
        return inet_pton(AF_INET, bare, &v4) == 1 || inet_pton(AF_INET6, bare, &v6) == 1
    }
}

/// The pool's key: one set of idle connections per (scheme, host, port).
struct PoolKey: Hashable {
    let isTLS: Bool
    let host: String
    let port: Int
}

/// A failure on the wire, before it is turned into a ``FerryError`` that names the origin.
enum WireFailure: Error {
    enum Phase: String {
        case connecting = "connecting"
        case handshake = "during the TLS handshake"
        case sending = "sending the request"
        case waitingForResponse = "waiting for the response"
        case readingResponse = "reading the response"
    }

    case resolve(String, String)
    case connect(Int32)
    case timedOut(Phase)
    /// The peer closed the connection (end of stream) at this point.
    case closed(Phase)
    case system(Int32, Phase)
    case untrusted(String, hostMismatch: Bool)
    case tls(String)
    case malformed(String)

    /// A connection that was gone before the server read the request (safe to retry once).
    var isConnectionLoss: Bool {
        switch self {
        case .closed: return true
        case .system(let code, _): return [EPIPE, ECONNRESET, ECONNABORTED, ENOTCONN].contains(code)
        default: return false
        }
    }

    func error(target: Target, timeout: TimeInterval, caVariable: String) -> FerryError {
        let origin = target.origin
        switch self {
        case .resolve(let host, let reason):
            return FerryError(.backend, code: .httpUnreachable, "Cannot reach \(origin): cannot resolve `\(host)` (\(reason)).")
        case .connect(let code):
            return FerryError(.backend, code: .httpUnreachable, "Cannot reach \(origin): \(errorText(code)).")
        case .timedOut(let phase):
            let seconds = timeout == timeout.rounded() ? String(Int(timeout)) : String(timeout)
            return FerryError(.backend, code: .httpUnreachable, "Cannot reach \(origin): timed out after \(seconds) s \(phase.rawValue).")
        case .closed(let phase):
            return FerryError(.backend, code: .httpUnreachable,
                              "Cannot reach \(origin): the server closed the connection \(phase.rawValue).")
        case .system(let code, let phase):
            return FerryError(.backend, code: .httpUnreachable, "Cannot reach \(origin): \(errorText(code)) \(phase.rawValue).")
        case .untrusted(let reason, let hostMismatch):
            if hostMismatch {
                return FerryError(.backend, code: .tlsUntrusted,
                                  "The TLS certificate of \(origin) is not trusted: it is not valid for `\(target.host)` (\(reason)).")
            }
            return FerryError(.backend, code: .tlsUntrusted,
                              "The TLS certificate of \(origin) is not trusted (\(reason)); if the server uses a private CA, add it to the trust store or name a PEM file that holds it in \(caVariable).")
        case .tls(let reason):
            return FerryError(.backend, code: .tlsFailed, "The TLS handshake with \(origin) failed: \(reason).")
        case .malformed(let reason):
            return FerryError(.backend, code: .httpBadResponse, "\(origin) sent a malformed HTTP response: \(reason).")
        }
    }
}

/// Lets a task's cancellation shut the worker's socket down, which wakes its `poll`.
final class Cancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelled = false
    private var fd: Int32 = -1

    var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }

    func cancel() {
        lock.lock()
        cancelled = true
        if fd >= 0 { _ = shutdown(fd, Int32(SHUT_RDWR)) }
        lock.unlock()
    }

    /// Records the socket in use; false when the task is cancelled already.
    func attach(_ socket: Int32) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if cancelled { return false }
        fd = socket
        return true
    }

    /// Forgets the socket; call before it is closed or pooled.
    func detach() {
        lock.lock()
        fd = -1
        lock.unlock()
    }
}

/// One TCP connection (TLS or not) with a read buffer. Used by one request at a time; the pool's
/// lock hands it from one to the next.
final class Connection {
    let fd: Int32
    let ssl: OpaquePointer?
    let key: PoolKey
    let timeout: TimeInterval
    /// Bytes read during the current exchange.
    var received = 0
    var idleSince = 0.0

    private static let capacity = 64 * 1024
    private let storage = UnsafeMutableRawPointer.allocate(byteCount: Connection.capacity, alignment: 16)
    private var head = 0
    private var tail = 0
    private var isClosed = false

    init(fd: Int32, ssl: OpaquePointer?, key: PoolKey, timeout: TimeInterval) {
        self.fd = fd
        self.ssl = ssl
        self.key = key
        self.timeout = timeout
    }

    deinit {
        close()
        storage.deallocate()
    }

    /// Frees the TLS state and closes the socket. No close_notify is sent: that would be a write,
    /// possibly from a thread that does not block SIGPIPE, and HTTP framing already ends each message.
    func close() {
        guard !isClosed else { return }
        isClosed = true
        if let ssl { SSL_free(ssl) }
        _ = systemClose(fd)
    }

    var hasBufferedBytes: Bool { head < tail || (ssl.map { SSL_pending($0) > 0 } ?? false) }

    /// An idle connection is usable when nothing is readable: readable means the server closed it
    /// (or sent bytes nobody asked for).
    func looksOpen() -> Bool {
        if hasBufferedBytes { return false }
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) == 0
    }

    private func wait(_ events: Int16, _ phase: WireFailure.Phase) throws {
        try SocketTransport.waitFor(fd, events: events, until: monotonicSeconds() + timeout, phase: phase)
    }

    /// Runs the client side of the TLS handshake, verifying the peer unless `verify` is false.
    func handshake(host: String, isIPAddress: Bool, verify: Bool) throws {
        guard let ssl else { return }
        ERR_clear_error()
        if !isIPAddress { _ = ferry_ssl_set_sni(ssl, host) }  // RFC 6066: no SNI for IP literals
        if verify {
            let parameters = SSL_get0_param(ssl)
            X509_VERIFY_PARAM_set_hostflags(parameters, UInt32(X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS))
            let bare = host.split(separator: "%", maxSplits: 1).first.map(String.init) ?? host
            let set = isIPAddress ? X509_VERIFY_PARAM_set1_ip_asc(parameters, bare) : X509_VERIFY_PARAM_set1_host(parameters, host, 0)
            guard set == 1 else { throw WireFailure.tls("cannot set up host name verification") }
        }
        let deadline = monotonicSeconds() + timeout
        while true {
            ERR_clear_error()
            let result = SSL_connect(ssl)
            let code = errno
            if result == 1 { return }
            switch SSL_get_error(ssl, result) {
            case SSL_ERROR_WANT_READ:
                try SocketTransport.waitFor(fd, events: Int16(POLLIN), until: deadline, phase: .handshake)
            case SSL_ERROR_WANT_WRITE:
                try SocketTransport.waitFor(fd, events: Int16(POLLOUT), until: deadline, phase: .handshake)
            default:
                let verdict = SSL_get_verify_result(ssl)
                if verify && verdict != X509_V_OK {
                    let reason = X509_verify_cert_error_string(verdict).map { String(cString: $0) } ?? "error \(verdict)"
                    ERR_clear_error()
                    throw WireFailure.untrusted(reason, hostMismatch: verdict == X509_V_ERR_HOSTNAME_MISMATCH
                        || verdict == X509_V_ERR_IP_ADDRESS_MISMATCH)
                }
                if ERR_peek_error() == 0 {
                    ERR_clear_error()
                    throw code == 0 ? WireFailure.closed(.handshake) : WireFailure.system(code, .handshake)
                }
                throw WireFailure.tls(SocketTransport.opensslError())
            }
        }
    }

    /// Writes every byte, waiting at most `timeout` for each bit of progress.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            if let ssl {
                ERR_clear_error()
                let chunk = Int32(min(bytes.count - offset, 1 << 30))
                let written = SSL_write(ssl, base + offset, chunk)
                let code = errno
                if written > 0 {
                    offset += Int(written)
                    continue
                }
                switch SSL_get_error(ssl, written) {
                case SSL_ERROR_WANT_WRITE: try wait(Int16(POLLOUT), .sending)
                case SSL_ERROR_WANT_READ: try wait(Int16(POLLIN), .sending)
                case SSL_ERROR_ZERO_RETURN: throw WireFailure.closed(.sending)
                case SSL_ERROR_SYSCALL:
                    ERR_clear_error()
                    throw WireFailure.system(code == 0 ? EPIPE : code, .sending)
                default: throw WireFailure.tls(SocketTransport.opensslError())
                }
            } else {
                let written = systemSend(fd, base + offset, bytes.count - offset)
                if written >= 0 {
                    offset += written
                    continue
                }
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK {
                    try wait(Int16(POLLOUT), .sending)
                    continue
                }
                throw WireFailure.system(code, .sending)
            }
        }
    }

    /// Reads more bytes into the buffer; false at the end of the stream.
    private func fill(_ phase: WireFailure.Phase) throws -> Bool {
        if head == tail {
            head = 0
            tail = 0
        } else if tail == Self.capacity {
            guard head > 0 else { throw WireFailure.malformed("a header line longer than 64 KiB") }
            (storage + 0).copyMemory(from: storage + head, byteCount: tail - head)
            tail -= head
            head = 0
        }
        let space = Self.capacity - tail
        while true {
            if let ssl {
                ERR_clear_error()
                let count = SSL_read(ssl, storage + tail, Int32(space))
                let code = errno
                if count > 0 {
                    tail += Int(count)
                    received += Int(count)
                    return true
                }
                switch SSL_get_error(ssl, count) {
                case SSL_ERROR_WANT_READ: try wait(Int16(POLLIN), phase)
                case SSL_ERROR_WANT_WRITE: try wait(Int16(POLLOUT), phase)
                case SSL_ERROR_ZERO_RETURN: return false
                case SSL_ERROR_SYSCALL:
                    let queued = ERR_peek_error()
                    ERR_clear_error()
                    if code == 0 && queued == 0 { return false }
                    throw WireFailure.system(code == 0 ? ECONNRESET : code, phase)
                default:
                    throw WireFailure.tls(SocketTransport.opensslError())
                }
            } else {
                let count = recv(fd, storage + tail, space, 0)
                if count > 0 {
                    tail += count
                    received += count
                    return true
                }
                if count == 0 { return false }
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK {
                    try wait(Int16(POLLIN), phase)
                    continue
                }
                throw WireFailure.system(code, phase)
            }
        }
    }

    /// One line without its CR LF (a bare LF is accepted too).
    func readLine(_ phase: WireFailure.Phase) throws -> [UInt8] {
        var scanned = 0  // bytes after `head` known to hold no LF
        while true {
            if tail - head > scanned, let found = memchr(storage + head + scanned, 0x0A, tail - head - scanned) {
                let end = storage.distance(to: UnsafeMutableRawPointer(found))
                var lineEnd = end
                if lineEnd > head && storage.load(fromByteOffset: lineEnd - 1, as: UInt8.self) == 0x0D { lineEnd -= 1 }
                let line = Array(UnsafeRawBufferPointer(start: storage + head, count: lineEnd - head))
                head = end + 1
                return line
            }
            scanned = tail - head
            guard try fill(phase) else { throw WireFailure.closed(received == 0 ? .waitingForResponse : .readingResponse) }
        }
    }

    /// Header fields up to the empty line (also used for chunked trailers).
    func readFields(_ phase: WireFailure.Phase) throws -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = []
        var total = 0
        while true {
            let line = try readLine(phase)
            if line.isEmpty { return fields }
            total += line.count
            guard total <= 256 * 1024, fields.count < 1000 else { throw WireFailure.malformed("too many header fields") }
            if line[0] == 0x20 || line[0] == 0x09 {  // obsolete line folding
                guard !fields.isEmpty else { throw WireFailure.malformed("a folded first header line") }
                fields[fields.count - 1].value += " " + Self.trimmed(line[...])
                continue
            }
            guard let colon = line.firstIndex(of: 0x3A), colon > 0,
                  line[..<colon].allSatisfy(SocketTransport.isTokenByte)
            else { throw WireFailure.malformed("a malformed header line") }
            fields.append((String(decoding: line[..<colon], as: UTF8.self), Self.trimmed(line[(colon + 1)...])))
        }
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> String {
        var slice = bytes
        while let first = slice.first, first == 0x20 || first == 0x09 { slice = slice.dropFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 { slice = slice.dropLast() }
        return String(decoding: slice, as: UTF8.self)
    }

    /// Exactly `count` bytes.
    func readExact(_ count: Int, into body: inout Data) throws {
        var remaining = count
        while remaining > 0 {
            if head == tail { guard try fill(.readingResponse) else { throw WireFailure.closed(.readingResponse) } }
            let take = min(remaining, tail - head)
            body.append(storage.assumingMemoryBound(to: UInt8.self) + head, count: take)
            head += take
            remaining -= take
        }
    }

    /// Everything until the server closes the connection.
    func readToEnd(into body: inout Data) throws {
        while true {
            if head < tail {
                body.append(storage.assumingMemoryBound(to: UInt8.self) + head, count: tail - head)
                head = tail
            }
            guard try fill(.readingResponse) else { return }
        }
    }

    /// A chunked body; returns the trailer fields.
    func readChunked(into body: inout Data) throws -> [(name: String, value: String)] {
        while true {
            let line = try readLine(.readingResponse)
            let sizeText = line.prefix { $0 != 0x3B }  // drop chunk extensions
            let digits = String(decoding: sizeText, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            guard !digits.isEmpty, digits.count <= 15, let size = Int(digits, radix: 16), size >= 0 else {
                throw WireFailure.malformed("an invalid chunk size")
            }
            if size == 0 { return try readFields(.readingResponse) }
            try readExact(size, into: &body)
            guard try readLine(.readingResponse).isEmpty else { throw WireFailure.malformed("a chunk longer than its size") }
        }
    }
}

// MARK: - libc

private func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

private func errorText(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    let message = String(cString: text)
    return message.prefix(1).lowercased() + message.dropFirst()
}

#if canImport(Darwin)
private let socketStream = SOCK_STREAM
private func makeSocket(_ family: Int32, _ proto: Int32) -> Int32 {
    let fd = socket(family, SOCK_STREAM, proto)
    if fd >= 0 {
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }
    return fd
}
private func systemSend(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { send(fd, bytes, count, 0) }
#else
private let socketStream = Int32(SOCK_STREAM.rawValue)
private func makeSocket(_ family: Int32, _ proto: Int32) -> Int32 {
    socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), proto)
}
private func systemSend(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    send(fd, bytes, count, Int32(MSG_NOSIGNAL))
}
#endif

private func systemConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>?, _ length: socklen_t) -> Int32 {
    connect(fd, address, length)
}

private func systemClose(_ fd: Int32) -> Int32 { close(fd) }

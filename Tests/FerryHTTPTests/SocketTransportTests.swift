import FerryCore
import FerryHTTP
import FerryTesting
import Foundation
import Testing

/// A `python3` HTTP server (stdlib only) on a random loopback port, started by a test and stopped by it.
///
/// Modes: `plain` keeps connections alive; `drop-idle` closes every connection after one response
/// without saying so (as a server whose idle timeout fires); `drop-second` reads the second request
/// on a connection and closes it unanswered (the race a client loses when a server times out an
/// idle connection just as the next request goes out).
final class PythonServer: @unchecked Sendable {
    private let server: ScriptServer
    var port: Int { server.port }

    init(_ directory: TemporaryDirectory, mode: String = "plain", bind: String = "127.0.0.1",
         certificate: (cert: String, key: String)? = nil) throws
    {
        let script = directory.file("server.py")
        if !FileManager.default.fileExists(atPath: script) {
            try Self.script.write(toFile: script, atomically: true, encoding: .utf8)
        }
        let log = directory.file("server-\(UUID().uuidString.prefix(8)).log")
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        server = try ScriptServer(script: script, arguments: [mode, bind] + (certificate.map { [$0.cert, $0.key] } ?? []), log: log)
    }

    func stop() { server.stop() }

    func url(_ path: String, scheme: String = "http", host: String = "127.0.0.1") -> URL {
        URL(string: "\(scheme)://\(host):\(port)\(path)")!
    }

    static let script = #"""
    import json, signal, socket, ssl, sys, threading, time
    signal.pthread_sigmask(signal.SIG_SETMASK, [])  # the Swift parent's worker thread blocked them all
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qs, urlsplit

    mode, bind = sys.argv[1], sys.argv[2]
    tls = None
    if len(sys.argv) > 4:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(sys.argv[3], sys.argv[4])
    lock = threading.Lock()
    connections = 0

    def pattern(n):
        return bytes(i % 251 for i in range(n))

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        allow_reuse_address = True
        address_family = socket.AF_INET6 if ":" in bind else socket.AF_INET

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self):
            global connections
            with lock:
                connections += 1
                self.connection_id = connections
            self.served = 0
            if tls:
                # Long enough that a loaded machine never sees the server drop an idle keep-alive
                # connection (tests count connections); short enough that a stuck handshake ends.
                self.request.settimeout(300)
                self.request = tls.wrap_socket(self.request, server_side=True)
            super().setup()

        def log_message(self, *args):
            pass

        def reply(self, status, body=b"", headers=()):
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            if status not in (204, 304):
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD" and status not in (204, 304):
                self.wfile.write(body)

        def handle_any(self):
            self.served += 1
            length = int(self.headers.get("Content-Length") or 0)
            data = self.rfile.read(length) if length else b""
            if mode == "drop-second" and self.served >= 2:
                self.close_connection = True
                return
            split = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(split.query).items()}
            size = int(query.get("size", "0"))
            route = split.path
            if route.startswith("/echo"):
                info = {"method": self.command, "path": self.path, "connection": self.connection_id,
                        "headers": [[k, v] for k, v in self.headers.items()]}
                self.reply(200, data, [("X-Info", json.dumps(info)), ("X-Multi", "a"), ("X-Multi", "b")])
            elif route == "/chunked":
                self.send_response(200)
                self.send_header("Transfer-Encoding", "chunked")
                self.send_header("Trailer", "X-Trailer")
                self.end_headers()
                payload = pattern(size)
                for i in range(0, len(payload), 7000):
                    piece = payload[i:i + 7000]
                    self.wfile.write(b"%x;name=value\r\n" % len(piece) + piece + b"\r\n")
                self.wfile.write(b"0\r\nX-Trailer: done\r\n\r\n")
            elif route == "/length":
                self.reply(200, pattern(size), [("X-Connection", str(self.connection_id))])
            elif route == "/close":
                self.send_response(200)
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(pattern(size))
                self.close_connection = True
            elif route == "/slow":
                time.sleep(float(query.get("s", "5")))
                self.reply(200, b"late")
            elif route == "/status":
                self.reply(int(query.get("code", "200")))
            elif route == "/stats":
                with lock:
                    self.reply(200, str(connections).encode())
            else:
                self.reply(404, b"no route")
            if mode == "drop-idle":
                self.close_connection = True

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any

    httpd = Server((bind, 0), Handler)
    print(httpd.server_address[1], flush=True)
    httpd.serve_forever()
    """#
}

/// A throwaway CA and two server certificates: one for localhost/127.0.0.1/::1, one for another name.
struct TestCertificates {
    let ca: String
    let server: (cert: String, key: String)
    let otherName: (cert: String, key: String)

    init(_ directory: TemporaryDirectory) throws {
        let openssl = "/usr/bin/env"
        func run(_ arguments: [String]) throws {
            let result = try ProcessRunner.run(openssl, ["openssl"] + arguments, directory: directory.path)
            guard result.status == 0 else { throw FerryError(.io, "openssl \(arguments.first ?? "") failed: \(result.stderr)") }
        }
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try run(["req", "-x509", "-new"] + ec + ["-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
                 "-subj", "/CN=Ferry Test CA", "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        func leaf(_ name: String, _ altNames: String) throws {
            try "subjectAltName=\(altNames)\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n"
                .write(toFile: directory.file("\(name).ext"), atomically: true, encoding: .utf8)
            try run(["req", "-new"] + ec + ["-keyout", "\(name).key", "-out", "\(name).csr", "-subj", "/CN=\(name)"])
            try run(["x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                     "-out", "\(name).pem", "-days", "2", "-extfile", "\(name).ext"])
        }
        try leaf("server", "DNS:localhost,IP:127.0.0.1,IP:::1")
        try leaf("other", "DNS:other.example")
        ca = directory.file("ca.pem")
        server = (directory.file("server.pem"), directory.file("server.key"))
        otherName = (directory.file("other.pem"), directory.file("other.key"))
    }
}

/// The error a request fails with, if it is a ``FerryError``.
func ferryError(_ body: () async throws -> Void) async -> FerryError? {
    do {
        try await body()
        Issue.record("expected an error")
        return nil
    } catch let error as FerryError {
        return error
    } catch {
        Issue.record("expected a FerryError, got \(error)")
        return nil
    }
}

/// The request line data the echo server saw.
struct EchoInfo: Decodable {
    let method: String
    let path: String
    let connection: Int
    let headers: [[String]]
}

func echoInfo(_ response: HTTPResponse) throws -> EchoInfo {
    try JSONDecoder().decode(EchoInfo.self, from: Data(try #require(response.header("x-info")).utf8))
}

func pattern(_ count: Int) -> Data { Data((0..<count).map { UInt8($0 % 251) }) }

func seconds(since start: Date) -> Double { Date().timeIntervalSince(start) }

@Suite(.serialized)
struct SocketTransportTests {
    @Test func getAndPostRoundTrip() async throws {
        let directory = try TemporaryDirectory("ferry-http")
        defer { directory.remove() }
        let server = try PythonServer(directory)
        defer { server.stop() }
        let transport = SocketTransport(timeout: 60)

        let get = try await transport.send(HTTPRequest(method: "GET", url: server.url("/echo/a%2Fb%20c?x=%3D1&y=a+b"),
                                                       headers: [("X-One", "1"), ("x-two", "two words")]))
        #expect(get.status == 200)
        #expect(get.body.isEmpty)
        #expect(get.header("X-Multi") == "a, b")
        let getInfo = try echoInfo(get)
        #expect(getInfo.method == "GET")
        #expect(getInfo.path == "/echo/a%2Fb%20c?x=%3D1&y=a+b")
        #expect(getInfo.headers == [["Host", "127.0.0.1:\(server.port)"], ["X-One", "1"], ["x-two", "two words"],
                                    ["Connection", "keep-alive"]])

        let post = try await transport.send(HTTPRequest(method: "POST", url: server.url("/echo"),
                                                        headers: [("Content-Type", "application/json"), ("Content-Length", "999")],
                                                        body: Data(#"{"a":1}"#.utf8)))
        #expect(post.status == 200)
        #expect(String(decoding: post.body, as: UTF8.self) == #"{"a":1}"#)
        let postInfo = try echoInfo(post)
        #expect(postInfo.method == "POST")
        #expect(postInfo.headers == [["Host", "127.0.0.1:\(server.port)"], ["Content-Type", "application/json"],
                                     ["Content-Length", "7"], ["Connection", "keep-alive"]])

        let emptyPut = try await transport.send(HTTPRequest(method: "PUT", url: server.url("/echo")))
        #expect(try echoInfo(emptyPut).headers.contains(["Content-Length", "0"]))

        let missing = try await transport.send(HTTPRequest(method: "GET", url: server.url("/nowhere")))
        #expect(missing.status == 404)
        #expect(String(decoding: missing.body, as: UTF8.self) == "no route")
    }

    @Test func chunkedContentLengthAndReadToClose() async throws {
        let directory = try TemporaryDirectory("ferry-http")
        defer { directory.remove() }
        let server = try PythonServer(directory)
        defer { server.stop() }
        let transport = SocketTransport(timeout: 60)

        let chunked = try await transport.send(HTTPRequest(method: "GET", url: server.url("/chunked?size=100000")))
        #expect(chunked.status == 200)
        #expect(chunked.body == pattern(100_000))
        #expect(chunked.header("x-trailer") == "done")

        let empty = try await transport.send(HTTPRequest(method: "GET", url: server.url("/chunked?size=0")))
        #expect(empty.body.isEmpty)

        let length = try await transport.send(HTTPRequest(method: "GET", url: server.url("/length?size=5000")))
        #expect(length.body == pattern(5000))
        #expect(length.header("content-length") == "5000")

        let toClose = try await transport.send(HTTPRequest(method: "GET", url: server.url("/close?size=70000")))
        #expect(toClose.body == pattern(70_000))

        // All of it over as few connections as the server allows: one, plus a new one after /close.
        let stats = try await transport.send(HTTPRequest(method: "GET", url: server.url("/stats")))
        #expect(String(decoding: stats.body, as: UTF8.self) == "2")
    }

    @Test func headAnd204HaveNoBody() async throws {
        let directory = try TemporaryDirectory("ferry-http")
        defer { directory.remove() }
        let server = try PythonServer(directory)
        defer { server.stop() }
        let transport = SocketTransport(timeout: 60)

        let head = try await transport.send(HTTPRequest(method: "HEAD", url: server.url("/length?size=100")))
        #expect(head.status == 200)
        #expect(head.header("content-length") == "100")
        #expect(head.body.isEmpty)
        let noContent = try await transport.send(HTTPRequest(method: "DELETE", url: server.url("/status?code=204")))
        #expect(noContent.status == 204)
        #expect(noContent.body.isEmpty)
        let after = try await transport.send(HTTPRequest(method: "GET", url: server.url("/length?size=10")))
        #expect(after.body == pattern(10))
        #expect(after.header("x-connection") == "1")
    }

    @Test func reusesKeepAliveConnections() async throws {
        let directory = try TemporaryDirectory("ferry-http")
        defer { directory.remove() }
        let server = try PythonServer(directory)
        defer { server.stop() }
        let transport = SocketTransport(timeout: 60)
        for _ in 0..<5 {
            let response = try await transport.send(HTTPRequest(method: "GET", url: server.url("/echo")))
            #expect(try echoInfo(response).connection == 1)
        }
        let stats = try await transport.send(HTTPRequest(method: "GET", url: server.url("/stats")))
        #expect(String(decoding: stats.body, as: UTF8.self) == "1")
    }

    @Test func serverThatClosesIdleConnectionsIsTransparent() async throws {
        let directory = try TemporaryDirectory("ferry-http")
        defer { directory.remove() }
        let closesIdle = try PythonServer(directory, mode: "drop-idle")
        defer { closesIdle.stop() }
        let transport = SocketTransport(timeout: 60)
        var seen: [Int] = []
        for round in 0..<6 {
            if round % 2 == 1 { try await Task.sleep(nanoseconds: 100_000_000) }  // with and without the FIN arriving first
            let response = try await transport.send(HTTPRequest(method: "POST", url: closesIdle.url("/echo"), body: Data("x".utf8)))
            #expect(response.status == 200)
            #expect(response.body == Data("x".utf8))
            seen.append(try echoInfo(response).connection)
        }
        #expect(seen == [1, 2, 3, 4, 5, 6])

        // The request reached the server, which closed the connection unanswered: one fresh retry.
        let dropsSecond = try PythonServer(directory, mode: "drop-second")
        defer { dropsSecond.stop() }
        var connections: [Int] = []
        for _ in 0..<3 {
            let response = try await transport.send(HTTPRequest(method: "POST", url: dropsSecond.url("/echo"), body: Data("y".utf8)))
            #expect(response.status == 200)
            #expect(response.body == Data("y".utf8))
            connections.append(try echoInfo(response).connection)
        }
        #expect(connections == [1, 2, 3])
    }

    @Test func refusedPortIsUnreachableQuickly() async throws {
        let probe = try ProcessRunner.run("/usr/bin/env", ["python3", "-c",
            "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"])
        let port = try #require(Int(probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
        // A refused port fails at once; waiting for the 60 s time-out would be the bug. The bound
        // only separates the two, with room for a loaded machine (timings are measured in Benchmarks/).
        let transport = SocketTransport(timeout: 60)
        for host in ["127.0.0.1", "localhost"] {
            let start = Date()
            let error = await ferryError {
                _ = try await transport.send(HTTPRequest(method: "GET", url: URL(string: "http://\(host):\(port)/x?secret=1")!))
            }
            #expect(seconds(since: start) < 20)
            #expect(error?.kind == .backend)
            #expect(error?.code == .httpUnreachable)
            #expect(error?.message.contains("http://\(host):\(port)") == true)
            #expect(error?.message.contains("secret") == false)
        }
        let unresolvable = await ferryError {
            _ = try await transport.send(HTTPRequest(method: "GET", url: URL(string: "http://no-such-host.invalid/")!))
        }
        #expect(unresolvable?.code == .httpUnreachable)
        #expect(unresolvable?.message.contains("no-such-host.invalid") == true)
    }

    @Test func timesOut() async throws {
        let directory = try TemporaryDirectory("ferry-http")
        defer { directory.remove() }
        let server = try PythonServer(directory)
        defer { server.stop() }
        let transport = SocketTransport(timeout: 0.5)
        let start = Date()
        let error = await ferryError {
            _ = try await transport.send(HTTPRequest(method: "GET", url: server.url("/slow?s=60")))
        }
        // The 0.5 s time-out, not the server's 60 s (the bound leaves room for a loaded machine).
        #expect(seconds(since: start) < 20)
        #expect(error?.code == .httpUnreachable)
        #expect(error?.message.contains("timed out") == true)
        #expect(error?.message.contains("127.0.0.1:\(server.port)") == true)
    }

    @Test func cancellationStopsAWaitingRequest() async throws {
        let directory = try TemporaryDirectory("ferry-http")
        defer { directory.remove() }
        let server = try PythonServer(directory)
        defer { server.stop() }
        let transport = SocketTransport(timeout: 30)
        let start = Date()
        let task = Task { try await transport.send(HTTPRequest(method: "GET", url: server.url("/slow?s=60"))) }
        try await Task.sleep(nanoseconds: 200_000_000)
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        // Well before the server's 60 s answer (the bound leaves room for a loaded machine).
        #expect(seconds(since: start) < 20)
    }

    @Test func largeBodiesBothWays() async throws {
        let directory = try TemporaryDirectory("ferry-http")
        defer { directory.remove() }
        let server = try PythonServer(directory)
        defer { server.stop() }
        let transport = SocketTransport(timeout: 60)
        let mebibyte = Data((0..<(1 << 20)).map { _ in UInt8.random(in: 0...255) })
        let echoed = try await transport.send(HTTPRequest(method: "PUT", url: server.url("/echo"), body: mebibyte))
        #expect(echoed.status == 200)
        #expect(echoed.body == mebibyte)
        let chunked = try await transport.send(HTTPRequest(method: "GET", url: server.url("/chunked?size=1048576")))
        #expect(chunked.body == pattern(1 << 20))
        let length = try await transport.send(HTTPRequest(method: "GET", url: server.url("/length?size=1048576")))
        #expect(length.body == pattern(1 << 20))
    }

    @Test func concurrentRequestsShareThePool() async throws {
        let directory = try TemporaryDirectory("ferry-http")
        defer { directory.remove() }
        let server = try PythonServer(directory)
        defer { server.stop() }
        let transport = SocketTransport(timeout: 60)
        let bodies = try await withThrowingTaskGroup(of: Data.self) { group in
            for index in 0..<24 {
                group.addTask {
                    try await transport.send(HTTPRequest(method: "POST", url: server.url("/echo"), body: Data("\(index)".utf8))).body
                }
            }
            var all: [String] = []
            for try await body in group { all.append(String(decoding: body, as: UTF8.self)) }
            return all
        }
        #expect(Set(bodies) == Set((0..<24).map(String.init)))
    }

    @Test func localhostAndIPv6() async throws {
        let directory = try TemporaryDirectory("ferry-http")
        defer { directory.remove() }
        let server = try PythonServer(directory)
        defer { server.stop() }
        let transport = SocketTransport(timeout: 60)
        let viaName = try await transport.send(HTTPRequest(method: "GET", url: server.url("/echo", host: "localhost")))
        #expect(try echoInfo(viaName).headers.first == ["Host", "localhost:\(server.port)"])

        guard let ipv6 = try? PythonServer(directory, bind: "::1") else { return }  // no IPv6 loopback here
        defer { ipv6.stop() }
        let viaV6 = try await transport.send(HTTPRequest(method: "GET", url: ipv6.url("/echo?v=6", host: "[::1]")))
        #expect(viaV6.status == 200)
        #expect(try echoInfo(viaV6).headers.first == ["Host", "[::1]:\(ipv6.port)"])
    }

    @Test func httpsTrustsTheGivenCAOnly() async throws {
        let directory = try TemporaryDirectory("ferry-https")
        defer { directory.remove() }
        let certificates = try TestCertificates(directory)
        let server = try PythonServer(directory, certificate: certificates.server)
        defer { server.stop() }

        let mebibyte = Data((0..<(1 << 20)).map { _ in UInt8.random(in: 0...255) })
        let trusting = SocketTransport(timeout: 60, caFile: certificates.ca)
        for host in ["127.0.0.1", "localhost"] {
            let response = try await trusting.send(HTTPRequest(method: "POST", url: server.url("/echo", scheme: "https", host: host),
                                                               body: Data("over tls".utf8)))
            #expect(response.status == 200)
            #expect(response.body == Data("over tls".utf8))
        }
        let large = try await trusting.send(HTTPRequest(method: "PUT", url: server.url("/echo", scheme: "https"), body: mebibyte))
        #expect(large.body == mebibyte)
        let chunked = try await trusting.send(HTTPRequest(method: "GET", url: server.url("/chunked?size=300000", scheme: "https")))
        #expect(chunked.body == pattern(300_000))
        let stats = try await trusting.send(HTTPRequest(method: "GET", url: server.url("/stats", scheme: "https")))
        #expect(String(decoding: stats.body, as: UTF8.self) == "2")  // one per host name

        let untrusting = SocketTransport(timeout: 60)
        let untrusted = await ferryError {
            _ = try await untrusting.send(HTTPRequest(method: "GET", url: server.url("/echo", scheme: "https")))
        }
        #expect(untrusted?.code == .tlsUntrusted)
        #expect(untrusted?.kind == .backend)
        #expect(untrusted?.message.contains("https://127.0.0.1:\(server.port)") == true)
        #expect(untrusted?.message.contains("not trusted") == true)
        #expect(untrusted?.message.contains("SSL_CERT_FILE") == true)

        let insecure = SocketTransport(timeout: 60, verifyTLS: false)
        #expect(try await insecure.send(HTTPRequest(method: "GET", url: server.url("/echo", scheme: "https"))).status == 200)
    }

    @Test func httpsRejectsACertificateForAnotherName() async throws {
        let directory = try TemporaryDirectory("ferry-https")
        defer { directory.remove() }
        let certificates = try TestCertificates(directory)
        let server = try PythonServer(directory, certificate: certificates.otherName)
        defer { server.stop() }
        let transport = SocketTransport(timeout: 60, caFile: certificates.ca)
        for host in ["127.0.0.1", "localhost"] {
            let error = await ferryError {
                _ = try await transport.send(HTTPRequest(method: "GET", url: server.url("/echo", scheme: "https", host: host)))
            }
            #expect(error?.code == .tlsUntrusted)
            #expect(error?.message.contains("not valid for `\(host)`") == true)
        }
    }

    @Test func tlsSetupAndProtocolErrors() async throws {
        let directory = try TemporaryDirectory("ferry-https")
        defer { directory.remove() }
        let missingCA = await ferryError {
            _ = try await SocketTransport(caFile: directory.file("missing.pem"))
                .send(HTTPRequest(method: "GET", url: URL(string: "https://127.0.0.1:1/")!))
        }
        #expect(missingCA?.code == .tlsCAFile)
        #expect(missingCA?.message.contains("missing.pem") == true)

        let plain = try PythonServer(directory)
        defer { plain.stop() }
        let start = Date()
        let mixedUp = await ferryError {
            _ = try await SocketTransport(timeout: 60).send(HTTPRequest(method: "GET", url: plain.url("/echo", scheme: "https")))
        }
        // A failed handshake, not the 60 s time-out (the bound leaves room for a loaded machine).
        #expect(seconds(since: start) < 20)
        #expect(mixedUp?.kind == .backend)
        #expect([.tlsFailed, .httpUnreachable].contains(mixedUp?.code))

        let unsupported = await ferryError {
            _ = try await SocketTransport().send(HTTPRequest(method: "GET", url: URL(string: "ftp://127.0.0.1/")!))
        }
        #expect(unsupported?.code == .httpUnsupportedScheme)
    }

    @Test func rejectsHeaderInjectionWithoutQuotingTheValue() async throws {
        let error = await ferryError {
            _ = try await SocketTransport().send(HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:1/")!,
                                                             headers: [("X-Token", "s3cr3t\r\nEvil: 1")]))
        }
        #expect(error?.code == .httpBadRequest)
        #expect(error?.message.contains("s3cr3t") == false)
        #expect(error?.message.contains("X-Token") == true)
    }

    @Test func originHelper() {
        #expect(HTTPOrigin.of(URL(string: "http://127.0.0.1:4566/a?b=c")!) == "http://127.0.0.1:4566")
        #expect(HTTPOrigin.of(URL(string: "https://secretsmanager.eu-west-1.amazonaws.com/")!)
            == "https://secretsmanager.eu-west-1.amazonaws.com")
        #expect(HTTPOrigin.of(URL(string: "http://[::1]:8200/v1")!) == "http://[::1]:8200")
    }
}

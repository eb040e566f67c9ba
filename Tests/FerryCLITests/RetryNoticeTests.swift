import FerryCore
import FerryTesting
import Foundation
import Testing

/// Retry waits reach the user through the tool's log handler (the libraries only log them).
@Suite struct RetryNoticeTests {
    /// A server that answers every request with 503 and `Retry-After: 0`.
    static let script = #"""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def log_message(self, *args): pass
        def answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length: self.rfile.read(length)
            self.send_response(503)
            self.send_header("Retry-After", "0")
            self.send_header("Content-Length", "0")
            self.end_headers()
        do_GET = do_POST = answer

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()
    """#

    @Test func retryWaitsShowOnStderrByDefault() throws {
        var ferry = try Ferry(["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "x", "AWS_REGION": "us-east-1"])
        defer { ferry.home.remove() }
        let script = ferry.home.file("busy_server.py")
        try Self.script.write(toFile: script, atomically: true, encoding: .utf8)
        let server = try ScriptServer(script: script)
        defer { server.stop() }
        let arguments = ["secrets-manager", "secret", "list", "--flavor", "aws", "--secrets-manager", "5b0e6c1d-2f3a-4b8c-9d7e-1a2b3c4d5e6f",
                         "--endpoint-url", "http://127.0.0.1:\(server.port)"]
        var result = try ferry.run(arguments)
        #expect(result.status == 1)
        let waits = result.stderr.split(separator: "\n").filter { $0.contains("retrying in") }
        #expect(waits.count == 4, "\(result.stderr)")
        #expect(waits.last?.contains("POST http://127.0.0.1:\(server.port): HTTP 503, retrying in 0.0 s (attempt 5 of 5)") == true, "\(result.stderr)")
        ferry.environment["FERRY_LOG_LEVEL"] = "warning"
        result = try ferry.run(arguments)
        #expect(result.status == 1 && !result.stderr.contains("retrying in"), "\(result.stderr)")
    }
}

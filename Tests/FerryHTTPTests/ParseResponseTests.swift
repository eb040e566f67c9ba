import FerryCore
import FerryHTTP
import Foundation
import Testing

/// `SocketTransport.parseResponse`, the fuzz targets' entry to the HTTP/1.1 response parser.
@Suite struct ParseResponseTests {
    @Test func readsFramingAndTrailers() throws {
        let response = try SocketTransport.parseResponse(Data(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Trailer: t\r\n\r\n".utf8))
        #expect(response.status == 200 && response.body == Data("Wikipedia".utf8) && response.headers["x-trailer"] == "t")
        #expect(throws: (any Error).self) { try SocketTransport.parseResponse(Data("HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\nx".utf8)) }
    }

    /// A body larger than the socket's buffer (the rest is sent by a writer thread).
    @Test func readsABodyLargerThanTheSocketBuffer() throws {
        let body = Data((0..<(4 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let head = Data("HTTP/1.1 200 OK\r\nContent-Length: \(body.count)\r\n\r\n".utf8)
        #expect(try SocketTransport.parseResponse(head + body).body == body)
        // The parser stops at Content-Length; the writer's remaining bytes are dropped.
        #expect(try SocketTransport.parseResponse(Data("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n".utf8) + body).body == body.prefix(1))
    }
}

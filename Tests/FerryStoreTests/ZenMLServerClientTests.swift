import FerryCore
import FerryHTTP
import FerryStore
import Foundation
import Testing

/// The requests `ZenMLServerClient` makes for each era of ZenML server, against a stub that
/// answers as those releases' routers do (the live servers are exercised in FerryCLITests).
@Suite struct ZenMLServerClientTests {
    /// Answers by method and path; records every request.
    final class Server: HTTPTransport, @unchecked Sendable {
        private let lock = NSLock()
        private(set) var requests: [HTTPRequest] = []
        let version: String
        init(version: String) { self.version = version }

        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            lock.withLock { requests.append(request) }
            let path = request.url.path
            func json(_ text: String, _ status: Int = 200) -> HTTPResponse { HTTPResponse(status: status, headers: [:], body: Data(text.utf8)) }
            switch (request.method, path) {
            case ("GET", "/api/v1/info"): return json(#"{"version": "\#(version)", "deployment_type": "other"}"#)
            case ("POST", "/api/v1/login"): return json(#"{"access_token": "token-1", "token_type": "bearer", "expires_in": 3600}"#)
            case ("GET", "/api/v1/current-user"): return json(#"{"id": "11111111-1111-1111-1111-111111111111", "name": "default"}"#)
            case ("GET", "/api/v1/workspaces/default"): return json(#"{"id": "22222222-2222-2222-2222-222222222222", "name": "default"}"#)
            case ("GET", "/api/v1/workspaces/missing"):
                return json(#"{"detail": ["KeyError", "\"Unable to get workspace with name or ID 'missing': No workspace with this name found.\""]}"#, 404)
            case ("GET", "/api/v1/secrets"):
                // 0.75.0's body/metadata shape; one secret per scope, and another workspace's secret
                // (a server that ignored the filter must not make it a match).
                return json(#"""
                    {"index": 1, "max_size": 10, "total_pages": 1, "total": 3, "items": [
                     {"id": "33333333-3333-3333-3333-333333333333", "name": "db",
                      "body": {"scope": "workspace", "values": {}, "user": {"id": "11111111-1111-1111-1111-111111111111", "name": "default"}},
                      "metadata": {"workspace": {"id": "99999999-9999-9999-9999-999999999999", "name": "other"}}},
                     {"id": "44444444-4444-4444-4444-444444444444", "name": "db",
                      "body": {"scope": "workspace", "values": {}, "user": {"id": "11111111-1111-1111-1111-111111111111", "name": "default"}},
                      "metadata": {"workspace": {"id": "22222222-2222-2222-2222-222222222222", "name": "default"}}},
                     {"id": "55555555-5555-5555-5555-555555555555", "name": "db",
                      "body": {"scope": "user", "values": {}, "user": {"id": "11111111-1111-1111-1111-111111111111", "name": "default"}},
                      "metadata": {"workspace": {"id": "22222222-2222-2222-2222-222222222222", "name": "default"}}}]}
                    """#)
            case ("GET", "/api/v1/secrets/55555555-5555-5555-5555-555555555555"):
                // 0.52.0's flat shape.
                return json(#"{"id": "55555555-5555-5555-5555-555555555555", "name": "db", "scope": "user", "values": {"password": "pw"}}"#)
            case ("GET", "/api/v1/secrets/66666666-6666-6666-6666-666666666666"):
                return json(#"{"id": "66666666-6666-6666-6666-666666666666", "name": "db", "body": {"scope": "workspace", "values": {"password": null}}}"#)
            default: return json("{}")
            }
        }

        func body(_ index: Int) -> PythonJSON.Value? {
            lock.withLock { try? PythonJSON.parse(String(decoding: requests[index].body, as: UTF8.self)) }
        }

        var last: HTTPRequest { lock.withLock { requests.last! } }
    }

    static let url = URL(string: "http://127.0.0.1:9")!

    @Test func serversBeforeZenML035AreRefused() async throws {
        let server = Server(version: "0.34.0")
        let client = ZenMLServerClient(url: Self.url, credentials: .init(), transport: server)
        do {
            _ = try await client.connected()
            Issue.record("a 0.34 server was accepted")
        } catch let error as FerryError {
            #expect(error.code == .zenmlServerVersion && error.message.contains("0.34.0") && error.message.contains("no centralized secrets store"))
        }
        #expect(server.requests.map(\.url.path) == ["/api/v1/info"], "nothing but the version was asked")
    }

    @Test func serversFromZenML080UseThePrivateFlag() async throws {
        let server = Server(version: "0.98.0")
        let client = try await ZenMLServerClient(url: Self.url, credentials: .init(), transport: server).connected(workspace: "ignored")
        #expect(client.layout == .privateFlag && client.serverVersion == "0.98.0")
        try await client.create("db", values: SecretValues([("password", "pw")]), isPrivate: true)
        #expect(server.last.method == "POST" && server.last.url.path == "/api/v1/secrets")
        let body = try #require(server.body(server.requests.count - 1))
        #expect(body.member("private") == .bool(true) && body.member("scope") == nil && body.member("workspace") == nil)
    }

    @Test func serversBeforeZenML080WriteIntoAWorkspaceScope() async throws {
        let server = Server(version: "0.75.0")
        let client = try await ZenMLServerClient(url: Self.url, credentials: .init(username: "default", password: "pw"), transport: server).connected()
        #expect(client.layout == .scoped(workspaceID: "22222222-2222-2222-2222-222222222222", workspace: "default",
                                         userID: "11111111-1111-1111-1111-111111111111"))

        try await client.create("db", values: SecretValues([("password", "pw")]), isPrivate: true)
        #expect(server.last.url.path == "/api/v1/workspaces/22222222-2222-2222-2222-222222222222/secrets")
        let body = try #require(server.body(server.requests.count - 1))
        #expect(body.member("scope") == .string("user") && body.member("private") == nil)
        #expect(body.member("user") == .string("11111111-1111-1111-1111-111111111111"))
        #expect(body.member("workspace") == .string("22222222-2222-2222-2222-222222222222"))

        // Lookups ask for the scope, the workspace and (user scope) the user, and keep to them.
        let shared = try await client.find("db", isPrivate: false)
        let query = server.last.url.query ?? ""
        #expect(query.contains("scope=workspace") && query.contains("workspace_id=22222222-2222-2222-2222-222222222222") && !query.contains("user_id"))
        #expect(shared?.id == "44444444-4444-4444-4444-444444444444", "not the other workspace's secret")
        let own = try await client.find("db", isPrivate: true)
        #expect((server.last.url.query ?? "").contains("user_id=11111111-1111-1111-1111-111111111111"))
        #expect(own?.id == "55555555-5555-5555-5555-555555555555")
        #expect(try await client.values(id: "55555555-5555-5555-5555-555555555555", name: "db") == SecretValues([("password", "pw")]))

        // A replacement sends the keys to drop as null: releases that merge updates remove them.
        try await client.replace(id: "44444444-4444-4444-4444-444444444444", name: "db", values: SecretValues([("user", "u")]),
                                 dropping: ["password", "user"])
        let update = try #require(server.body(server.requests.count - 1))
        #expect(update.member("values") == .object([("user", .string("u")), ("password", .null)]))
    }

    @Test func hiddenValuesAndUnknownWorkspacesAreClearErrors() async throws {
        let server = Server(version: "0.52.0")
        let client = ZenMLServerClient(url: Self.url, credentials: .init(), transport: server)
        do {
            _ = try await client.connected(workspace: "missing")
            Issue.record("an unknown workspace was accepted")
        } catch let error as FerryError {
            #expect(error.message.contains("workspace `missing`") && error.message.contains("No workspace with this name"))
        }
        let connected = try await client.connected()
        do {
            _ = try await connected.values(id: "66666666-6666-6666-6666-666666666666", name: "db")
            Issue.record("values the server withheld were read as a secret")
        } catch let error as FerryError {
            #expect(error.code == .zenmlValuesHidden && error.message.contains("'db'"))
        }
    }
}

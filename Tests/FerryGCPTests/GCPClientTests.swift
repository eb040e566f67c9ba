import FerryCore
import FerryCrypto
import FerryGCP
import FerryHTTP
import FerryTesting
import Foundation
import Testing

/// The GCP servers scripts/test starts (`scripts/gcp-servers`): drongo, and Ferry's fake of
/// Secret Manager with a token endpoint and a metadata server (`scripts/fakes/gcp_secret_manager.py`).
enum GCPServers {
    static let environment = ProcessInfo.processInfo.environment
    static func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
    static var drongo: String? { value("FERRY_DRONGO_ENDPOINT") }
    static var fake: String? { value("FERRY_GCP_FAKE_ENDPOINT") }
    static var keyFile: String? { value("FERRY_GCP_SA_KEY") }
    static var metadataHost: String? { value("FERRY_GCP_METADATA_HOST") }
    static var available: Bool { drongo != nil && fake != nil && keyFile != nil }

    /// A drongo client for `project` (drongo checks no credentials).
    static func drongoClient(project: String) throws -> GCPSecretManagerClient {
        GCPSecretManagerClient(project: project, endpoint: URL(string: try #require(drongo))!, credentials: GCPStaticToken("drongo"),
                               transport: SocketTransport())
    }

    /// A client of the fake that logs in with the generated service-account key.
    static func fakeClient(project: String) throws -> GCPSecretManagerClient {
        try GCPSecretManagerClient.make(environment: ["GOOGLE_APPLICATION_CREDENTIALS": try #require(keyFile)], project: project,
                                        endpoint: try #require(fake))
    }

    /// A test hook of the fake (`/fake/...`), its JSON answer.
    @discardableResult
    static func hook(_ method: String, _ path: String, _ body: String? = nil) async throws -> PythonJSON.Value {
        var request = HTTPRequest(method: method, url: URL(string: try #require(fake) + path)!)
        if let body {
            request.body = Data(body.utf8)
            request.setHeader("Content-Type", "application/json")
        }
        let response = try await SocketTransport().send(request)
        return try PythonJSON.parse(String(decoding: response.body, as: UTF8.self))
    }

    static func stat(_ name: String) async throws -> Int {
        guard case .object(let pairs) = try await hook("GET", "/fake/stats"),
              case .number(let text)? = pairs.first(where: { $0.key == name })?.value
        else { return -1 }
        return Int(text) ?? -1
    }

    static func uniqueProject(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())" }
}

/// Without a server: CRC-32C, the JWT, key parsing, and the client's checks over a stub transport.
struct GCPUnitTests {
    /// A throwaway RSA key in a service-account key (made with the `openssl` command).
    static func serviceAccountKey(tokenURI: String = "https://oauth2.googleapis.com/token") throws -> (json: String, pem: String) {
        let folder = try TemporaryDirectory("ferry-gcp-key")
        defer { folder.remove() }
        let result = try ProcessRunner.run("/usr/bin/env", ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                                                            "-out", folder.file("key.pem")])
        try #require(result.status == 0, "openssl genpkey: \(result.stderr)")
        let pem = try String(contentsOfFile: folder.file("key.pem"), encoding: .utf8)
        let json = PythonJSON.dumps(.object([
            ("type", .string("service_account")), ("project_id", .string("p")), ("private_key_id", .string("kid-1")),
            ("private_key", .string(pem)), ("client_email", .string("ferry@p.iam.gserviceaccount.com")),
            ("token_uri", .string(tokenURI)),
        ]))
        return (json, pem)
    }

    @Test func crc32cMatchesTheStandardCheckValue() {
        // RFC 3720 / the CRC catalogue's check value for CRC-32C.
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([]) == 0)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
    }

    @Test func assertionIsASignedJWTWithGooglesClaims() throws {
        let (json, pem) = try Self.serviceAccountKey()
        let key = try GCPServiceAccountKey(json: json, source: "the test key")
        let issued = Date(timeIntervalSince1970: 1_800_000_000)
        let jwt = try key.assertion(issuedAt: issued)
        let parts = jwt.split(separator: ".").map(String.init)
        #expect(parts.count == 3)
        func decode(_ text: String) throws -> PythonJSON.Value {
            var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while base64.count % 4 != 0 { base64 += "=" }
            let data = try #require(Data(base64Encoded: base64))
            return try PythonJSON.parse(String(decoding: data, as: UTF8.self))
        }
        #expect(PythonJSON.dumps(try decode(parts[0])) == #"{"alg": "RS256", "typ": "JWT", "kid": "kid-1"}"#)
        #expect(PythonJSON.dumps(try decode(parts[1]))
            == #"{"iss": "ferry@p.iam.gserviceaccount.com", "scope": "https://www.googleapis.com/auth/cloud-platform", "aud": "https://oauth2.googleapis.com/token", "iat": 1800000000, "exp": 1800003600}"#)
        var signature = parts[2].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while signature.count % 4 != 0 { signature += "=" }
        let bytes = [UInt8](try #require(Data(base64Encoded: signature)))
        let signer = try RSAPrivateKey(pem: pem)
        #expect(signer.verifySHA256(bytes, of: Array((parts[0] + "." + parts[1]).utf8)))
        #expect(!signer.verifySHA256(bytes, of: Array((parts[0] + "." + parts[1] + "x").utf8)))
    }

    @Test func badKeysFailWithoutQuotingThem() throws {
        let (json, _) = try Self.serviceAccountKey()
        #expect { _ = try GCPServiceAccountKey(json: "{not json", source: "key.json") } throws: {
            ($0 as? FerryError)?.message == "key.json is not a JSON service account key."
        }
        let broken = json.replacingOccurrences(of: "BEGIN PRIVATE KEY-----\\n", with: "BEGIN PRIVATE KEY-----\\nAAAA")
        #expect { _ = try GCPServiceAccountKey(json: broken, source: "key.json") } throws: { error in
            let message = (error as? FerryError)?.message ?? ""
            return message == "The `private_key` of key.json is not a PEM RSA private key." && !message.contains("AAAA")
        }
        let user = #"{"type": "authorized_user", "client_id": "c", "client_secret": "s", "refresh_token": "r"}"#
        let folder = try TemporaryDirectory("ferry-gcp-adc")
        defer { folder.remove() }
        try user.write(toFile: folder.file("adc.json"), atomically: true, encoding: .utf8)
        let source = try GCPCredentials.resolve(environment: ["GOOGLE_APPLICATION_CREDENTIALS": folder.file("adc.json")],
                                                transport: SocketTransport())
        #expect(source.description == "the user credentials of client c")
        // gcloud's ADC file is next in line, then the metadata server.
        try FileManager.default.createDirectory(atPath: folder.file("gcloud"), withIntermediateDirectories: true)
        try user.write(toFile: folder.file("gcloud/application_default_credentials.json"), atomically: true, encoding: .utf8)
        #expect(try GCPCredentials.resolve(environment: ["CLOUDSDK_CONFIG": folder.file("gcloud")], transport: SocketTransport())
            .description == "the user credentials of client c")
        #expect(try GCPCredentials.resolve(environment: ["HOME": folder.path, "GCE_METADATA_HOST": "127.0.0.1:1"], transport: SocketTransport())
            .description == "the metadata server at 127.0.0.1:1")
        #expect(try GCPCredentials.resolve(environment: ["CLOUDSDK_AUTH_ACCESS_TOKEN": "t", "GOOGLE_APPLICATION_CREDENTIALS": "/nope"],
                                           transport: SocketTransport()).description == "a fixed access token")
    }

    /// A transport that answers from a closure and records requests.
    final class Stub: HTTPTransport, @unchecked Sendable {
        let answer: @Sendable (HTTPRequest) -> HTTPResponse
        private let lock = NSLock()
        private var seen: [HTTPRequest] = []
        init(_ answer: @escaping @Sendable (HTTPRequest) -> HTTPResponse) { self.answer = answer }
        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            lock.withLock { seen.append(request) }
            return answer(request)
        }
        var requests: [HTTPRequest] { lock.withLock { seen } }
    }

    static func json(_ status: Int, _ body: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["content-type": "application/json"], body: Data(body.utf8))
    }

    @Test func accessChecksTheCRC32CAndErrorsNameTheSecretNotTheValue() async throws {
        let payload = Data("s3cr3t-value".utf8).base64EncodedString()
        let stub = Stub { request in
            if request.url.path.hasSuffix("/good/versions/latest:access") {
                return Self.json(200, #"{"name": "projects/1/secrets/good/versions/1", "payload": {"data": "\#(payload)", "dataCrc32c": "\#(CRC32C.checksum(Array("s3cr3t-value".utf8)))"}}"#)
            }
            if request.url.path.hasSuffix("/bad/versions/latest:access") {
                return Self.json(200, #"{"payload": {"data": "\#(payload)", "dataCrc32c": "12345"}}"#)
            }
            if request.url.path.hasSuffix("/empty/versions/latest:access") { return Self.json(200, #"{"payload": {}}"#) }
            return Self.json(404, #"{"error": {"code": 404, "message": "Secret [projects/1/secrets/gone] not found or has no versions.", "status": "NOT_FOUND"}}"#)
        }
        let client = GCPSecretManagerClient(project: "p", endpoint: URL(string: "http://stub")!, credentials: GCPStaticToken("tok"),
                                            transport: stub)
        #expect(String(decoding: try await client.access(id: "good"), as: UTF8.self) == "s3cr3t-value")
        #expect(try await client.access(id: "empty").isEmpty)
        await #expect { _ = try await client.access(id: "bad") } throws: { error in
            let failure = error as? FerryError
            return failure?.code == .gcpCRC32CMismatch && failure?.message.contains("secret 'bad'") == true
                && failure?.message.contains("s3cr3t") == false
        }
        await #expect { _ = try await client.access(id: "gone") } throws: { error in
            (error as? FerryError)?.kind == .notFound && (error as? FerryError)?.message.contains("value of secret 'gone'") == true
        }
        let first = try #require(stub.requests.first)
        #expect(first.header("Authorization") == "Bearer tok")
        #expect(first.url.absoluteString == "http://stub/v1/projects/p/secrets/good/versions/latest:access")
    }

    @Test func addVersionSendsTheChecksumAndListFollowsPages() async throws {
        let stub = Stub { request in
            if request.method == "POST" { return Self.json(200, #"{"name": "projects/1/secrets/s/versions/1"}"#) }
            let query = request.url.query ?? ""
            if query.contains("pageToken=t2") {
                return Self.json(200, #"{"secrets": [{"name": "projects/1/secrets/c", "labels": {"k": "v"}}]}"#)
            }
            return Self.json(200, #"{"secrets": [{"name": "projects/1/secrets/a"}, {"name": "projects/1/secrets/b"}], "nextPageToken": "t2"}"#)
        }
        let client = GCPSecretManagerClient(project: "p", endpoint: URL(string: "http://stub")!, credentials: GCPStaticToken("tok"),
                                            transport: stub)
        try await client.addVersion(id: "s", data: Array("123456789".utf8))
        let body = String(decoding: try #require(stub.requests.first).body, as: UTF8.self)
        #expect(body == #"{"payload": {"data": "MTIzNDU2Nzg5", "dataCrc32c": "3808858755"}}"#)
        let listed = try await client.listSecrets(filter: "labels.k:*", pageSize: 2)
        #expect(listed.map(\.id) == ["a", "b", "c"])
        #expect(listed[2].label("k") == "v")
        #expect(stub.requests[1].url.query == "filter=labels.k%3A%2A&pageSize=2")
        #expect(stub.requests[2].url.query == "filter=labels.k%3A%2A&pageSize=2&pageToken=t2")
    }
}

/// Against Ferry's fake (`FERRY_GCP_FAKE_ENDPOINT`): the real JWT flow, expired and wrong tokens,
/// label filters, paging and retries. Serialized: the fake's counters and failure hooks are shared.
@Suite(.serialized, .enabled(if: GCPServers.available || Repository.inCI, "needs scripts/gcp-servers (FERRY_GCP_FAKE_ENDPOINT)"))
struct GCPFakeServerTests {
    /// Counts the requests that go through it, by path.
    final class Counting: HTTPTransport, @unchecked Sendable {
        let inner = SocketTransport()
        private let lock = NSLock()
        private var paths: [String] = []
        private var queries: [String] = []
        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            lock.withLock {
                paths.append(request.url.path)
                queries.append(request.url.query ?? "")
            }
            return try await inner.send(request)
        }
        func count(_ path: String) -> Int { lock.withLock { paths.filter { $0 == path }.count } }
        /// Requests that asked for a next page.
        var pageTokens: Int { lock.withLock { queries.filter { $0.contains("pageToken=") }.count } }
    }

    @Test func serviceAccountKeyGetsATokenThroughTheJWTFlowOnce() async throws {
        let project = GCPServers.uniqueProject("jwt")
        let counting = Counting()
        let client = try GCPSecretManagerClient.make(environment: ["GOOGLE_APPLICATION_CREDENTIALS": try #require(GCPServers.keyFile)],
                                                     project: project, endpoint: try #require(GCPServers.fake), transport: counting)
        #expect(client.credentials.description.hasPrefix("service account "))
        let grants = try await GCPServers.stat("token_grants")
        try await client.createSecret(id: "db", labels: [("team", "ml")])
        try await client.addVersion(id: "db", data: Array("pä$$ 🔐".utf8))
        try await client.addVersion(id: "db", data: Array("second".utf8))
        #expect(String(decoding: try await client.access(id: "db"), as: UTF8.self) == "second")
        #expect(String(decoding: try await client.access(id: "db", version: "1"), as: UTF8.self) == "pä$$ 🔐")
        #expect(try await client.getSecret(id: "db").label("team") == "ml")
        // The fake granted a token through the JWT flow, and one exchange served every call.
        #expect(try await GCPServers.stat("token_grants") > grants)
        #expect(counting.count("/token") == 1)
        try await client.deleteSecret(id: "db")
        await #expect { _ = try await client.getSecret(id: "db") } throws: { ($0 as? FerryError)?.kind == .notFound }
    }

    @Test func expiredOrWrongTokensFailClearly() async throws {
        let endpoint = URL(string: try #require(GCPServers.fake))!
        guard case .object(let pairs) = try await GCPServers.hook("POST", "/fake/expired-token"),
              case .string(let expired)? = pairs.first(where: { $0.key == "access_token" })?.value
        else {
            Issue.record("the fake gave no expired token")
            return
        }
        for token in [expired, "ya29.not-a-token"] {
            let client = GCPSecretManagerClient(project: "ferry-test", endpoint: endpoint, credentials: GCPStaticToken(token),
                                                transport: SocketTransport())
            await #expect { _ = try await client.listSecrets() } throws: { error in
                let failure = error as? FerryError
                return failure?.code == .gcpUnauthenticated
                    && failure?.message.contains("did not accept the credentials (a fixed access token) for the list of secrets") == true
                    && failure?.message.contains(token) == false
            }
        }
        // A key the token endpoint does not know: its JWT signature does not verify.
        let (json, _) = try GCPUnitTests.serviceAccountKey(tokenURI: endpoint.absoluteString + "/token")
        let stranger = GCPServiceAccountTokenSource(key: try GCPServiceAccountKey(json: json, source: "a stranger's key"),
                                                    transport: SocketTransport())
        let client = GCPSecretManagerClient(project: "ferry-test", endpoint: endpoint, credentials: stranger, transport: SocketTransport())
        await #expect { _ = try await client.listSecrets() } throws: { error in
            let failure = error as? FerryError
            return failure?.code == .gcpTokenRefused && failure?.message.contains("invalid_grant") == true
                && failure?.message.contains("service account ferry@p.iam.gserviceaccount.com") == true
        }
    }

    @Test func aTokenThatExpiresIsFetchedAgain() async throws {
        let project = GCPServers.uniqueProject("expiry")
        try await GCPServers.hook("POST", "/fake/config", #"{"token_lifetime": 1}"#)
        defer { Task { try? await GCPServers.hook("POST", "/fake/config", #"{"token_lifetime": 3600}"#) } }
        let counting = Counting()
        let client = try GCPSecretManagerClient.make(environment: ["GOOGLE_APPLICATION_CREDENTIALS": try #require(GCPServers.keyFile)],
                                                     project: project, endpoint: try #require(GCPServers.fake), transport: counting)
        try await client.createSecret(id: "a", labels: [])
        try await Task.sleep(nanoseconds: 1_500_000_000)
        // The cached token has run out: the client logs in again instead of failing.
        try await client.createSecret(id: "b", labels: [])
        #expect(counting.count("/token") >= 2)
        #expect(Set(try await client.listSecrets().map(\.id)) == ["a", "b"])
        try await GCPServers.hook("POST", "/fake/config", #"{"token_lifetime": 3600}"#)
    }

    @Test func metadataServerToken() async throws {
        let project = GCPServers.uniqueProject("metadata")
        let counting = Counting()
        let client = try GCPSecretManagerClient.make(environment: ["GCE_METADATA_HOST": try #require(GCPServers.metadataHost),
                                                                   "HOME": "/nonexistent"],
                                                     project: project, endpoint: try #require(GCPServers.fake), transport: counting)
        #expect(client.credentials.description.hasPrefix("the metadata server at "))
        let before = try await GCPServers.stat("metadata_tokens")
        try await client.createSecret(id: "from-metadata", labels: [])
        try await client.createSecret(id: "again", labels: [])
        #expect(try await GCPServers.stat("metadata_tokens") > before)
        #expect(counting.count("/computeMetadata/v1/instance/service-accounts/default/token") == 1)
    }

    @Test func labelFiltersAndPaging() async throws {
        let project = GCPServers.uniqueProject("paging")
        let client = try GCPServers.fakeClient(project: project)
        for index in 0..<7 {
            try await client.createSecret(id: "s\(index)", labels: [("team", index % 2 == 0 ? "a" : "b"), ("n", "\(index)")])
        }
        let all = try await client.listSecrets(pageSize: 2)
        #expect(all.map(\.id) == (0..<7).map { "s\($0)" })
        let teamA = try await client.listSecrets(filter: "labels.team=a", pageSize: 2)
        #expect(teamA.map(\.id) == ["s0", "s2", "s4", "s6"])
        #expect(try await client.listSecrets(filter: "labels.team=a AND name:s2").map(\.id) == ["s2"])
        #expect(try await client.listSecrets(filter: "labels.nope:*").isEmpty)
        await #expect { _ = try await client.listSecrets(filter: "bogus_field=1") } throws: { error in
            (error as? FerryError)?.code == .gcpInvalidArgument && (error as? FerryError)?.message.contains("list of secrets") == true
        }
        try await client.updateLabels(id: "s1", labels: [("team", "a")])
        #expect(try await client.getSecret(id: "s1").labels.map(\.key) == ["team"])
    }

    @Test func serverErrorsAndThrottlingAreRetried() async throws {
        let project = GCPServers.uniqueProject("retry")
        let client = try GCPServers.fakeClient(project: project)
        try await client.createSecret(id: "r", labels: [])
        try await GCPServers.hook("POST", "/fake/fail", #"{"status": 503, "count": 2, "target": "v1"}"#)
        try await client.addVersion(id: "r", data: Array("v".utf8))
        try await GCPServers.hook("POST", "/fake/fail", #"{"status": 429, "count": 1, "target": "v1", "retry_after": 0}"#)
        #expect(String(decoding: try await client.access(id: "r"), as: UTF8.self) == "v")
    }
}

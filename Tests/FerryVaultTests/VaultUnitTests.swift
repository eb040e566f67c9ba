import FerryAWS
import FerryCore
import FerryHTTP
import FerryLegacy
import FerryTesting
import FerryVault
import Foundation
import Testing

@Suite struct VaultUnitTests {
    @Test func makeNeedsAddressAndToken() throws {
        #expect(throws: FerryError.self) { try VaultClient.make(environment: [:]) }
        #expect(throws: FerryError.self) { try VaultClient.make(environment: ["VAULT_ADDR": "http://127.0.0.1:8200"]) }
        let client = try VaultClient.make(environment: ["VAULT_ADDR": "http://127.0.0.1:8200", "VAULT_TOKEN": "t", "VAULT_NAMESPACE": "ns"],
                                          namespace: "team1")
        #expect(client.namespace == "team1")
        #expect(client.address.absoluteString == "http://127.0.0.1:8200")
        let fromEnv = try VaultClient.make(environment: ["VAULT_ADDR": "http://127.0.0.1:8200", "VAULT_TOKEN": "t", "VAULT_NAMESPACE": "ns"])
        #expect(fromEnv.namespace == "ns")
        // OpenBao's names, when the VAULT_ ones are absent; VAULT_ wins when both are set.
        let bao = try VaultClient.make(environment: ["BAO_ADDR": "http://127.0.0.1:8300", "BAO_TOKEN": "t", "BAO_NAMESPACE": "b"])
        #expect(bao.address.absoluteString == "http://127.0.0.1:8300" && bao.namespace == "b")
        let both = try VaultClient.make(environment: ["BAO_ADDR": "http://127.0.0.1:8300", "VAULT_ADDR": "http://127.0.0.1:8200", "BAO_TOKEN": "t"])
        #expect(both.address.absoluteString == "http://127.0.0.1:8200")
        // A login method needs no token.
        let appRole = try VaultClient.make(environment: ["VAULT_ADDR": "http://127.0.0.1:8200"], auth: .appRole(roleID: "r", secretID: "s"))
        #expect(appRole.address.absoluteString == "http://127.0.0.1:8200")
    }

    /// The expected signature was computed with botocore's `SigV4Auth(creds, "sts", "us-east-1").add_auth`
    /// on the same request, with `botocore.auth.get_current_datetime` fixed to 2024-01-02T03:04:05Z.
    @Test func awsIAMLoginPayloadMatchesBotocore() throws {
        let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                         sessionToken: "session-token-example", expiration: nil)
        let payload = VaultClient.awsIAMLoginPayload(role: "ferry-role", serverID: "vault.example.com", credentials: credentials,
                                                     date: Date(timeIntervalSince1970: 1_704_164_645))
        func field(_ key: String) -> String? {
            if case .string(let text)? = payload.first(where: { $0.key == key })?.value { return text }
            return nil
        }
        func decoded(_ key: String) -> String? {
            field(key).flatMap { Data(base64Encoded: $0) }.map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(payload.map(\.key) == ["role", "iam_http_request_method", "iam_request_url", "iam_request_body", "iam_request_headers"])
        #expect(field("role") == "ferry-role")
        #expect(field("iam_http_request_method") == "POST")
        #expect(decoded("iam_request_url") == "https://sts.amazonaws.com/")
        #expect(decoded("iam_request_body") == "Action=GetCallerIdentity&Version=2011-06-15")
        let headersJSON = try #require(decoded("iam_request_headers"))
        guard case .object(let headers) = try PythonJSON.parse(headersJSON) else {
            Issue.record("headers are not a JSON object")
            return
        }
        var map: [String: String] = [:]
        for (name, value) in headers {
            guard case .array(let values) = value, values.count == 1, case .string(let text) = values[0] else {
                Issue.record("header \(name) is not [value]")
                continue
            }
            map[name.lowercased()] = text
        }
        #expect(map["host"] == "sts.amazonaws.com")
        #expect(map["content-type"] == "application/x-www-form-urlencoded; charset=utf-8")
        #expect(map["x-vault-aws-iam-server-id"] == "vault.example.com")
        #expect(map["x-amz-date"] == "20240102T030405Z")
        #expect(map["x-amz-security-token"] == "session-token-example")
        #expect(map["authorization"] == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240102/us-east-1/sts/aws4_request, "
            + "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-vault-aws-iam-server-id, "
            + "Signature=71fb931082ce0cc3b5bc78cee49cad995e9743efc9d89c1f179efb7c6ec1e96f")
    }

    @Test func awsIAMLoginPayloadWithoutServerID() throws {
        let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret", sessionToken: nil, expiration: nil)
        let payload = VaultClient.awsIAMLoginPayload(role: "r", serverID: nil, credentials: credentials, date: Date(timeIntervalSince1970: 0))
        guard case .string(let encoded)? = payload.first(where: { $0.key == "iam_request_headers" })?.value,
              let data = Data(base64Encoded: encoded)
        else {
            Issue.record("no headers field")
            return
        }
        let text = String(decoding: data, as: UTF8.self)
        #expect(!text.lowercased().contains("x-vault-aws-iam-server-id"))
        #expect(!text.lowercased().contains("x-amz-security-token"))
    }

    typealias Recorder = RecordingTransport

    @Test func requestShapeAndErrors() async throws {
        let recorder = Recorder { request in
            if request.url.path(percentEncoded: true).hasSuffix("missing") {
                return HTTPResponse(status: 404, headers: [:], body: Data(#"{"errors":[]}"#.utf8))
            }
            return HTTPResponse(status: 403, headers: [:], body: Data(#"{"errors":["permission denied"]}"#.utf8))
        }
        let client = VaultClient(address: URL(string: "http://vault.test:8200/")!, auth: .token("s.SECRETTOKEN"), namespace: "team1",
                                 transport: recorder)
        do {
            _ = try await client.kvRead(mount: "secret", path: "a b/ü@x", version: 3)
            Issue.record("expected an error")
        } catch let error as FerryError {
            #expect(error.code == .vaultForbidden)
            #expect(error.message.contains("permission denied"))
            #expect(error.message.contains("secret/a b/ü@x"))
            #expect(!error.message.contains("SECRETTOKEN"))
        }
        await #expect(throws: FerryError.self) { try await client.kvRead(mount: "secret", path: "missing") }
        #expect(try await client.kvList(mount: "secret", path: "missing") == [])
        let first = try #require(recorder.requests.first)
        #expect(first.method == "GET")
        #expect(first.url.absoluteString == "http://vault.test:8200/v1/secret/data/a%20b/%C3%BC%40x?version=3")
        #expect(first.header("X-Vault-Token") == "s.SECRETTOKEN")
        #expect(first.header("X-Vault-Namespace") == "team1")
        #expect(recorder.requests.last?.method == "LIST")
        // Token auth never logs in, so a 403 is not retried.
        #expect(recorder.requests.count == 3)
        #expect(!recorder.requests.contains { $0.url.path.contains("/auth/") })
    }

    @Test func appRoleLogsInAgainAfterPermissionDenied() async throws {
        let logins = Recorder { _ in HTTPResponse(status: 500, headers: [:], body: Data()) }
        let recorder = Recorder { request in
            if request.url.path == "/v1/auth/approle/login" {
                let count = logins.lock.withLock { () -> Int in
                    logins.requests.append(request)
                    return logins.requests.count
                }
                return HTTPResponse(status: 200, headers: [:],
                                    body: Data(#"{"auth":{"client_token":"s.T\#(count)","lease_duration":3600}}"#.utf8))
            }
            if request.header("X-Vault-Token") == "s.T1" {
                return HTTPResponse(status: 403, headers: [:], body: Data(#"{"errors":["permission denied"]}"#.utf8))
            }
            return HTTPResponse(status: 200, headers: [:],
                                body: Data(#"{"data":{"data":{"k":"v"},"metadata":{"version":4,"custom_metadata":{"owner":"me"}}}}"#.utf8))
        }
        let client = VaultClient(address: URL(string: "http://vault.test:8200")!, auth: .appRole(roleID: "role", secretID: "sid"),
                                 transport: recorder)
        let secret = try await client.kvRead(mount: "secret", path: "a")
        #expect(secret.version == 4)
        #expect(secret.customMetadata == ["owner": "me"])
        #expect(secret.data.first?.key == "k")
        _ = try await client.kvRead(mount: "secret", path: "a")
        #expect(logins.requests.count == 2)
        let loginBody = String(decoding: try #require(logins.requests.first).body, as: UTF8.self)
        #expect(loginBody == #"{"role_id": "role", "secret_id": "sid"}"#)
        #expect(recorder.requests.map(\.method) == ["POST", "GET", "POST", "GET", "GET"])
    }

    /// A `vault` manager built by the flavor registry with a stub transport (the factory sends
    /// through the context's transport), answering every read of the secret's path with `read`.
    func manager(answeringReadsWith read: @escaping @Sendable () -> HTTPResponse) throws -> (any LegacySecretsManager, RecordingTransport) {
        let transport = RecordingTransport { request in
            request.method == "GET" ? read() : HTTPResponse(status: 204, headers: [:], body: Data())
        }
        let component = LegacyComponent(id: UUID(), name: "vault", flavor: "vault", configuration: ["url": "http://vault.test:8200", "token": "t"])
        let context = LegacyContext(paths: ZenMLPaths(configDirectory: "/nonexistent", environment: [:]), environment: [:], transport: transport)
        return (try LegacyFlavors.manager(for: component, context: context), transport)
    }

    /// `register` writes only when the read says "not found": a refusal, an answer that is not
    /// JSON, or a secret there that does not decode is never taken as room to write.
    @Test func registerWritesOnlyWhenTheSecretIsNotFound() async throws {
        let secret = LegacySecret(name: "db", values: ["password": "pw"])
        let refusals: [(HTTPResponse, String)] = [
            (HTTPResponse(status: 403, headers: [:], body: Data(#"{"errors":["permission denied"]}"#.utf8)), "vault_forbidden"),
            (HTTPResponse(status: 200, headers: [:], body: Data("<html>not json</html>".utf8)), ""),
            // A secret ZenML did not write (no `zenml_schema_name`): it exists.
            (HTTPResponse(status: 200, headers: [:], body: Data(#"{"data":{"data":{"other":"x"},"metadata":{"version":1}}}"#.utf8)), "secret_exists"),
        ]
        for (answer, code) in refusals {
            let (manager, transport) = try manager(answeringReadsWith: { answer })
            do {
                try await manager.registerSecret(secret)
                Issue.record("register went on after a read answered \(answer.status)")
            } catch let error as FerryError {
                if !code.isEmpty { #expect(error.code.rawValue == code, "\(error)") }
                #expect(error.kind != .notFound)
            }
            #expect(!transport.sent.isEmpty, "the flavor's client sends through the context's transport")
            #expect(transport.sent.allSatisfy { $0.method == "GET" }, "nothing is written after a read answered \(answer.status)")
        }
        let (manager, transport) = try manager(answeringReadsWith: { HTTPResponse(status: 404, headers: [:], body: Data(#"{"errors":[]}"#.utf8)) })
        try await manager.registerSecret(secret)
        #expect(transport.sent.map(\.method) == ["GET", "POST"])
    }
}

import FerryAWS
import FerryCore
import FerryHTTP
import FerryStore
import FerryTesting
import Foundation
import InMemoryLogging
import Logging
import Testing

/// Scripted responses, to check retries without a server.
final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var responses: [HTTPResponse]
    private(set) var requests: [HTTPRequest] = []

    init(_ responses: [HTTPResponse]) { self.responses = responses }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        lock.withLock {
            requests.append(request)
            return responses.removeFirst()
        }
    }
}

@Suite struct RetryTests {
    static func json(_ status: Int, _ body: String, headers: [String: String] = [:]) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: Data(body.utf8))
    }

    @Test func throttlingAnd5xxAreRetriedAndAnnounced() async throws {
        let scripted = ScriptedTransport([
            Self.json(400, #"{"__type": "ThrottlingException", "message": "Rate exceeded"}"#),
            Self.json(503, "", headers: ["Retry-After": "0"]),
            Self.json(200, #"{"SecretList": [], "NextToken": null}"#),
        ])
        // Each wait is a notice on the client's logger (a library never writes to stderr itself).
        let handler = InMemoryLogHandler()
        let client = SecretsManagerClient(
            region: "us-east-1", endpoint: URL(string: "http://127.0.0.1:1")!,
            credentials: StaticCredentials(), transport: scripted,
            retryPolicy: .init(maxAttempts: 5, baseDelay: 0.001, maxDelay: 0.01), logger: Logger(label: "test", factory: { _ in handler }))
        #expect(try await client.listSecrets().isEmpty)
        #expect(scripted.requests.count == 3)
        let lines = handler.entries.map(\.message.description)
        #expect(handler.entries.count == 2 && handler.entries.allSatisfy { $0.level == .notice })
        #expect(lines.allSatisfy { $0.contains("retrying in") && $0.contains("http://127.0.0.1:1") })
        #expect(lines.first?.contains("HTTP 400") == true)
    }

    @Test func clientErrorsAreNotRetriedAndMappedFromTheType() async throws {
        let scripted = ScriptedTransport([
            Self.json(404, #"{"__type": "ResourceNotFoundException", "message": "Secrets Manager can't find the specified secret."}"#),
            Self.json(400, "", headers: ["X-Amzn-ErrorType": "ResourceExistsException:http://internal.amazon.com/"]),
            Self.json(403, "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>m</Message></Error></ErrorResponse>"),
        ])
        let client = SecretsManagerClient(region: "us-east-1", endpoint: URL(string: "http://127.0.0.1:1")!,
                                          credentials: StaticCredentials(), transport: scripted)
        await #expect { _ = try await client.getSecretValue(id: "x") } throws: { ($0 as? FerryError)?.kind == .notFound }
        await #expect { try await client.createSecret(name: "x", secretString: "{}") } throws: { ($0 as? FerryError)?.kind == .alreadyExists }
        await #expect { _ = try await client.listSecrets() } throws: { ($0 as? FerryError)?.remoteCode == "SignatureDoesNotMatch" }
        #expect(scripted.requests.count == 3)
        #expect(scripted.requests[0].header("X-Amz-Target") == "secretsmanager.GetSecretValue")
        #expect(scripted.requests[0].header("Authorization")?.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDTEST/") == true)
    }
}

@Suite struct MarkedForDeletionTests {
    static let marked = RetryTests.json(400, #"{"__type": "InvalidRequestException", "message": "You can't perform this operation on the secret because it was marked for deletion."}"#)
    static let other = RetryTests.json(400, #"{"__type": "InvalidRequestException", "message": "You can't perform this operation on the secret because it was disabled."}"#)

    func client(_ responses: [HTTPResponse]) -> SecretsManagerClient {
        SecretsManagerClient(region: "us-east-1", endpoint: URL(string: "http://127.0.0.1:1")!,
                             credentials: StaticCredentials(), transport: ScriptedTransport(responses))
    }

    /// The client decides "marked for deletion" once, as a code; the server's type stays in `remoteCode`.
    @Test func theClientTellsAMarkedSecretFromOtherInvalidRequests() async throws {
        await #expect { _ = try await client([Self.marked]).getSecretValue(id: "x") } throws: {
            let error = $0 as? FerryError
            return error?.code == .awsMarkedForDeletion && error?.remoteCode == "InvalidRequestException" && error?.kind == .backend
        }
        // moto's wording of the same refusal.
        let motoMarked = RetryTests.json(400, #"{"__type": "InvalidRequestException", "message": "You tried to perform the operation on a secret that's currently marked deleted."}"#)
        await #expect { _ = try await client([motoMarked]).getSecretValue(id: "x") } throws: {
            ($0 as? FerryError)?.code == .awsMarkedForDeletion
        }
        await #expect { _ = try await client([Self.other]).getSecretValue(id: "x") } throws: {
            let error = $0 as? FerryError
            return error?.code == .awsService && error?.remoteCode == "InvalidRequestException"
        }
    }

    /// ZenML reads a secret scheduled for deletion as missing values; any other refusal stays an error.
    @Test func theStoreReadsAMarkedSecretAsMissing() async throws {
        let marked = AWSValuesBackend(client: client([Self.marked]), storeID: UUID())
        await #expect { _ = try await marked.getValues(for: UUID()) } throws: {
            ($0 as? FerryError)?.kind == .notFound && ($0 as? FerryError)?.code == .valuesNotFound
        }
        let other = AWSValuesBackend(client: client([Self.other]), storeID: UUID())
        await #expect { _ = try await other.getValues(for: UUID()) } throws: { ($0 as? FerryError)?.code == .awsService }
    }
}

struct StaticCredentials: AWSCredentialsProvider {
    func credentials() async throws -> AWSCredentials {
        AWSCredentials(accessKeyID: "AKIDTEST", secretAccessKey: "secret", sessionToken: nil, expiration: nil)
    }
}

@Suite(.enabled(if: Moto.available, "needs moto (scripts/moto-server; FERRY_MOTO_ENDPOINT)"))
struct ClientOperationsTests {
    @Test func updateTagDescribeAndRecoverableDelete() async throws {
        let region = "af-south-1"
        try await Moto.wipe(region)
        let client = try Moto.client(region: region)
        // moto keeps the name of a secret deleted after a scheduled deletion: a fresh name per run.
        let name = "ops-\(UUID().uuidString.prefix(8))"
        try await client.createSecret(name: name, secretString: #"{"v": "1"}"#, tags: [.init("a", "1")], description: "first")
        try await client.updateSecret(id: name, secretString: #"{"v": "2"}"#, description: "second")
        try await client.tagResource(id: name, tags: [.init("b", "2")])
        #expect(try await client.getSecretValue(id: name).secretString == #"{"v": "2"}"#)
        #expect(try await client.getSecretValue(id: name, versionStage: "AWSPREVIOUS").secretString == #"{"v": "1"}"#)
        #expect(try await client.describeSecret(id: name).tags.map(\.key).sorted() == ["a", "b"])
        try await client.deleteSecret(id: name, forceWithoutRecovery: false, recoveryWindowDays: 7)
        await #expect { _ = try await client.getSecretValue(id: name) } throws: {
            ($0 as? FerryError)?.code == .awsMarkedForDeletion && ($0 as? FerryError)?.remoteCode == "InvalidRequestException"
        }
        #expect(try await client.listSecrets().isEmpty)
        #expect(try await client.listSecrets(includePlannedDeletion: true).map(\.name) == [name])
        try await client.deleteSecret(id: name, forceWithoutRecovery: true)
        let batch = try await client.batchGetSecretValue(ids: [name])
        #expect(batch.values.isEmpty && batch.errors.count == 1)
    }
}

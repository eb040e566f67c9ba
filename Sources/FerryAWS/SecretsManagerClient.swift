public import FerryCore
public import FerryHTTP
public import Foundation
public import Logging

/// An AWS Secrets Manager client over the JSON 1.1 protocol, signed with SigV4.
///
/// Errors are mapped from `__type` / `X-Amzn-ErrorType` (never from the status code alone, since
/// moto answers 404 where AWS answers 400), and from the XML that moto's signature check returns.
/// Throttling and 5xx answers are retried with jittered backoff by the transport.
/// Operations and shapes: botocore `data/secretsmanager/2017-10-17/service-2.json`.
///
/// ```swift
/// let client = try SecretsManagerClient.make(environment: ProcessInfo.processInfo.environment, region: "us-east-1")
/// try await client.createSecret(name: "zenml/global/db", secretString: #"{"a": "1"}"#, tags: [])
/// ```
public struct SecretsManagerClient: Sendable {
    /// A tag.
    public struct Tag: Sendable, Equatable {
        public let key: String
        public let value: String
        public init(_ key: String, _ value: String) {
            self.key = key
            self.value = value
        }
    }

    /// A ListSecrets filter (`name`, `tag-key`, `tag-value`, `description`, `all`; `!` negates).
    public struct Filter: Sendable, Equatable {
        public let key: String
        public let values: [String]
        public init(_ key: String, _ values: [String]) {
            self.key = key
            self.values = values
        }
    }

    /// One entry of ListSecrets (no value).
    public struct Entry: Sendable {
        public let name: String
        public let arn: String?
        public let tags: [Tag]
        public let created: Date?
        public let lastChanged: Date?
    }

    /// A secret's value.
    public struct Value: Sendable {
        public let name: String
        public let arn: String?
        /// The string value; nil for a binary secret.
        public let secretString: String?
        public let created: Date?
    }

    public let region: String
    public let endpoint: URL
    private let credentials: any AWSCredentialsProvider
    private let transport: any HTTPTransport

    /// The AWS service id used for endpoint variables (`AWS_ENDPOINT_URL_SECRETS_MANAGER`).
    public static let serviceID = "Secrets Manager"

    /// A client; throttling and 5xx answers are retried under `retryPolicy`, each wait logged on `logger`.
    public init(region: String, endpoint: URL, credentials: any AWSCredentialsProvider, transport: any HTTPTransport,
                retryPolicy: RetryingTransport.Policy = .init(), logger: Logger = Logger(label: "ferry.http"))
    {
        self.region = region
        self.endpoint = endpoint
        self.credentials = credentials
        self.transport = RetryingTransport(transport, policy: retryPolicy, logger: logger, shouldRetry: Self.isRetryable)
    }

    /// A client configured as boto3 would be: region, endpoint override and credential chain
    /// from the environment and the shared files.
    public static func make(environment: [String: String], region: String? = nil, endpoint: String? = nil,
                            profile: String? = nil, explicitCredentials: AWSCredentials? = nil,
                            transport: any HTTPTransport = SocketTransport.shared, logger: Logger = Logger(label: "ferry.http")) throws
        -> SecretsManagerClient
    {
        let resolvedRegion = try AWSSettings.region(environment: environment, profile: profile, explicit: region)
        let url = AWSSettings.endpoint(service: serviceID, region: resolvedRegion, environment: environment, explicit: endpoint)
        let chain = AWSCredentialChain(environment: environment, profile: profile, explicit: explicitCredentials, transport: transport,
                                       logger: logger)
        return SecretsManagerClient(region: resolvedRegion, endpoint: url, credentials: chain, transport: transport, logger: logger)
    }

    // MARK: - Operations

    /// CreateSecret; returns the ARN.
    @discardableResult
    public func createSecret(name: String, secretString: String, tags: [Tag] = [], description: String? = nil) async throws -> String? {
        var body: [(key: String, value: PythonJSON.Value)] = [
            ("Name", .string(name)), ("SecretString", .string(secretString)), ("ClientRequestToken", Self.requestToken()),
        ]
        if let description { body.append(("Description", .string(description))) }
        if !tags.isEmpty { body.append(("Tags", Self.encode(tags))) }
        let response = try await call("CreateSecret", body, secret: name)
        return response.string("ARN")
    }

    /// GetSecretValue of the current version (or a stage).
    public func getSecretValue(id: String, versionStage: String? = nil) async throws -> Value {
        var body: [(key: String, value: PythonJSON.Value)] = [("SecretId", .string(id))]
        if let versionStage { body.append(("VersionStage", .string(versionStage))) }
        return Self.value(try await call("GetSecretValue", body, secret: id))
    }

    /// BatchGetSecretValue for up to 20 ids per request (more are split); returns the values and,
    /// per id that failed, its error.
    public func batchGetSecretValue(ids: [String]) async throws -> (values: [Value], errors: [(id: String, error: FerryError)]) {
        var values: [Value] = []
        var errors: [(id: String, error: FerryError)] = []
        var start = 0
        while start < ids.count {
            let chunk = Array(ids[start..<min(ids.count, start + 20)])
            start += chunk.count
            let response = try await call("BatchGetSecretValue", [("SecretIdList", .array(chunk.map { .string($0) }))], secret: nil)
            for item in response.array("SecretValues") { values.append(Self.value(item)) }
            for item in response.array("Errors") {
                let id = item.string("SecretId") ?? "?"
                errors.append((id, Self.error(type: item.string("ErrorCode") ?? "Error", message: item.string("Message"), secret: id)))
            }
        }
        return (values, errors)
    }

    /// DescribeSecret: metadata and tags, no value.
    public func describeSecret(id: String) async throws -> Entry {
        let item = try await call("DescribeSecret", [("SecretId", .string(id))], secret: id)
        return Entry(name: item.string("Name") ?? "", arn: item.string("ARN"),
                     tags: item.array("Tags").map { Tag($0.string("Key") ?? "", $0.string("Value") ?? "") },
                     created: item.date("CreatedDate"), lastChanged: item.date("LastChangedDate"))
    }

    /// PutSecretValue: a new current version.
    public func putSecretValue(id: String, secretString: String) async throws {
        _ = try await call("PutSecretValue", [("SecretId", .string(id)), ("SecretString", .string(secretString)),
                                              ("ClientRequestToken", Self.requestToken())], secret: id)
    }

    /// UpdateSecret: value and/or description.
    public func updateSecret(id: String, secretString: String? = nil, description: String? = nil) async throws {
        var body: [(key: String, value: PythonJSON.Value)] = [("SecretId", .string(id))]
        if let secretString {
            body.append(("SecretString", .string(secretString)))
            body.append(("ClientRequestToken", Self.requestToken()))
        }
        if let description { body.append(("Description", .string(description))) }
        _ = try await call("UpdateSecret", body, secret: id)
    }

    /// TagResource: adds or overwrites tags.
    public func tagResource(id: String, tags: [Tag]) async throws {
        _ = try await call("TagResource", [("SecretId", .string(id)), ("Tags", Self.encode(tags))], secret: id)
    }

    /// ListSecrets with filters, following every page.
    public func listSecrets(filters: [Filter] = [], pageSize: Int = 100, includePlannedDeletion: Bool = false) async throws -> [Entry] {
        var entries: [Entry] = []
        var token: String?
        repeat {
            var body: [(key: String, value: PythonJSON.Value)] = [("MaxResults", .number("\(pageSize)"))]
            if !filters.isEmpty {
                body.append(("Filters", .array(filters.map {
                    .object([("Key", .string($0.key)), ("Values", .array($0.values.map { .string($0) }))])
                })))
            }
            if includePlannedDeletion { body.append(("IncludePlannedDeletion", .bool(true))) }
            if let token { body.append(("NextToken", .string(token))) }
            let response = try await call("ListSecrets", body, secret: nil)
            for item in response.array("SecretList") {
                entries.append(Entry(
                    name: item.string("Name") ?? "", arn: item.string("ARN"),
                    tags: item.array("Tags").map { Tag($0.string("Key") ?? "", $0.string("Value") ?? "") },
                    created: item.date("CreatedDate"), lastChanged: item.date("LastChangedDate")))
            }
            token = response.string("NextToken")
            if token?.isEmpty == true { token = nil }
        } while token != nil
        return entries
    }

    /// DeleteSecret, immediately or with a recovery window (7–30 days; nil for AWS's default of 30).
    public func deleteSecret(id: String, forceWithoutRecovery: Bool, recoveryWindowDays: Int? = nil) async throws {
        var body: [(key: String, value: PythonJSON.Value)] = [("SecretId", .string(id))]
        if forceWithoutRecovery {
            body.append(("ForceDeleteWithoutRecovery", .bool(true)))
        } else if let recoveryWindowDays {
            body.append(("RecoveryWindowInDays", .number("\(recoveryWindowDays)")))
        }
        _ = try await call("DeleteSecret", body, secret: id)
    }

    // MARK: - Protocol

    private func call(_ operation: String, _ body: [(key: String, value: PythonJSON.Value)], secret: String?) async throws -> PythonJSON.Value {
        var request = HTTPRequest(method: "POST", url: endpoint, body: Data(PythonJSON.dumps(.object(body)).utf8))
        request.setHeader("Content-Type", "application/x-amz-json-1.1")
        request.setHeader("X-Amz-Target", "secretsmanager.\(operation)")
        let signer = SigV4Signer(credentials: try await credentials.credentials(), region: region, service: "secretsmanager")
        signer.sign(&request)
        let response = try await transport.send(request)
        if let (type, message) = Self.errorType(response) {
            throw Self.error(type: type, message: message, secret: secret, status: response.status, sent: request)
        }
        guard (200..<300).contains(response.status) else {
            throw FerryError(.backend, code: .awsHTTP, remoteCode: ServerRefusal.remoteCode(status: response.status, code: nil, sent: request),
                             "AWS Secrets Manager at \(HTTPOrigin.of(endpoint)) answered \(operation) with HTTP \(response.status).")
        }
        if response.body.isEmpty { return .object([]) }
        do {
            return try PythonJSON.parse(String(decoding: response.body, as: UTF8.self))
        } catch {
            throw FerryError(.backend, code: .awsBadResponse, "AWS Secrets Manager answered \(operation) with a body that is not JSON.")
        }
    }

    /// The error type and message of a response, if it is an error: JSON `__type`, the
    /// `X-Amzn-ErrorType` header, or the XML `<Code>` of an auth failure.
    static func errorType(_ response: HTTPResponse) -> (String, String?)? {
        let text = String(decoding: response.body, as: UTF8.self)
        if let json = try? PythonJSON.parse(text), let type = json.string("__type") {
            return (shortType(type), json.string("message") ?? json.string("Message"))
        }
        if let header = response.header("x-amzn-errortype"), !header.isEmpty {
            return (shortType(header), nil)
        }
        if text.contains("<Code>"), let code = xmlField("Code", in: text) {
            return (code, xmlField("Message", in: text))
        }
        return nil
    }

    /// `com.amazonaws…#ResourceNotFoundException` or `ResourceNotFoundException:http://…` → `ResourceNotFoundException`.
    static func shortType(_ type: String) -> String {
        var text = Substring(type)
        if let hash = text.lastIndex(of: "#") { text = text[text.index(after: hash)...] }
        if let colon = text.firstIndex(of: ":") { text = text[..<colon] }
        return String(text)
    }

    static func xmlField(_ name: String, in text: String) -> String? {
        guard let open = text.range(of: "<\(name)>"), let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex)
        else { return nil }
        return String(text[open.upperBound..<close.lowerBound])
    }

    static let throttling: Set<String> = [
        "ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded",
        "ProvisionedThroughputExceededException", "RequestThrottled", "SlowDown", "InternalServiceError",
    ]

    static func isRetryable(_ response: HTTPResponse) -> Bool {
        if response.status == 429 || response.status >= 500 { return true }
        if let (type, _) = errorType(response) { return throttling.contains(type) }
        return false
    }

    /// `sent` is the request that failed: the message is relayed only as ``ServerRefusal`` allows.
    static func error(type rawType: String, message: String?, secret: String?, status: Int? = nil, sent request: HTTPRequest? = nil)
        -> FerryError
    {
        // The server's type picks the mapping; only a type fit to show is shown.
        let type = ServerRefusal.code(rawType, sent: request) ?? "UnknownError"
        let remote = ServerRefusal.remoteCode(status: nil, code: rawType, sent: request)
        let subject = secret.map { "secret '\($0)'" } ?? "the request"
        let detail = ServerRefusal.detail(status: status, code: type, message: message, sent: request, identifiers: secret.map { [$0] } ?? [])
        switch rawType {
        case "ResourceNotFoundException":
            return FerryError(.notFound, code: .awsService, remoteCode: remote, "AWS Secrets Manager can't find \(subject).")
        case "ResourceExistsException":
            return FerryError(.alreadyExists, code: .awsService, remoteCode: remote, "AWS Secrets Manager already has \(subject).")
        case "SignatureDoesNotMatch", "InvalidSignatureException":
            return FerryError(.backend, code: .awsService, remoteCode: remote,
                              "AWS rejected the request signature (\(type)): the secret access key is wrong for this access key ID.")
        case "InvalidClientTokenId", "UnrecognizedClientException":
            return FerryError(.backend, code: .awsService, remoteCode: remote, "AWS does not know this access key ID (\(type)).")
        case "ExpiredTokenException", "ExpiredToken":
            return FerryError(.backend, code: .awsService, remoteCode: remote, "The AWS session token has expired (\(type)).")
        case "AccessDeniedException", "AccessDenied":
            return FerryError(.backend, code: .awsService, remoteCode: remote, "AWS denied access to \(subject)\(detail).")
        case "InvalidRequestException" where Self.saysMarkedForDeletion(message):
            // The secret is scheduled for deletion: AWSValuesBackend restores it before a write.
            return FerryError(.backend, code: .awsMarkedForDeletion, remoteCode: remote, "AWS Secrets Manager refused \(subject)\(detail).")
        default:
            return FerryError(.backend, code: .awsService, remoteCode: remote, "AWS Secrets Manager refused \(subject)\(detail).")
        }
    }

    /// Whether an `InvalidRequestException` says the secret is scheduled for deletion: AWS writes
    /// "…because it was marked for deletion", moto "…a secret that's currently marked deleted".
    static func saysMarkedForDeletion(_ message: String?) -> Bool {
        guard let message = message?.lowercased() else { return false }
        return message.contains("marked for deletion") || message.contains("marked deleted")
    }

    /// The idempotency token (the new version's id) that AWS SDKs fill in for every value write;
    /// a retried request with the same token is not applied twice.
    private static func requestToken() -> PythonJSON.Value { .string(UUID().uuidString.lowercased()) }

    private static func encode(_ tags: [Tag]) -> PythonJSON.Value {
        .array(tags.map { .object([("Key", .string($0.key)), ("Value", .string($0.value))]) })
    }

    private static func value(_ item: PythonJSON.Value) -> Value {
        Value(name: item.string("Name") ?? "", arn: item.string("ARN"), secretString: item.string("SecretString"),
              created: item.date("CreatedDate"))
    }
}

extension PythonJSON.Value {
    /// A string member of an object.
    func string(_ key: String) -> String? {
        guard case .object(let pairs) = self, let found = pairs.first(where: { $0.key == key })?.value,
            case .string(let text) = found
        else { return nil }
        return text
    }

    /// An array member of an object (empty when absent or null).
    func array(_ key: String) -> [PythonJSON.Value] {
        guard case .object(let pairs) = self, let found = pairs.first(where: { $0.key == key })?.value,
            case .array(let items) = found
        else { return [] }
        return items
    }

    /// An epoch-seconds member (integer or fractional, as moto and AWS send them).
    func date(_ key: String) -> Date? {
        guard case .object(let pairs) = self, let found = pairs.first(where: { $0.key == key })?.value,
            case .number(let text) = found, let seconds = Double(text)
        else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }
}

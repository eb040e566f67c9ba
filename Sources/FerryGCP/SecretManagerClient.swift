import FerryCore
public import FerryHTTP
public import Foundation
public import Logging

/// A client for Google Cloud Secret Manager's REST API v1 (one project).
///
/// Requests carry `Authorization: Bearer` from a ``GCPTokenSource`` (cached until shortly before
/// expiry; fetched again once after a 401). 429 and 5xx answers are retried by the transport.
/// Errors use Google's `error.status` and `error.message` and name the secret, never a value or
/// a token. Payloads are checked against `dataCrc32c` when the server sends it, and sent with it.
///
/// ```swift
/// let gcp = try GCPSecretManagerClient.make(environment: env, project: "my-project")
/// try await gcp.createSecret(id: "db", labels: [("team", "ml")])
/// try await gcp.addVersion(id: "db", data: Array("s3cr3t".utf8))
/// let value = try await gcp.access(id: "db")
/// ```
public struct GCPSecretManagerClient: Sendable {
    /// One secret's metadata, as `projects.secrets.get` and `list` give it.
    public struct SecretInfo: Sendable {
        /// The secret id (the last segment of `name`).
        public let id: String
        /// `projects/<project>/secrets/<id>` (Google may give the project number).
        public let name: String
        /// Labels in the order the server gave them.
        public let labels: [(key: String, value: String)]
        public let createTime: String?

        public func label(_ key: String) -> String? { labels.first { $0.key == key }?.value }
    }

    public let project: String
    public let endpoint: URL
    public let credentials: any GCPTokenSource
    /// The `pageSize` of listings that do not give one (nil: the server's default, up to 25,000).
    public var listPageSize: Int?
    private let transport: any HTTPTransport
    private let tokens = TokenCache()

    public static let defaultEndpoint = URL(string: "https://secretmanager.googleapis.com")!

    public init(project: String, endpoint: URL = defaultEndpoint, credentials: any GCPTokenSource, transport: any HTTPTransport,
                logger: Logger = Logger(label: "ferry.http"))
    {
        self.project = project
        self.endpoint = endpoint
        self.credentials = credentials
        self.transport = RetryingTransport(transport, logger: logger)
    }

    /// A client with credentials found as Google's libraries find them (``GCPCredentials``), the
    /// endpoint from `endpoint` or `CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER`.
    public static func make(environment: [String: String], project: String?, endpoint: String? = nil,
                            explicitKey: (json: String, source: String)? = nil, transport: any HTTPTransport = SocketTransport.shared,
                            logger: Logger = Logger(label: "ferry.http")) throws
        -> GCPSecretManagerClient
    {
        guard let project, !project.isEmpty else {
            throw FerryError(.configuration, code: .gcpNoProject, "No GCP project: the component or store needs its `project_id`.")
        }
        var base = defaultEndpoint
        if let text = endpoint.flatMap({ $0.isEmpty ? nil : $0 })
            ?? environment["CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER"].flatMap({ $0.isEmpty ? nil : $0 })
        {
            var trimmed = text
            while trimmed.hasSuffix("/") { trimmed.removeLast() }
            if trimmed.hasSuffix("/v1") { trimmed.removeLast(3) }
            guard let url = URL(string: trimmed), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                throw FerryError(.configuration, code: .gcpBadEndpoint, "The Secret Manager endpoint '\(DisplaySafety.redactedURL(text))' is not an http(s) URL.")
            }
            base = url
        }
        let source = try GCPCredentials.resolve(environment: environment, explicitKey: explicitKey, transport: transport)
        return GCPSecretManagerClient(project: project, endpoint: base, credentials: source, transport: transport, logger: logger)
    }

    // MARK: - Operations

    /// `projects.secrets.create` with automatic replication and `labels`.
    @discardableResult
    public func createSecret(id: String, labels: [(key: String, value: String)]) async throws -> SecretInfo {
        let body = PythonJSON.Value.object([("replication", .object([("automatic", .object([]))])),
                                            ("labels", .object(labels.map { ($0.key, .string($0.value)) }))])
        let json = try await call("POST", "projects/\(encoded(project))/secrets", query: [("secretId", id)], body: body,
                                  what: "creation of secret '\(id)'")
        return Self.secretInfo(json)
    }

    /// `projects.secrets.addVersion`; returns the new version's name.
    @discardableResult
    public func addVersion(id: String, data: [UInt8]) async throws -> String {
        let payload = PythonJSON.Value.object([("data", .string(Data(data).base64EncodedString())),
                                               ("dataCrc32c", .string(String(CRC32C.checksum(data))))])
        let json = try await call("POST", "projects/\(encoded(project))/secrets/\(encoded(id)):addVersion",
                                  body: .object([("payload", payload)]), what: "new version of secret '\(id)'")
        return json.member("name")?.text ?? ""
    }

    /// `projects.secrets.versions.access`: the payload of `version` (default `latest`).
    public func access(id: String, version: String = "latest") async throws -> [UInt8] {
        let json = try await call("GET", "projects/\(encoded(project))/secrets/\(encoded(id))/versions/\(encoded(version)):access",
                                  what: "value of secret '\(id)'")
        // An empty payload comes without `data`.
        let text = json.member("payload")?.member("data")?.text ?? ""
        guard let data = Data(base64Encoded: text) else {
            throw FerryError(.backend, code: .gcpBadResponse, "GCP Secret Manager at \(origin) answered the value of secret '\(id)' with a payload that is not base64.")
        }
        let bytes = [UInt8](data)
        if let expected = json.member("payload")?.member("dataCrc32c")?.text, let sum = UInt32(expected),
            sum != CRC32C.checksum(bytes)
        {
            throw FerryError(.corruptData, code: .gcpCRC32CMismatch,
                             "The value of secret '\(id)' from \(origin) does not match its CRC32C checksum (corrupted in transit).")
        }
        return bytes
    }

    /// `projects.secrets.get`.
    public func getSecret(id: String) async throws -> SecretInfo {
        Self.secretInfo(try await call("GET", "projects/\(encoded(project))/secrets/\(encoded(id))", what: "secret '\(id)'"))
    }

    /// `projects.secrets.list` with an optional `filter`, following every `nextPageToken`.
    public func listSecrets(filter: String? = nil, pageSize: Int? = nil) async throws -> [SecretInfo] {
        var result: [SecretInfo] = []
        var token: String?
        var seen = Set<String>()
        repeat {
            var query: [(String, String)] = []
            if let filter, !filter.isEmpty { query.append(("filter", filter)) }
            if let size = pageSize ?? listPageSize { query.append(("pageSize", String(size))) }
            if let token { query.append(("pageToken", token)) }
            let json = try await call("GET", "projects/\(encoded(project))/secrets", query: query, what: "list of secrets")
            if case .array(let items)? = json.member("secrets") { result += items.map(Self.secretInfo) }
            token = json.member("nextPageToken")?.text.flatMap { $0.isEmpty ? nil : $0 }
            if let next = token, !seen.insert(next).inserted {
                throw FerryError(.backend, code: .gcpPagingLoop, "GCP Secret Manager at \(origin) gave the same page token twice.")
            }
        } while token != nil
        return result
    }

    /// `projects.secrets.patch` of the labels only (`updateMask=labels`).
    public func updateLabels(id: String, labels: [(key: String, value: String)]) async throws {
        _ = try await call("PATCH", "projects/\(encoded(project))/secrets/\(encoded(id))", query: [("updateMask", "labels")],
                           body: .object([("labels", .object(labels.map { ($0.key, .string($0.value)) }))]),
                           what: "labels of secret '\(id)'")
    }

    /// `projects.secrets.delete`: the secret and every version.
    public func deleteSecret(id: String) async throws {
        _ = try await call("DELETE", "projects/\(encoded(project))/secrets/\(encoded(id))", what: "deletion of secret '\(id)'")
    }

    // MARK: - Protocol

    var origin: String { HTTPOrigin.of(endpoint) }

    private func encoded(_ segment: String) -> String { HTTPForm.encode(segment) }

    private func url(_ path: String, query: [(String, String)]) -> URL {
        var base = endpoint.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        var text = base + "/v1/" + path
        if !query.isEmpty { text += "?" + HTTPForm.body(query) }
        return URL(string: text) ?? endpoint
    }

    private func call(_ method: String, _ path: String, query: [(String, String)] = [], body: PythonJSON.Value? = nil,
                      what: String) async throws -> PythonJSON.Value
    {
        var request = HTTPRequest(method: method, url: url(path, query: query))
        if let body {
            request.body = Data(PythonJSON.dumps(body).utf8)
            request.setHeader("Content-Type", "application/json")
        }
        request.setHeader("Accept", "application/json")
        var token = try await tokens.current { [credentials] in try await credentials.fetchToken() }
        request.setHeader("Authorization", "Bearer " + token)
        var response = try await transport.send(request)
        if response.status == 401, credentials.isRefreshable {
            // Revoked or expired early: fetch a new token once.
            await tokens.invalidate(token)
            token = try await tokens.current { [credentials] in try await credentials.fetchToken() }
            request.setHeader("Authorization", "Bearer " + token)
            response = try await transport.send(request)
        }
        return try decode(response, what: what, sent: request)
    }

    /// The JSON of a 2xx answer, or Google's error as a ``FerryError``.
    /// `sent` is the request answered: Google's message is relayed only as ``ServerRefusal`` allows.
    private func decode(_ response: HTTPResponse, what: String, sent request: HTTPRequest) throws -> PythonJSON.Value {
        let json = try? PythonJSON.parse(String(decoding: response.body, as: UTF8.self))
        guard (200..<300).contains(response.status) else {
            let error = json?.member("error")
            let status = ServerRefusal.code(error?.member("status")?.text, sent: request) ?? ""
            let detail = ServerRefusal.detail(status: response.status, code: status, message: error?.member("message")?.text, sent: request)
            let remote = ServerRefusal.remoteCode(status: response.status, code: status, sent: request)
            switch (response.status, status) {
            case (404, _), (_, "NOT_FOUND"):
                throw FerryError(.notFound, code: .gcpNotFound, remoteCode: remote, "GCP Secret Manager at \(origin) has no \(what)\(detail).")
            case (409, _), (_, "ALREADY_EXISTS"):
                throw FerryError(.alreadyExists, code: .gcpAlreadyExists, remoteCode: remote, "GCP Secret Manager at \(origin) refused the \(what), which already exists\(detail).")
            case (401, _), (_, "UNAUTHENTICATED"):
                throw FerryError(.backend, code: .gcpUnauthenticated, remoteCode: remote,
                                 "GCP Secret Manager at \(origin) did not accept the credentials (\(credentials.description)) for the \(what)\(detail).")
            case (403, _), (_, "PERMISSION_DENIED"):
                throw FerryError(.backend, code: .gcpPermissionDenied, remoteCode: remote,
                                 "GCP Secret Manager at \(origin) denied \(credentials.description) the \(what)\(detail).")
            case (400, _), (_, "INVALID_ARGUMENT"), (_, "FAILED_PRECONDITION"):
                throw FerryError(.backend, code: .gcpInvalidArgument, remoteCode: remote, "GCP Secret Manager at \(origin) refused the \(what)\(detail).")
            default:
                throw FerryError(.backend, code: .gcpHTTP, remoteCode: remote, "GCP Secret Manager at \(origin) refused the \(what)\(detail).")
            }
        }
        if response.body.isEmpty { return .object([]) }
        guard let json else {
            throw FerryError(.backend, code: .gcpBadResponse, "GCP Secret Manager at \(origin) answered the \(what) with a body that is not JSON.")
        }
        return json
    }

    static func secretInfo(_ json: PythonJSON.Value) -> SecretInfo {
        let name = json.member("name")?.text ?? ""
        var labels: [(key: String, value: String)] = []
        if case .object(let pairs)? = json.member("labels") {
            labels = pairs.map { ($0.key, $0.value.text ?? $0.value.pythonString) }
        }
        return SecretInfo(id: name.split(separator: "/").last.map(String.init) ?? name, name: name, labels: labels,
                          createTime: json.member("createTime")?.text)
    }
}


/// CRC-32C (Castagnoli), the checksum Secret Manager keeps as `dataCrc32c`.
public enum CRC32C {
    static let table: [UInt32] = (0..<256).map { index -> UInt32 in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        return crc
    }

    public static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}

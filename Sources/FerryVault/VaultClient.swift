public import FerryAWS
public import FerryCore
public import FerryHTTP
public import Foundation
public import Logging

/// How a ``VaultClient`` gets its token.
public enum VaultAuth: Sendable {
    /// A fixed token (never re-acquired).
    case token(String)
    /// AppRole login at `auth/<mount>/login`.
    case appRole(roleID: String, secretID: String, mount: String = "approle")
    /// AWS IAM login at `auth/<mount>/login` with a SigV4-signed `sts:GetCallerIdentity` request.
    case awsIAM(role: String, serverID: String?, credentials: any AWSCredentialsProvider, region: String = "us-east-1", mount: String = "aws")
}

/// A HashiCorp Vault / OpenBao client for the KV version 2 secrets engine.
///
/// Errors carry Vault's `errors` text and name the path, never the token or a value. 5xx and 429
/// answers are retried by the transport.
///
/// ```swift
/// let vault = try VaultClient.make(environment: ProcessInfo.processInfo.environment)
/// try await vault.kvWrite(mount: "secret", path: "zenml/db", data: [("password", .string("…"))])
/// ```
public struct VaultClient: Sendable {
    /// One version of a KV v2 secret.
    public struct KVSecret: Sendable {
        public let data: [(key: String, value: PythonJSON.Value)]
        public let version: Int
        public let customMetadata: [String: String]
    }

    public let address: URL
    public let namespace: String?
    let auth: VaultAuth
    private let transport: any HTTPTransport
    private let tokens = TokenCache()

    public init(address: URL, auth: VaultAuth, namespace: String? = nil, transport: any HTTPTransport,
                logger: Logger = Logger(label: "ferry.http"))
    {
        self.address = address
        self.auth = auth
        self.namespace = namespace.flatMap { $0.isEmpty ? nil : $0 }
        self.transport = RetryingTransport(transport, logger: logger)
    }

    /// A client from `VAULT_ADDR`, `VAULT_TOKEN`, `VAULT_NAMESPACE` and `VAULT_CACERT` (OpenBao's
    /// `BAO_*` names too); explicit arguments win over the environment. With `auth` (AppRole or AWS
    /// IAM) no token is needed.
    public static func make(environment: [String: String], address: String? = nil, token: String? = nil,
                            namespace: String? = nil, caFile: String? = nil, auth: VaultAuth? = nil,
                            transport: (any HTTPTransport)? = nil, logger: Logger = Logger(label: "ferry.http")) throws -> VaultClient
    {
        func pick(_ explicit: String?, _ name: String) -> String? {
            if let explicit, !explicit.isEmpty { return explicit }
            for variable in ["VAULT_" + name, "BAO_" + name] {
                if let value = environment[variable], !value.isEmpty { return value }
            }
            return nil
        }
        guard let addressText = pick(address, "ADDR") else {
            throw FerryError(.configuration, code: .vaultNoAddress, "No Vault address: set VAULT_ADDR or pass an address.")
        }
        guard let url = URL(string: addressText), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              url.host != nil
        else {
            throw FerryError(.configuration, code: .vaultBadAddress, "The Vault address is not an http(s) URL.")
        }
        let chosen: VaultAuth
        if let auth {
            chosen = auth
        } else if let tokenText = pick(token, "TOKEN") {
            chosen = .token(tokenText)
        } else {
            throw FerryError(.configuration, code: .vaultNoToken, "No Vault token: set VAULT_TOKEN or pass a token.")
        }
        let chosenTransport = transport ?? SocketTransport(caFile: pick(caFile, "CACERT"), caVariable: "VAULT_CACERT")
        return VaultClient(address: url, auth: chosen, namespace: pick(namespace, "NAMESPACE"), transport: chosenTransport, logger: logger)
    }

    // MARK: - KV v2

    /// Reads the latest version, or `version`. A missing (or deleted) secret is `.notFound`.
    public func kvRead(mount: String, path: String, version: Int? = nil) async throws -> KVSecret {
        let query = version.map { "version=\($0)" }
        let body = try await call("GET", Self.apiPath(mount, "data", path), query: query, what: "read of '\(mount)/\(path)'")
        let data = body.member("data")
        let metadata = data?.member("metadata")
        var custom: [String: String] = [:]
        if case .object(let pairs)? = metadata?.member("custom_metadata") {
            for (key, value) in pairs { custom[key] = value.pythonString }
        }
        guard case .object(let values)? = data?.member("data") else {
            throw FerryError(.notFound, code: .vaultNotFound, "Vault has no data at '\(mount)/\(path)' (deleted or destroyed).")
        }
        return KVSecret(data: values, version: metadata?.member("version")?.intValue ?? 0, customMetadata: custom)
    }

    /// Writes a new version (with check-and-set when `cas` is given: 0 means "only if absent"); returns its number.
    @discardableResult
    public func kvWrite(mount: String, path: String, data: [(key: String, value: PythonJSON.Value)], cas: Int? = nil) async throws -> Int {
        var payload: [(key: String, value: PythonJSON.Value)] = []
        if let cas { payload.append(("options", .object([("cas", .number("\(cas)"))]))) }
        payload.append(("data", .object(data)))
        let body = try await call("POST", Self.apiPath(mount, "data", path), payload: .object(payload),
                                  what: "write of '\(mount)/\(path)'")
        return body.member("data")?.member("version")?.intValue ?? 0
    }

    /// Merges `data` into the latest version (JSON merge patch: a `.null` value removes a key).
    public func kvPatch(mount: String, path: String, data: [(key: String, value: PythonJSON.Value)]) async throws {
        _ = try await call("PATCH", Self.apiPath(mount, "data", path), payload: .object([("data", .object(data))]),
                           contentType: "application/merge-patch+json", what: "patch of '\(mount)/\(path)'")
    }

    /// The keys under a folder (sub-folders end with `/`); an empty or missing folder gives `[]`.
    public func kvList(mount: String, path: String) async throws -> [String] {
        do {
            let body = try await call("LIST", Self.apiPath(mount, "metadata", path), what: "list of '\(mount)/\(path)'")
            guard case .array(let keys)? = body.member("data")?.member("keys") else { return [] }
            return keys.compactMap { if case .string(let key) = $0 { return key } else { return nil } }
        } catch let error as FerryError where error.kind == .notFound {
            return []
        }
    }

    /// Deletes the secret's metadata and every version.
    public func kvDeleteAll(mount: String, path: String) async throws {
        _ = try await call("DELETE", Self.apiPath(mount, "metadata", path), what: "delete of '\(mount)/\(path)'")
    }

    /// Sets how many versions Vault keeps of one secret.
    public func kvSetMaxVersions(mount: String, path: String, maxVersions: Int) async throws {
        _ = try await call("POST", Self.apiPath(mount, "metadata", path), payload: .object([("max_versions", .number("\(maxVersions)"))]),
                           what: "metadata update of '\(mount)/\(path)'")
    }

    // MARK: - Paths

    /// Characters kept as they are in a path segment (RFC 3986 unreserved).
    static let segmentCharacters: CharacterSet = {
        var set = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        return set
    }()

    /// Percent-encodes each segment of `path`, keeping `/` between segments.
    static func encodePath(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: true)
            .map { String($0).addingPercentEncoding(withAllowedCharacters: segmentCharacters) ?? String($0) }
            .joined(separator: "/")
    }

    /// `<mount>/<kind>/<path>`, encoded (a trailing `/` on `path` is kept for folders).
    static func apiPath(_ mount: String, _ kind: String, _ path: String) -> String {
        var text = encodePath(mount) + "/" + kind
        let encoded = encodePath(path)
        if !encoded.isEmpty { text += "/" + encoded }
        return text
    }

    func url(_ apiPath: String, query: String? = nil) -> URL {
        var base = address.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        var text = base + "/v1/" + apiPath
        if let query { text += "?" + query }
        return URL(string: text) ?? address
    }

    // MARK: - Protocol

    /// Sends an authenticated request; re-logs in once when a login-based token is refused.
    private func call(_ method: String, _ apiPath: String, query: String? = nil, payload: PythonJSON.Value? = nil,
                      contentType: String = "application/json", what: String) async throws -> PythonJSON.Value
    {
        var token = try await currentToken()
        var (request, response) = try await send(method, apiPath, query: query, payload: payload, contentType: contentType, token: token)
        if response.status == 403, isLoginBased, Self.errors(response).contains(where: { $0.contains("permission denied") }) {
            await tokens.invalidate(token)
            token = try await currentToken()
            (request, response) = try await send(method, apiPath, query: query, payload: payload, contentType: contentType, token: token)
        }
        return try Self.decode(response, what: what, origin: HTTPOrigin.of(address), sent: request)
    }

    private func send(_ method: String, _ apiPath: String, query: String?, payload: PythonJSON.Value?, contentType: String,
                      token: String?) async throws -> (HTTPRequest, HTTPResponse)
    {
        var request = HTTPRequest(method: method, url: url(apiPath, query: query))
        if let token { request.setHeader("X-Vault-Token", token) }
        if let namespace { request.setHeader("X-Vault-Namespace", namespace) }
        request.setHeader("X-Vault-Request", "true")
        if let payload {
            request.body = Data(PythonJSON.dumps(payload).utf8)
            request.setHeader("Content-Type", contentType)
        }
        return (request, try await transport.send(request))
    }

    private var isLoginBased: Bool {
        if case .token = auth { return false }
        return true
    }

    private func currentToken() async throws -> String {
        switch auth {
        case .token(let token):
            return token
        case .appRole, .awsIAM:
            return try await tokens.current { [self] in try await login() }
        }
    }

    /// Logs in with the configured method; returns the client token and when to log in again.
    func login() async throws -> (String, Date?) {
        let mount: String
        let payload: [(key: String, value: PythonJSON.Value)]
        switch auth {
        case .token(let token):
            return (token, nil)
        case .appRole(let roleID, let secretID, let appRoleMount):
            mount = appRoleMount
            payload = [("role_id", .string(roleID)), ("secret_id", .string(secretID))]
        case .awsIAM(let role, let serverID, let provider, let region, let awsMount):
            mount = awsMount
            payload = Self.awsIAMLoginPayload(role: role, serverID: serverID, credentials: try await provider.credentials(),
                                              region: region, date: Date())
        }
        let started = Date()
        let (request, response) = try await send("POST", "auth/" + Self.encodePath(mount) + "/login", query: nil, payload: .object(payload),
                                      contentType: "application/json", token: nil)
        let body = try Self.decode(response, what: "login at 'auth/\(mount)'", origin: HTTPOrigin.of(address), sent: request)
        guard case .string(let token)? = body.member("auth")?.member("client_token"), !token.isEmpty else {
            throw FerryError(.backend, code: .vaultBadResponse, "Vault at \(HTTPOrigin.of(address)) answered the login at 'auth/\(mount)' without a token.")
        }
        let lease = TimeInterval(body.member("auth")?.member("lease_duration")?.intValue ?? 0)
        // Log in again 30 s before the lease ends (or after 80 % of a short lease).
        return (token, lease > 0 ? started.addingTimeInterval(max(lease - 30, lease * 0.8)) : nil)
    }

    /// The login body for Vault's AWS IAM auth method: a SigV4-signed `sts:GetCallerIdentity` POST,
    /// its URL, body and headers base64-encoded (headers as JSON `{name: [value]}`).
    public static func awsIAMLoginPayload(role: String, serverID: String?, credentials: AWSCredentials, region: String = "us-east-1",
                                          date: Date) -> [(key: String, value: PythonJSON.Value)]
    {
        let endpoint = region == "us-east-1" ? "https://sts.amazonaws.com/" : "https://sts.\(region).amazonaws.com/"
        let body = "Action=GetCallerIdentity&Version=2011-06-15"
        var request = HTTPRequest(method: "POST", url: URL(string: endpoint)!, body: Data(body.utf8))
        request.setHeader("Host", URL(string: endpoint)!.host!)
        request.setHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        if let serverID { request.setHeader("X-Vault-AWS-IAM-Server-ID", serverID) }
        SigV4Signer(credentials: credentials, region: region, service: "sts").sign(&request, date: date)
        let headers = PythonJSON.Value.object(request.headers.map { ($0.name, .array([.string($0.value)])) })
        return [
            ("role", .string(role)),
            ("iam_http_request_method", .string("POST")),
            ("iam_request_url", .string(Data(endpoint.utf8).base64EncodedString())),
            ("iam_request_body", .string(Data(body.utf8).base64EncodedString())),
            ("iam_request_headers", .string(Data(PythonJSON.dumps(headers).utf8).base64EncodedString())),
        ]
    }

    // MARK: - Errors

    /// Vault's `errors` texts of a response.
    static func errors(_ response: HTTPResponse) -> [String] {
        guard let json = try? PythonJSON.parse(String(decoding: response.body, as: UTF8.self)),
              case .array(let items)? = json.member("errors")
        else { return [] }
        return items.compactMap { if case .string(let text) = $0 { return text } else { return nil } }
    }

    /// The JSON body of a 2xx response, or the error for any other.
    /// `sent` is the request answered: Vault's `errors` are relayed only as ``ServerRefusal`` allows.
    static func decode(_ response: HTTPResponse, what: String, origin: String, sent request: HTTPRequest? = nil) throws -> PythonJSON.Value {
        guard (200..<300).contains(response.status) else {
            let texts = errors(response)
            let detail = ServerRefusal.detail(status: response.status, code: nil, message: texts.isEmpty ? nil : texts.joined(separator: "; "),
                                              sent: request)
            let remote = ServerRefusal.remoteCode(status: response.status, code: nil, sent: request)
            switch response.status {
            case 403:
                throw FerryError(.backend, code: .vaultForbidden, remoteCode: remote, "Vault at \(origin) refused the \(what)\(detail) (check the token's policies).")
            case 404:
                throw FerryError(.notFound, code: .vaultNotFound, remoteCode: remote, "Vault at \(origin) has nothing for the \(what)\(detail).")
            default:
                throw FerryError(.backend, code: .vaultHTTP, remoteCode: remote, "Vault at \(origin) refused the \(what)\(detail).")
            }
        }
        if response.body.isEmpty { return .object([]) }
        do {
            return try PythonJSON.parse(String(decoding: response.body, as: UTF8.self))
        } catch {
            throw FerryError(.backend, code: .vaultBadResponse, "Vault at \(origin) answered the \(what) with a body that is not JSON.")
        }
    }
}

extension PythonJSON.Value {
    fileprivate var intValue: Int? {
        switch self {
        case .number(let text): return Int(text)
        case .string(let text): return Int(text)
        default: return nil
        }
    }
}

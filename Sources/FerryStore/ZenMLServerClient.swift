public import FerryCore
public import FerryHTTP
public import Foundation
public import Logging

/// The secrets of a live ZenML server, through its REST API (`/api/v1`), from ZenML 0.35 on.
///
/// Login is the OAuth2 password form ZenML's own client posts (`POST /api/v1/login`,
/// `grant_type=password`, or `zenml-api-key` with an API key); the token is fetched again once
/// after a 401. Secrets are found by exact name and visibility, read by id and replaced with `PUT`
/// (all values; keys to drop are sent as `null`, which every release reads as "delete").
///
/// Two layouts (``Layout``), chosen by ``connected(workspace:)`` from the server's version:
/// - ZenML 0.80 and later: `private`; created with `POST /api/v1/secrets` and
///   `{"name", "private", "values"}` (0.98.0 `src/zenml/zen_server/routers/secrets_endpoints.py`,
///   `src/zenml/zen_stores/rest_zen_store.py`).
/// - ZenML 0.35–0.79: a `workspace` or `user` scope inside a workspace, owned by a user; created with
///   `POST /api/v1/workspaces/{workspace}/secrets` and `{"name", "scope", "values", "user",
///   "workspace"}` (0.52.0 and 0.75.0 `zen_server/routers/workspaces_endpoints.py`
///   `create_secret`; models `models/secret_models.py@0.52.0` (flat responses) and
///   `models/v2/core/secret.py@0.60.0–0.75.0` (`body`/`metadata` responses)); looked up with the
///   filters `name`, `scope`, `workspace_id` and `user_id` (`SecretFilter`).
///
/// Errors name the secret and carry the server's `detail`, never a value, a password or a token.
public struct ZenMLServerClient: Sendable {
    public struct Credentials: Sendable {
        public var username: String
        public var password: String
        public var apiKey: String?

        public init(username: String = "default", password: String = "", apiKey: String? = nil) {
            self.username = username
            self.password = password
            self.apiKey = apiKey
        }

        /// `ZENML_STORE_API_KEY`, else `ZENML_STORE_USERNAME` / `ZENML_STORE_PASSWORD` (default
        /// user `default` with an empty password, as a local deployment has).
        public static func from(_ environment: [String: String]) -> Credentials {
            func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
            return Credentials(username: value("ZENML_STORE_USERNAME") ?? "default", password: environment["ZENML_STORE_PASSWORD"] ?? "",
                               apiKey: value("ZENML_STORE_API_KEY"))
        }
    }

    /// How the server keeps secrets apart.
    public enum Layout: Sendable, Equatable {
        /// ZenML 0.80 and later: public (names unique server-wide) or private (per owner).
        case privateFlag
        /// ZenML 0.35–0.79: scope `workspace` (one name per workspace) or `user` (one name per
        /// workspace and user), in the workspace `workspaceID` (named `workspace`), as the user `userID`.
        case scoped(workspaceID: String, workspace: String, userID: String)
    }

    /// A secret as the server lists it.
    public struct Entry: Sendable {
        public let id: String
        public let name: String
        /// `private`, or (before 0.80) the `user` scope.
        public let isPrivate: Bool
    }

    public let url: URL
    let credentials: Credentials
    private let transport: any HTTPTransport
    private let tokens = TokenCache()
    /// Set by ``connected(workspace:)``; ``Layout/privateFlag`` until then.
    public private(set) var layout: Layout = .privateFlag
    /// The server's ZenML release, once ``connected(workspace:)`` has asked.
    public private(set) var serverVersion: String?

    /// The oldest release whose server keeps centralized secrets (`/api/v1/secrets`).
    public static let oldestSupported = [0, 35]
    /// The first release with `private` instead of scopes and workspaces.
    public static let firstPrivateFlag = [0, 80]

    public init(url: URL, credentials: Credentials, transport: any HTTPTransport = SocketTransport.shared,
                logger: Logger = Logger(label: "ferry.http"))
    {
        self.url = url
        self.credentials = credentials
        self.transport = RetryingTransport(transport, logger: logger)
    }

    var origin: String { HTTPOrigin.of(url) }

    /// `GET /api/v1/info`: the server's version (no login needed).
    public func version() async throws -> String {
        let json = try await call("GET", "info", authenticated: false, what: "server information")
        return json.member("version")?.text ?? "?"
    }

    /// This client set up for the server's release: refuses servers before ZenML 0.35 (no
    /// centralized secrets); for 0.35–0.79 logs in and finds the user (`GET /api/v1/current-user`)
    /// and the workspace (`GET /api/v1/workspaces/{name or id}`, default `default`) that new secrets
    /// belong to. From 0.80 on secrets belong to no workspace and `workspace` is not used.
    public func connected(workspace: String? = nil) async throws -> ZenMLServerClient {
        let version = try await self.version()
        let release = Self.release(version)
        var client = self
        client.serverVersion = version
        if let release, release.lexicographicallyPrecedes(Self.oldestSupported) {
            throw FerryError(.unsupported, code: .zenmlServerVersion,
                             "The ZenML server at \(origin) runs ZenML \(version), which has no centralized secrets store (ZenML 0.35 and later have one).")
        }
        guard let release, release.lexicographicallyPrecedes(Self.firstPrivateFlag) else { return client }
        let user = try await call("GET", "current-user", what: "current user")
        let name = workspace ?? "default"
        let found = try await call("GET", "workspaces/\(HTTPForm.encode(name))", what: "workspace `\(name)`")
        guard let userID = user.member("id")?.text, let workspaceID = found.member("id")?.text else {
            throw FerryError(.backend, code: .zenmlBadResponse, "The ZenML server at \(origin) did not name the current user or the workspace `\(name)`.")
        }
        client.layout = .scoped(workspaceID: workspaceID, workspace: found.member("name")?.text ?? name, userID: userID)
        return client
    }

    /// `0.75.0` → [0, 75, 0]; nil when the version is not numbers.
    static func release(_ version: String) -> [Int]? {
        let parts = version.split(separator: ".").prefix(3).map { Int($0.prefix { $0.isNumber }) }
        guard !parts.isEmpty, !parts.contains(nil) else { return nil }
        return parts.compactMap { $0 }
    }

    /// The secret of that exact name and visibility, if any (`name=equals:` and `private=`, or
    /// before 0.80 `scope=`, `workspace_id=` and, for the user scope, `user_id=`).
    public func find(_ name: String, isPrivate: Bool) async throws -> Entry? {
        let query = [("logical_operator", "and"), ("name", "equals:" + name), ("size", "10")] + visibilityFilter(isPrivate)
        let json = try await call("GET", "secrets", query: query, what: "lookup of secret '\(name)'")
        guard case .array(let items)? = json.member("items") else { return nil }
        return items.filter(matchesLayout).compactMap(Self.entry).first { $0.name == name && $0.isPrivate == isPrivate }
    }

    /// Every secret of that visibility (the user's own, for private ones), a page of 1,000 per
    /// request; nil as soon as the first page says there are more than `limit`.
    public func list(isPrivate: Bool, limit: Int) async throws -> [Entry]? {
        var result: [Entry] = []
        var page = 1
        while true {
            let query = [("logical_operator", "and"), ("page", String(page)), ("size", "1000")] + visibilityFilter(isPrivate)
            let json = try await call("GET", "secrets", query: query, what: "list of secrets")
            if let total = json.member("total")?.text.flatMap(Int.init), total > limit { return nil }
            if case .array(let items)? = json.member("items") {
                result += items.filter(matchesLayout).compactMap(Self.entry).filter { $0.isPrivate == isPrivate }
            }
            let pages = json.member("total_pages")?.text.flatMap(Int.init) ?? 1
            if page >= pages { return result }
            page += 1
        }
    }

    /// The filters of one visibility: `private=` from 0.80, else the scope in the workspace (and the user's own).
    private func visibilityFilter(_ isPrivate: Bool) -> [(String, String)] {
        switch layout {
        case .privateFlag:
            return [("private", isPrivate ? "true" : "false")]
        case .scoped(let workspaceID, _, let userID):
            return [("scope", isPrivate ? "user" : "workspace"), ("workspace_id", workspaceID)] + (isPrivate ? [("user_id", userID)] : [])
        }
    }

    /// Whether a listed secret is in this client's workspace and, if user-scoped, the user's,
    /// where the response says so (the filters already ask the server for exactly that).
    private func matchesLayout(_ item: PythonJSON.Value) -> Bool {
        guard case .scoped(let workspaceID, _, let userID) = layout else { return true }
        let body = item.member("body")
        let workspace = (item.member("workspace") ?? body?.member("workspace") ?? item.member("metadata")?.member("workspace"))?.member("id")?.text
        let user = (item.member("user") ?? body?.member("user"))?.member("id")?.text
        let scope = item.member("scope")?.text ?? body?.member("scope")?.text
        return (workspace ?? workspaceID) == workspaceID && (scope != "user" || (user ?? userID) == userID)
    }

    /// `GET /api/v1/secrets/{id}`: the values.
    public func values(id: String, name: String) async throws -> SecretValues {
        let json = try await call("GET", "secrets/\(HTTPForm.encode(id))", what: "values of secret '\(name)'")
        guard case .object(let pairs)? = json.member("body")?.member("values") ?? json.member("values") else {
            throw FerryError(.backend, code: .zenmlNoValues, "The ZenML server at \(origin) did not return the values of secret '\(name)'.")
        }
        if pairs.contains(where: { $0.value == .null }) {
            throw FerryError(.backend, code: .zenmlValuesHidden,
                             "The ZenML server at \(origin) hides the values of secret '\(name)' from this user (no permission to read them).")
        }
        return SecretValues(pairs.compactMap { key, value in value.text.map { (key, $0) } })
    }

    /// Creates the secret (`POST /api/v1/secrets`, or before 0.80 in the workspace); its id, when the server answers with it.
    @discardableResult
    public func create(_ name: String, values: SecretValues, isPrivate: Bool) async throws -> String? {
        let content: PythonJSON.Value = .object(values.revealedPairs.map { ($0.key, .string($0.value)) })
        let created: PythonJSON.Value
        switch layout {
        case .privateFlag:
            created = try await call("POST", "secrets", body: .object([("name", .string(name)), ("private", .bool(isPrivate)), ("values", content)]),
                                     what: "creation of secret '\(name)'")
        case .scoped(let workspaceID, _, let userID):
            created = try await call("POST", "workspaces/\(HTTPForm.encode(workspaceID))/secrets", body: .object([
                ("name", .string(name)), ("scope", .string(isPrivate ? "user" : "workspace")), ("values", content),
                ("user", .string(userID)), ("workspace", .string(workspaceID)),
            ]), what: "creation of secret '\(name)'")
        }
        return created.member("id")?.text
    }

    /// `PUT /api/v1/secrets/{id}`: the values become `values`; the keys of `dropping` that
    /// `values` lacks are sent as `null` and so removed (releases without `patch_values` merge).
    public func replace(id: String, name: String, values: SecretValues, dropping: [String] = []) async throws {
        let removed = dropping.filter { !values.contains($0) }.map { ($0, PythonJSON.Value.null) }
        _ = try await call("PUT", "secrets/\(HTTPForm.encode(id))",
                           body: .object([("values", .object(values.revealedPairs.map { ($0.key, .string($0.value)) } + removed))]),
                           what: "update of secret '\(name)'")
    }

    /// `DELETE /api/v1/secrets/{id}`.
    public func delete(id: String, name: String) async throws {
        _ = try await call("DELETE", "secrets/\(HTTPForm.encode(id))", what: "deletion of secret '\(name)'")
    }

    // MARK: - Protocol

    /// A listed secret: `body.private` (0.80+), `body.scope` (0.55–0.79) or `scope` (0.35–0.54).
    static func entry(_ item: PythonJSON.Value) -> Entry? {
        guard let id = item.member("id")?.text, let name = item.member("name")?.text else { return nil }
        let body = item.member("body")
        let scope = item.member("scope")?.text ?? body?.member("scope")?.text
        return Entry(id: id, name: name, isPrivate: body?.member("private") == .bool(true) || scope == "user")
    }

    private func call(_ method: String, _ path: String, query: [(String, String)] = [], body: PythonJSON.Value? = nil,
                      authenticated: Bool = true, what: String) async throws -> PythonJSON.Value
    {
        var base = url.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        let target = URL(string: base + "/api/v1/" + path + (query.isEmpty ? "" : "?" + HTTPForm.body(query)))!
        var request = HTTPRequest(method: method, url: target)
        request.setHeader("Accept", "application/json")
        if let body {
            request.body = Data(PythonJSON.dumps(body).utf8)
            request.setHeader("Content-Type", "application/json")
            // The server drops a repeated request with the same key: a retried write is not applied twice.
            request.setHeader("Idempotency-Key", UUID().uuidString.lowercased())
        }
        guard authenticated else { return try decode(try await transport.send(request), what: what, sent: request) }
        var token = try await tokens.current { [self] in try await login() }
        request.setHeader("Authorization", "Bearer " + token)
        var response = try await transport.send(request)
        if response.status == 401 {
            await tokens.invalidate(token)
            token = try await tokens.current { [self] in try await login() }
            request.setHeader("Authorization", "Bearer " + token)
            response = try await transport.send(request)
        }
        return try decode(response, what: what, sent: request)
    }

    /// `POST /api/v1/login` (a form, as ZenML's client posts it).
    func login() async throws -> (String, Date?) {
        var base = url.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        let form: [(String, String)] = credentials.apiKey.map { [("grant_type", "zenml-api-key"), ("password", $0)] }
            ?? [("grant_type", "password"), ("username", credentials.username), ("password", credentials.password)]
        var request = HTTPRequest(method: "POST", url: URL(string: base + "/api/v1/login")!, body: Data(HTTPForm.body(form).utf8))
        request.setHeader("Content-Type", "application/x-www-form-urlencoded")
        let started = Date()
        let json = try decode(try await transport.send(request), what: "login as `\(credentials.apiKey == nil ? credentials.username : "an API key")`",
                              sent: request)
        guard let token = json.member("access_token")?.text, !token.isEmpty else {
            throw FerryError(.backend, code: .zenmlNoToken, "The ZenML server at \(origin) answered the login without a token.")
        }
        let lifetime = json.member("expires_in")?.text.flatMap(Double.init)
        return (token, lifetime.map { started.addingTimeInterval(max($0 - 60, $0 * 0.8)) })
    }

    /// The JSON of a 2xx answer; else an error with the server's `detail` (a string, or
    /// `[exception class, message]`; a 422 is a bare array), relayed only as ``ServerRefusal`` allows.
    private func decode(_ response: HTTPResponse, what: String, sent request: HTTPRequest) throws -> PythonJSON.Value {
        let json = try? PythonJSON.parse(String(decoding: response.body, as: UTF8.self))
        guard (200..<300).contains(response.status) else {
            var detail = ""
            let source = json?.member("detail") ?? json
            switch source {
            case .string(let text)?: detail = text
            case .array(let parts)?: detail = parts.compactMap(\.text).last ?? ""
            default: break
            }
            detail = detail.trimmingCharacters(in: CharacterSet(charactersIn: "\"")).components(separatedBy: "\n").first ?? detail
            let suffix = ServerRefusal.detail(status: response.status, code: nil, message: detail, sent: request)
            let remote = ServerRefusal.remoteCode(status: response.status, code: nil, sent: request)
            switch response.status {
            case 401, 403:
                throw FerryError(.backend, code: .zenmlUnauthorized, remoteCode: remote, "The ZenML server at \(origin) refused the \(what)\(suffix).")
            case 404:
                throw FerryError(.notFound, code: .zenmlNotFound, remoteCode: remote, "The ZenML server at \(origin) has no \(what)\(suffix).")
            case 409:
                throw FerryError(.alreadyExists, code: .zenmlExists, remoteCode: remote, "The ZenML server at \(origin) refused the \(what)\(suffix).")
            case 400, 422:
                throw FerryError(.invalidInput, code: .zenmlInvalid, remoteCode: remote, "The ZenML server at \(origin) refused the \(what)\(suffix).")
            default:
                throw FerryError(.backend, code: .zenmlHTTP, remoteCode: remote, "The ZenML server at \(origin) refused the \(what)\(suffix).")
            }
        }
        if response.body.isEmpty { return .null }
        guard let json else {
            throw FerryError(.backend, code: .zenmlBadResponse, "The ZenML server at \(origin) answered the \(what) with a body that is not JSON.")
        }
        return json
    }
}

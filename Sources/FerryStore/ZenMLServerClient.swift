import FerryCore
import FerryHTTP
import Foundation

/// The secrets of a live ZenML server, through its REST API (`/api/v1`).
///
/// Login is the OAuth2 password form ZenML's own client posts (`POST /api/v1/login`,
/// `grant_type=password`, or `zenml-api-key` with an API key); the token is fetched again once
/// after a 401. Secrets are found by exact name and visibility, read by id, created with
/// `{"name", "private", "values"}` and replaced with `PUT` (all values). ZenML 0.98.0
/// `src/zenml/zen_server/routers/secrets_endpoints.py`, `auth_endpoints.py`,
/// `src/zenml/zen_stores/rest_zen_store.py`. Errors name the secret and carry the server's
/// `detail`, never a value, a password or a token.
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

    /// A secret as the server lists it.
    public struct Entry: Sendable {
        public let id: String
        public let name: String
        public let isPrivate: Bool
    }

    public let url: URL
    let credentials: Credentials
    private let transport: any HTTPTransport
    private let tokens = TokenCache()

    public init(url: URL, credentials: Credentials, transport: any HTTPTransport = SocketTransport()) {
        self.url = url
        self.credentials = credentials
        self.transport = RetryingTransport(transport)
    }

    var origin: String { HTTPOrigin.of(url) }

    /// `GET /api/v1/info`: the server's version (no login needed).
    public func version() async throws -> String {
        let json = try await call("GET", "info", authenticated: false, what: "server information")
        return json.member("version")?.text ?? "?"
    }

    /// Refuses servers older than ZenML 0.80, whose secrets have scopes and workspaces instead of
    /// `private` (Ferry writes their database file instead).
    public func checkSupported() async throws {
        let version = try await self.version()
        let parts = version.split(separator: ".").compactMap { Int($0) }
        if !parts.isEmpty && parts.lexicographicallyPrecedes([0, 80]) {
            throw FerryError(.unsupported, code: "zenml_server_version",
                             "The ZenML server at \(origin) runs ZenML \(version); Ferry writes to ZenML servers from 0.80 on. For an older deployment, migrate into its database file (--store PATH/zenml.db) or upgrade the server first.")
        }
    }

    /// The secret of that exact name and visibility (`name=equals:` and `private=`), if any.
    public func find(_ name: String, isPrivate: Bool) async throws -> Entry? {
        let json = try await call("GET", "secrets", query: [("logical_operator", "and"), ("name", "equals:" + name),
                                                             ("private", isPrivate ? "true" : "false"), ("size", "10")],
                                  what: "lookup of secret '\(name)'")
        guard case .array(let items)? = json.member("items") else { return nil }
        return items.compactMap(Self.entry).first { $0.name == name && $0.isPrivate == isPrivate }
    }

    /// `GET /api/v1/secrets/{id}`: the values.
    public func values(id: String, name: String) async throws -> SecretValues {
        let json = try await call("GET", "secrets/\(HTTPForm.encode(id))", what: "values of secret '\(name)'")
        guard case .object(let pairs)? = json.member("body")?.member("values") else {
            throw FerryError(.backend, code: "zenml_no_values", "The ZenML server at \(origin) did not return the values of secret '\(name)'.")
        }
        return SecretValues(pairs.compactMap { key, value in value.text.map { (key, $0) } })
    }

    /// `POST /api/v1/secrets`.
    public func create(_ name: String, values: SecretValues, isPrivate: Bool) async throws {
        _ = try await call("POST", "secrets", body: .object([
            ("name", .string(name)), ("private", .bool(isPrivate)),
            ("values", .object(values.revealedPairs.map { ($0.key, .string($0.value)) })),
        ]), what: "creation of secret '\(name)'")
    }

    /// `PUT /api/v1/secrets/{id}` without `patch_values`: the values are replaced as a whole.
    public func replace(id: String, name: String, values: SecretValues) async throws {
        _ = try await call("PUT", "secrets/\(HTTPForm.encode(id))",
                           body: .object([("values", .object(values.revealedPairs.map { ($0.key, .string($0.value)) }))]),
                           what: "update of secret '\(name)'")
    }

    /// `DELETE /api/v1/secrets/{id}`.
    public func delete(id: String, name: String) async throws {
        _ = try await call("DELETE", "secrets/\(HTTPForm.encode(id))", what: "deletion of secret '\(name)'")
    }

    /// Every secret the user sees (names and ids; the server lists no values).
    public func list() async throws -> [Entry] {
        var result: [Entry] = []
        var page = 1
        while true {
            let json = try await call("GET", "secrets", query: [("page", String(page)), ("size", "1000"), ("sort_by", "asc:name")],
                                      what: "list of secrets")
            if case .array(let items)? = json.member("items") { result += items.compactMap(Self.entry) }
            let pages = json.member("total_pages")?.text.flatMap(Int.init) ?? 1
            if page >= pages { return result }
            page += 1
        }
    }

    // MARK: - Protocol

    static func entry(_ item: PythonJSON.Value) -> Entry? {
        guard let id = item.member("id")?.text, let name = item.member("name")?.text else { return nil }
        return Entry(id: id, name: name, isPrivate: item.member("body")?.member("private") == .bool(true))
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
        guard authenticated else { return try decode(try await transport.send(request), what: what) }
        var token = try await tokens.current { [self] in try await login() }
        request.setHeader("Authorization", "Bearer " + token)
        var response = try await transport.send(request)
        if response.status == 401 {
            await tokens.invalidate(token)
            token = try await tokens.current { [self] in try await login() }
            request.setHeader("Authorization", "Bearer " + token)
            response = try await transport.send(request)
        }
        return try decode(response, what: what)
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
        let json = try decode(try await transport.send(request), what: "login as `\(credentials.apiKey == nil ? credentials.username : "an API key")`")
        guard let token = json.member("access_token")?.text, !token.isEmpty else {
            throw FerryError(.backend, code: "zenml_no_token", "The ZenML server at \(origin) answered the login without a token.")
        }
        let lifetime = json.member("expires_in")?.text.flatMap(Double.init)
        return (token, lifetime.map { started.addingTimeInterval(max($0 - 60, $0 * 0.8)) })
    }

    /// The JSON of a 2xx answer; else an error with the server's `detail` (a string, or
    /// `[exception class, message]`; a 422 is a bare array).
    private func decode(_ response: HTTPResponse, what: String) throws -> PythonJSON.Value {
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
            let suffix = detail.isEmpty ? "" : ": " + detail
            switch response.status {
            case 401, 403:
                throw FerryError(.backend, code: "zenml_unauthorized", "The ZenML server at \(origin) refused the \(what)\(suffix).")
            case 404:
                throw FerryError(.notFound, code: "zenml_not_found", "The ZenML server at \(origin) has no \(what)\(suffix).")
            case 409:
                throw FerryError(.alreadyExists, code: "zenml_exists", "The ZenML server at \(origin) refused the \(what)\(suffix).")
            case 400, 422:
                throw FerryError(.invalidInput, code: "zenml_invalid", "The ZenML server at \(origin) refused the \(what)\(suffix).")
            default:
                throw FerryError(.backend, code: "zenml_http_\(response.status)",
                                 "The ZenML server at \(origin) answered the \(what) with HTTP \(response.status)\(suffix).")
            }
        }
        if response.body.isEmpty { return .null }
        guard let json else {
            throw FerryError(.backend, code: "zenml_bad_response", "The ZenML server at \(origin) answered the \(what) with a body that is not JSON.")
        }
        return json
    }
}

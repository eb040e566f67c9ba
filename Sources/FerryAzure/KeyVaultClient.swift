import FerryCore
public import FerryHTTP
public import Foundation
public import Logging

/// A client for one Azure Key Vault's secrets (REST API 7.5).
///
/// Authentication follows Key Vault's bearer challenge: the first request goes out without a
/// token; the `401` answer's `WWW-Authenticate` names the tenant and the resource, for which the
/// ``AzureTokenSource`` then gets a token (cached until shortly before expiry; fetched again once
/// after a 401). 429 answers wait for `Retry-After`; 5xx are retried. Errors carry Key Vault's
/// `error.code` and `error.message` and name the secret, never a value or a token. Writes to a
/// name that is soft-deleted recover it first (``setSecret(_:value:tags:contentType:recoverDeleted:)``).
///
/// ```swift
/// let vault = try KeyVaultClient.make(environment: env, vaultName: "my-vault")
/// try await vault.setSecret("db", value: "s3cr3t", tags: [("team", "ml")])
/// let bundle = try await vault.getSecret("db")
/// ```
public struct KeyVaultClient: Sendable {
    /// A secret version as Key Vault returns it (`SecretBundle`, or a `SecretItem` in a listing, without value).
    public struct Secret: Sendable {
        /// The secret name, from the id (`https://…/secrets/<name>/<version>`).
        public let name: String
        public let version: String?
        public let value: String?
        public let contentType: String?
        public let tags: [(key: String, value: String)]
        public let enabled: Bool

        public func tag(_ key: String) -> String? { tags.first { $0.key == key }?.value }
    }

    public static let apiVersion = "7.5"

    public let vaultURL: URL
    public let credentials: any AzureTokenSource
    private let transport: any HTTPTransport
    private let tokens = TokenCache()
    private let challenge = ChallengeCache()

    /// The vault's challenge: tenant and scope (cached per client, as the SDK caches it per origin).
    actor ChallengeCache {
        var value: (tenant: String?, scope: String)?
        func set(_ new: (tenant: String?, scope: String)) { value = new }
    }

    public init(vaultURL: URL, credentials: any AzureTokenSource, transport: any HTTPTransport, logger: Logger = Logger(label: "ferry.http")) {
        self.vaultURL = vaultURL
        self.credentials = credentials
        self.transport = RetryingTransport(transport, logger: logger)
    }

    /// `https://<vaultName>.vault.azure.net` (or `vaultURL`), credentials as ``AzureCredentials``
    /// finds them, a CA bundle from `REQUESTS_CA_BUNDLE` or `SSL_CERT_FILE` (as the Python SDK).
    public static func make(environment: [String: String], vaultName: String?, vaultURL: String? = nil,
                            transport: (any HTTPTransport)? = nil, logger: Logger = Logger(label: "ferry.http")) throws -> KeyVaultClient
    {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let text: String
        if let vaultURL, !vaultURL.isEmpty {
            text = vaultURL
        } else if let vaultName, !vaultName.isEmpty {
            text = "https://\(vaultName).vault.azure.net"
        } else {
            throw FerryError(.configuration, code: .azureNoVault, "No Key Vault: the component or store needs its `key_vault_name`.")
        }
        guard let url = URL(string: text), url.scheme == "https" || url.scheme == "http", url.host != nil else {
            throw FerryError(.configuration, code: .azureBadVault, "The Key Vault URL '\(DisplaySafety.redactedURL(text))' is not an http(s) URL.")
        }
        let chosen = transport ?? SocketTransport(caFile: value("REQUESTS_CA_BUNDLE") ?? value("SSL_CERT_FILE"),
                                                         caVariable: "REQUESTS_CA_BUNDLE or SSL_CERT_FILE")
        return KeyVaultClient(vaultURL: url, credentials: try AzureCredentials.resolve(environment: environment, transport: chosen),
                              transport: chosen, logger: logger)
    }

    // MARK: - Operations

    /// `Set Secret`: a new version. With `recoverDeleted`, a name that is soft-deleted is
    /// recovered first (Key Vault refuses to reuse it otherwise) and then written.
    @discardableResult
    public func setSecret(_ name: String, value: String, tags: [(key: String, value: String)]? = nil, contentType: String? = nil,
                          recoverDeleted: Bool = true) async throws -> Secret
    {
        var body: [(key: String, value: PythonJSON.Value)] = [("value", .string(value))]
        if let contentType { body.append(("contentType", .string(contentType))) }
        if let tags { body.append(("tags", .object(tags.map { ($0.key, .string($0.value)) }))) }
        do {
            return Self.secret(try await call("PUT", "secrets/\(encoded(name))", body: .object(body), what: "write of secret '\(name)'"))
        } catch let error as FerryError where recoverDeleted && error.code == .azureDeletedRecoverable {
            try await recoverDeletedSecret(name)
            return Self.secret(try await call("PUT", "secrets/\(encoded(name))", body: .object(body), what: "write of secret '\(name)'"))
        }
    }

    /// `Get Secret`: the latest version, or `version`.
    public func getSecret(_ name: String, version: String = "") async throws -> Secret {
        Self.secret(try await call("GET", "secrets/\(encoded(name))/\(encoded(version))", what: "secret '\(name)'"))
    }

    /// `Get Secrets`: every secret's latest-version properties (no values), following `nextLink`.
    public func listSecrets(pageSize: Int? = nil) async throws -> [Secret] {
        try await list("secrets", pageSize: pageSize, what: "list of secrets")
    }

    /// `Get Secret Versions`.
    public func listVersions(_ name: String, pageSize: Int? = nil) async throws -> [Secret] {
        try await list("secrets/\(encoded(name))/versions", pageSize: pageSize, what: "versions of secret '\(name)'")
    }

    /// `Update Secret`: properties of the latest version (or `version`); nil leaves a field as it is.
    @discardableResult
    public func updateProperties(_ name: String, version: String = "", tags: [(key: String, value: String)]? = nil,
                                 contentType: String? = nil, enabled: Bool? = nil) async throws -> Secret
    {
        var body: [(key: String, value: PythonJSON.Value)] = []
        if let contentType { body.append(("contentType", .string(contentType))) }
        if let tags { body.append(("tags", .object(tags.map { ($0.key, .string($0.value)) }))) }
        if let enabled { body.append(("attributes", .object([("enabled", .bool(enabled))]))) }
        return Self.secret(try await call("PATCH", "secrets/\(encoded(name))/\(encoded(version))", body: .object(body),
                                          what: "properties of secret '\(name)'"))
    }

    /// `Delete Secret`: a soft delete on vaults with soft delete (all, since 2021); every version goes.
    public func deleteSecret(_ name: String) async throws {
        _ = try await call("DELETE", "secrets/\(encoded(name))", what: "deletion of secret '\(name)'")
    }

    /// `Get Deleted Secret`.
    public func getDeletedSecret(_ name: String) async throws -> Secret {
        Self.secret(try await call("GET", "deletedsecrets/\(encoded(name))", what: "deleted secret '\(name)'"))
    }

    /// `Get Deleted Secrets`.
    public func listDeletedSecrets(pageSize: Int? = nil) async throws -> [Secret] {
        try await list("deletedsecrets", pageSize: pageSize, what: "list of deleted secrets")
    }

    /// `Purge Deleted Secret`: gone for good.
    public func purgeDeletedSecret(_ name: String) async throws {
        _ = try await call("DELETE", "deletedsecrets/\(encoded(name))", what: "purge of deleted secret '\(name)'")
    }

    /// `Recover Deleted Secret`, then waits (up to `timeout` seconds) until the secret reads again.
    public func recoverDeletedSecret(_ name: String, timeout: TimeInterval = 60) async throws {
        _ = try await call("POST", "deletedsecrets/\(encoded(name))/recover", what: "recovery of deleted secret '\(name)'")
        let deadline = Date().addingTimeInterval(timeout)
        var delay: UInt64 = 200_000_000
        while true {
            do {
                _ = try await getSecret(name)
                return
            } catch let error as FerryError where error.kind == .notFound && Date() < deadline {
                try await Task.sleep(nanoseconds: delay)
                delay = min(delay * 2, 2_000_000_000)
            }
        }
    }

    // MARK: - Protocol

    var origin: String { HTTPOrigin.of(vaultURL) }

    private func encoded(_ segment: String) -> String { HTTPForm.encode(segment) }

    private func url(_ path: String, query: [(String, String)] = []) -> URL {
        var base = vaultURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return URL(string: base + "/" + path + "?" + HTTPForm.body([("api-version", Self.apiVersion)] + query)) ?? vaultURL
    }

    private func list(_ path: String, pageSize: Int?, what: String) async throws -> [Secret] {
        var result: [Secret] = []
        var next: URL? = url(path, query: pageSize.map { [("maxresults", String($0))] } ?? [])
        var seen = Set<String>()
        while let page = next {
            let json = try await send("GET", page, body: nil, what: what)
            if case .array(let items)? = json.member("value") { result += items.map(Self.secret) }
            next = nil
            if let link = json.member("nextLink")?.text, !link.isEmpty {
                guard seen.insert(link).inserted, let linkURL = URL(string: link), HTTPOrigin.of(linkURL) == origin else {
                    throw FerryError(.backend, code: .azureBadNextLink,
                                     "Key Vault at \(origin) answered the \(what) with a nextLink that repeats or points elsewhere.")
                }
                next = linkURL
            }
        }
        return result
    }

    private func call(_ method: String, _ path: String, body: PythonJSON.Value? = nil, what: String) async throws -> PythonJSON.Value {
        try await send(method, url(path), body: body, what: what)
    }

    /// One request with the challenge protocol: unauthenticated until the vault has named its
    /// tenant and resource, then with a bearer token (fetched again once after a 401).
    private func send(_ method: String, _ url: URL, body: PythonJSON.Value?, what: String) async throws -> PythonJSON.Value {
        var request = HTTPRequest(method: method, url: url)
        if let body {
            request.body = Data(PythonJSON.dumps(body).utf8)
            request.setHeader("Content-Type", "application/json")
        }
        request.setHeader("Accept", "application/json")
        var known = await challenge.value
        if known == nil {
            // The SDK sends the first request without its body; the challenge answer is all we need.
            var probe = HTTPRequest(method: method, url: url)
            probe.setHeader("Content-Length", "0")
            let answer = try await transport.send(probe)
            guard answer.status == 401, let parsed = Self.parseChallenge(answer.header("www-authenticate")) else {
                if answer.status == 401 {
                    throw FerryError(.backend, code: .azureNoChallenge,
                                     "Key Vault at \(origin) answered 401 without a Bearer challenge naming its tenant and resource.")
                }
                return try decode(answer, what: what, sent: probe)
            }
            await challenge.set(parsed)
            known = parsed
        }
        guard let (tenant, scope) = known else { throw FerryError(.backend, "no challenge") }
        var token = try await tokens.current { [credentials] in try await credentials.fetchToken(scope: scope, tenant: tenant) }
        request.setHeader("Authorization", "Bearer " + token)
        var response = try await transport.send(request)
        if response.status == 401, credentials.isRefreshable {
            // Expired or revoked early, or the vault moved tenants: read the challenge again, new token once.
            if let parsed = Self.parseChallenge(response.header("www-authenticate")) { await challenge.set(parsed) }
            await tokens.invalidate(token)
            let (tenant, scope) = await challenge.value ?? (tenant, scope)
            token = try await tokens.current { [credentials] in try await credentials.fetchToken(scope: scope, tenant: tenant) }
            request.setHeader("Authorization", "Bearer " + token)
            response = try await transport.send(request)
        }
        return try decode(response, what: what, sent: request)
    }

    /// `Bearer authorization="https://login.microsoftonline.com/<tenant>", resource="https://vault.azure.net"`
    /// (or `authorization_uri=`, `scope=`): the tenant and the token scope.
    public static func parseChallenge(_ header: String?) -> (tenant: String?, scope: String)? {
        guard let header, header.lowercased().hasPrefix("bearer") else { return nil }
        var parameters: [String: String] = [:]
        var rest = Substring(header.dropFirst("bearer".count))
        while let equals = rest.firstIndex(of: "=") {
            let key = rest[..<equals].trimmingCharacters(in: CharacterSet(charactersIn: " ,")).lowercased()
            rest = rest[rest.index(after: equals)...]
            var value: Substring
            if rest.first == "\"" {
                rest = rest.dropFirst()
                let end = rest.firstIndex(of: "\"") ?? rest.endIndex
                value = rest[..<end]
                rest = end < rest.endIndex ? rest[rest.index(after: end)...] : ""
            } else {
                let end = rest.firstIndex(of: ",") ?? rest.endIndex
                value = rest[..<end]
                rest = rest[end...]
            }
            parameters[key] = String(value)
        }
        let scope: String
        if let given = parameters["scope"], !given.isEmpty {
            scope = given
        } else if let resource = parameters["resource"], !resource.isEmpty {
            scope = (resource.hasSuffix("/") ? String(resource.dropLast()) : resource) + "/.default"
        } else {
            return nil
        }
        let authority = parameters["authorization"] ?? parameters["authorization_uri"]
        let tenant = authority.flatMap { URL(string: $0)?.pathComponents.dropFirst().first }
        return (tenant, scope)
    }

    /// The JSON of a 2xx answer, or Key Vault's error as a ``FerryError``.
    /// `sent` is the request answered: Key Vault's message is relayed only as ``ServerRefusal`` allows.
    private func decode(_ response: HTTPResponse, what: String, sent request: HTTPRequest) throws -> PythonJSON.Value {
        let json = try? PythonJSON.parse(String(decoding: response.body, as: UTF8.self))
        guard (200..<300).contains(response.status) else {
            let message = json?.member("error")?.member("message")?.text ?? ""
            let detail = ServerRefusal.detail(status: response.status, code: json?.member("error")?.member("code")?.text, message: message,
                                              sent: request)
            let remote = ServerRefusal.remoteCode(status: response.status, code: json?.member("error")?.member("code")?.text, sent: request)
            switch response.status {
            case 404:
                throw FerryError(.notFound, code: .azureNotFound, remoteCode: remote, "Key Vault at \(origin) has no \(what)\(detail).")
            case 409 where message.lowercased().contains("deleted but recoverable"):
                throw FerryError(.alreadyExists, code: .azureDeletedRecoverable, remoteCode: remote,
                                 "Key Vault at \(origin) refused the \(what)\(detail); the name is soft-deleted and must be recovered or purged first.")
            case 409:
                throw FerryError(.alreadyExists, code: .azureConflict, remoteCode: remote, "Key Vault at \(origin) refused the \(what)\(detail).")
            case 401:
                throw FerryError(.backend, code: .azureUnauthenticated, remoteCode: remote,
                                 "Key Vault at \(origin) did not accept the credentials (\(credentials.description)) for the \(what)\(detail).")
            case 403:
                throw FerryError(.backend, code: .azureForbidden, remoteCode: remote,
                                 "Key Vault at \(origin) denied \(credentials.description) the \(what)\(detail).")
            case 400:
                throw FerryError(.invalidInput, code: .azureBadParameter, remoteCode: remote, "Key Vault at \(origin) refused the \(what)\(detail).")
            default:
                throw FerryError(.backend, code: .azureHTTP, remoteCode: remote, "Key Vault at \(origin) refused the \(what)\(detail).")
            }
        }
        if response.body.isEmpty { return .object([]) }
        guard let json else {
            throw FerryError(.backend, code: .azureBadResponse, "Key Vault at \(origin) answered the \(what) with a body that is not JSON.")
        }
        return json
    }

    static func secret(_ json: PythonJSON.Value) -> Secret {
        // `id` for bundles and items, `recoveryId` besides it for deleted ones.
        let id = json.member("id")?.text ?? ""
        let parts = (URL(string: id)?.pathComponents ?? []).filter { $0 != "/" }
        var name = ""
        var version: String?
        if let index = parts.firstIndex(where: { $0 == "secrets" || $0 == "deletedsecrets" }), index + 1 < parts.count {
            name = parts[index + 1]
            if index + 2 < parts.count { version = parts[index + 2] }
        }
        var tags: [(key: String, value: String)] = []
        if case .object(let pairs)? = json.member("tags") { tags = pairs.map { ($0.key, $0.value.text ?? $0.value.pythonString) } }
        var enabled = true
        if case .bool(let flag)? = json.member("attributes")?.member("enabled") { enabled = flag }
        return Secret(name: name, version: version, value: json.member("value")?.text,
                      contentType: json.member("contentType")?.text, tags: tags, enabled: enabled)
    }
}


import FerryCore
public import FerryHTTP
public import Foundation

/// Where a Microsoft Entra ID access token comes from. Implementations never put a token or a
/// client secret in an error or a description.
public protocol AzureTokenSource: Sendable {
    /// For people and errors: `client 1234… of tenant …`, `the managed identity at …`.
    var description: String { get }
    var isRefreshable: Bool { get }
    /// A token for `scope` (`https://vault.azure.net/.default`) in `tenant` (from the vault's
    /// challenge; nil: the source's own), and when to fetch the next one.
    func fetchToken(scope: String, tenant: String?) async throws -> (String, Date?)
}

/// A fixed access token (`AZURE_ACCESS_TOKEN`).
public struct AzureStaticToken: AzureTokenSource {
    let token: String
    public init(_ token: String) { self.token = token }
    public var description: String { "a fixed access token" }
    public var isRefreshable: Bool { false }
    public func fetchToken(scope: String, tenant: String?) async throws -> (String, Date?) { (token, nil) }
}

/// A service principal's client secret: the OAuth 2.0 client-credentials grant at
/// `<authority>/<tenant>/oauth2/v2.0/token` (`AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET`,
/// `AZURE_TENANT_ID`, `AZURE_AUTHORITY_HOST`).
public struct AzureClientSecretCredential: AzureTokenSource {
    public let tenantID: String
    public let clientID: String
    let clientSecret: String
    public let authorityHost: URL
    let transport: any HTTPTransport

    public init(tenantID: String, clientID: String, clientSecret: String,
                authorityHost: URL = URL(string: "https://login.microsoftonline.com")!, transport: any HTTPTransport)
    {
        self.tenantID = tenantID
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.authorityHost = authorityHost
        self.transport = transport
    }

    public var description: String { "client \(clientID) of tenant \(tenantID)" }
    public var isRefreshable: Bool { true }

    public func fetchToken(scope: String, tenant: String?) async throws -> (String, Date?) {
        var base = authorityHost.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        // The vault's challenge names its tenant; a secret of another tenant cannot get a token for it.
        let tenant = tenant ?? tenantID
        guard let url = URL(string: base + "/" + HTTPForm.encode(tenant) + "/oauth2/v2.0/token") else {
            throw FerryError(.configuration, code: .azureBadAuthority, "The authority host '\(base)' is not a URL.")
        }
        var request = HTTPRequest(method: "POST", url: url,
                                  body: Data(HTTPForm.body([("client_id", clientID), ("client_secret", clientSecret),
                                                            ("scope", scope), ("grant_type", "client_credentials")]).utf8))
        request.setHeader("Content-Type", "application/x-www-form-urlencoded")
        request.setHeader("Accept", "application/json")
        let started = Date()
        return try AzureTokenResponse.parse(try await transport.send(request), who: description, origin: HTTPOrigin.of(url),
                                            started: started, sent: request)
    }
}

/// A managed identity: App Service / Functions / Container Apps (`IDENTITY_ENDPOINT` with
/// `IDENTITY_HEADER`, api-version 2019-08-01) or the VM's instance metadata service (IMDS,
/// api-version 2018-02-01; `AZURE_POD_IDENTITY_AUTHORITY_HOST` overrides its address).
public struct AzureManagedIdentityCredential: AzureTokenSource {
    public enum Endpoint: Sendable {
        case appService(URL, header: String)
        case imds(URL)
    }

    public let endpoint: Endpoint
    /// A user-assigned identity's client id (`AZURE_CLIENT_ID`), or nil for the system identity.
    public let clientID: String?
    let transport: any HTTPTransport

    public init(endpoint: Endpoint, clientID: String?, transport: any HTTPTransport) {
        self.endpoint = endpoint
        self.clientID = clientID
        self.transport = transport
    }

    public var description: String {
        switch endpoint {
        case .appService(let url, _): return "the managed identity at \(HTTPOrigin.of(url))"
        case .imds(let url): return "the managed identity of the instance metadata service at \(HTTPOrigin.of(url))"
        }
    }

    public var isRefreshable: Bool { true }

    public func fetchToken(scope: String, tenant: String?) async throws -> (String, Date?) {
        // Managed identity endpoints take a resource, not a scope.
        let resource = scope.hasSuffix("/.default") ? String(scope.dropLast("/.default".count)) : scope
        var query: [(String, String)] = [("resource", resource)]
        let url: URL
        var request: HTTPRequest
        switch endpoint {
        case .appService(let base, let header):
            query.insert(("api-version", "2019-08-01"), at: 0)
            if let clientID { query.append(("client_id", clientID)) }
            url = Self.url(base, query)
            request = HTTPRequest(method: "GET", url: url)
            request.setHeader("X-IDENTITY-HEADER", header)
        case .imds(let base):
            query.insert(("api-version", "2018-02-01"), at: 0)
            if let clientID { query.append(("client_id", clientID)) }
            url = Self.url(base, query)
            request = HTTPRequest(method: "GET", url: url)
            request.setHeader("Metadata", "true")
        }
        let started = Date()
        let response: HTTPResponse
        do {
            response = try await transport.send(request)
        } catch let error as FerryError {
            throw FerryError(.backend, code: .azureNoCredentials,
                             "No Azure credentials: AZURE_CLIENT_ID/AZURE_CLIENT_SECRET/AZURE_TENANT_ID are not all set, and \(description) did not answer (\(error.message)).")
        }
        return try AzureTokenResponse.parse(response, who: description, origin: HTTPOrigin.of(url), started: started, sent: request)
    }

    static func url(_ base: URL, _ query: [(String, String)]) -> URL {
        let text = base.absoluteString
        return URL(string: text + (text.contains("?") ? "&" : "?") + HTTPForm.body(query)) ?? base
    }
}

/// Token answers of Entra ID and of the managed identity endpoints.
enum AzureTokenResponse {
    static func parse(_ response: HTTPResponse, who: String, origin: String, started: Date, sent request: HTTPRequest? = nil) throws
        -> (String, Date?)
    {
        let json = try? PythonJSON.parse(String(decoding: response.body, as: UTF8.self))
        func field(_ name: String) -> String? {
            guard case .object(let pairs)? = json else { return nil }
            switch pairs.first(where: { $0.key == name })?.value {
            case .string(let text)?, .number(let text)?: return text
            default: return nil
            }
        }
        guard (200..<300).contains(response.status) else {
            // Entra ID appends a trace id and timestamp on new lines to `error_description`; the first line says it.
            var message = field("error_description").map { $0.split(separator: "\n").first.map(String.init) ?? $0 }
            if message == nil, case .object(let pairs)? = json, case .object(let inner)? = pairs.first(where: { $0.key == "error" })?.value,
               case .string(let text)? = inner.first(where: { $0.key == "message" })?.value
            {
                message = text
            }
            let detail = ServerRefusal.detail(status: response.status, code: field("error"), message: message, sent: request)
            throw FerryError(.backend, code: .azureTokenRefused, "The token endpoint at \(origin) refused \(who)\(detail).")
        }
        guard let token = field("access_token"), !token.isEmpty else {
            throw FerryError(.backend, code: .azureTokenResponse, "The token endpoint at \(origin) answered \(who) without an access token.")
        }
        var expiry: Date?
        if let seconds = field("expires_in").flatMap(Double.init) {
            expiry = started.addingTimeInterval(max(seconds - 300, seconds * 0.8))
        } else if let epoch = field("expires_on").flatMap(Double.init) {
            let end = Date(timeIntervalSince1970: epoch)
            let lifetime = end.timeIntervalSince(started)
            expiry = started.addingTimeInterval(max(lifetime - 300, lifetime * 0.8))
        }
        return (token, expiry)
    }
}

/// How Ferry finds Azure credentials, in the order of `DefaultAzureCredential` (as far as it
/// applies to a command-line tool): `AZURE_ACCESS_TOKEN`; a service principal's client secret
/// (`AZURE_CLIENT_ID`, `AZURE_CLIENT_SECRET`, `AZURE_TENANT_ID`, `AZURE_AUTHORITY_HOST`); a
/// managed identity (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`, else IMDS).
public enum AzureCredentials {
    public static func resolve(environment: [String: String], transport: any HTTPTransport) throws -> any AzureTokenSource {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let token = value("AZURE_ACCESS_TOKEN") { return AzureStaticToken(token) }
        if let secret = value("AZURE_CLIENT_SECRET") {
            guard let client = value("AZURE_CLIENT_ID"), let tenant = value("AZURE_TENANT_ID") else {
                throw FerryError(.configuration, code: .azureIncompleteCredentials,
                                 "AZURE_CLIENT_SECRET is set but AZURE_CLIENT_ID or AZURE_TENANT_ID is not.")
            }
            var authority = value("AZURE_AUTHORITY_HOST") ?? "https://login.microsoftonline.com"
            if !authority.contains("://") { authority = "https://" + authority }
            guard let host = URL(string: authority), host.host != nil else {
                throw FerryError(.configuration, code: .azureBadAuthority, "AZURE_AUTHORITY_HOST '\(authority)' is not a URL.")
            }
            return AzureClientSecretCredential(tenantID: tenant, clientID: client, clientSecret: secret, authorityHost: host,
                                               transport: transport)
        }
        if let endpoint = value("IDENTITY_ENDPOINT"), let header = value("IDENTITY_HEADER"), let url = URL(string: endpoint) {
            return AzureManagedIdentityCredential(endpoint: .appService(url, header: header), clientID: value("AZURE_CLIENT_ID"),
                                                  transport: transport)
        }
        var imds = value("AZURE_POD_IDENTITY_AUTHORITY_HOST") ?? "http://169.254.169.254"
        while imds.hasSuffix("/") { imds.removeLast() }
        return AzureManagedIdentityCredential(endpoint: .imds(URL(string: imds + "/metadata/identity/oauth2/token")!),
                                              clientID: value("AZURE_CLIENT_ID"), transport: transport)
    }
}

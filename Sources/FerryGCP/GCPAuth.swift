import FerryCore
import FerryCrypto
public import FerryHTTP
public import Foundation

/// Where a GCP access token comes from. Implementations never put a token, key or secret in an
/// error or a description.
public protocol GCPTokenSource: Sendable {
    /// For people and errors: `service account ferry@p.iam.gserviceaccount.com`, `the metadata server at …`.
    var description: String { get }
    /// Whether the token can be fetched again (a fixed token cannot).
    var isRefreshable: Bool { get }
    /// A fresh token and when to fetch the next one (nil: never).
    func fetchToken() async throws -> (String, Date?)
}

/// A fixed access token (`CLOUDSDK_AUTH_ACCESS_TOKEN`, ZenML's `oauth2-token` auth method).
public struct GCPStaticToken: GCPTokenSource {
    let token: String
    public init(_ token: String) { self.token = token }
    public var description: String { "a fixed access token" }
    public var isRefreshable: Bool { false }
    public func fetchToken() async throws -> (String, Date?) { (token, nil) }
}

/// A service-account JSON key (`"type": "service_account"`).
public struct GCPServiceAccountKey: Sendable {
    public let clientEmail: String
    public let privateKeyID: String?
    public let tokenURI: URL
    public let projectID: String?
    let privateKey: RSAPrivateKey

    /// The OAuth scope Google's client libraries ask for.
    public static let cloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform"

    /// Parses a key file's text; `source` names it in errors (never its content).
    public init(json text: String, source: String) throws {
        guard case .object(let pairs)? = try? PythonJSON.parse(text) else {
            throw FerryError(.invalidInput, code: .gcpKeyNotJSON, "\(source) is not a JSON service account key.")
        }
        func field(_ name: String) -> String? {
            if case .string(let value)? = pairs.first(where: { $0.key == name })?.value, !value.isEmpty { return value }
            return nil
        }
        guard field("type") == "service_account" else {
            throw FerryError(.invalidInput, code: .gcpKeyType, "\(source) is not a service account key (its `type` is not `service_account`).")
        }
        guard let email = field("client_email"), let pem = field("private_key") else {
            throw FerryError(.invalidInput, code: .gcpKeyFields, "\(source) lacks `client_email` or `private_key`.")
        }
        do {
            privateKey = try RSAPrivateKey(pem: pem)
        } catch {
            throw FerryError(.invalidInput, code: .gcpKeyPrivateKey, "The `private_key` of \(source) is not a PEM RSA private key.")
        }
        let uri = field("token_uri") ?? "https://oauth2.googleapis.com/token"
        guard let url = URL(string: uri), url.scheme == "https" || url.scheme == "http", url.host != nil else {
            throw FerryError(.invalidInput, code: .gcpKeyTokenUri, "The `token_uri` of \(source) is not an http(s) URL.")
        }
        clientEmail = email
        privateKeyID = field("private_key_id")
        tokenURI = url
        projectID = field("project_id")
    }

    /// The signed JWT assertion of Google's service-account flow (RFC 7523): RS256, `kid` = the
    /// key id, claims `iss`, `scope`, `aud` = the token URI, `iat` and `exp` one hour later.
    public func assertion(scope: String = GCPServiceAccountKey.cloudPlatformScope, issuedAt: Date) throws -> String {
        var header: [(key: String, value: PythonJSON.Value)] = [("alg", .string("RS256")), ("typ", .string("JWT"))]
        if let privateKeyID { header.append(("kid", .string(privateKeyID))) }
        let iat = Int(issuedAt.timeIntervalSince1970)
        let claims: [(key: String, value: PythonJSON.Value)] = [
            ("iss", .string(clientEmail)), ("scope", .string(scope)), ("aud", .string(tokenURI.absoluteString)),
            ("iat", .number(String(iat))), ("exp", .number(String(iat + 3600))),
        ]
        let input = Base64URL.encode(Array(PythonJSON.dumps(.object(header)).utf8)) + "."
            + Base64URL.encode(Array(PythonJSON.dumps(.object(claims)).utf8))
        let signature = try privateKey.signSHA256(Array(input.utf8))
        return input + "." + Base64URL.encode(signature)
    }
}

/// Exchanges a signed JWT for an access token at the key's `token_uri`.
public struct GCPServiceAccountTokenSource: GCPTokenSource {
    public let key: GCPServiceAccountKey
    let transport: any HTTPTransport

    public init(key: GCPServiceAccountKey, transport: any HTTPTransport) {
        self.key = key
        self.transport = transport
    }

    public var description: String { "service account \(key.clientEmail)" }
    public var isRefreshable: Bool { true }

    public func fetchToken() async throws -> (String, Date?) {
        let started = Date()
        let body = HTTPForm.body([("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                                  ("assertion", try key.assertion(issuedAt: started))])
        return try await OAuthTokenExchange.post(body, to: key.tokenURI, who: description, started: started, transport: transport)
    }
}

/// gcloud's application-default user credentials (`"type": "authorized_user"`): a refresh token.
public struct GCPAuthorizedUserTokenSource: GCPTokenSource {
    let clientID: String
    let clientSecret: String
    let refreshToken: String
    let tokenURI: URL
    let transport: any HTTPTransport

    public init(json text: String, source: String, transport: any HTTPTransport) throws {
        guard case .object(let pairs)? = try? PythonJSON.parse(text) else {
            throw FerryError(.invalidInput, code: .gcpKeyNotJSON, "\(source) is not JSON.")
        }
        func field(_ name: String) -> String? {
            if case .string(let value)? = pairs.first(where: { $0.key == name })?.value, !value.isEmpty { return value }
            return nil
        }
        guard let id = field("client_id"), let secret = field("client_secret"), let refresh = field("refresh_token") else {
            throw FerryError(.invalidInput, code: .gcpKeyFields, "\(source) lacks `client_id`, `client_secret` or `refresh_token`.")
        }
        clientID = id
        clientSecret = secret
        refreshToken = refresh
        tokenURI = URL(string: field("token_uri") ?? "https://oauth2.googleapis.com/token") ?? URL(string: "https://oauth2.googleapis.com/token")!
        self.transport = transport
    }

    public var description: String { "the user credentials of client \(clientID)" }
    public var isRefreshable: Bool { true }

    public func fetchToken() async throws -> (String, Date?) {
        let started = Date()
        let body = HTTPForm.body([("grant_type", "refresh_token"), ("client_id", clientID), ("client_secret", clientSecret),
                                  ("refresh_token", refreshToken)])
        return try await OAuthTokenExchange.post(body, to: tokenURI, who: description, started: started, transport: transport)
    }
}

/// The GCE / GKE metadata server's token for the default service account.
public struct GCPMetadataTokenSource: GCPTokenSource {
    /// `host[:port]`: `GCE_METADATA_HOST`, else `metadata.google.internal`.
    public let host: String
    let transport: any HTTPTransport

    public init(host: String, transport: any HTTPTransport) {
        self.host = host
        self.transport = transport
    }

    public var description: String { "the metadata server at \(host)" }
    public var isRefreshable: Bool { true }

    public func fetchToken() async throws -> (String, Date?) {
        guard let url = URL(string: "http://\(host)/computeMetadata/v1/instance/service-accounts/default/token") else {
            throw FerryError(.configuration, code: .gcpMetadataHost, "The metadata host `\(host)` is not a host name.")
        }
        var request = HTTPRequest(method: "GET", url: url)
        request.setHeader("Metadata-Flavor", "Google")
        let started = Date()
        let response: HTTPResponse
        do {
            response = try await transport.send(request)
        } catch let error as FerryError {
            throw FerryError(.backend, code: .gcpNoCredentials,
                             "No GCP credentials: GOOGLE_APPLICATION_CREDENTIALS is not set, there are no gcloud application-default credentials, and \(description) did not answer (\(error.message)).")
        }
        return try OAuthTokenExchange.parse(response, who: description, origin: host, started: started, sent: request)
    }
}

/// The OAuth 2.0 token responses Google's endpoints give.
enum OAuthTokenExchange {
    static func post(_ body: String, to url: URL, who: String, started: Date, transport: any HTTPTransport) async throws
        -> (String, Date?)
    {
        var request = HTTPRequest(method: "POST", url: url, body: Data(body.utf8))
        request.setHeader("Content-Type", "application/x-www-form-urlencoded")
        request.setHeader("Accept", "application/json")
        let response = try await transport.send(request)
        return try parse(response, who: who, origin: HTTPOrigin.of(url), started: started, sent: request)
    }

    /// `{"access_token", "expires_in"}`; an error names `error` and `error_description`, never a token.
    static func parse(_ response: HTTPResponse, who: String, origin: String, started: Date, sent request: HTTPRequest? = nil) throws
        -> (String, Date?)
    {
        let json = try? PythonJSON.parse(String(decoding: response.body, as: UTF8.self))
        func field(_ name: String) -> PythonJSON.Value? {
            guard case .object(let pairs)? = json else { return nil }
            return pairs.first { $0.key == name }?.value
        }
        guard (200..<300).contains(response.status) else {
            let detail = ServerRefusal.detail(status: response.status, code: field("error")?.text, message: field("error_description")?.text,
                                              sent: request)
            throw FerryError(.backend, code: .gcpTokenRefused, "The token endpoint at \(origin) refused \(who)\(detail).")
        }
        guard case .string(let token)? = field("access_token"), !token.isEmpty else {
            throw FerryError(.backend, code: .gcpTokenResponse, "The token endpoint at \(origin) answered \(who) without an access token.")
        }
        var lifetime: Double?
        switch field("expires_in") {
        case .number(let text)?, .string(let text)?: lifetime = Double(text)
        default: break
        }
        // Fetch again a minute before the token ends (or at 80 % of a short lifetime).
        let refreshAt = lifetime.map { started.addingTimeInterval(max($0 - 60, $0 * 0.8)) }
        return (token, refreshAt)
    }
}

/// How Ferry finds GCP credentials, in the order of Google's client libraries (`google.auth.default()`):
/// an explicit key; `CLOUDSDK_AUTH_ACCESS_TOKEN`; `GOOGLE_APPLICATION_CREDENTIALS`; gcloud's
/// application-default credentials; the metadata server (`GCE_METADATA_HOST` overrides its host).
public enum GCPCredentials {
    /// `explicitKey` is a key's JSON text (ZenML's `service_account_json`), `source` names it.
    public static func resolve(environment: [String: String], explicitKey: (json: String, source: String)? = nil,
                               transport: any HTTPTransport) throws -> any GCPTokenSource
    {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let explicitKey { return try source(json: explicitKey.json, source: explicitKey.source, transport: transport) }
        if let token = value("CLOUDSDK_AUTH_ACCESS_TOKEN") ?? value("GOOGLE_OAUTH_ACCESS_TOKEN") { return GCPStaticToken(token) }
        if let path = value("GOOGLE_APPLICATION_CREDENTIALS") {
            return try source(file: path, transport: transport, what: "GOOGLE_APPLICATION_CREDENTIALS file")
        }
        let gcloud = value("CLOUDSDK_CONFIG") ?? ((value("HOME") ?? NSHomeDirectory()) + "/.config/gcloud")
        let adc = gcloud + "/application_default_credentials.json"
        if FileManager.default.fileExists(atPath: adc) {
            return try source(file: adc, transport: transport, what: "gcloud application-default credentials file")
        }
        return GCPMetadataTokenSource(host: value("GCE_METADATA_HOST") ?? "metadata.google.internal", transport: transport)
    }

    static func source(file path: String, transport: any HTTPTransport, what: String) throws -> any GCPTokenSource {
        let expanded = NSString(string: path).expandingTildeInPath
        guard let data = FileManager.default.contents(atPath: expanded) else {
            throw FerryError(.configuration, code: .gcpKeyUnreadable, "The \(what) '\(expanded)' cannot be read.")
        }
        return try source(json: String(decoding: data, as: UTF8.self), source: "The \(what) '\(expanded)'", transport: transport)
    }

    /// A service-account key or gcloud user credentials, by their `type`.
    static func source(json: String, source: String, transport: any HTTPTransport) throws -> any GCPTokenSource {
        if json.contains("\"authorized_user\"") {
            return try GCPAuthorizedUserTokenSource(json: json, source: source, transport: transport)
        }
        return GCPServiceAccountTokenSource(key: try GCPServiceAccountKey(json: json, source: source), transport: transport)
    }
}

/// Base64url without padding (RFC 4648 §5), as JWTs use it.
enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

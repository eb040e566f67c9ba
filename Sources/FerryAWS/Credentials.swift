import FerryCore
public import FerryHTTP
public import Foundation
public import Logging

/// Anything that hands out AWS credentials for signing: the ``AWSCredentialChain``, or fixed
/// ``AWSCredentials`` (which provide themselves).
///
/// ```swift
/// let provider: any AWSCredentialsProvider = AWSCredentialChain(environment: environment, transport: SocketTransport())
/// let signer = SigV4Signer(credentials: try await provider.credentials(), region: "us-east-1", service: "secretsmanager")
/// ```
public protocol AWSCredentialsProvider: Sendable {
    /// Current credentials; throws a ``FerryError`` that never contains a secret key or token.
    func credentials() async throws -> AWSCredentials
}

extension AWSCredentials: AWSCredentialsProvider {
    /// Fixed credentials provide themselves.
    public func credentials() async throws -> AWSCredentials { self }
}

/// The credential chain of boto3, for the sources Ferry supports, in this order:
///
/// 1. explicit keys given to the initializer;
/// 2. `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN` — skipped when a profile
///    is passed to the initializer, as boto3 skips them for `Session(profile_name=…)`;
/// 3. the profile — the `profile` argument, else `AWS_PROFILE`, else `default` — of the shared
///    `credentials` file (`AWS_SHARED_CREDENTIALS_FILE`, default `$HOME/.aws/credentials`, sections
///    `[NAME]`) and `config` file (`AWS_CONFIG_FILE`, default `$HOME/.aws/config`, sections
///    `[profile NAME]` and `[default]`); the credentials file wins where both set a key. A profile
///    with `role_arn` assumes that role through STS with the credentials of its `source_profile`
///    (itself possibly a role, or itself when it holds keys) or of `credential_source = Environment`,
///    honouring `external_id`, `role_session_name` and `duration_seconds`.
///
/// Resolved credentials are cached, and temporary ones are refreshed 5 minutes before they expire.
/// When nothing is found, the error lists every place the chain looked. SSO, `credential_process`,
/// web identity, MFA prompts and instance metadata are reported as unsupported, never skipped silently.
///
/// ```swift
/// let chain = AWSCredentialChain(environment: ProcessInfo.processInfo.environment, profile: "prod",
///                                transport: SocketTransport())
/// let credentials = try await chain.credentials()
/// ```
public struct AWSCredentialChain: AWSCredentialsProvider {
    private let environment: [String: String]
    private let profile: String?
    private let explicit: AWSCredentials?
    private let transport: any HTTPTransport
    private let cache = CredentialCache()

    /// Temporary credentials are refreshed this long before they expire.
    public static let refreshMargin: TimeInterval = 5 * 60

    public init(environment: [String: String], profile: String? = nil, explicit: AWSCredentials? = nil, transport: any HTTPTransport,
                logger: Logger = Logger(label: "ferry.http"))
    {
        self.environment = environment
        self.profile = AWSSettings.nonEmpty(profile)
        self.explicit = explicit
        self.transport = RetryingTransport(transport, logger: logger)
    }

    public func credentials() async throws -> AWSCredentials {
        if let explicit { return explicit }
        return try await cache.value(margin: Self.refreshMargin) { try await resolve() }
    }

    // MARK: - Resolution

    private func resolve() async throws -> AWSCredentials {
        if profile == nil, let fromEnvironment = try Self.environmentCredentials(environment) {
            return fromEnvironment
        }
        let files = try AWSSharedConfig.load(environment: environment)
        let name = AWSSharedConfig.profileName(environment: environment, explicit: profile)
        if files.profiles[name] != nil, let found = try await credentials(forProfile: name, files: files, visited: []) {
            return found
        }
        let named = profile != nil || AWSSettings.nonEmpty(environment["AWS_PROFILE"]) != nil
        if named && files.profiles[name] == nil {
            throw FerryError(.configuration, code: .awsProfileNotFound,
                             "The AWS profile '\(name)' is in neither \(files.credentialsPath) nor \(files.configPath).")
        }
        var looked = ["explicit credentials (none given)"]
        looked.append(profile == nil
            ? "the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set)"
            : "not the environment (a profile was given)")
        looked.append("profile '\(name)' in the shared credentials file \(files.credentialsPath) (\(files.describe(name, in: .credentials)))")
        looked.append("profile '\(name)' in the shared config file \(files.configPath) (\(files.describe(name, in: .config)))")
        throw FerryError(.configuration, code: .awsNoCredentials,
                         "No AWS credentials found. Looked at: " + looked.joined(separator: "; ") + ".")
    }

    /// Keys from the environment; nil when neither is set, an error when only one is.
    static func environmentCredentials(_ environment: [String: String]) throws -> AWSCredentials? {
        let key = AWSSettings.nonEmpty(environment["AWS_ACCESS_KEY_ID"])
        let secret = AWSSettings.nonEmpty(environment["AWS_SECRET_ACCESS_KEY"])
        switch (key, secret) {
        case (nil, nil):
            return nil
        case (let key?, let secret?):
            let token = AWSSettings.nonEmpty(environment["AWS_SESSION_TOKEN"]) ?? AWSSettings.nonEmpty(environment["AWS_SECURITY_TOKEN"])
            let expiration = AWSSettings.nonEmpty(environment["AWS_CREDENTIAL_EXPIRATION"]).flatMap(parseTimestamp)
            return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: token, expiration: expiration)
        case (nil, _):
            throw FerryError(.configuration, code: .awsPartialCredentials,
                             "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not.")
        case (_, nil):
            throw FerryError(.configuration, code: .awsPartialCredentials,
                             "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not.")
        }
    }

    /// Credentials of one profile: a role to assume, static keys, or nil when the profile has none.
    private func credentials(forProfile name: String, files: AWSSharedConfig, visited: [String]) async throws -> AWSCredentials? {
        guard let settings = files.profiles[name] else {
            throw FerryError(.configuration, code: .awsProfileNotFound,
                             "The AWS profile '\(visited.last ?? name)' names source_profile '\(name)', which is in neither "
                                 + "\(files.credentialsPath) nor \(files.configPath).")
        }
        if let roleARN = AWSSettings.nonEmpty(settings["role_arn"]) {
            let source = try await sourceCredentials(ofRole: name, settings: settings, files: files, visited: visited)
            return try await assumeRole(roleARN, profile: name, settings: settings, source: source)
        }
        if let keys = try Self.staticCredentials(settings, profile: name, files: files) { return keys }
        for key in ["credential_process", "sso_session", "sso_start_url", "web_identity_token_file"] where settings[key] != nil {
            throw FerryError(.unsupported, code: .awsUnsupportedCredentials,
                             "The AWS profile '\(name)' gets its credentials through `\(key)`, which Ferry does not support. "
                                 + "Export AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN instead.")
        }
        return nil
    }

    private func sourceCredentials(ofRole name: String, settings: [String: String], files: AWSSharedConfig,
                                   visited: [String]) async throws -> AWSCredentials
    {
        if let source = AWSSettings.nonEmpty(settings["source_profile"]) {
            if source == name {
                // A profile may name itself as the source when it holds keys (botocore allows this).
                guard let keys = try Self.staticCredentials(settings, profile: name, files: files) else {
                    throw FerryError(.configuration, code: .awsRoleSourceLoop,
                                     "The AWS profile '\(name)' is its own source_profile but holds no keys.")
                }
                return keys
            }
            if visited.contains(source) {
                throw FerryError(.configuration, code: .awsRoleSourceLoop,
                                 "The AWS profiles form a source_profile loop: " + (visited + [name, source]).joined(separator: " → ") + ".")
            }
            guard let found = try await credentials(forProfile: source, files: files, visited: visited + [name]) else {
                throw FerryError(.configuration, code: .awsNoCredentials,
                                 "The AWS profile '\(name)' takes its credentials from source_profile '\(source)', which has none.")
            }
            return found
        }
        switch AWSSettings.nonEmpty(settings["credential_source"]) {
        case "Environment"?:
            guard let keys = try Self.environmentCredentials(environment) else {
                throw FerryError(.configuration, code: .awsNoCredentials,
                                 "The AWS profile '\(name)' has credential_source = Environment, but AWS_ACCESS_KEY_ID and "
                                     + "AWS_SECRET_ACCESS_KEY are not set.")
            }
            return keys
        case let other?:
            throw FerryError(.unsupported, code: .awsUnsupportedCredentials,
                             "The AWS profile '\(name)' has credential_source = \(other); Ferry supports only Environment.")
        case nil:
            throw FerryError(.configuration, code: .awsRoleWithoutSource,
                             "The AWS profile '\(name)' has role_arn but neither source_profile nor credential_source.")
        }
    }

    static func staticCredentials(_ settings: [String: String], profile: String, files: AWSSharedConfig) throws -> AWSCredentials? {
        let key = AWSSettings.nonEmpty(settings["aws_access_key_id"])
        let secret = AWSSettings.nonEmpty(settings["aws_secret_access_key"])
        switch (key, secret) {
        case (nil, nil):
            return nil
        case (let key?, let secret?):
            let token = AWSSettings.nonEmpty(settings["aws_session_token"]) ?? AWSSettings.nonEmpty(settings["aws_security_token"])
            return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: token, expiration: nil)
        default:
            let missing = key == nil ? "aws_access_key_id" : "aws_secret_access_key"
            throw FerryError(.configuration, code: .awsPartialCredentials,
                             "The AWS profile '\(profile)' lacks \(missing) (looked in \(files.credentialsPath) and \(files.configPath)).")
        }
    }

    // MARK: - STS AssumeRole (query protocol, version 2011-06-15)

    private func assumeRole(_ roleARN: String, profile name: String, settings: [String: String],
                            source: AWSCredentials) async throws -> AWSCredentials
    {
        if settings["mfa_serial"] != nil {
            throw FerryError(.unsupported, code: .awsMFAUnsupported,
                             "The AWS profile '\(name)' needs an MFA code (mfa_serial), which Ferry cannot prompt for.")
        }
        var parameters = [
            ("Action", "AssumeRole"), ("Version", "2011-06-15"), ("RoleArn", roleARN),
            ("RoleSessionName", AWSSettings.nonEmpty(settings["role_session_name"]) ?? "ferry-session-\(Int(Date().timeIntervalSince1970))"),
        ]
        if let externalID = AWSSettings.nonEmpty(settings["external_id"]) { parameters.append(("ExternalId", externalID)) }
        if let duration = AWSSettings.nonEmpty(settings["duration_seconds"]) {
            guard let seconds = Int(duration), seconds > 0 else {
                throw FerryError(.configuration, code: .awsBadDuration,
                                 "The AWS profile '\(name)' has duration_seconds = \(duration), which is not a number of seconds.")
            }
            parameters.append(("DurationSeconds", String(seconds)))
        }
        let body = parameters.map { "\(Self.formEncode($0.0))=\(Self.formEncode($0.1))" }.joined(separator: "&")

        let region = (try? AWSSettings.region(environment: environment, profile: name, explicit: nil)) ?? "us-east-1"
        let endpoint = AWSSettings.endpoint(service: "STS", region: region, environment: environment, explicit: nil)
        var request = HTTPRequest(method: "POST", url: endpoint, body: Data(body.utf8))
        request.setHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        SigV4Signer(credentials: source, region: region, service: "sts").sign(&request)

        let response = try await transport.send(request)
        let text = String(decoding: response.body, as: UTF8.self)
        let secrets = [source.secretAccessKey, source.sessionToken].compactMap { $0 }
        guard (200..<300).contains(response.status) else {
            throw Self.stsError(text, status: response.status, roleARN: roleARN, profile: name, endpoint: endpoint, secrets: secrets, sent: request)
        }
        guard let block = XMLText.element("Credentials", in: text),
            let key = XMLText.element("AccessKeyId", in: block), let secret = XMLText.element("SecretAccessKey", in: block),
            let token = XMLText.element("SessionToken", in: block)
        else {
            throw FerryError(.backend, code: .awsSTSBadResponse,
                             "STS at \(HTTPOrigin.of(endpoint)) answered AssumeRole for profile '\(name)' without credentials.")
        }
        let expiration = XMLText.element("Expiration", in: block).flatMap(Self.parseTimestamp)
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: token, expiration: expiration)
    }

    /// An STS error response (`<ErrorResponse><Error><Code>…<Message>…`) as a ``FerryError``.
    static func stsError(_ text: String, status: Int, roleARN: String, profile: String, endpoint: URL, secrets: [String],
                         sent request: HTTPRequest? = nil) -> FerryError
    {
        guard let code = XMLText.element("Code", in: text).flatMap({ ServerRefusal.code($0, sent: request) }) else {
            return FerryError(.backend, code: .stsHTTP, remoteCode: String(status),
                              "STS at \(HTTPOrigin.of(endpoint)) answered AssumeRole for profile '\(profile)' with HTTP \(status).")
        }
        var message = XMLText.element("Message", in: text) ?? ""
        for secret in secrets where !secret.isEmpty { message = message.replacingOccurrences(of: secret, with: "<REDACTED>") }
        let detail = ServerRefusal.detail(status: status, code: code, message: message, sent: request, identifiers: [roleARN, profile])
        let subject = "assume role \(roleARN) for AWS profile '\(profile)'"
        switch code {
        case "AccessDenied":
            return FerryError(.backend, code: .awsService, remoteCode: code, "STS refused to \(subject)\(detail).")
        case "ExpiredToken", "ExpiredTokenException":
            return FerryError(.backend, code: .awsService, remoteCode: code, "Cannot \(subject): the source session token has expired (\(code)).")
        case "InvalidClientTokenId", "UnrecognizedClientException":
            return FerryError(.backend, code: .awsService, remoteCode: code, "Cannot \(subject): AWS does not know the source access key ID (\(code)).")
        case "SignatureDoesNotMatch", "InvalidSignatureException":
            return FerryError(.backend, code: .awsService, remoteCode: code,
                              "Cannot \(subject): AWS rejected the signature (\(code)); the source secret access key is wrong.")
        default:
            return FerryError(.backend, code: .awsService, remoteCode: code, "STS refused to \(subject)\(detail).")
        }
    }

    /// `application/x-www-form-urlencoded` with RFC 3986 escaping (only unreserved characters kept).
    static func formEncode(_ text: String) -> String { HTTPForm.encode(text) }

    /// ISO 8601 with or without fractional seconds (`2026-11-23T12:00:00Z`, `…:00.123Z`).
    static func parseTimestamp(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        return (try? Date.ISO8601FormatStyle().parse(trimmed))
            ?? (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(trimmed))
    }
}

/// Resolved credentials, shared by every copy of a chain; one resolution runs at a time.
private actor CredentialCache {
    private var cached: AWSCredentials?
    private var pending: Task<AWSCredentials, any Error>?

    func value(margin: TimeInterval, resolve: @escaping @Sendable () async throws -> AWSCredentials) async throws -> AWSCredentials {
        if let cached, cached.expiration.map({ $0.timeIntervalSinceNow > margin }) ?? true { return cached }
        if let pending { return try await pending.value }
        let task = Task { try await resolve() }
        pending = task
        defer { pending = nil }
        let fresh = try await task.value
        cached = fresh
        return fresh
    }
}

// MARK: - Shared config files

/// The profiles of the shared `credentials` and `config` files, merged (the credentials file wins).
struct AWSSharedConfig: Sendable {
    enum File { case credentials, config }

    let credentialsPath: String
    let configPath: String
    /// Profile name → lower-cased key → value.
    let profiles: [String: [String: String]]
    private let credentialsSections: [String: [String: String]]?
    private let configProfiles: [String: [String: String]]?

    /// The profile to use: `explicit`, else `AWS_PROFILE`, else `AWS_DEFAULT_PROFILE`, else `default`.
    static func profileName(environment: [String: String], explicit: String?) -> String {
        AWSSettings.nonEmpty(explicit) ?? AWSSettings.nonEmpty(environment["AWS_PROFILE"])
            ?? AWSSettings.nonEmpty(environment["AWS_DEFAULT_PROFILE"]) ?? "default"
    }

    /// Reads both files; a missing file is empty, an unreadable or malformed one is an error.
    static func load(environment: [String: String]) throws -> AWSSharedConfig {
        let home = AWSSettings.nonEmpty(environment["HOME"]) ?? NSHomeDirectory()
        func path(_ variable: String, _ fallback: String) -> String {
            let raw = AWSSettings.nonEmpty(environment[variable]) ?? fallback
            if raw == "~" { return home }
            if raw.hasPrefix("~/") { return home + raw.dropFirst(1) }
            return raw
        }
        let credentialsPath = path("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials")
        let configPath = path("AWS_CONFIG_FILE", "~/.aws/config")
        let credentials = try INIFile.read(credentialsPath)
        var configProfiles: [String: [String: String]]?
        if let config = try INIFile.read(configPath) {
            var profiles: [String: [String: String]] = [:]
            for (section, settings) in config {
                let words = section.split(whereSeparator: { $0 == " " || $0 == "\t" })
                if words.count == 2, words[0] == "profile" {
                    profiles[String(words[1]), default: [:]].merge(settings) { _, new in new }
                } else if section == "default" {
                    // `[profile default]` and `[default]` are the same profile; the explicit form wins.
                    profiles["default", default: [:]].merge(settings) { old, _ in old }
                }
            }
            configProfiles = profiles
        }
        var merged = configProfiles ?? [:]
        for (name, settings) in credentials ?? [:] {
            merged[name, default: [:]].merge(settings) { _, new in new }
        }
        return AWSSharedConfig(credentialsPath: credentialsPath, configPath: configPath, profiles: merged,
                               credentialsSections: credentials, configProfiles: configProfiles)
    }

    /// Why a file gave nothing for a profile, for the "nothing found" error.
    func describe(_ profile: String, in file: File) -> String {
        let sections = file == .credentials ? credentialsSections : configProfiles
        guard let sections else { return "no such file" }
        guard let settings = sections[profile] else {
            return file == .credentials ? "no [\(profile)] section" : "no [profile \(profile)] section"
        }
        return settings.isEmpty ? "an empty section" : "no aws_access_key_id / aws_secret_access_key"
    }
}

/// A small INI reader for the AWS shared files, compatible with botocore's (Python's configparser):
/// `[section]` headers (text after `]` ignored), `key = value` or `key: value` with keys
/// lower-cased and both sides trimmed, whole-line comments starting with `#` or `;`, and indented
/// continuation lines (AWS's nested settings such as `s3 =`), which are kept apart from top-level
/// keys. Like configparser, a `#` after a value is part of the value. A later duplicate wins.
/// Errors name the file and line number, never the line's text, which may hold a secret.
public enum INIFile {
    /// Sections of the file at `path`, or nil when it does not exist.
    static func read(_ path: String) throws -> [String: [String: String]]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FerryError(.io, code: .awsConfigUnreadable, "Cannot read the AWS configuration file \(path).")
        }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }

    /// Sections of `text` (public for fuzzing); `path` names the file in errors.
    public static func parse(_ text: String, path: String) throws -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var section: String?
        var lastKey: String?
        // "\r\n" is one Character in Swift: split on it too, or Windows files keep their line ends.
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
        for (index, rawLine) in lines.enumerated() {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            let indented = line.first == " " || line.first == "\t"
            if indented, let section, let lastKey {
                // A continuation or nested setting of the previous key: never a top-level key.
                // Appended in place: rebuilding the value for each line was quadratic in the lines.
                if sections[section]?[lastKey]?.isEmpty ?? true {
                    sections[section]?[lastKey] = trimmed
                } else {
                    sections[section]?[lastKey]?.append("\n" + trimmed)
                }
                continue
            }
            if trimmed.hasPrefix("[") {
                guard let close = trimmed.firstIndex(of: "]") else {
                    throw parseError(path, line: index + 1, "a section header without `]`")
                }
                let name = trimmed[trimmed.index(after: trimmed.startIndex)..<close].trimmingCharacters(in: .whitespaces)
                section = name
                lastKey = nil
                sections[name, default: [:]] = sections[name] ?? [:]
                continue
            }
            guard let delimiter = trimmed.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw parseError(path, line: index + 1, "a line that is neither `[section]` nor `key = value`")
            }
            guard let current = section else {
                throw parseError(path, line: index + 1, "a setting before the first `[section]`")
            }
            let key = trimmed[..<delimiter].trimmingCharacters(in: .whitespaces).lowercased()
            let value = trimmed[trimmed.index(after: delimiter)...].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty else { throw parseError(path, line: index + 1, "a setting without a name") }
            sections[current]?[key] = value
            lastKey = key
        }
        return sections
    }

    private static func parseError(_ path: String, line: Int, _ what: String) -> FerryError {
        FerryError(.configuration, code: .awsConfigSyntax, "Cannot parse the AWS configuration file \(path): line \(line) is \(what).")
    }
}

/// Text of simple XML elements in AWS query-protocol responses (no attributes on the elements read).
enum XMLText {
    /// The content of the first `<name>…</name>`, with the five predefined entities and numeric
    /// character references decoded; nil when absent.
    static func element(_ name: String, in text: String) -> String? {
        guard let open = text.range(of: "<\(name)>"),
            let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex)
        else { return nil }
        return decodeEntities(String(text[open.upperBound..<close.lowerBound]))
    }

    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var rest = Substring(text)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semicolon = rest[amp...].firstIndex(of: ";"), rest.distance(from: amp, to: semicolon) <= 10 else {
                out += "&"
                rest = rest[rest.index(after: amp)...]
                continue
            }
            let entity = rest[rest.index(after: amp)..<semicolon]
            var decoded: String?
            switch entity {
            case "amp": decoded = "&"
            case "lt": decoded = "<"
            case "gt": decoded = ">"
            case "quot": decoded = "\""
            case "apos": decoded = "'"
            default:
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    decoded = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                } else if entity.hasPrefix("#") {
                    decoded = UInt32(entity.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                }
            }
            if let decoded {
                out += decoded
                rest = rest[rest.index(after: semicolon)...]
            } else {
                out += "&"
                rest = rest[rest.index(after: amp)...]
            }
        }
        return out + rest
    }
}

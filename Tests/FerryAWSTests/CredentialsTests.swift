@testable import FerryAWS
import FerryCore
import FerryHTTP
import FerryTesting
import Foundation
import Testing

/// A home directory with `.aws/credentials` and `.aws/config`, removed afterwards.
struct AWSHome {
    let directory: TemporaryDirectory
    var environment: [String: String]

    init(credentials: String? = nil, config: String? = nil, environment: [String: String] = [:]) throws {
        directory = try TemporaryDirectory("ferry-aws")
        try FileManager.default.createDirectory(atPath: directory.file(".aws"), withIntermediateDirectories: true)
        if let credentials { try Data(credentials.utf8).write(to: URL(fileURLWithPath: directory.file(".aws/credentials"))) }
        if let config { try Data(config.utf8).write(to: URL(fileURLWithPath: directory.file(".aws/config"))) }
        self.environment = environment.merging(["HOME": directory.path]) { old, _ in old }
    }

    func chain(profile: String? = nil, explicit: AWSCredentials? = nil, transport: any HTTPTransport = NoNetwork()) -> AWSCredentialChain {
        AWSCredentialChain(environment: environment, profile: profile, explicit: explicit, transport: transport)
    }
}

/// A transport that fails the test if anything is sent.
struct NoNetwork: HTTPTransport {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        Issue.record("unexpected request to \(request.url)")
        return HTTPResponse(status: 500, headers: [:], body: Data())
    }
}

/// An STS stand-in: records every request and answers from a closure.
actor STSStub: HTTPTransport {
    private(set) var requests: [HTTPRequest] = []
    private let answer: @Sendable (HTTPRequest, Int) -> HTTPResponse

    init(_ answer: @escaping @Sendable (HTTPRequest, Int) -> HTTPResponse) { self.answer = answer }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        requests.append(request)
        return answer(request, requests.count)
    }

    static func credentialsXML(key: String, secret: String, token: String, expiration: String) -> HTTPResponse {
        let xml = """
            <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <AssumeRoleResult>
                <AssumedRoleUser>
                  <Arn>arn:aws:sts::123456789012:assumed-role/demo/ferry-test</Arn>
                  <AssumedRoleId>AROA3XFRBF535PLBIFPI4:ferry-test</AssumedRoleId>
                </AssumedRoleUser>
                <Credentials>
                  <AccessKeyId>\(key)</AccessKeyId>
                  <SecretAccessKey>\(secret)</SecretAccessKey>
                  <SessionToken>\(token)</SessionToken>
                  <Expiration>\(expiration)</Expiration>
                </Credentials>
                <PackedPolicySize>6</PackedPolicySize>
              </AssumeRoleResult>
              <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
            </AssumeRoleResponse>
            """
        return HTTPResponse(status: 200, headers: ["Content-Type": "text/xml"], body: Data(xml.utf8))
    }
}

/// Checks that `request` is SigV4-signed for `sts` in `region` with `credentials`: re-signs a copy
/// at the request's own X-Amz-Date and compares the Authorization header.
func expectSignedForSTS(_ request: HTTPRequest, by credentials: AWSCredentials, region: String,
                        sourceLocation: SourceLocation = #_sourceLocation) throws
{
    let authorization = try #require(request.header("Authorization"), sourceLocation: sourceLocation)
    let stamp = try #require(request.header("X-Amz-Date"), sourceLocation: sourceLocation)
    #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(stamp.prefix(8))/\(region)/sts/aws4_request, "),
            sourceLocation: sourceLocation)
    #expect(request.header("X-Amz-Security-Token") == credentials.sessionToken, sourceLocation: sourceLocation)
    let digits = stamp.compactMap { $0.wholeNumberValue }
    let number = { (from: Int, count: Int) in digits[from..<from + count].reduce(0) { $0 * 10 + $1 } }
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(secondsFromGMT: 0)!
    let date = try #require(calendar.date(from: DateComponents(year: number(0, 4), month: number(4, 2), day: number(6, 2),
                                                               hour: number(8, 2), minute: number(10, 2), second: number(12, 2))),
                            sourceLocation: sourceLocation)
    var copy = request
    SigV4Signer(credentials: credentials, region: region, service: "sts").sign(&copy, date: date)
    #expect(copy.header("Authorization") == authorization, "the STS request is not validly signed", sourceLocation: sourceLocation)
}

/// The form parameters of a request body, in order.
func formParameters(_ request: HTTPRequest) -> [String] {
    String(decoding: request.body, as: UTF8.self).split(separator: "&").map {
        String($0).removingPercentEncoding ?? String($0)
    }
}

struct CredentialsTests {
    static let baseKeys = AWSCredentials(accessKeyID: "AKIDBASE", secretAccessKey: "base/secret+KEY", sessionToken: nil, expiration: nil)

    // MARK: - Redaction

    @Test func credentialsNeverPrintTheirSecrets() {
        let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "s3cr3t-KEY", sessionToken: "t0k3n-VALUE",
                                         expiration: Date(timeIntervalSince1970: 0))
        var dumped = ""
        dump(credentials, to: &dumped)
        for text in [credentials.description, credentials.debugDescription, "\(credentials)", String(reflecting: credentials), dumped] {
            #expect(text.contains("AKIDEXAMPLE"))
            #expect(text.contains("<REDACTED>"))
            #expect(!text.contains("s3cr3t-KEY"))
            #expect(!text.contains("t0k3n-VALUE"))
        }
        let longTerm = AWSCredentials(accessKeyID: "AKID", secretAccessKey: "x", sessionToken: nil, expiration: nil)
        #expect(longTerm.description == "AWSCredentials(accessKeyID: AKID, secretAccessKey: <REDACTED>, sessionToken: nil, expiration: nil)")
    }

    // MARK: - Order

    @Test func explicitKeysComeFirst() async throws {
        let home = try AWSHome(credentials: "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = file\n",
                               environment: ["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "env"])
        defer { home.directory.remove() }
        #expect(try await home.chain(explicit: Self.baseKeys).credentials() == Self.baseKeys)
    }

    @Test func theEnvironmentComesBeforeTheFiles() async throws {
        let home = try AWSHome(credentials: "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = file\n",
                               environment: ["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "env", "AWS_SESSION_TOKEN": "envtoken",
                                             "AWS_PROFILE": "default"])
        defer { home.directory.remove() }
        #expect(try await home.chain().credentials()
            == AWSCredentials(accessKeyID: "AKIDENV", secretAccessKey: "env", sessionToken: "envtoken", expiration: nil))
    }

    /// boto3 ignores the environment's keys when a profile is named in code (`Session(profile_name=…)`).
    @Test func aProfileArgumentSkipsTheEnvironment() async throws {
        let home = try AWSHome(credentials: "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = dev\n",
                               environment: ["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "env"])
        defer { home.directory.remove() }
        #expect(try await home.chain(profile: "dev").credentials().accessKeyID == "AKIDDEV")
    }

    @Test func halfAKeyPairInTheEnvironmentIsAnError() async throws {
        let home = try AWSHome(environment: ["AWS_SECRET_ACCESS_KEY": "only-the-secret"])
        defer { home.directory.remove() }
        await #expect { _ = try await home.chain().credentials() } throws: { error in
            let error = try #require(error as? FerryError)
            return error.code == .awsPartialCredentials && !error.message.contains("only-the-secret")
        }
    }

    // MARK: - Shared files

    @Test func theDefaultCredentialsFileUnderHome() async throws {
        let home = try AWSHome(credentials: """
            # a comment
            ; another comment
            [default]
              aws_access_key_id=AKIDDEFAULT
            aws_secret_access_key   =   default/secret+key
            aws_session_token = tok==

            [other]
            aws_access_key_id = AKIDOTHER
            aws_secret_access_key = other
            """)
        defer { home.directory.remove() }
        #expect(try await home.chain().credentials()
            == AWSCredentials(accessKeyID: "AKIDDEFAULT", secretAccessKey: "default/secret+key", sessionToken: "tok==", expiration: nil))
    }

    @Test func profilesComeFromTheArgumentThenAWSProfile() async throws {
        let credentials = "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = d\n[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = v\n"
            + "[prod]\naws_access_key_id = AKIDPROD\naws_secret_access_key = p\n"
        let home = try AWSHome(credentials: credentials, environment: ["AWS_PROFILE": "dev"])
        defer { home.directory.remove() }
        #expect(try await home.chain().credentials().accessKeyID == "AKIDDEV")
        #expect(try await home.chain(profile: "prod").credentials().accessKeyID == "AKIDPROD")
        var plain = home
        plain.environment["AWS_PROFILE"] = nil
        #expect(try await plain.chain().credentials().accessKeyID == "AKIDDEFAULT")
    }

    @Test func theConfigFileHasProfilePrefixedSectionsAndTheCredentialsFileWins() async throws {
        let home = try AWSHome(
            credentials: "[both]\naws_secret_access_key = from-credentials\n",
            config: """
                [default]
                aws_access_key_id = AKIDCFGDEFAULT
                aws_secret_access_key = cfg-default
                [profile dev]
                aws_access_key_id : AKIDCFGDEV
                aws_secret_access_key : cfg-dev
                [dev]
                aws_access_key_id = AKIDNOTAPROFILE
                aws_secret_access_key = not-a-profile
                [profile both]
                aws_access_key_id = AKIDBOTH
                aws_secret_access_key = from-config
                """)
        defer { home.directory.remove() }
        #expect(try await home.chain().credentials().accessKeyID == "AKIDCFGDEFAULT")
        #expect(try await home.chain(profile: "dev").credentials().secretAccessKey == "cfg-dev")
        #expect(try await home.chain(profile: "both").credentials()
            == AWSCredentials(accessKeyID: "AKIDBOTH", secretAccessKey: "from-credentials", sessionToken: nil, expiration: nil))
    }

    @Test func fileLocationsComeFromTheEnvironment() async throws {
        let home = try AWSHome()
        defer { home.directory.remove() }
        try Data("[default]\naws_access_key_id = AKIDELSEWHERE\naws_secret_access_key = e\r\n".utf8)
            .write(to: URL(fileURLWithPath: home.directory.file("creds.ini")))
        try Data("[profile x]\nregion = eu-north-1\n".utf8).write(to: URL(fileURLWithPath: home.directory.file("config.ini")))
        var custom = home
        custom.environment["AWS_SHARED_CREDENTIALS_FILE"] = "~/creds.ini"
        custom.environment["AWS_CONFIG_FILE"] = home.directory.file("config.ini")
        #expect(try await custom.chain().credentials()
            == AWSCredentials(accessKeyID: "AKIDELSEWHERE", secretAccessKey: "e", sessionToken: nil, expiration: nil))
        #expect(try AWSSettings.region(environment: custom.environment, profile: "x", explicit: nil) == "eu-north-1")
    }

    @Test func nothingFoundListsWhereItLooked() async throws {
        let home = try AWSHome(config: "[profile other]\nregion = eu-west-1\n")
        defer { home.directory.remove() }
        await #expect { _ = try await home.chain().credentials() } throws: { error in
            let error = try #require(error as? FerryError)
            return error.kind == .configuration && error.code == .awsNoCredentials
                && error.message.contains("AWS_ACCESS_KEY_ID")
                && error.message.contains(home.directory.file(".aws/credentials") + " (no such file)")
                && error.message.contains(home.directory.file(".aws/config") + " (no [profile default] section)")
        }
    }

    @Test func aNamedProfileThatDoesNotExistIsAnError() async throws {
        let home = try AWSHome(credentials: "[default]\naws_access_key_id = A\naws_secret_access_key = B\n")
        defer { home.directory.remove() }
        await #expect { _ = try await home.chain(profile: "missing").credentials() } throws: {
            ($0 as? FerryError)?.code == .awsProfileNotFound
        }
    }

    @Test func aMalformedFileNamesTheLineButNotItsText() async throws {
        let home = try AWSHome(credentials: "[default]\naws_access_key_id = AKID\nwJalrXUtnFEMI-secret-without-a-key\n")
        defer { home.directory.remove() }
        await #expect { _ = try await home.chain().credentials() } throws: { error in
            let error = try #require(error as? FerryError)
            return error.code == .awsConfigSyntax && error.message.contains("line 3") && !error.message.contains("wJalr")
        }
    }

    @Test func unsupportedSourcesAreReportedNotSkipped() async throws {
        let home = try AWSHome(config: "[default]\ncredential_process = /usr/local/bin/get-creds\n")
        defer { home.directory.remove() }
        await #expect { _ = try await home.chain().credentials() } throws: {
            ($0 as? FerryError)?.kind == .unsupported && ($0 as? FerryError)?.message.contains("credential_process") == true
        }
    }

    @Test func theINIParserKeepsNestedSettingsApart() throws {
        let sections = try INIFile.parse("""
            [profile dev]
            s3 =
              region = nested-not-top-level
              max_concurrent_requests = 10
            Region = eu-west-3 # kept, as configparser keeps it
            [ profile  spaced ]
            key = a=b
            """, path: "config")
        #expect(sections["profile dev"]?["region"] == "eu-west-3 # kept, as configparser keeps it")
        #expect(sections["profile dev"]?["s3"] == "region = nested-not-top-level\nmax_concurrent_requests = 10")
        #expect(sections["profile  spaced"]?["key"] == "a=b")
        #expect(throws: FerryError.self) { try INIFile.parse("key = before-any-section\n", path: "config") }
    }

    // MARK: - Settings

    @Test func regionOrder() throws {
        let home = try AWSHome(config: "[default]\nregion = eu-west-1\n[profile dev]\nregion = eu-central-1\n")
        defer { home.directory.remove() }
        var environment = home.environment
        #expect(try AWSSettings.region(environment: environment, profile: nil, explicit: nil) == "eu-west-1")
        #expect(try AWSSettings.region(environment: environment, profile: "dev", explicit: nil) == "eu-central-1")
        environment["AWS_PROFILE"] = "dev"
        #expect(try AWSSettings.region(environment: environment, profile: nil, explicit: nil) == "eu-central-1")
        environment["AWS_DEFAULT_REGION"] = "us-west-1"
        #expect(try AWSSettings.region(environment: environment, profile: nil, explicit: nil) == "us-west-1")
        environment["AWS_REGION"] = "us-west-2"
        #expect(try AWSSettings.region(environment: environment, profile: nil, explicit: nil) == "us-west-2")
        #expect(try AWSSettings.region(environment: environment, profile: nil, explicit: "ap-south-1") == "ap-south-1")
    }

    @Test func noRegionIsAClearError() throws {
        let home = try AWSHome()
        defer { home.directory.remove() }
        #expect { try AWSSettings.region(environment: home.environment, profile: nil, explicit: nil) } throws: { error in
            let error = try #require(error as? FerryError)
            return error.code == .awsNoRegion && error.message.contains("AWS_REGION") && error.message.contains("AWS_DEFAULT_REGION")
        }
    }

    @Test func endpointOrder() {
        let service = "Secrets Manager"
        var environment: [String: String] = [:]
        #expect(AWSSettings.endpoint(service: service, region: "eu-west-1", environment: environment, explicit: nil).absoluteString
            == "https://secretsmanager.eu-west-1.amazonaws.com")
        #expect(AWSSettings.endpoint(service: "STS", region: "cn-north-1", environment: environment, explicit: nil).absoluteString
            == "https://sts.cn-north-1.amazonaws.com.cn")
        environment["AWS_ENDPOINT_URL"] = "http://127.0.0.1:4566"
        #expect(AWSSettings.endpoint(service: service, region: "eu-west-1", environment: environment, explicit: nil).absoluteString
            == "http://127.0.0.1:4566")
        environment["AWS_ENDPOINT_URL_SECRETS_MANAGER"] = "http://localhost:5000/"
        #expect(AWSSettings.endpoint(service: service, region: "eu-west-1", environment: environment, explicit: nil).absoluteString
            == "http://localhost:5000/")
        #expect(AWSSettings.endpoint(service: "STS", region: "eu-west-1", environment: environment, explicit: nil).absoluteString
            == "http://127.0.0.1:4566")
        #expect(AWSSettings.endpoint(service: service, region: "eu-west-1", environment: environment, explicit: "vpce.example.com").absoluteString
            == "https://vpce.example.com")
        environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true"
        #expect(AWSSettings.endpoint(service: service, region: "eu-west-1", environment: environment, explicit: nil).absoluteString
            == "https://secretsmanager.eu-west-1.amazonaws.com")
    }

    // MARK: - AssumeRole

    static let roleConfig = """
        [profile deploy]
        role_arn = arn:aws:iam::123456789012:role/demo
        source_profile = base
        external_id = ext-42
        role_session_name = ferry-test
        duration_seconds = 1800
        region = eu-west-1
        """
    static let baseCredentialsFile = "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base/secret+KEY\n"

    @Test func assumeRoleIsASignedSTSQueryCallAndIsCached() async throws {
        let home = try AWSHome(credentials: Self.baseCredentialsFile, config: Self.roleConfig)
        defer { home.directory.remove() }
        let sts = STSStub { _, _ in
            STSStub.credentialsXML(key: "ASIAASSUMED", secret: "assumed/secret", token: "IQoJb3JpZ2lu&amp;+/=", expiration: "2099-01-01T00:00:00Z")
        }
        let chain = home.chain(profile: "deploy", transport: sts)
        let credentials = try await chain.credentials()
        #expect(credentials == AWSCredentials(accessKeyID: "ASIAASSUMED", secretAccessKey: "assumed/secret", sessionToken: "IQoJb3JpZ2lu&+/=",
                                              expiration: Date(timeIntervalSince1970: 4_070_908_800)))
        #expect(try await chain.credentials() == credentials)

        let requests = await sts.requests
        try #require(requests.count == 1, "cached until 5 minutes before expiry")
        let request = requests[0]
        #expect(request.method == "POST")
        #expect(request.url.absoluteString == "https://sts.eu-west-1.amazonaws.com")
        #expect(request.header("Content-Type") == "application/x-www-form-urlencoded; charset=utf-8")
        #expect(String(decoding: request.body, as: UTF8.self)
            == "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo"
            + "&RoleSessionName=ferry-test&ExternalId=ext-42&DurationSeconds=1800")
        try expectSignedForSTS(request, by: Self.baseKeys, region: "eu-west-1")
    }

    @Test func assumedCredentialsAreRefreshedFiveMinutesBeforeExpiry() async throws {
        let home = try AWSHome(credentials: Self.baseCredentialsFile, config: Self.roleConfig)
        defer { home.directory.remove() }
        let soon = Date().addingTimeInterval(4 * 60)
        let stamp = soon.formatted(Date.ISO8601FormatStyle())
        let sts = STSStub { _, count in
            STSStub.credentialsXML(key: "ASIA\(count)", secret: "s", token: "t", expiration: stamp)
        }
        let chain = home.chain(profile: "deploy", transport: sts)
        #expect(try await chain.credentials().accessKeyID == "ASIA1")
        #expect(try await chain.credentials().accessKeyID == "ASIA2")
    }

    @Test func concurrentCallersShareOneAssumeRole() async throws {
        let home = try AWSHome(credentials: Self.baseCredentialsFile, config: Self.roleConfig)
        defer { home.directory.remove() }
        let sts = STSStub { _, count in
            STSStub.credentialsXML(key: "ASIA\(count)", secret: "s", token: "t", expiration: "2099-01-01T00:00:00Z")
        }
        let chain = home.chain(profile: "deploy", transport: sts)
        let keys = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { try await chain.credentials().accessKeyID } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(keys == ["ASIA1"])
        #expect(await sts.requests.count == 1)
    }

    @Test func chainedRolesSignWithTheSourceRolesCredentials() async throws {
        let config = """
            [profile first]
            role_arn = arn:aws:iam::111111111111:role/first
            source_profile = base
            [profile second]
            role_arn = arn:aws:iam::222222222222:role/second
            source_profile = first
            """
        let home = try AWSHome(credentials: Self.baseCredentialsFile, config: config,
                               environment: ["AWS_REGION": "us-west-2", "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:4566"])
        defer { home.directory.remove() }
        let sts = STSStub { request, count in
            let role = formParameters(request).first { $0.hasPrefix("RoleArn=") } ?? ""
            return STSStub.credentialsXML(key: "ASIA\(count)", secret: "secret\(count)", token: "token \(role)",
                                          expiration: "2099-01-01T00:00:00.000Z")
        }
        let credentials = try await home.chain(profile: "second", transport: sts).credentials()
        #expect(credentials.accessKeyID == "ASIA2")
        let requests = await sts.requests
        try #require(requests.count == 2)
        #expect(requests.allSatisfy { $0.url.absoluteString == "http://127.0.0.1:4566" })
        #expect(formParameters(requests[0]).contains("RoleArn=arn:aws:iam::111111111111:role/first"))
        #expect(formParameters(requests[0]).contains { $0.hasPrefix("RoleSessionName=ferry-session-") })
        #expect(formParameters(requests[1]).contains("RoleArn=arn:aws:iam::222222222222:role/second"))
        try expectSignedForSTS(requests[0], by: Self.baseKeys, region: "us-west-2")
        let first = AWSCredentials(accessKeyID: "ASIA1", secretAccessKey: "secret1", sessionToken: "token RoleArn=arn:aws:iam::111111111111:role/first",
                                   expiration: nil)
        try expectSignedForSTS(requests[1], by: first, region: "us-west-2")
    }

    @Test func aProfileMayBeItsOwnSourceAndEnvironmentIsACredentialSource() async throws {
        let config = """
            [profile self]
            aws_access_key_id = AKIDBASE
            aws_secret_access_key = base/secret+KEY
            role_arn = arn:aws:iam::123456789012:role/self
            source_profile = self
            [profile fromenv]
            role_arn = arn:aws:iam::123456789012:role/env
            credential_source = Environment
            """
        let home = try AWSHome(config: config, environment: ["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "env",
                                                             "AWS_SESSION_TOKEN": "envtoken"])
        defer { home.directory.remove() }
        let sts = STSStub { _, count in
            STSStub.credentialsXML(key: "ASIA\(count)", secret: "s", token: "t", expiration: "2099-01-01T00:00:00Z")
        }
        #expect(try await home.chain(profile: "self", transport: sts).credentials().accessKeyID == "ASIA1")
        #expect(try await home.chain(profile: "fromenv", transport: sts).credentials().accessKeyID == "ASIA2")
        let requests = await sts.requests
        try #require(requests.count == 2)
        #expect(requests[0].url.absoluteString == "https://sts.us-east-1.amazonaws.com", "no region configured: us-east-1")
        try expectSignedForSTS(requests[0], by: Self.baseKeys, region: "us-east-1")
        try expectSignedForSTS(requests[1], by: AWSCredentials(accessKeyID: "AKIDENV", secretAccessKey: "env", sessionToken: "envtoken",
                                                               expiration: nil), region: "us-east-1")
    }

    @Test func stsErrorsAreMappedWithoutSecrets() async throws {
        let home = try AWSHome(credentials: Self.baseCredentialsFile, config: Self.roleConfig)
        defer { home.directory.remove() }
        let sts = STSStub { _, _ in
            let xml = """
                <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                  <Error><Type>Sender</Type><Code>AccessDenied</Code>
                  <Message>User: arn:aws:iam::123456789012:user/base is not authorized to perform: sts:AssumeRole on resource: \
                arn:aws:iam::123456789012:role/demo (echo: base/secret+KEY)</Message></Error>
                  <RequestId>8f9c1cc4-0000-0000-0000-000000000000</RequestId>
                </ErrorResponse>
                """
            return HTTPResponse(status: 403, headers: [:], body: Data(xml.utf8))
        }
        await #expect { _ = try await home.chain(profile: "deploy", transport: sts).credentials() } throws: { error in
            let error = try #require(error as? FerryError)
            return error.kind == .backend && error.remoteCode == "AccessDenied"
                && error.message.contains("arn:aws:iam::123456789012:role/demo") && error.message.contains("'deploy'")
                && error.message.contains("not authorized to perform: sts:AssumeRole")
                && !error.message.contains("base/secret+KEY")
        }
    }

    @Test func aNonXMLFailureNamesTheStatus() async throws {
        let home = try AWSHome(credentials: Self.baseCredentialsFile, config: Self.roleConfig)
        defer { home.directory.remove() }
        let sts = STSStub { _, _ in HTTPResponse(status: 404, headers: [:], body: Data("<html>nope</html>".utf8)) }
        await #expect { _ = try await home.chain(profile: "deploy", transport: sts).credentials() } throws: {
            ($0 as? FerryError)?.code == .stsHTTP && ($0 as? FerryError)?.remoteCode == "404"
        }
    }

    @Test func sourceProfileLoopsAndMissingSourcesAreErrors() async throws {
        let config = """
            [profile a]
            role_arn = arn:aws:iam::1:role/a
            source_profile = b
            [profile b]
            role_arn = arn:aws:iam::1:role/b
            source_profile = a
            [profile orphan]
            role_arn = arn:aws:iam::1:role/o
            source_profile = nowhere
            [profile mfa]
            role_arn = arn:aws:iam::1:role/m
            source_profile = base
            mfa_serial = arn:aws:iam::1:mfa/me
            """
        let home = try AWSHome(credentials: Self.baseCredentialsFile, config: config)
        defer { home.directory.remove() }
        await #expect { _ = try await home.chain(profile: "a").credentials() } throws: { ($0 as? FerryError)?.code == .awsRoleSourceLoop }
        await #expect { _ = try await home.chain(profile: "orphan").credentials() } throws: {
            ($0 as? FerryError)?.code == .awsProfileNotFound && ($0 as? FerryError)?.message.contains("nowhere") == true
        }
        await #expect { _ = try await home.chain(profile: "mfa").credentials() } throws: { ($0 as? FerryError)?.code == .awsMFAUnsupported }
    }
}

/// AssumeRole against moto's STS, which recomputes every signature (scripts/moto-server starts it
/// with auth on and an IAM user allowed `sts:*`).
@Suite(.enabled(if: Moto.available, "needs moto (scripts/moto-server; FERRY_MOTO_ENDPOINT)"))
struct AssumeRoleMotoTests {
    func home(secretKey: String? = nil) throws -> AWSHome {
        let endpoint = try #require(Moto.endpoint, "CI must set FERRY_MOTO_ENDPOINT (scripts/moto-server)")
        let config = "[profile moto-role]\nrole_arn = arn:aws:iam::123456789012:role/ferry-test\ncredential_source = Environment\n"
            + "role_session_name = ferry-moto\nduration_seconds = 900\n"
        return try AWSHome(config: config, environment: [
            "AWS_ACCESS_KEY_ID": Moto.environment["AWS_ACCESS_KEY_ID"] ?? "",
            "AWS_SECRET_ACCESS_KEY": secretKey ?? Moto.environment["AWS_SECRET_ACCESS_KEY"] ?? "",
            "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL_STS": endpoint,
        ])
    }

    @Test func motoAcceptsTheSignedAssumeRole() async throws {
        let home = try home()
        defer { home.directory.remove() }
        let credentials = try await home.chain(profile: "moto-role", transport: SocketTransport()).credentials()
        #expect(!credentials.accessKeyID.isEmpty && !credentials.secretAccessKey.isEmpty)
        #expect(credentials.sessionToken?.isEmpty == false)
        #expect(credentials.expiration.map { $0 > Date() } == true)
    }

    @Test func aWrongSourceKeyIsMappedWithoutTheKey() async throws {
        let home = try home(secretKey: "definitely-not-the-key")
        defer { home.directory.remove() }
        await #expect { _ = try await home.chain(profile: "moto-role", transport: SocketTransport()).credentials() } throws: { error in
            let error = try #require(error as? FerryError)
            return error.remoteCode == "SignatureDoesNotMatch" && !error.message.contains("definitely-not-the-key")
        }
    }
}

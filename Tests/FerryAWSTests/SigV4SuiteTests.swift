@testable import FerryAWS
import FerryHTTP
import FerryTesting
import Foundation
import Testing

/// AWS's Signature Version 4 test suite (aws-sig-v4-test-suite, 2015-08-30 vectors), as shipped in
/// botocore's source distribution under `tests/unit/auth/aws4_testsuite/`. Not committed: fetch it
/// with `scripts/fetch-sigv4-suite DIR` and point `FERRY_SIGV4_SUITE` at DIR.
enum SigV4Suite {
    static let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                            sessionToken: nil, expiration: nil)
    static let date = Date(timeIntervalSince1970: 1_440_938_160)  // 20150830T123600Z
    static let expectedCount = 34

    static var folder: String? {
        let value = ProcessInfo.processInfo.environment["FERRY_SIGV4_SUITE"]
        return value?.isEmpty == false ? value : nil
    }

    /// Every case, as the path of its folder relative to the suite (`normalize-path/get-space`).
    static let cases: [String] = {
        guard let folder, let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
        var found: [String] = []
        while let item = walker.nextObject() as? String {
            if item.hasSuffix(".req") { found.append(String(item.dropLast(4))) }  // `folder/name/name`
        }
        return found.sorted()
    }()

    static func read(_ name: String, _ suffix: String) throws -> String {
        let path = try #require(folder) + "/" + name + suffix
        let data = try #require(FileManager.default.contents(atPath: path), "cannot read \(path)")
        return String(decoding: data, as: UTF8.self)
    }
}

/// A raw HTTP request as the suite writes it: a request line whose target may hold a literal space
/// or raw UTF-8, header lines `Name:value` with indented continuation lines, a blank line, a body.
struct RawRequest {
    var method: String
    var path: String
    var query: String?
    var headers: [(name: String, value: String)]
    var body: String

    init(_ text: String) throws {
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
        let requestLine = try #require(lines.first)
        let firstSpace = try #require(requestLine.firstIndex(of: " "))
        let lastSpace = try #require(requestLine.lastIndex(of: " "))
        method = String(requestLine[..<firstSpace])
        let target = requestLine[requestLine.index(after: firstSpace)..<lastSpace]
        if let question = target.firstIndex(of: "?") {
            path = String(target[..<question])
            query = String(target[target.index(after: question)...])
        } else {
            path = String(target)
        }
        headers = []
        var index = 1
        while index < lines.count, !lines[index].isEmpty {
            let line = lines[index]
            if line.first == " " || line.first == "\t" {
                let last = try #require(headers.indices.last, "a continuation line before any header")
                headers[last].value += "\n" + line
            } else {
                let colon = try #require(line.firstIndex(of: ":"), "a header line without a colon")
                headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
            }
            index += 1
        }
        body = lines.count > index + 1 ? lines[(index + 1)...].joined(separator: "\n") : ""
    }

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    var message: SigV4Signer.Message {
        SigV4Signer.Message(method: method, path: path, query: query, headers: headers, body: Data(body.utf8))
    }

    /// The request line and header lines as the suite's `.sreq` files print them.
    static func lines(method: String, path: String, query: String?, headers: [(name: String, value: String)]) -> [String] {
        ["\(method) \(path)\(query.map { "?\($0)" } ?? "") HTTP/1.1"]
            + headers.map { header in
                // `.sreq` files write `Authorization: …` with a space; other headers as `Name:value`.
                header.name == "Authorization"
                    ? "Authorization: " + header.value.drop { $0 == " " } : "\(header.name):\(header.value)"
            }
    }
}

@Suite(.enabled(if: SigV4Suite.folder != nil || Repository.inCI, "needs FERRY_SIGV4_SUITE (scripts/fetch-sigv4-suite DIR)"))
struct SigV4SuiteTests {
    @Test func theWholeSuiteIsPresent() throws {
        let folder = try #require(SigV4Suite.folder, "CI must set FERRY_SIGV4_SUITE (scripts/fetch-sigv4-suite DIR)")
        var isDirectory: ObjCBool = false
        try #require(FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) && isDirectory.boolValue,
                     "FERRY_SIGV4_SUITE=\(folder) is not a directory")
        #expect(SigV4Suite.cases.count == SigV4Suite.expectedCount)
        for name in SigV4Suite.cases {
            for suffix in [".creq", ".sts", ".authz", ".sreq"] {
                #expect(FileManager.default.fileExists(atPath: folder + "/" + name + suffix), "\(name)\(suffix) is missing")
            }
        }
    }

    /// The signer's algorithm over the request exactly as the suite writes it.
    @Test(arguments: SigV4Suite.cases)
    func signsLikeTheSuite(_ name: String) throws {
        let raw = try RawRequest(SigV4Suite.read(name, ".req"))
        let creq = try SigV4Suite.read(name, ".creq")
        let sts = try SigV4Suite.read(name, ".sts")
        let authz = try SigV4Suite.read(name, ".authz")
        let signed = try RawRequest(SigV4Suite.read(name, ".sreq"))
        let signer = try Self.signer(raw: raw, creq: creq, sreq: signed)

        var message = raw.message
        signer.sign(&message, date: SigV4Suite.date)
        #expect(signer.canonicalRequest(message) == creq)
        #expect(signer.stringToSign(message, date: SigV4Suite.date) == sts)
        #expect(message.header("Authorization") == authz)

        // The signed request, header order aside. post-sts-header-after adds the token after signing,
        // as the suite's readme describes it; get-vanilla-with-session-token's .sreq carries the
        // Authorization of get-vanilla (an erratum in the suite: its .authz is the right one).
        if signer.credentials.sessionToken == nil, raw.header("X-Amz-Security-Token") == nil,
            let token = signed.header("X-Amz-Security-Token")
        {
            message.headers.append(("X-Amz-Security-Token", token))
        }
        var ours = RawRequest.lines(method: message.method, path: raw.path, query: raw.query, headers: message.headers)
        var theirs = RawRequest.lines(method: signed.method, path: signed.path, query: signed.query, headers: signed.headers)
        if name.hasSuffix("get-vanilla-with-session-token") {
            ours.removeAll { $0.hasPrefix("Authorization:") }
            theirs.removeAll { $0.hasPrefix("Authorization:") }
        }
        #expect(ours.sorted() == theirs.sorted())
        #expect(String(decoding: message.body, as: UTF8.self) == signed.body)
    }

    /// The public API, over an `HTTPRequest` built from the suite's request. A `URL` cannot hold the
    /// literal space of get-space or the raw UTF-8 of get-utf8: it percent-encodes them, so the wire
    /// path is `/example%20space/`, and AWS (like botocore) signs that path encoded once more.
    @Test(arguments: SigV4Suite.cases)
    func signsTheSuiteThroughHTTPRequest(_ name: String) throws {
        let raw = try RawRequest(SigV4Suite.read(name, ".req"))
        let creq = try SigV4Suite.read(name, ".creq")
        let sts = try SigV4Suite.read(name, ".sts")
        let authz = try SigV4Suite.read(name, ".authz")
        let signer = try Self.signer(raw: raw, creq: creq, sreq: RawRequest(SigV4Suite.read(name, ".sreq")))
        let host = try #require(raw.header("Host"))
        let url = try #require(URL(string: "https://\(host)\(raw.path)\(raw.query.map { "?\($0)" } ?? "")"))
        var request = HTTPRequest(method: raw.method, url: url, headers: raw.headers, body: Data(raw.body.utf8))
        signer.sign(&request, date: SigV4Suite.date)

        if url.path(percentEncoded: true) == raw.path {
            #expect(signer.canonicalRequest(request) == creq)
            #expect(signer.stringToSign(request, date: SigV4Suite.date) == sts)
            #expect(request.header("Authorization") == authz)
        } else {
            #expect(["normalize-path/get-space", "get-utf8"].contains { name.hasPrefix($0 + "/") }, "\(name): URL changed the path")
            var lines = creq.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            lines[1] = lines[1].replacingOccurrences(of: "%", with: "%25")
            #expect(signer.canonicalRequest(request) == lines.joined(separator: "\n"))
        }
    }

    /// The suite's credentials, with the session token the case expects to be added by the signer
    /// (get-vanilla-with-session-token: in the `.creq` and `.sreq` but not in the `.req`).
    static func signer(raw: RawRequest, creq: String, sreq: RawRequest) throws -> SigV4Signer {
        var credentials = SigV4Suite.credentials
        if creq.contains("\nx-amz-security-token:"), raw.header("X-Amz-Security-Token") == nil {
            let token = try #require(sreq.header("X-Amz-Security-Token"))
            credentials = AWSCredentials(accessKeyID: credentials.accessKeyID, secretAccessKey: credentials.secretAccessKey,
                                         sessionToken: token, expiration: nil)
        }
        return SigV4Signer(credentials: credentials, region: "us-east-1", service: "service")
    }
}

/// Vectors that need no suite: each expected value was computed by botocore's `SigV4Auth`
/// (1.44.5 / 1.43.11) for the same request, credentials and time.
struct SigV4Tests {
    let date = SigV4Suite.date

    func signer(service: String = "service", token: String? = nil) -> SigV4Signer {
        SigV4Signer(credentials: AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: SigV4Suite.credentials.secretAccessKey,
                                                sessionToken: token, expiration: nil),
                    region: "us-east-1", service: service)
    }

    func signature(_ request: HTTPRequest) -> String? {
        request.header("Authorization")?.components(separatedBy: "Signature=").last
    }

    /// docs/reference test-backends.md §1: GetSecretValue, signed by botocore 1.44.5.
    @Test func secretsManagerGetSecretValue() throws {
        var request = HTTPRequest(method: "POST", url: try #require(URL(string: "https://secretsmanager.us-east-1.amazonaws.com/")),
                                  body: Data(#"{"SecretId":"MyTestDatabaseSecret"}"#.utf8))
        request.setHeader("Content-Type", "application/x-amz-json-1.1")
        request.setHeader("X-Amz-Target", "secretsmanager.GetSecretValue")
        let signer = signer(service: "secretsmanager")
        signer.sign(&request, date: date)
        let canonical = signer.canonicalRequest(request)
        #expect(canonical.hasSuffix("\ncontent-type;host;x-amz-date;x-amz-target\n481b8e4728186c9a7b9ac842cb567f54427e2857ab3571ad326aeac224bff5e4"))
        #expect(signer.stringToSign(request, date: date).hasSuffix("\n0ec876799cba2f890ac95c2da7f6888153b60ae0ac3e46f76b2520bc15c30d16"))
        #expect(request.header("Authorization")
            == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/secretsmanager/aws4_request, "
            + "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=f4f8bdefd4027ae30a37f7b390249514b62940f070eedac36f19f7dfd08c20d8")
        #expect(request.header("X-Amz-Date") == "20150830T123600Z")
        #expect(request.header("X-Amz-Security-Token") == nil)
    }

    @Test func anEncodedPathIsEncodedAgain() throws {
        var request = HTTPRequest(method: "GET", url: try #require(URL(string: "https://example.amazonaws.com/a%20b/c%2Fd/%E1%88%B4")))
        let signer = signer()
        signer.sign(&request, date: date)
        #expect(signer.canonicalRequest(request).split(separator: "\n")[1] == "/a%2520b/c%252Fd/%25E1%2588%25B4")
        #expect(signature(request) == "e92cac658af61a25bd246aa8862bca8282a4dff2ec1cbe099344443fa1d65b6e")
    }

    @Test func aNonDefaultPortIsPartOfTheHostAndTheQueryIsSorted() throws {
        var request = HTTPRequest(method: "GET", url: try #require(URL(string: "http://127.0.0.1:4566/x?b=2&a=%20&a=1&c")))
        let signer = signer()
        signer.sign(&request, date: date)
        #expect(signer.canonicalRequest(request).hasPrefix("GET\n/x\na=%20&a=1&b=2&c=\nhost:127.0.0.1:4566\n"))
        #expect(signature(request) == "99edbabebbaf82923df921d36a3ddf9012981a8cce641f5208d4c8dbc3ce4a18")
        #expect(request.header("Host") == nil, "the transport sends Host; the signer only signs it")
    }

    @Test func theDefaultPortIsLeftOut() throws {
        var request = HTTPRequest(method: "GET", url: try #require(URL(string: "https://example.amazonaws.com:443/")))
        signer().sign(&request, date: date)
        #expect(signature(request) == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    @Test func dotSegmentsAreRemoved() throws {
        var request = HTTPRequest(method: "GET", url: try #require(URL(string: "https://example.amazonaws.com/a/./b/../c/.")))
        signer().sign(&request, date: date)
        #expect(signature(request) == "ca38e935d3755995c54c9507f4222dbeafacd561e8d3100bb0679299b181a0f4")
    }

    @Test func aSessionTokenIsSignedOnAnSTSFormPost() throws {
        let body = "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo&RoleSessionName=ferry"
        var request = HTTPRequest(method: "POST", url: try #require(URL(string: "https://sts.us-east-1.amazonaws.com/")), body: Data(body.utf8))
        request.setHeader("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        let signer = signer(service: "sts", token: "TOKEN/+=")
        signer.sign(&request, date: date)
        #expect(request.header("X-Amz-Security-Token") == "TOKEN/+=")
        #expect(request.header("Authorization")?.contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,") == true)
        #expect(signature(request) == "12007b3953847aa990577d0c850ec35f04f719afe3044223b677751538c7e385")
    }

    @Test func signingAgainReplacesTheSignatureAndSkipsClientHeaders() throws {
        var request = HTTPRequest(method: "GET", url: try #require(URL(string: "https://example.amazonaws.com/")))
        request.setHeader("User-Agent", "ferry/1.0")
        let signer = signer()
        signer.sign(&request, date: Date(timeIntervalSince1970: 0))
        signer.sign(&request, date: date)
        #expect(request.headers.filter { $0.name == "Authorization" }.count == 1)
        #expect(request.headers.filter { $0.name == "X-Amz-Date" }.count == 1)
        #expect(signature(request) == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    @Test func timestampsAreUTCBasicFormat() {
        #expect(SigV4Signer.timestamp(date) == "20150830T123600Z")
        #expect(SigV4Signer.timestamp(Date(timeIntervalSince1970: 951_782_400)) == "20000229T000000Z")
    }
}

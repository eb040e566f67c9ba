import FerryCore
import FerryHTTP
import Foundation
import Testing

/// D13 of the 2026-12 review: a server's error text never relays what the request carried.
struct ServerRefusalTests {
    func request(headers: [(String, String)] = [], body: String = "", contentType: String? = nil) -> HTTPRequest {
        var request = HTTPRequest(method: "POST", url: URL(string: "http://127.0.0.1:1/")!, body: Data(body.utf8))
        for (name, value) in headers { request.setHeader(name, value) }
        if let contentType { request.setHeader("Content-Type", contentType) }
        return request
    }

    @Test func echoedCredentialsAndValuesAreWithheld() {
        let vault = request(headers: [("X-Vault-Token", "hvs.CANARYTOKEN7f3a9")], body: #"{"data": {"password": "CANARY-VALUE-7f3a9"}}"#,
                            contentType: "application/json")
        for echoed in ["bad token hvs.CANARYTOKEN7f3a9", "partial CANARYTOK", "value was CANARY-VALUE-7f3a9!",
                       #"you sent {"data": {"password": "CANARY-VALUE-7f3a9"}}"#]
        {
            #expect(ServerRefusal.message(echoed, sent: vault) == ServerRefusal.withheld, "\(echoed)")
            let detail = ServerRefusal.detail(status: 400, code: nil, message: echoed, sent: vault)
            #expect(detail.contains("HTTP 400") && !detail.contains("CANARY"), "\(detail)")
        }
        let azure = request(body: "client_id=c&client_secret=CANARY%2BSECRET%2F7f3a9&grant_type=client_credentials",
                            contentType: "application/x-www-form-urlencoded")
        #expect(ServerRefusal.message("secret CANARY+SECRET/7f3a9 is wrong", sent: azure) == ServerRefusal.withheld)
        let gcp = request(body: #"{"payload": {"data": "\#(Data("CANARY-VALUE-7f3a9".utf8).base64EncodedString())"}}"#,
                          contentType: "application/json")
        #expect(ServerRefusal.message("cannot store CANARY-VALUE-7f3a9", sent: gcp) == ServerRefusal.withheld)
        #expect(ServerRefusal.code("CANARY-VALUE-7f3a9", sent: gcp) == nil)
        // An error's remoteCode follows the same rule: an echoed code gives way to the HTTP status.
        #expect(ServerRefusal.remoteCode(status: 400, code: "CANARY-VALUE-7f3a9", sent: gcp) == "400")
        #expect(ServerRefusal.remoteCode(status: 404, code: "NOT_FOUND", sent: gcp) == "NOT_FOUND")
        #expect(ServerRefusal.remoteCode(status: nil, code: "Bad Code With Spaces", sent: nil) == nil)
        let bearer = request(headers: [("Authorization", "Bearer ya29.CANARYGCPTOKEN")])
        #expect(ServerRefusal.message("token ya29.CANARYGCPTOKEN expired", sent: bearer) == ServerRefusal.withheld)
    }

    @Test func awsSignaturesHideTheKeyButNotTheServiceWords() {
        let aws = request(headers: [("Authorization", "AWS4-HMAC-SHA256 Credential=AKIACANARY7F3A9/20261205/us-east-1/secretsmanager/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=f0e1d2c3b4a5968778695a4b3c2d1e0f"),
                                    ("X-Amz-Security-Token", "CANARY-SESSION-7f3a9"), ("X-Amz-Target", "secretsmanager.ListSecrets")])
        let denied = "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: secretsmanager:ListSecrets in us-east-1"
        #expect(ServerRefusal.message(denied, sent: aws) == denied)
        #expect(ServerRefusal.message("The key AKIACANARY7F3A9 is unknown", sent: aws) == ServerRefusal.withheld)
        #expect(ServerRefusal.message("signature f0e1d2c3b4a59687", sent: aws) == ServerRefusal.withheld)
        #expect(ServerRefusal.message("token CANARY-SESSION-7f3a9", sent: aws) == ServerRefusal.withheld)
        #expect(ServerRefusal.code("ValidationException", sent: aws) == "ValidationException")
    }

    /// A credential that straddles the cut is withheld too (its first bytes would show otherwise).
    @Test func aCredentialAtTheCutIsWithheld() {
        let vault = request(headers: [("X-Vault-Token", "hvs.CANARYTOKEN7f3a9")])
        let message = String(repeating: "x", count: ServerRefusal.maxMessage - 6) + " hvs.CANARYTOKEN7f3a9 (check the policies)"
        #expect(ServerRefusal.message(message, sent: vault) == ServerRefusal.withheld)
    }

    @Test func relayedMessagesAreShortOneLineAndCodesPlain() {
        let long = String(repeating: "x", count: 500)
        #expect(ServerRefusal.message(long, sent: nil) == String(repeating: "x", count: ServerRefusal.maxMessage) + "…")
        #expect(ServerRefusal.message("line one\n\u{1B}[2Jline two.", sent: nil) == #"line one\n\e[2Jline two"#)
        #expect(ServerRefusal.code("Bad Code With Spaces", sent: nil) == nil)
        #expect(ServerRefusal.code(String(repeating: "A", count: 100), sent: nil) == nil)
        #expect(ServerRefusal.detail(status: 404, code: "NOT_FOUND", message: "Secret [x] not found.", sent: nil)
            == " (HTTP 404 NOT_FOUND): Secret [x] not found")
        #expect(ServerRefusal.detail(status: 500, code: nil, message: nil, sent: nil) == " (HTTP 500)")
    }
}

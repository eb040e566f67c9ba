import FerryCore
import FerryTesting
import Foundation
import Testing

// The reproductions of the 2026-12 security review (D5, D7, D10, D13, D15) and the newcomer
// review's command-line points (7, 8, 21, 22), run against the built binary.

private let canary = "CANARY-7f3a9"

/// A `ferry` process that the test drives while it runs: stdin a pipe, stdout a file, stderr read as it comes.
private final class RunningFerry {
    let process: Process
    let input = Pipe()
    let errors = Pipe()
    let outputFile: String
    private(set) var stderr = Data()

    init(_ ferry: Ferry, _ arguments: [String]) throws {
        outputFile = ferry.home.file("stdout-\(UUID().uuidString.prefix(8))")
        _ = FileManager.default.createFile(atPath: outputFile, contents: nil)
        process = ferry.process(arguments)
        process.standardInput = input
        process.standardOutput = FileHandle(forWritingAtPath: outputFile)
        process.standardError = errors
        try process.run()
    }

    /// Reads stderr until `text` appears `occurrences` times (true), or the process closes it or
    /// `limit` seconds pass (false; a safety net, so a changed message fails instead of hanging).
    func waitForStderr(_ text: String, occurrences: Int = 1, limit: TimeInterval = 120) -> Bool {
        let deadline = Date().addingTimeInterval(limit)
        while String(decoding: stderr, as: UTF8.self).components(separatedBy: text).count - 1 < occurrences {
            var ready = pollfd(fd: errors.fileHandleForReading.fileDescriptor, events: Int16(POLLIN), revents: 0)
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else {
                Issue.record("`\(text)` did not show on stderr within \(Int(limit)) s")
                return false
            }
            if poll(&ready, 1, Int32(min(remaining, 1) * 1000)) <= 0 { continue }
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { return false }
            stderr.append(chunk)
        }
        return true
    }

    /// Waits for the end (a safety net kills a process that outlives `limit` seconds and records it).
    func finish(limit: TimeInterval = 120) -> (stdout: String, stderr: String) {
        let deadline = Date().addingTimeInterval(limit)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            Issue.record("ferry still runs \(Int(limit)) s after the signal (the review saw it spin): killing it")
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        stderr.append(errors.fileHandleForReading.readDataToEndOfFile())
        let stdout = (try? String(contentsOfFile: outputFile, encoding: .utf8)) ?? ""
        return (stdout, String(decoding: stderr, as: UTF8.self))
    }
}

/// A `python3` HTTP server on a free loopback port that refuses every request with HTTP 400 in
/// the service's error shape, its message echoing the request's headers and body (as an
/// emulator or proxy might). Azure's vault answers requests without a token with its 401 challenge.
private final class EchoServer {
    private let server: ScriptServer
    var port: Int { server.port }

    init(_ directory: TemporaryDirectory, flavor: String, certificate: (cert: String, key: String)? = nil) throws {
        let script = directory.file("echo_server.py")
        try Self.script.write(toFile: script, atomically: true, encoding: .utf8)
        server = try ScriptServer(script: script, arguments: [flavor] + (certificate.map { [$0.cert, $0.key] } ?? []))
    }

    var url: String { "http://127.0.0.1:\(port)" }

    func stop() { server.stop() }

    static let script = #"""
    import json, ssl, sys
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    flavor = sys.argv[1]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        def log_message(self, *args): pass
        def answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
            echo = "You sent " + " ".join("%s: %s" % (k, v) for k, v in self.headers.items()) + " and " + body
            status, extra = 400, {}
            if flavor == "zenml" and self.path.startswith("/api/v1/info"):
                status, document = 200, {"version": "0.60.0"}
            elif flavor == "zenml":
                document = {"detail": echo}
            elif "/token" in self.path or "/oauth2/" in self.path:
                document = {"error": "invalid_request", "error_description": echo}
            elif flavor == "aws-write" and self.headers.get("X-Amz-Target", "").endswith(("ListSecrets", "BatchGetSecretValue")):
                status, document = 200, {"SecretList": [], "SecretValues": [], "Errors": []}
            elif flavor == "aws-write" and not self.headers.get("X-Amz-Target", "").endswith(("CreateSecret", "PutSecretValue")):
                document = {"__type": "ResourceNotFoundException", "message": "Secrets Manager can't find the specified secret."}
            elif flavor.startswith("aws"):
                document = {"__type": "ValidationException", "message": echo}
            elif flavor == "vault":
                document = {"errors": [echo]}
            elif flavor == "gcp":
                document = {"error": {"code": 400, "status": "INVALID_ARGUMENT", "message": echo}}
            else:
                document = {"error": {"code": "BadParameter", "message": echo}}
                if "Authorization" not in self.headers:
                    status = 401
                    host = "http://127.0.0.1:%d" % self.server.server_address[1]
                    extra = {"WWW-Authenticate": 'Bearer authorization="%s/tenant-1", resource="https://vault.azure.net"' % host}
            data = json.dumps(document).encode()
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_LIST = answer

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if len(sys.argv) > 3:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[2], sys.argv[3])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    server.serve_forever()
    """#
}

/// A legacy `secrets.yaml` with one secret per name, each value holding the canary.
private func secretsFile(_ names: [String], in directory: TemporaryDirectory) throws -> String {
    var text = ""
    let value = Data("\(canary)-value".utf8).base64EncodedString()
    for name in names {
        let quoted = "\"" + name.unicodeScalars.map { scalar -> String in
            switch scalar {
            case "\"": return "\\\""
            case "\\": return "\\\\"
            default: return scalar.value < 0x20 || scalar.value == 0x7F ? String(format: "\\x%02x", scalar.value) : String(scalar)
            }
        }.joined() + "\""
        text += "\(quoted):\n  password: \(value)\n  zenml_schema_name: arbitrary\n"
    }
    let path = directory.file("secrets.yaml")
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

@Suite(.serialized) struct AttackCLITests {
    // MARK: D5

    @Test func databasePasswordsNeverAppearInErrors() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let config = ferry.home.file("cfg")
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        try "store:\n  type: sql\n  url: mysql://zenml:S3cretPassw0rd@db.internal:3306/zenml?ssl_key=/k.pem&password=S3cretPassw0rd\nversion: 0.52.0\n"
            .write(toFile: config + "/config.yaml", atomically: true, encoding: .utf8)
        for arguments in [["stack", "list", "--config-dir", config], ["stack", "resolve", "--config-dir", config],
                          ["secrets-manager", "list", "--config-dir", config]]
        {
            let result = try ferry.run(arguments)
            #expect(result.status != 0, "\(arguments)")
            #expect(!result.stderr.contains("S3cretPassw0rd") && !result.stdout.contains("S3cretPassw0rd"), "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("mysql://zenml:***@db.internal:3306/zenml"), "\(arguments): \(result.stderr)")
        }
        var environment = ferry
        environment.environment["ZENML_STORE_URL"] = "postgresql://zenml:Env5ecret@db.env/zenml"
        var result = try environment("stack", "list", "--config-dir", config)
        #expect(!result.stderr.contains("Env5ecret") && result.stderr.contains("db.env"), "\(result.stderr)")

        result = try ferry("secret", "list", "--store", "postgresql://u:S3cret@127.0.0.1/x")
        #expect(result.status != 0 && !result.stderr.contains("S3cret") && result.stderr.contains("127.0.0.1"), "\(result.stderr)")
        environment = ferry
        environment.environment["FERRY_STORE"] = "mysql://u:F3rryStore@store.host/x"
        result = try environment("secret", "list")
        #expect(result.status != 0 && !result.stderr.contains("F3rryStore") && result.stderr.contains("store.host"), "\(result.stderr)")
    }

    // MARK: D7

    @Test func migrateAbortedBySIGABRTEndsWithTheSignal() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let file = try secretsFile((0..<4000).map { "secret-\($0)" }, in: ferry.home)
        let run = try RunningFerry(ferry, ["secrets-manager", "secret", "migrate", "--secrets-file", file, "--yes", "--jobs", "1"])
        // The first progress line comes once writing has begun; kill it there, well before the end.
        guard run.waitForStderr("Migrating: "), run.process.isRunning else {
            Issue.record("the migration ended before it could be signalled: \(run.finish().stderr)")
            return
        }
        kill(run.process.processIdentifier, SIGABRT)
        let (stdout, stderr) = run.finish()
        #expect(run.process.terminationReason == .uncaughtSignal)
        #expect(run.process.terminationStatus == SIGABRT)
        #expect(!stdout.contains("Done:"), "the run carried on after SIGABRT")
        #expect(stderr.contains("ferry: crashed (signal \(SIGABRT))"))
        #expect(!stderr.contains("Program crashed") && !stderr.contains(canary))
        #expect(!FileManager.default.fileExists(atPath: ferry.home.file("core")))
    }

    @Test func interactiveCreateDiesOnSIGSEGV() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let run = try RunningFerry(ferry, ["secret", "create", "t", "-i"])
        #expect(run.waitForStderr("Please enter a secret key"))
        run.input.fileHandleForWriting.write(Data("password\n\(canary)\n".utf8))
        // The prompt for the next key shows that the value was read and is in memory.
        #expect(run.waitForStderr("Please enter a secret key", occurrences: 2))
        kill(run.process.processIdentifier, SIGSEGV)
        let (_, stderr) = run.finish()
        try? run.input.fileHandleForWriting.close()
        #expect(run.process.terminationReason == .uncaughtSignal)
        #expect(run.process.terminationStatus == SIGSEGV)
        #expect(stderr.contains("ferry: crashed (signal \(SIGSEGV))"))
        #expect(!stderr.contains(canary) && !stderr.contains("Program crashed") && !stderr.contains("Registers"))
    }

    // MARK: D10 and newcomer 22

    @Test func controlCharactersInNamesAreEscapedInTables() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let name = "\u{1B}[2J\u{1B}[1;31mFAKE\u{1B}[0m\nrow2\u{202E}txt"
        let file = try secretsFile([name], in: ferry.home)
        var result = try ferry("secrets-manager", "secret", "list", "--secrets-file", file)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.utf8.contains(0x1B) && !result.stdout.contains("\u{202E}"))
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.isEmpty }
        #expect(lines.count == 3, "one header, one rule, one row: \(lines)")
        #expect(result.stdout.contains(#"\e[2J\e[1;31mFAKE\e[0m\nrow2\u{202e}txt"#))

        result = try ferry("secrets-manager", "secret", "migrate", "--secrets-file", file, "--yes")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.utf8.contains(0x1B) && !result.stdout.contains("\u{202E}"))
        #expect(result.stdout.split(separator: "\n").allSatisfy { !$0.hasSuffix(" ") }, "no row ends in spaces")
        #expect(result.stdout.split(separator: "\n").filter { $0.contains("FAKE") }.count == 1)

        result = try ferry("secret", "list")
        #expect(!result.stdout.utf8.contains(0x1B) && result.stdout.split(separator: "\n").allSatisfy { !$0.hasSuffix(" ") })
        result = try ferry("secret", "get", name, "--show-secrets")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.utf8.contains(0x1B) && !result.stdout.contains("\u{202E}"))

        // An error naming a secret stays on one line.
        result = try ferry("secret", "get", "no\nError: such\u{1B}[2J")
        #expect(result.status == 1 && result.stderr.split(separator: "\n").count == 1 && !result.stderr.utf8.contains(0x1B), "\(result.stderr)")

        // Log lines (FERRY_LOG_LEVEL) name the secret escaped too.
        var logging = ferry
        logging.environment["FERRY_LOG_LEVEL"] = "debug"
        result = try logging("secret", "create", "log\u{1B}[2Jname", "--k=v")
        #expect(result.status == 0 && result.stderr.contains(#"log\e[2Jname"#) && !result.stderr.utf8.contains(0x1B), "\(result.stderr)")

        // A value with controls is escaped in a table, and kept exact in JSON and env output.
        result = try ferry("secret", "create", "v", "--k=a\u{1B}[31mb")
        #expect(result.status == 0, "\(result.stderr)")
        result = try ferry("secret", "get", "v", "--show-secrets")
        #expect(result.stdout.contains(#"a\e[31mb"#) && !result.stdout.utf8.contains(0x1B))
        result = try ferry("secret", "get", "v", "--show-secrets", "-o", "json")
        #expect(result.stdout.contains(#"a\u001b[31mb"#))
        result = try ferry("secret", "get", "v", "--show-secrets", "-o", "env")
        #expect(result.stdout.contains("k='a\u{1B}[31mb'"))
    }

    // MARK: D13

    @Test(arguments: ["vault", "aws", "aws-write", "gcp", "azure", "zenml"])
    func serverErrorsNeverRelayCredentials(_ flavor: String) throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let server = try EchoServer(ferry.home, flavor: flavor)
        defer { server.stop() }
        let id = "5b0e6c1d-2f3a-4b8c-9d7e-1a2b3c4d5e6f"
        var runs: [(environment: [String: String], arguments: [String])] = []
        let common = ["--flavor", flavor == "aws-write" ? "aws" : flavor, "--secrets-manager", id, "--endpoint-url", server.url]
        switch flavor {
        case "vault":
            runs.append((["VAULT_TOKEN": "CANARY-VAULTTOKEN-7f3a9"], ["secrets-manager", "secret", "list"] + common))
        case "aws":
            let credentials = ["AWS_ACCESS_KEY_ID": "CANARYAKID7F3A9", "AWS_SECRET_ACCESS_KEY": "CANARY-SECRETKEY-7f3a9",
                               "AWS_SESSION_TOKEN": "CANARY-SESSIONTOKEN-7f3a9", "AWS_REGION": "us-east-1"]
            runs.append((credentials, ["secrets-manager", "secret", "list"] + common + ["--region", "us-east-1"]))
        case "aws-write":
            // Reads find nothing; the write of the value is refused with an echo of its body.
            let credentials = ["AWS_ACCESS_KEY_ID": "CANARYAKID7F3A9", "AWS_SECRET_ACCESS_KEY": "CANARY-SECRETKEY-7f3a9", "AWS_REGION": "us-east-1"]
            runs.append((credentials, ["secrets-manager", "secret", "register", "db", "--password=CANARY-VALUE-7f3a9"] + common
                            + ["--region", "us-east-1"]))
        case "gcp":
            runs.append((["CLOUDSDK_AUTH_ACCESS_TOKEN": "CANARY-GCPTOKEN-7f3a9"],
                         ["secrets-manager", "secret", "list"] + common + ["--project-id", "p"]))
        case "zenml":
            // migrate --store http://…: the login form carries the password.
            let file = try secretsFile(["db"], in: ferry.home)
            runs.append((["ZENML_STORE_USERNAME": "ci", "ZENML_STORE_PASSWORD": "CANARY-PASSWORD-7f3a9"],
                         ["secrets-manager", "secret", "migrate", "--secrets-file", file, "--yes", "--store", server.url]))
        default:
            runs.append((["AZURE_ACCESS_TOKEN": "CANARY-AZURETOKEN-7f3a9"],
                         ["secrets-manager", "secret", "list"] + common + ["--key-vault-name", "v"]))
            runs.append((["AZURE_CLIENT_ID": "client", "AZURE_TENANT_ID": "tenant-1", "AZURE_CLIENT_SECRET": "CANARY-CLIENTSECRET-7f3a9",
                          "AZURE_AUTHORITY_HOST": server.url],
                         ["secrets-manager", "secret", "list"] + common + ["--key-vault-name", "v"]))
        }
        for run in runs {
            var client = ferry
            client.environment.merge(run.environment) { _, new in new }
            let result = try client.run(run.arguments)
            // Every refusal exits 1, except a 400 from Key Vault or a ZenML server (a bad parameter: 64).
            let bad = (flavor == "azure" && run.environment["AZURE_CLIENT_SECRET"] == nil) || flavor == "zenml"
            #expect(result.status == (bad ? 64 : 1), "\(run.arguments): \(result.stderr)")
            #expect(!result.stderr.contains("CANARY") && !result.stdout.contains("CANARY"), "\(run.arguments): \(result.stderr)")
            #expect(result.stderr.contains("HTTP 400"), "\(run.arguments): \(result.stderr)")
        }
    }

    // MARK: D15

    @Test func untrustedCertificatesNameTheClientsOwnCAVariable() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let directory = ferry.home
        let made = try ProcessRunner.run("/usr/bin/env", ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                                                         "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "2", "-subj", "/CN=127.0.0.1",
                                                         "-addext", "subjectAltName=IP:127.0.0.1"], directory: directory.path)
        try #require(made.status == 0, "\(made.stderr)")
        let server = try EchoServer(directory, flavor: "aws", certificate: (directory.file("cert.pem"), directory.file("key.pem")))
        defer { server.stop() }
        let endpoint = "https://127.0.0.1:\(server.port)"
        let id = "5b0e6c1d-2f3a-4b8c-9d7e-1a2b3c4d5e6f"
        var aws = ferry
        aws.environment.merge(["AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "x", "AWS_REGION": "us-east-1"]) { _, new in new }
        var result = try aws("secrets-manager", "secret", "list", "--flavor", "aws", "--secrets-manager", id, "--endpoint-url", endpoint)
        #expect(result.stderr.contains("not trusted") && result.stderr.contains("SSL_CERT_FILE") && !result.stderr.contains("VAULT_CACERT"),
                "\(result.stderr)")
        var gcp = ferry
        gcp.environment["CLOUDSDK_AUTH_ACCESS_TOKEN"] = "token"
        result = try gcp("secrets-manager", "secret", "list", "--flavor", "gcp", "--secrets-manager", id, "--endpoint-url", endpoint,
                         "--project-id", "p")
        #expect(result.stderr.contains("not trusted") && !result.stderr.contains("VAULT_CACERT"), "\(result.stderr)")
        var vault = ferry
        vault.environment["VAULT_TOKEN"] = "token"
        result = try vault("secrets-manager", "secret", "list", "--flavor", "vault", "--secrets-manager", id, "--endpoint-url", endpoint)
        #expect(result.stderr.contains("not trusted") && result.stderr.contains("VAULT_CACERT"), "\(result.stderr)")
    }

    @Test func configStoreThatIsNotAMappingIsAnError() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let config = ferry.home.file("cfg")
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        try "store: sqlite\nversion: 0.52.0\n".write(toFile: config + "/config.yaml", atomically: true, encoding: .utf8)
        let result = try ferry("stack", "list", "--config-dir", config)
        #expect(result.status == 1)
        #expect(result.stderr.contains("`store`") && result.stderr.contains(config + "/config.yaml"), "\(result.stderr)")
    }

    // MARK: Newcomer 7, 8, 21

    @Test func globalOptionsBeforeTheSubcommand() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        let store = ferry.home.file("other.db")
        #expect(try ferry("--store", store, "secret", "create", "a", "--k=\(canary)").status == 0)
        var result = try ferry("--store", store, "secret", "get", "a")
        #expect(result.status == 0 && result.stdout.contains("`a`"), "\(result.stderr)")
        #expect(try ferry("secret", "get", "a").status == 1, "the default store does not have it")
        result = try ferry("--store=\(store)", "-o", "json", "--show-secrets", "secret", "get", "a")
        #expect(result.status == 0 && result.stdout.contains("\"k\": \"\(canary)\""), "\(result.stderr)")
        result = try ferry("--config-dir", ferry.home.file("zenml"), "--output=yaml", "--store", store, "secret", "list")
        #expect(result.status == 0 && result.stdout.contains("name: a"), "\(result.stderr)")
        result = try ferry("secret", "--store", store, "list", "-o", "json")
        #expect(result.status == 0 && result.stdout.contains("\"name\": \"a\""), "\(result.stderr)")
        // An option that is not global is still refused, with the parser's usual message.
        #expect(try ferry("--yes", "secret", "list").status == 64)
        result = try ferry("--store", store)
        #expect(result.status == 64 && result.stderr.contains("`--store` goes with a command"), "\(result.stderr)")
    }

    @Test func mistypedSubcommandsGetASuggestion() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        var result = try ferry("secrte", "list")
        #expect(result.status == 64)
        #expect(result.stderr.contains("Unknown command 'secrte'. Did you mean 'secret'?"), "\(result.stderr)")
        result = try ferry("secret", "lst")
        #expect(result.status == 64 && result.stderr.contains("Did you mean 'list'?"), "\(result.stderr)")
        result = try ferry("secrets-manager", "secret", "migarte")
        #expect(result.status == 64 && result.stderr.contains("Did you mean 'migrate'?"), "\(result.stderr)")
        result = try ferry("zzz")
        #expect(result.status == 64 && result.stderr.contains("Unknown command 'zzz'") && result.stderr.contains("secrets-manager"))
        #expect(try ferry("help", "secret").status == 0)
    }

    @Test func helpNamesFerryHome() throws {
        let ferry = try Ferry()
        defer { ferry.home.remove() }
        #expect(try ferry("--help").stdout.contains("FERRY_HOME"))
        #expect(try ferry("secret", "list", "--help").stdout.contains("FERRY_HOME"))
    }
}

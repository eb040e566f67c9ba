import FerryCore
import FerryTesting
import Foundation
import Testing

/// The leak scan of issue 13: every command, in every output format, on its success and error
/// paths, with trace logging on, while secret values, tokens, passwords and keys are canaries.
/// A canary in stdout or stderr (unless `--show-secrets` asked for that value), or in any file
/// Ferry leaves behind other than the ones meant to hold values, fails the test.
@Suite(.serialized) struct CanaryScanTests {
    static let value = "CANARY-v4lu3-7f3a9"
    static let updated = "CANARY-upd4t3d-7f3a9"
    static let legacyValue = "CANARY-l3g4cy-7f3a9"
    static let token = "CANARY-t0k3n-7f3a9"
    static let password = "CANARY-p4ss-7f3a9"
    static let key = "CANARY-k3y-7f3a9"
    static let cloudSecret = "CANARY-s3cr3t-7f3a9"
    static let all = [value, updated, legacyValue, token, password, key, cloudSecret]

    /// A canary as text may hold it: as it is, and base64-encoded at each of the three byte
    /// alignments (the characters that depend on the canary's bytes alone).
    static func forms(of canary: String) -> [String] {
        var forms = [canary]
        for offset in 0..<3 {
            let encoded = Array((Data(repeating: 0, count: offset) + Data(canary.utf8)).base64EncodedString())
            let start = (offset * 4 + 2) / 3
            let end = (offset + canary.utf8.count) * 4 / 3
            forms.append(String(encoded[start..<end]))
        }
        return forms
    }

    /// A 127.0.0.1 port that nothing listens on (bound, then closed).
    static func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(bound)
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Runs one command, checks its exit status and that no canary but `shows` is in its output.
    @discardableResult
    func scan(_ ferry: Ferry, _ arguments: [String], stdin: String? = nil, shows: String? = nil, status: Int32,
              sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessResult
    {
        let result = try ferry.run(arguments, stdin: stdin)
        #expect(result.status == status, "\(arguments) exited \(result.status): \(result.stderr)", sourceLocation: sourceLocation)
        for canary in Self.all where canary != shows {
            #expect(!result.stdout.contains(canary), "stdout of \(arguments) holds \(canary)", sourceLocation: sourceLocation)
            #expect(!result.stderr.contains(canary), "stderr of \(arguments) holds \(canary)", sourceLocation: sourceLocation)
        }
        if let shows {
            // The scan can see a canary: the one that was asked for is there.
            #expect(result.stdout.contains(shows), "\(arguments) did not show the value", sourceLocation: sourceLocation)
        }
        return result
    }

    @Test func noCanaryLeavesThroughOutputErrorsLogsOrFiles() throws {
        let closed = try Self.closedPort()
        var ferry = try Ferry([
            "FERRY_LOG_LEVEL": "trace",
            "FERRY_SECRETS_STORE_ENCRYPTION_KEY": Self.key,
            "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY": Self.cloudSecret, "AWS_SESSION_TOKEN": Self.token,
            "AWS_EC2_METADATA_DISABLED": "true",
            "VAULT_TOKEN": Self.token, "CLOUDSDK_AUTH_ACCESS_TOKEN": Self.token,
            "AZURE_TENANT_ID": "00000000-0000-0000-0000-000000000001", "AZURE_CLIENT_ID": "00000000-0000-0000-0000-000000000002",
            "AZURE_CLIENT_SECRET": Self.cloudSecret, "AZURE_AUTHORITY_HOST": "http://127.0.0.1:\(closed)",
            "ZENML_STORE_USERNAME": "default", "ZENML_STORE_PASSWORD": Self.password,
        ])
        defer { ferry.home.remove() }
        let home = ferry.home
        try "{\"password\": \"\(Self.value)\", \"user\": \"admin\"}".write(toFile: home.file("values.json"), atomically: true, encoding: .utf8)
        try Self.legacyValue.write(toFile: home.file("legacy.txt"), atomically: true, encoding: .utf8)
        let manager = UUID().uuidString.lowercased()
        let local = ["--secrets-manager", manager]

        // The centralized store, every format.
        try scan(ferry, ["secret", "create", "db", "--values", "-"], stdin: "{\"password\": \"\(Self.value)\", \"user\": \"admin\"}", status: 0)
        try scan(ferry, ["secret", "create", "db2", "--values", "@values.json", "-o", "json"], status: 0)
        for format in ["table", "json", "yaml", "env"] {
            try scan(ferry, ["secret", "get", "db", "-o", format], status: format == "env" ? 64 : 0)
            try scan(ferry, ["secret", "list", "-c", "id,name,values", "-o", format], status: 0)
        }
        try scan(ferry, ["secret", "get", "db", "--show-secrets"], shows: Self.value, status: 0)
        try scan(ferry, ["secret", "get", "db", "-o", "env", "--show-secrets"], shows: Self.value, status: 0)
        try scan(ferry, ["secret", "update", "db", "--values", "-", "-o", "yaml"], stdin: "password: \(Self.updated)\n", status: 0)
        try scan(ferry, ["secret", "rename", "db2", "--new-name", "db3"], status: 0)
        try scan(ferry, ["secret", "export", "db", "-f", "exported.yaml"], status: 0)
        try scan(ferry, ["secret", "export", "db", "-f", "exported.yaml"], status: 1)   // refused: exists
        try scan(ferry, ["secret", "get", "nope"], status: 1)
        try scan(ferry, ["secret", "create", "db", "--values", "@values.json"], status: 1)   // exists
        try scan(ferry, ["secret", "create", "bad", "--pass-word=\(Self.value)"], status: 64)   // a usage error quoting argv
        try scan(ferry, ["secret", "create", "bad", Self.value], status: 64)
        try scan(ferry, ["secret", "delete", "db3", "-y"], status: 0)

        // A wrong key: the error names neither key.
        var wrongKey = ferry
        wrongKey.environment["FERRY_SECRETS_STORE_ENCRYPTION_KEY"] = Self.password
        try scan(wrongKey, ["secret", "get", "db"], status: 1)
        try scan(wrongKey, ["secret", "list", "-c", "values"], status: 1)

        // A legacy local secrets manager, every command and format.
        try scan(ferry, ["secrets-manager", "secret", "register", "legacy", "--password=@legacy.txt", "--user=admin"] + local, status: 0)
        for format in ["table", "json", "yaml", "env"] {
            try scan(ferry, ["secrets-manager", "secret", "get", "legacy", "-o", format] + local, status: format == "env" ? 64 : 0)
            try scan(ferry, ["secrets-manager", "secret", "list", "-o", format] + local, status: 0)
        }
        try scan(ferry, ["secrets-manager", "secret", "get", "legacy", "--show-secrets"] + local, shows: Self.legacyValue, status: 0)
        try scan(ferry, ["secrets-manager", "secret", "update", "legacy", "--user=root"] + local, status: 0)
        for format in ["table", "json", "yaml"] {
            try scan(ferry, ["secrets-manager", "secret", "migrate", "--dry-run", "-o", format] + local, status: 0)
        }
        try scan(ferry, ["secrets-manager", "secret", "migrate", "--yes", "--error-file", "errors.jsonl", "--show-secrets"] + local, status: 0)
        try scan(ferry, ["secrets-manager", "secret", "migrate", "--yes", "-o", "json"] + local, status: 0)

        // Error paths that hold credentials: unreachable back-ends, a ZenML server, database URLs.
        let endpoint = "http://127.0.0.1:\(closed)"
        try scan(ferry, ["secrets-manager", "secret", "migrate", "--yes", "--store", endpoint] + local, status: 1)
        try scan(ferry, ["secrets-manager", "secret", "list", "--flavor", "vault", "--endpoint-url", endpoint] + local, status: 1)
        try scan(ferry, ["secrets-manager", "secret", "list", "--flavor", "aws", "--region", "us-east-1", "--endpoint-url", endpoint] + local, status: 1)
        try scan(ferry, ["secrets-manager", "secret", "list", "--flavor", "gcp", "--project-id", "p", "--endpoint-url", endpoint] + local, status: 1)
        try scan(ferry, ["secrets-manager", "secret", "list", "--flavor", "azure", "--key-vault-name", "v", "--endpoint-url", endpoint] + local, status: 1)
        try scan(ferry, ["secret", "list", "--store", "mysql://zenml:\(Self.password)@127.0.0.1:\(closed)/zenml"], status: 1)
        try scan(ferry, ["secret", "list", "--store", "postgresql://u:\(Self.password)@127.0.0.1/x"], status: 1)
        let config = home.file("mysql-config")
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        try "store:\n  type: sql\n  url: mysql://zenml:\(Self.password)@127.0.0.1:\(closed)/zenml\nversion: 0.52.0\n"
            .write(toFile: config + "/config.yaml", atomically: true, encoding: .utf8)
        for command in [["stack", "list"], ["stack", "describe"], ["stack", "resolve"], ["secrets-manager", "list"],
                        ["secrets-manager", "secret", "list"], ["secrets-manager", "secret", "migrate", "--dry-run"]]
        {
            try scan(ferry, command + ["--config-dir", config], status: 1)
        }
        // A store configuration whose key is in the file, with a field Ferry refuses.
        try "secrets_store:\n  type: sql\n  encryption_key: \(Self.password)\n  bogus: \(Self.token)\n"
            .write(toFile: home.file("store.yaml"), atomically: true, encoding: .utf8)
        try scan(ferry, ["secret", "list", "--store-config", home.file("store.yaml")], status: 1)
        try scan(ferry, ["secret", "create", "x", "--k=v", "--store-config", home.file("store.yaml")], status: 1)

        // Files left behind: only those meant to hold values may hold a canary.
        let allowed: Set<String> = ["values.json", "legacy.txt", "exported.yaml", "store.yaml", "mysql-config/config.yaml",
                                    "zenml/local_stores/\(manager)/secrets.yaml"]
        let walker = FileManager.default.enumerator(atPath: home.path)
        var scanned = 0
        while let relative = walker?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: home.file(relative), isDirectory: &isDirectory), !isDirectory.boolValue,
                  !allowed.contains(relative), let data = FileManager.default.contents(atPath: home.file(relative))
            else { continue }
            scanned += 1
            let text = String(decoding: data, as: UTF8.self)
            for canary in Self.all {
                for form in Self.forms(of: canary) {
                    #expect(!text.contains(form), "\(relative) holds \(canary) (as \(form))")
                }
            }
        }
        // The store and the error file were there to be scanned.
        #expect(scanned >= 2)
        #expect(try String(contentsOfFile: home.file("exported.yaml"), encoding: .utf8).contains(Self.updated))
    }
}

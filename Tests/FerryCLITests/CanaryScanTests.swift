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

    /// Runs one command and checks its output; `shows` is the canary `--show-secrets` must reveal.
    @discardableResult
    func scan(_ ferry: Ferry, _ arguments: [String], stdin: String? = nil, shows: String? = nil,
              sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessResult
    {
        let result = try ferry.run(arguments, stdin: stdin)
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
        try scan(ferry, ["secret", "create", "db", "--values", "-"], stdin: "{\"password\": \"\(Self.value)\", \"user\": \"admin\"}")
        try scan(ferry, ["secret", "create", "db2", "--values", "@values.json", "-o", "json"])
        for format in ["table", "json", "yaml", "env"] {
            try scan(ferry, ["secret", "get", "db", "-o", format])
            try scan(ferry, ["secret", "list", "-c", "id,name,values", "-o", format])
        }
        try scan(ferry, ["secret", "get", "db", "--show-secrets"], shows: Self.value)
        try scan(ferry, ["secret", "get", "db", "-o", "env", "--show-secrets"], shows: Self.value)
        try scan(ferry, ["secret", "update", "db", "--values", "-", "-o", "yaml"], stdin: "password: \(Self.updated)\n")
        try scan(ferry, ["secret", "rename", "db2", "--new-name", "db3"])
        try scan(ferry, ["secret", "export", "db", "-f", "exported.yaml"])
        try scan(ferry, ["secret", "export", "db", "-f", "exported.yaml"])   // refused: exists
        try scan(ferry, ["secret", "get", "nope"])
        try scan(ferry, ["secret", "create", "db", "--values", "@values.json"])   // exists
        try scan(ferry, ["secret", "create", "bad", "--pass-word=\(Self.value)"])   // a usage error quoting argv
        try scan(ferry, ["secret", "create", "bad", Self.value])
        try scan(ferry, ["secret", "delete", "db3", "-y"])

        // A wrong key: the error names neither key.
        var wrongKey = ferry
        wrongKey.environment["FERRY_SECRETS_STORE_ENCRYPTION_KEY"] = Self.password
        try scan(wrongKey, ["secret", "get", "db"])
        try scan(wrongKey, ["secret", "list", "-c", "values"])

        // A legacy local secrets manager, every command and format.
        try scan(ferry, ["secrets-manager", "secret", "register", "legacy", "--password=@legacy.txt", "--user=admin"] + local)
        for format in ["table", "json", "yaml", "env"] {
            try scan(ferry, ["secrets-manager", "secret", "get", "legacy", "-o", format] + local)
            try scan(ferry, ["secrets-manager", "secret", "list", "-o", format] + local)
        }
        try scan(ferry, ["secrets-manager", "secret", "get", "legacy", "--show-secrets"] + local, shows: Self.legacyValue)
        try scan(ferry, ["secrets-manager", "secret", "update", "legacy", "--user=root"] + local)
        for format in ["table", "json", "yaml"] {
            try scan(ferry, ["secrets-manager", "secret", "migrate", "--dry-run", "-o", format] + local)
        }
        try scan(ferry, ["secrets-manager", "secret", "migrate", "--yes", "--error-file", "errors.jsonl", "--show-secrets"] + local)
        try scan(ferry, ["secrets-manager", "secret", "migrate", "--yes", "-o", "json"] + local)

        // Error paths that hold credentials: unreachable back-ends, a ZenML server, database URLs.
        let endpoint = "http://127.0.0.1:\(closed)"
        try scan(ferry, ["secrets-manager", "secret", "migrate", "--yes", "--store", endpoint] + local)
        try scan(ferry, ["secrets-manager", "secret", "list", "--flavor", "vault", "--endpoint-url", endpoint] + local)
        try scan(ferry, ["secrets-manager", "secret", "list", "--flavor", "aws", "--region", "us-east-1", "--endpoint-url", endpoint] + local)
        try scan(ferry, ["secrets-manager", "secret", "list", "--flavor", "gcp", "--project-id", "p", "--endpoint-url", endpoint] + local)
        try scan(ferry, ["secrets-manager", "secret", "list", "--flavor", "azure", "--key-vault-name", "v", "--endpoint-url", endpoint] + local)
        try scan(ferry, ["secret", "list", "--store", "mysql://zenml:\(Self.password)@127.0.0.1:\(closed)/zenml"])
        try scan(ferry, ["secret", "list", "--store", "postgresql://u:\(Self.password)@127.0.0.1/x"])
        let config = home.file("mysql-config")
        try FileManager.default.createDirectory(atPath: config, withIntermediateDirectories: true)
        try "store:\n  type: sql\n  url: mysql://zenml:\(Self.password)@127.0.0.1:\(closed)/zenml\nversion: 0.52.0\n"
            .write(toFile: config + "/config.yaml", atomically: true, encoding: .utf8)
        for command in [["stack", "list"], ["stack", "describe"], ["stack", "resolve"], ["secrets-manager", "list"],
                        ["secrets-manager", "secret", "list"], ["secrets-manager", "secret", "migrate", "--dry-run"]]
        {
            try scan(ferry, command + ["--config-dir", config])
        }
        // A store configuration whose key is in the file, with a field Ferry refuses.
        try "secrets_store:\n  type: sql\n  encryption_key: \(Self.password)\n  bogus: \(Self.token)\n"
            .write(toFile: home.file("store.yaml"), atomically: true, encoding: .utf8)
        try scan(ferry, ["secret", "list", "--store-config", home.file("store.yaml")])
        try scan(ferry, ["secret", "create", "x", "--k=v", "--store-config", home.file("store.yaml")])

        // Files left behind: only those meant to hold values may hold a canary.
        let allowed: Set<String> = ["values.json", "legacy.txt", "exported.yaml", "store.yaml", "mysql-config/config.yaml"]
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
                #expect(!text.contains(canary), "\(relative) holds \(canary)")
            }
        }
        // The store, the legacy secrets file and the error file were there to be scanned.
        #expect(scanned >= 3)
        #expect(try String(contentsOfFile: home.file("exported.yaml"), encoding: .utf8).contains(Self.updated))
    }
}

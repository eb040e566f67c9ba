import FerryCore
import FerryLegacy
import FerryTesting
import Foundation
import Testing

/// The fixtures written by real ZenML 0.52.0 (see LegacyFixtures/README.md).
enum Fixtures {
    static let root = Repository.fixtures(from: #filePath) + "/local/zenml-0.52.0"
    static let config = root + "/config"
    static let componentIDs = [
        "d231df1e-6a14-4d57-8bcf-0c82b0428f2a", "c634a458-2ceb-4b51-99c1-f8e9e14c9574", "4ddf55f9-73cc-4e35-8eae-24f7ba546ab1",
    ]

    /// expected.json: component id → secret name → (schema, values), as ZenML's get_secret returned them.
    static func expected() throws -> [String: [String: LegacySecret]] {
        let text = try String(contentsOfFile: root + "/expected.json", encoding: .utf8)
        guard case .object(let top) = try PythonJSON.parse(text),
            case .object(let components)? = top.first(where: { $0.key == "components" })?.value
        else { throw FerryError(.corruptData, "expected.json has no components") }
        var result: [String: [String: LegacySecret]] = [:]
        for (id, component) in components {
            guard case .object(let fields) = component, case .object(let secrets)? = fields.first(where: { $0.key == "secrets" })?.value
            else { continue }
            var byName: [String: LegacySecret] = [:]
            for (name, entry) in secrets {
                guard case .object(let parts) = entry,
                    case .string(let schema)? = parts.first(where: { $0.key == "schema" })?.value,
                    case .object(let values)? = parts.first(where: { $0.key == "values" })?.value
                else { continue }
                byName[name] = LegacySecret(name: name, schemaType: schema,
                                            values: SecretValues(values.map { ($0.key, $0.value.pythonString) }))
            }
            result[id] = byName
        }
        return result
    }

    static func manager(_ id: String, config: String = Fixtures.config) -> LocalSecretsManager {
        LocalSecretsManager(component: LegacyComponent(id: UUID(uuidString: id)!, name: id, flavor: "local"),
                            paths: ZenMLPaths(configDirectory: config))
    }

    /// A private copy of the fixture configuration directory.
    static func copy(into directory: TemporaryDirectory) throws -> String {
        let target = directory.file("config")
        try FileManager.default.copyItem(atPath: config, toPath: target)
        return target
    }
}

@Suite struct LocalFixtureTests {
    @Test func everyZenMLWrittenSecretReadsBackExactly() async throws {
        let expected = try Fixtures.expected()
        #expect(expected.count == 3)
        var total = 0
        for id in Fixtures.componentIDs {
            let manager = Fixtures.manager(id)
            let wanted = try #require(expected[id])
            let names = try await manager.secretNames()
            #expect(Set(names) == Set(wanted.keys))
            for name in names {
                let secret = try await manager.getSecret(named: name)
                #expect(secret == wanted[name], "secret `\(name)` of \(id)")
                total += 1
            }
        }
        #expect(total == 52)
    }

    @Test func discoveryFindsEveryComponentFolder() throws {
        let found = try LocalDiscovery.components(in: ZenMLPaths(configDirectory: Fixtures.config))
        #expect(found.map { $0.id.uuidString.lowercased() }.sorted() == Fixtures.componentIDs.sorted())
    }

    /// Ferry's writer reproduces ZenML's (PyYAML's) bytes: rewriting a fixture file after a
    /// register and a delete gives the original file back, byte for byte.
    @Test func rewritingAFixtureReproducesZenMLsBytes() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let config = try Fixtures.copy(into: directory)
        for id in Fixtures.componentIDs.prefix(2) {
            let manager = Fixtures.manager(id, config: config)
            let original = try Data(contentsOf: URL(fileURLWithPath: manager.secretsFile))
            try await manager.registerSecret(LegacySecret(name: "ferry_probe", values: ["k": "v"]))
            #expect(try Data(contentsOf: URL(fileURLWithPath: manager.secretsFile)) != original)
            try await manager.deleteSecret(named: "ferry_probe")
            let rewritten = try Data(contentsOf: URL(fileURLWithPath: manager.secretsFile))
            #expect(rewritten == original, "component \(id)")
        }
    }
}

@Suite struct LocalSecretsManagerTests {
    @Test func passesTheConformanceSuite() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var counter = 0
        let ran = try await LegacySecretsManagerConformance.run(names: ["db", "with space", "123", "café", "a:b"]) {
            counter += 1
            return LocalSecretsManager(component: LegacyComponent(id: UUID(), name: "c\(counter)", flavor: "local"),
                                       paths: ZenMLPaths(configDirectory: directory.path))
        }
        #expect(ran.count == 9)
    }

    @Test func pathsFollowZenMLsRules() {
        let id = UUID()
        let paths = ZenMLPaths(configDirectory: "/tmp/zenml-config")
        let plain = LocalSecretsManager(component: LegacyComponent(id: id, name: "c", flavor: "local"), paths: paths)
        #expect(plain.secretsFile == "/tmp/zenml-config/local_stores/\(id.uuidString.lowercased())/secrets.yaml")
        let overridden = LocalSecretsManager(
            component: LegacyComponent(id: id, name: "c", flavor: "local", configuration: ["secrets_file": "/elsewhere/s.yaml"]),
            paths: paths)
        #expect(overridden.secretsFile == "/elsewhere/s.yaml")
    }

    @Test func writesAreOwnerOnlyAndFormattedAsZenML() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let manager = LocalSecretsManager(component: LegacyComponent(id: UUID(), name: "c", flavor: "local"),
                                          paths: ZenMLPaths(configDirectory: directory.path))
        try await manager.registerSecret(LegacySecret(name: "mysecret", values: ["username": "admin", "password": "@literal"]))
        try await manager.registerSecret(LegacySecret(name: "awscreds", schemaType: "aws",
                                                      values: ["aws_access_key_id": "AKIA123", "aws_secret_access_key": "abc/def+ghi"]))
        let text = try String(contentsOfFile: manager.secretsFile, encoding: .utf8)
        // The layout ZenML 0.39.1 wrote for the same secrets (reference §3.1).
        #expect(text == """
            awscreds:
              aws_access_key_id: QUtJQTEyMw==
              aws_secret_access_key: YWJjL2RlZitnaGk=
              zenml_schema_name: aws
            mysecret:
              password: QGxpdGVyYWw=
              username: YWRtaW4=
              zenml_schema_name: arbitrary

            """)
        let fileMode = try FileManager.default.attributesOfItem(atPath: manager.secretsFile)[.posixPermissions] as? Int
        #expect(fileMode == 0o600)
        let folder = (manager.secretsFile as NSString).deletingLastPathComponent
        #expect(try FileManager.default.attributesOfItem(atPath: folder)[.posixPermissions] as? Int == 0o700)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(leftovers == ["secrets.yaml"])
    }

    @Test func readingDoesNotCreateFiles() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let manager = LocalSecretsManager(component: LegacyComponent(id: UUID(), name: "c", flavor: "local"),
                                          paths: ZenMLPaths(configDirectory: directory.path))
        #expect(try await manager.secretNames().isEmpty)
        #expect(!FileManager.default.fileExists(atPath: manager.secretsFile))
    }

    @Test(arguments: [
        ("db: [unclosed\n  pw: c2VjcmV0VmFsdWU=", "not valid YAML"),
        ("db:\n  pw: '%%%notbase64'\n  zenml_schema_name: arbitrary\n", "Key `pw` of secret `db`"),
        ("db:\n  pw: c2VjcmV0VmFsdWU=\n", "has no `zenml_schema_name`"),
        ("- a\n- b\n", "does not hold a mapping"),
        ("db: c2VjcmV0VmFsdWU=\n", "Secret `db`"),
        ("db:\n  pw:\n  zenml_schema_name: arbitrary\n", "has no text value"),
    ])
    func badFilesGiveClearErrorsWithoutValues(content: String, expected: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.file("secrets.yaml")
        try Data(content.utf8).write(to: URL(fileURLWithPath: file))
        let manager = LocalSecretsManager(component: LegacyComponent(id: UUID(), name: "c", flavor: "local"), secretsFile: file)
        do {
            _ = try await manager.getSecret(named: "db")
            Issue.record("read a broken file")
        } catch let error as FerryError {
            #expect(error.kind == .corruptData)
            #expect(error.message.contains(expected), "\(error.message)")
            #expect(error.message.contains(file))
            #expect(!error.message.contains("c2VjcmV0VmFsdWU"))
            #expect(!error.message.contains("secretValue"))
        }
        let structural = expected == "not valid YAML" || expected == "does not hold a mapping" || expected == "Secret `db`"
            || expected == "has no text value"
        if structural {
            // The file cannot be rewritten without losing data: the write fails and changes nothing.
            await #expect(throws: FerryError.self) {
                try await manager.registerSecret(LegacySecret(name: "new", values: ["a": "b"]))
            }
            #expect(try String(contentsOfFile: file, encoding: .utf8) == content)
        } else {
            // A damaged entry is carried over as it is while another secret is written.
            try await manager.registerSecret(LegacySecret(name: "new", values: ["a": "b"]))
            #expect(try await manager.getSecret(named: "new").values == ["a": "b"])
            await #expect(throws: FerryError.self) { _ = try await manager.getSecret(named: "db") }
            #expect(try String(contentsOfFile: file, encoding: .utf8).contains(expected.contains("base64") || expected.contains("Key") ? "%%%notbase64" : "c2VjcmV0VmFsdWU="))
        }
    }

    @Test func zenmlErrorMessages() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let manager = LocalSecretsManager(component: LegacyComponent(id: UUID(), name: "c", flavor: "local"),
                                          secretsFile: directory.file("s.yaml"))
        try await manager.registerSecret(LegacySecret(name: "x", values: ["a": "1"]))
        await #expect { try await manager.registerSecret(LegacySecret(name: "x", values: ["a": "1"])) } throws: {
            ($0 as? FerryError)?.message == "Secret `x` already exists."
        }
        await #expect { _ = try await manager.getSecret(named: "y") } throws: {
            ($0 as? FerryError)?.message == "Secret `y` does not exists."
        }
        await #expect { try await manager.updateSecret(LegacySecret(name: "y", values: [:])) } throws: {
            ($0 as? FerryError)?.message == "Secret `y` did not exist."
        }
    }
}

/// Ferry and ZenML 0.52.0 read each other's files: runs ZenML's own LocalSecretsManager
/// through `LegacyFixtures/tools/zenml_local_read.py` in the venv named by `FERRY_ZENML052_PYTHON`.
@Suite(.enabled(if: Repository.zenml052Python != nil || Repository.inCI, "needs FERRY_ZENML052_PYTHON (set by .ci/run)"))
struct ZenMLInteropTests {
    static let script = Repository.fixtures(from: #filePath) + "/tools/zenml_local_read.py"

    func python() throws -> String {
        try #require(Repository.zenml052Python, "CI must set FERRY_ZENML052_PYTHON")
    }

    @Test func zenmlReadsWhatFerryWrites() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.file("local_stores/\(UUID().uuidString.lowercased())/secrets.yaml")
        let manager = LocalSecretsManager(component: LegacyComponent(id: UUID(), name: "c", flavor: "local"), secretsFile: file)
        let secrets = [
            LegacySecret(name: "awkward", values: ConformanceValues.awkward),
            LegacySecret(name: "with space", values: ["clé": "värde", "x": "true", "n": "1234"]),
            LegacySecret(name: "123", schemaType: "basic_auth", values: ["username": "u", "password": "p=="]),
            LegacySecret(name: "aws", schemaType: "aws",
                         values: try SecretSchema.require("aws").validate(["aws_access_key_id": "A", "aws_secret_access_key": "B"])),
            LegacySecret(name: "seldon", schemaType: "seldon_s3",
                         values: try SecretSchema.require("seldon_s3").validate(["rclone_config_s3_env_auth": "true"])),
            LegacySecret(name: String(repeating: "long-name-", count: 14), values: ["k": "line1\nline2"]),
        ]
        for secret in secrets { try await manager.registerSecret(secret) }
        let result = try ProcessRunner.run(try python(), [Self.script, "--secrets-file", file])
        #expect(result.status == 0, "\(result.stderr)")
        guard case .object(let read) = try PythonJSON.parse(result.stdout) else {
            Issue.record("not a JSON object")
            return
        }
        #expect(read.count == secrets.count)
        for secret in secrets {
            guard case .object(let parts)? = read.first(where: { $0.key == secret.name })?.value,
                case .string(let schema)? = parts.first(where: { $0.key == "schema" })?.value,
                case .object(let values)? = parts.first(where: { $0.key == "values" })?.value
            else {
                Issue.record("ZenML did not read `\(secret.name)`")
                continue
            }
            #expect(schema == secret.schemaType)
            #expect(SecretValues(values.map { ($0.key, $0.value.pythonString) }) == secret.values, "`\(secret.name)`")
        }
    }

    @Test func ferryReadsWhatZenMLWritesAndKeepsItsBytes() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.file("secrets.yaml")
        try Data("{}".utf8).write(to: URL(fileURLWithPath: file))
        let values = #"{"password": "pä$$ 🔐", "multi": "a\nb\n", "empty": "", "eq": "x=y"}"#
        for (name, schema, json) in [("zen one", "arbitrary", values),
                                     ("basic", "basic_auth", #"{"username": "u", "password": "p"}"#)]
        {
            let result = try ProcessRunner.run(try python(), [Self.script, "--secrets-file", file, "--write", name,
                                                              "--schema", schema, "--values-json", json])
            #expect(result.status == 0, "\(result.stderr)")
        }
        let manager = LocalSecretsManager(component: LegacyComponent(id: UUID(), name: "c", flavor: "local"), secretsFile: file)
        let read = try await manager.getSecret(named: "zen one")
        #expect(read.values == (try PythonJSON.parseFlatMap(values, what: "v")))
        #expect(try await manager.getSecret(named: "basic").schemaType == "basic_auth")
        let zenmlBytes = try Data(contentsOf: URL(fileURLWithPath: file))
        try await manager.updateSecret(read)
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == zenmlBytes)
    }
}

@Suite struct LocalKeyOrderTests {
    /// ZenML's `get_secret` returns `content` in the schema's declaration order (expected.json keeps it).
    @Test func keysComeInZenMLsOrder() async throws {
        let expected = try Fixtures.expected()
        for id in Fixtures.componentIDs.prefix(2) {
            for (name, secret) in try #require(expected[id]) {
                let read = try await Fixtures.manager(id).getSecret(named: name)
                #expect(read.values.keys == secret.values.keys, "`\(name)`")
            }
        }
    }
}

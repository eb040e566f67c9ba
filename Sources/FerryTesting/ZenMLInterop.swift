public import FerryCore
public import FerryLegacy
import Foundation

/// "ZenML reads what Ferry registered", one check for every cloud: Ferry registers secrets
/// through its manager of one flavor and scope, then ZenML 0.52.0's own secrets manager of that
/// flavor (one of `LegacyFixtures/tools/zenml_*_read.py`, run by the Python that has ZenML)
/// reads the component, and every secret must come back with its schema and exact values.
///
/// ```swift
/// let secrets = try ZenMLInteropCheck.secrets(awkward: "awkward", basicAuth: "basic", seldon: "seldon")
/// let problems = try await ZenMLInteropCheck.run(manager, registering: secrets, fields: [("region_name", region)],
///                                                python: python, script: tools + "/zenml_aws_read.py", arguments: ["--endpoint", endpoint])
/// ```
public enum ZenMLInteropCheck {
    /// The secrets a check registers under these names: ``ConformanceValues/awkward``, a
    /// `basic_auth` secret (non-ASCII, `=`), and a `seldon_s3` secret with its defaults when
    /// `seldon` is given.
    public static func secrets(awkward: String, basicAuth: String, seldon: String?) throws -> [LegacySecret] {
        var secrets = [
            LegacySecret(name: awkward, values: ConformanceValues.awkward),
            LegacySecret(name: basicAuth, schemaType: "basic_auth", values: ["username": "u", "password": "p=é"]),
        ]
        if let seldon {
            secrets.append(LegacySecret(name: seldon, schemaType: "seldon_s3",
                                        values: try SecretSchema.require("seldon_s3").validate(["rclone_config_s3_env_auth": "yes"])))
        }
        return secrets
    }

    /// Registers `secrets` through `manager`, has ZenML read its component (`--component` with
    /// the component's id, name, scope and namespace and the flavor's `fields`, then
    /// `arguments`) and returns what differs (empty: ZenML read every secret exactly). With
    /// `exactly`, ZenML must find no other secret in the scope.
    public static func run(_ manager: any LegacySecretsManager, registering secrets: [LegacySecret], fields: [(String, String)],
                           python: String, script: String, arguments: [String], exactly: Bool = true) async throws -> [String]
    {
        for secret in secrets { try await manager.registerSecret(secret) }
        let component = manager.component
        let description = PythonJSON.dumps(.object([
            ("id", .string(component.id.uuidString.lowercased())), ("name", .string(component.name)), ("scope", .string(component.scope.rawValue)),
            ("namespace", component.namespace.map { .string($0) } ?? .null),
        ] + fields.map { ($0.0, .string($0.1)) }))
        let read = try LegacyFixtureSet.zenmlRead(python: python, script: script, arguments: ["--component", description] + arguments)
        var problems: [String] = []
        for secret in secrets {
            guard let found = read[secret.name] else {
                problems.append("ZenML did not find `\(secret.name)` in \(component.scope.rawValue) scope")
                continue
            }
            if found.schemaType != secret.schemaType { problems.append("`\(secret.name)` in \(component.scope.rawValue) scope: schema \(found.schemaType)") }
            if found.values != secret.values { problems.append("`\(secret.name)` in \(component.scope.rawValue) scope: other values") }
        }
        if exactly, Set(read.keys) != Set(secrets.map(\.name)) {
            problems.append("ZenML saw other secrets in \(component.scope.rawValue) scope: \(Set(read.keys).subtracting(secrets.map(\.name)).sorted())")
        }
        return problems
    }
}

public import FerryAWS
public import FerryCore
import Foundation

/// The `aws` flavor: one AWS Secrets Manager secret per ZenML secret, named and tagged by scope.
///
/// Layout (ZenML 0.52.0 `src/zenml/integrations/aws/secrets_managers/aws_secrets_manager.py`,
/// identical from 0.22.0): the name is the scoped name with `/` (`<name>`, `zenml/global/<name>`,
/// `zenml/component/<uuid>/<name>`, `zenml/namespace/<ns>/<name>`); the value is
/// `json.dumps(content + {"zenml_schema_name": TYPE})` with booleans as JSON booleans; scoped
/// secrets carry ZenML's tags in ZenML's order. Listing uses ZenML's filters (no `zenml_scope` tag for
/// `none`, the scope tags plus a name prefix otherwise) and its client-side check that the name
/// lies exactly in the scope. Secrets written by ZenML 0.7–0.11 (no tags) read in `none` scope.
public struct AWSLegacySecretsManager: LegacySecretsManager {
    public let component: LegacyComponent
    public let client: SecretsManagerClient

    /// The separator of AWS scoped names.
    static let separator = "/"

    /// A manager for `component`; validates the namespace as ZenML's config validator does.
    public init(component: LegacyComponent, client: SecretsManagerClient) throws {
        if let namespace = component.namespace {
            try Self.validate(namespace)
        }
        if component.scope == .namespace && (component.namespace ?? "").isEmpty {
            throw FerryError(.configuration, code: .namespaceRequired, "A `namespace` value is required for a namespace scoped Secrets Manager.")
        }
        self.component = component
        self.client = client
    }

    public var location: String {
        "AWS Secrets Manager \(client.region) at \(client.endpoint.absoluteString), \(component.scope.rawValue) scope"
    }

    public func validateSecretName(_ name: String) throws { try Self.validate(name) }

    static func validate(_ name: String) throws { try ZenMLSecretDict.validateName(name) }

    var scopePath: ScopePath { component.scopePath }

    /// `_list_secrets(secret_name)`: ZenML's filters, every page, then the exact scope check.
    func listNames(_ secretName: String? = nil) async throws -> [String] {
        var filters: [SecretsManagerClient.Filter] = []
        var prefix: String?
        let unscoped = component.scope == .none
        if unscoped {
            // ZenML sends `tag-key: !zenml_scope`; moto never matches an untagged secret with a
            // tag-key filter, so Ferry applies that negation itself below (same result on AWS).
            prefix = secretName
        } else {
            for (key, value) in scopePath.scopeMetadata() {
                filters.append(.init("tag-key", [key]))
                filters.append(.init("tag-value", [value]))
            }
            prefix = secretName.map { scopePath.scopedName($0, separator: Self.separator) }
                ?? scopePath.namePrefix(separator: Self.separator)
        }
        if let prefix, !prefix.isEmpty { filters.append(.init("name", [prefix])) }
        return try await client.listSecrets(filters: filters, pageSize: 100).compactMap { entry in
            if unscoped && entry.tags.contains(where: { $0.key.lowercased().hasPrefix("zenml_scope") }) { return nil }
            guard let name = scopePath.unscopedName(of: entry.name, separator: Self.separator) else { return nil }
            return secretName == nil || secretName == name ? name : nil
        }
    }

    public func registerSecret(_ secret: LegacySecret) async throws {
        try Self.validate(secret.name)
        guard try await listNames(secret.name).isEmpty else {
            throw FerryError(.alreadyExists, code: .secretExists, "A Secret with the name \(secret.name) already exists")
        }
        let tags = scopePath.secretMetadata(secretName: secret.name, componentName: component.name, schemaType: secret.schemaType)
            .map { SecretsManagerClient.Tag($0.key, $0.value) }
        try await client.createSecret(name: scopePath.scopedName(secret.name, separator: Self.separator),
                                      secretString: Self.payload(secret), tags: tags)
    }

    public func getSecret(named name: String) async throws -> LegacySecret {
        try Self.validate(name)
        guard try await !listNames(name).isEmpty else { throw Self.missing(name) }
        let value = try await client.getSecretValue(id: scopePath.scopedName(name, separator: Self.separator))
        guard let text = value.secretString else {
            throw FerryError(.unsupported, code: .binarySecret,
                             "AWS secret '\(value.name)' holds binary data, which ZenML never wrote and cannot read.")
        }
        return try Self.decode(name: name, payload: text, source: "AWS secret '\(value.name)'")
    }

    public func secretNames() async throws -> [String] { try await listNames() }

    /// One listing, then BatchGetSecretValue 20 at a time: two requests per 20 secrets instead of
    /// ZenML's two per secret, with the same scope check.
    public func readAll() async throws -> [(name: String, result: Result<LegacySecret, FerryError>)] {
        let names = try await listNames()
        let ids = names.map { scopePath.scopedName($0, separator: Self.separator) }
        let batch = try await client.batchGetSecretValue(ids: ids)
        var byID: [String: Result<LegacySecret, FerryError>] = [:]
        for value in batch.values {
            guard let name = scopePath.unscopedName(of: value.name, separator: Self.separator) else { continue }
            do {
                guard let text = value.secretString else {
                    throw FerryError(.unsupported, code: .binarySecret, "AWS secret '\(value.name)' holds binary data.")
                }
                byID[value.name] = .success(try Self.decode(name: name, payload: text, source: "AWS secret '\(value.name)'"))
            } catch let error as FerryError {
                byID[value.name] = .failure(error)
            }
        }
        for (id, error) in batch.errors { byID[id] = .failure(error) }
        return zip(names, ids).map { name, id in
            (name, byID[id] ?? .failure(Self.missing(name)))
        }
    }

    public func updateSecret(_ secret: LegacySecret) async throws {
        try Self.validate(secret.name)
        guard try await !listNames(secret.name).isEmpty else { throw Self.missing(secret.name) }
        try await client.putSecretValue(id: scopePath.scopedName(secret.name, separator: Self.separator),
                                        secretString: Self.payload(secret))
    }

    public func deleteSecret(named name: String) async throws {
        guard try await !listNames(name).isEmpty else { throw Self.missing(name) }
        try await client.deleteSecret(id: scopePath.scopedName(name, separator: Self.separator), forceWithoutRecovery: true)
    }

    public func deleteAllSecrets() async throws {
        for name in try await listNames() {
            try await client.deleteSecret(id: scopePath.scopedName(name, separator: Self.separator), forceWithoutRecovery: true)
        }
    }

    /// Every `zenml/…` secret of the region, grouped by its scope tags.
    public func recoverComponents() async throws -> [RecoveredComponent] {
        let entries = try await client.listSecrets(filters: [.init("name", [ScopePath.prefix + Self.separator])], pageSize: 100)
        return ComponentRecovery.group(entries.map { entry in Dictionary(entry.tags.map { ($0.key, $0.value) }, uniquingKeysWith: { _, last in last }) },
                                       base: component, evidence: "tags of AWS secrets in \(client.region)")
    }

    static func missing(_ name: String) -> FerryError {
        FerryError(.notFound, code: .secretNotFound, "Can't find the specified secret '\(name)'")
    }

    /// `json.dumps(secret_to_dict(secret, encode=False))`.
    static func payload(_ secret: LegacySecret) -> String { PythonJSON.dumps(.object(ZenMLSecretDict.encode(secret))) }

    /// `secret_from_dict(json.loads(payload))`.
    static func decode(name: String, payload: String, source: String) throws -> LegacySecret {
        guard case .object(let pairs)? = try? PythonJSON.parse(payload) else {
            throw FerryError(.corruptData, code: .notAMap, "The value of \(source) is not a JSON object of keys and values.")
        }
        return try ZenMLSecretDict.decode(name: name, pairs: pairs, source: "The value of \(source)")
    }
}

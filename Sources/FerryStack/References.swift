public import FerryCore
public import FerryLegacy
import Foundation

/// `{{secret.key}}` references in component configurations, resolved as ZenML 0.34–0.52 resolved
/// them (`StackComponentConfig.__custom_getattribute__`, ZenML 0.52.0 `src/zenml/stack/stack_component.py`):
/// the centralized store first (exact name, `user` scope then `workspace`), then the active
/// stack's secrets manager. `ferry stack resolve STACK` treats STACK as the active stack, as
/// `zenml stack set STACK` would.
///
/// Messages follow ZenML's, with the component's name where ZenML printed the whole config object.
public struct ReferenceResolver {
    public let installation: ZenMLInstallation
    public let context: LegacyContext
    /// The reference grammar of the installation's release (spaces allowed from 0.40.0).
    public let era: SecretReference.Era

    /// What one top-level attribute of a component gives.
    public enum Outcome: Sendable {
        /// Not a reference: the stored value.
        case plain(PythonJSON.Value)
        /// A reference and its value, with where it came from.
        case resolved(SecretReference, value: String, from: String)
        /// A reference that cannot be resolved, and ZenML's reason.
        case failed(SecretReference, FerryError)
        /// A reference on a field where ZenML refuses references (it never resolves them).
        case refused(SecretReference, String)
    }

    public init(installation: ZenMLInstallation, context: LegacyContext) {
        self.installation = installation
        self.context = context
        let parts = (installation.version ?? "").split(separator: ".").compactMap { Int($0) }
        era = parts.isEmpty || !parts.lexicographicallyPrecedes([0, 40]) ? .zenml040 : .zenml013
    }

    /// The references among a component's top-level values (`required_secrets`).
    public func references(of component: StackComponentRecord) -> [(key: String, reference: SecretReference)] {
        component.configuration.compactMap { key, value in
            guard case .string(let text) = value, let reference = SecretReference(parsing: text, era: era) else { return nil }
            return (key, reference)
        }
    }

    // MARK: - Resolution

    /// Reads secrets once per name from one secrets manager.
    public actor SecretCache {
        let manager: (any LegacySecretsManager)?
        let failure: FerryError?
        private var secrets: [String: Result<LegacySecret, FerryError>] = [:]
        private var names: Result<[String], FerryError>?

        init(manager: (any LegacySecretsManager)?, failure: FerryError?) {
            self.manager = manager
            self.failure = failure
        }

        func secret(_ name: String) async -> Result<LegacySecret, FerryError>? {
            guard let manager else { return nil }
            if let known = secrets[name] { return known }
            let result: Result<LegacySecret, FerryError>
            do {
                result = .success(try await manager.getSecret(named: name))
            } catch let error as FerryError {
                result = .failure(error)
            } catch {
                result = .failure(FerryError(.backend, "\(error)"))
            }
            secrets[name] = result
            return result
        }

        func allNames() async -> Result<[String], FerryError>? {
            guard let manager else { return nil }
            if let names { return names }
            do {
                names = .success(try await manager.secretNames())
            } catch let error as FerryError {
                names = .failure(error)
            } catch {
                names = .failure(FerryError(.backend, "\(error)"))
            }
            return names
        }
    }

    /// A cache over `stack`'s secrets manager (none when the stack has none, or its flavor cannot be built).
    public func cache(for stack: StackRecord?) -> SecretCache {
        guard let record = stack?.secretsManager else { return SecretCache(manager: nil, failure: nil) }
        let (component, _) = SecretsManagerMapping.component(record, era: installation.era, paths: installation.paths)
        do {
            return SecretCache(manager: try LegacyFlavors.manager(for: component, context: context), failure: nil)
        } catch let error as FerryError {
            return SecretCache(manager: nil, failure: error)
        } catch {
            return SecretCache(manager: nil, failure: FerryError(.backend, "\(error)"))
        }
    }

    /// The centralized secret of that exact name: `user` scope first, then `workspace`
    /// (`Client.get_secret_by_name_and_scope`, ZenML 0.52.0 `src/zenml/client.py`).
    func centralized(_ name: String) -> ZenMLInstallation.CentralizedSecret? {
        let matches = installation.centralizedSecrets.filter { $0.name == name }
        return matches.first { $0.scope == "user" } ?? matches.first { $0.scope == "workspace" } ?? matches.first
    }

    /// Every top-level attribute of `component`, resolved with `stack` as the active stack.
    public func resolve(_ component: StackComponentRecord, activeStack stack: StackRecord?, cache: SecretCache) async
        -> [(key: String, outcome: Outcome)]
    {
        var result: [(key: String, outcome: Outcome)] = []
        let member = stack?.components.contains { $0.component.name == component.name && $0.component.type == component.type } ?? false
        for (key, value) in component.configuration {
            guard case .string(let text) = value, let reference = SecretReference(parsing: text, era: era) else {
                result.append((key, .plain(value)))
                continue
            }
            if let reason = Self.refusal(component: component, key: key) {
                result.append((key, .refused(reference, reason)))
                continue
            }
            result.append((key, await resolve(reference, attribute: key, component: component, member: member, cache: cache)))
        }
        return result
    }

    func resolve(_ reference: SecretReference, attribute key: String, component: StackComponentRecord, member: Bool, cache: SecretCache) async
        -> Outcome
    {
        let prefix = "Failed to resolve secret reference for attribute \(key) of stack component `\(component.name)`"
        if let stored = centralized(reference.name) {
            switch stored.values {
            case .success(let values):
                if let value = values[reference.key] { return .resolved(reference, value: value, from: "the centralized secrets store") }
                return .failed(reference, FerryError(.notFound, code: .referenceMissingKey,
                                                     "\(prefix). The secret \(reference.name) does not contain a value for key \(reference.key). Available keys: \(Self.pythonSet(values.keys))."))
            case .failure(let error):
                return .failed(reference, error)
            }
        }
        guard member else {
            return .failed(reference, FerryError(.refused, code: .referenceNotActive,
                                                 "\(prefix): The stack component is not part of the active stack and therefore can't have it's secret references resolved."))
        }
        guard let secret = await cache.secret(reference.name) else {
            if let failure = cache.failure {
                return .failed(reference, FerryError(failure.kind, code: failure.code, remoteCode: failure.remoteCode, "\(prefix): \(failure.message)"))
            }
            return .failed(reference, FerryError(.notFound, code: .referenceNoSecretsManager,
                                                 "\(prefix): The active stack does not have a secrets manager."))
        }
        switch secret {
        case .failure(let error) where error.kind == .notFound:
            return .failed(reference, FerryError(.notFound, code: .referenceMissingSecret,
                                                 "\(prefix): The secret \(reference.name) does not exist."))
        case .failure(let error):
            return .failed(reference, FerryError(error.kind, code: error.code, remoteCode: error.remoteCode, "\(prefix): \(error.message)"))
        case .success(let found):
            if let value = found.values[reference.key] {
                return .resolved(reference, value: value, from: "secrets manager `\(cache.manager?.component.name ?? "")`")
            }
            return .failed(reference, FerryError(.notFound, code: .referenceMissingKey,
                                                 "\(prefix): The secret \(reference.name) does not contain a value for key \(reference.key). Available keys: \(Self.pythonSet(found.values.keys))."))
        }
    }

    /// Python's `repr` of a set of strings, sorted (Python's own order depends on the hash seed).
    static func pythonSet<S: Sequence>(_ keys: S) -> String where S.Element == String {
        let items = keys.sorted(by: PythonText.codePointLess).map { PythonText.repr($0) }
        return items.isEmpty ? "set()" : "{" + items.joined(separator: ", ") + "}"
    }

    /// Where ZenML refuses a reference (it fails when the component is built, so it never resolves):
    /// every secrets-manager attribute (`BaseSecretsManagerConfig.__init__`) and the attributes
    /// with pydantic validators of ZenML's built-in flavors (`StackComponentConfig.__init__`).
    static func refusal(component: StackComponentRecord, key: String) -> String? {
        if component.type == "secrets_manager" {
            return "Using secret references to specify attributes on a secrets manager is not allowed. Please specify the real value for the attribute \(key)."
        }
        if validatedFields[component.type + "/" + component.flavor]?.contains(key) == true {
            return "Passing the stack component attribute `\(key)` as a secret reference is not allowed as additional validation is required for this attribute."
        }
        return nil
    }

    /// Attributes with validators in ZenML 0.52.0's built-in and integration flavor configs
    /// (`src/zenml/**/flavors/*.py`, `@validator`/`@root_validator` fields).
    static let validatedFields: [String: Set<String>] = [
        "artifact_store/local": ["path"],
        "artifact_store/s3": ["path"],
        "artifact_store/gcp": ["path"],
        "artifact_store/azure": ["path"],
        "container_registry/default": ["uri"],
        "container_registry/aws": ["uri"],
        "container_registry/gcp": ["uri"],
        "container_registry/azure": ["uri"],
        "container_registry/dockerhub": ["uri"],
        "container_registry/github": ["uri"],
    ]

    // MARK: - Validation

    /// `ZENML_SECRET_VALIDATION_LEVEL` (ZenML 0.52.0 `SecretValidationLevel`, `src/zenml/enums.py`).
    public enum ValidationLevel: String, Sendable, CaseIterable {
        case secretAndKeyExists = "SECRET_AND_KEY_EXISTS"
        case secretExists = "SECRET_EXISTS"
        case none = "NONE"

        /// The level `environment` sets (default `SECRET_AND_KEY_EXISTS`); an unknown value is ZenML's `ValueError`.
        public static func from(_ environment: [String: String]) throws -> ValidationLevel {
            guard let text = environment["ZENML_SECRET_VALIDATION_LEVEL"] else { return .secretAndKeyExists }
            guard let level = ValidationLevel(rawValue: text) else {
                throw FerryError(.invalidInput, code: .badValidationLevel,
                                 "'\(text)' is not a valid SecretValidationLevel (ZENML_SECRET_VALIDATION_LEVEL): use \(allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            return level
        }
    }

    /// What `Stack._validate_secrets` finds (ZenML 0.52.0 `src/zenml/stack/stack.py`).
    public struct Validation: Sendable {
        /// Every reference of the stack's components, sorted.
        public let required: [SecretReference]
        /// Those the centralized store satisfies.
        public let fromStore: [SecretReference]
        /// Those missing (in the secrets manager, or everywhere when the stack has none).
        public let missing: [SecretReference]
        /// ZenML's message, or nil when the stack is valid.
        public let message: String?
    }

    public func validate(_ stack: StackRecord, level: ValidationLevel, cache: SecretCache) async -> Validation {
        var required = Set<SecretReference>()
        for (_, component) in stack.components {
            for (_, reference) in references(of: component) { required.insert(reference) }
        }
        let sorted = required.sorted { ($0.name, $0.key) < ($1.name, $1.key) }
        guard level != .none, !sorted.isEmpty else { return Validation(required: sorted, fromStore: [], missing: [], message: nil) }
        // `client.get_secret(name)`: an exact name, else an id prefix or a name containing it, per scope.
        let fromStore = sorted.filter { reference in
            guard let secret = centralized(reference.name) ?? uniqueCentralizedMatch(reference.name) else { return false }
            guard level == .secretAndKeyExists else { return true }
            return (try? secret.values.get())?[reference.key] != nil
        }
        let remaining = sorted.filter { !fromStore.contains($0) }
        guard !remaining.isEmpty else { return Validation(required: sorted, fromStore: fromStore, missing: [], message: nil) }
        guard stack.secretsManager != nil else {
            let list = remaining.map { "\($0.name).\($0.key)" }.joined(separator: ", ")
            return Validation(required: sorted, fromStore: fromStore, missing: remaining,
                              message: "Some component in stack `\(stack.name)` reference missing secret values: \(list).\nTo register the missing secrets for this stack, you can run `zenml stack register-secrets` or `zenml secret create`.")
        }
        var missing: [SecretReference] = []
        for reference in remaining {
            switch level {
            case .secretAndKeyExists:
                if case .success(let secret)? = await cache.secret(reference.name), secret.values[reference.key] != nil { continue }
                missing.append(reference)
            case .secretExists:
                if case .success(let names)? = await cache.allNames(), names.contains(reference.name) { continue }
                missing.append(reference)
            case .none:
                break
            }
        }
        guard !missing.isEmpty else { return Validation(required: sorted, fromStore: fromStore, missing: [], message: nil) }
        let list = "[" + missing.map { "SecretReference(name=\(PythonText.repr($0.name)), key=\(PythonText.repr($0.key)))" }
            .joined(separator: ", ") + "]"
        return Validation(required: sorted, fromStore: fromStore, missing: missing,
                          message: "Missing secrets for stack: \(list).\nTo register the missing secrets for this stack, run `zenml stack register-secrets \(stack.name)`\nIf you want to adjust the degree to which ZenML validates the existence of secrets in your stack, you can do so by setting the environment variable ZENML_SECRET_VALIDATION_LEVEL to one of the following values: ['SECRET_AND_KEY_EXISTS', 'SECRET_EXISTS', 'NONE'].")
    }

    /// A single centralized secret whose name contains `text` (ZenML's fallback after an exact match).
    func uniqueCentralizedMatch(_ text: String) -> ZenMLInstallation.CentralizedSecret? {
        let matches = installation.centralizedSecrets.filter { $0.name.contains(text) }
        return matches.count == 1 ? matches[0] : nil
    }
}

import FerryCore
import FerryLegacy
import FerryStore
import Foundation

/// A `LegacySecretsManager` that keeps secrets in memory, with ZenML's error contract.
/// Used to test code built on the protocol (the migrator, the CLI's output) without a back-end.
public final class InMemoryLegacySecretsManager: LegacySecretsManager, @unchecked Sendable {
    public let component: LegacyComponent
    private let lock = NSLock()
    private var secrets: [String: LegacySecret] = [:]

    public init(component: LegacyComponent = LegacyComponent(id: UUID(), name: "memory", flavor: "memory")) {
        self.component = component
    }

    public var location: String { "memory" }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    public func registerSecret(_ secret: LegacySecret) async throws {
        try locked {
            guard secrets[secret.name] == nil else {
                throw FerryError(.alreadyExists, code: "secret_exists", "Secret `\(secret.name)` already exists.")
            }
            secrets[secret.name] = secret
        }
    }

    public func getSecret(named name: String) async throws -> LegacySecret {
        try locked {
            guard let secret = secrets[name] else {
                throw FerryError(.notFound, code: "secret_not_found", "Secret `\(name)` does not exists.")
            }
            return secret
        }
    }

    public func secretNames() async throws -> [String] { locked { secrets.keys.sorted(by: PythonText.codePointLess) } }

    public func updateSecret(_ secret: LegacySecret) async throws {
        try locked {
            guard secrets[secret.name] != nil else {
                throw FerryError(.notFound, code: "secret_not_found", "Secret `\(secret.name)` did not exist.")
            }
            secrets[secret.name] = secret
        }
    }

    public func deleteSecret(named name: String) async throws {
        try locked {
            guard secrets.removeValue(forKey: name) != nil else {
                throw FerryError(.notFound, code: "secret_not_found", "Secret `\(name)` does not exists.")
            }
        }
    }

    public func deleteAllSecrets() async throws { locked { secrets.removeAll() } }
}

/// A `SecretValuesBackend` that keeps values in memory.
public final class InMemoryValuesBackend: SecretValuesBackend, @unchecked Sendable {
    public let type = "memory"
    private let lock = NSLock()
    private var values: [UUID: SecretValues] = [:]

    public init() {}

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    public func storeValues(_ values: SecretValues, for id: UUID) async throws {
        try locked {
            guard self.values[id] == nil else {
                throw FerryError(.alreadyExists, code: "values_exist", "Values for secret \(id) already exist.")
            }
            self.values[id] = values
        }
    }

    public func getValues(for id: UUID) async throws -> SecretValues {
        try locked {
            guard let found = values[id] else { throw FerryError(.notFound, code: "values_not_found", "No values for secret \(id).") }
            return found
        }
    }

    public func updateValues(_ values: SecretValues, for id: UUID) async throws {
        locked { self.values[id] = values }
    }

    public func deleteValues(for id: UUID) async throws {
        try locked {
            guard values.removeValue(forKey: id) != nil else {
                throw FerryError(.notFound, code: "values_not_found", "No values for secret \(id).")
            }
        }
    }
}

public import FerryCore
public import FerryLegacy
public import FerryMigrate
public import FerryStore
public import Foundation

/// A `LegacySecretsManager` that keeps secrets in memory, with ZenML's error contract (it passes
/// ``LegacySecretsManagerConformance``). Used to test code built on the protocol (the migrator)
/// without a back-end; ``failListing(_:)`` and ``makeUnreadable(_:_:)`` play a secrets manager
/// that cannot be listed and a secret that cannot be read.
public final class InMemoryLegacySecretsManager: LegacySecretsManager, @unchecked Sendable {
    public let component: LegacyComponent
    private let lock = NSLock()
    private var secrets: [String: LegacySecret] = [:]
    private var unreadable: [String: FerryError] = [:]
    private var listingFailure: FerryError?

    public init(component: LegacyComponent = LegacyComponent(id: UUID(), name: "memory", flavor: "memory"), secrets: [LegacySecret] = []) {
        self.component = component
        for secret in secrets { self.secrets[secret.name] = secret }
    }

    /// From now on, listing throws `error` (no credentials, an unreachable back-end, a broken file).
    public func failListing(_ error: FerryError) { locked { listingFailure = error } }

    /// From now on, the secret `name` is listed but reading it throws `error`.
    public func makeUnreadable(_ name: String, _ error: FerryError) { locked { unreadable[name] = error } }

    public var location: String { "memory" }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    public func registerSecret(_ secret: LegacySecret) async throws {
        try locked {
            guard secrets[secret.name] == nil else {
                throw FerryError(.alreadyExists, code: .secretExists, "Secret `\(secret.name)` already exists.")
            }
            secrets[secret.name] = secret
        }
    }

    public func getSecret(named name: String) async throws -> LegacySecret {
        try locked {
            guard let secret = secrets[name] else {
                throw FerryError(.notFound, code: .secretNotFound, "Secret `\(name)` does not exists.")
            }
            if let error = unreadable[name] { throw error }
            return secret
        }
    }

    public func secretNames() async throws -> [String] {
        try locked {
            if let listingFailure { throw listingFailure }
            return secrets.keys.sorted(by: PythonText.codePointLess)
        }
    }

    public func updateSecret(_ secret: LegacySecret) async throws {
        try locked {
            guard secrets[secret.name] != nil else {
                throw FerryError(.notFound, code: .secretNotFound, "Secret `\(secret.name)` did not exist.")
            }
            secrets[secret.name] = secret
        }
    }

    public func deleteSecret(named name: String) async throws {
        try locked {
            guard secrets.removeValue(forKey: name) != nil else {
                throw FerryError(.notFound, code: .secretNotFound, "Secret `\(name)` does not exists.")
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
                throw FerryError(.alreadyExists, code: .valuesExist, "Values for secret \(id) already exist.")
            }
            self.values[id] = values
        }
    }

    public func getValues(for id: UUID) async throws -> SecretValues {
        try locked {
            guard let found = values[id] else { throw FerryError(.notFound, code: .valuesNotFound, "No values for secret \(id).") }
            return found
        }
    }

    public func updateValues(_ values: SecretValues, for id: UUID) async throws {
        locked { self.values[id] = values }
    }

    public func deleteValues(for id: UUID) async throws {
        try locked {
            guard values.removeValue(forKey: id) != nil else {
                throw FerryError(.notFound, code: .valuesNotFound, "No values for secret \(id).")
            }
        }
    }
}

/// A ``MigrationTarget`` in memory: secrets by name and visibility, stored as given, except for
/// names it garbles (so that verification fails) and secrets whose values are missing (an
/// interrupted create, see ``addInterrupted(_:isPrivate:)``).
public final class InMemoryMigrationTarget: MigrationTarget, @unchecked Sendable {
    private struct Key: Hashable {
        let name: String
        let isPrivate: Bool
    }

    private let lock = NSLock()
    private var secrets: [Key: SecretValues?] = [:]
    private var writes = 0
    let garbled: Set<String>

    public init(garbled: Set<String> = [], secrets: [String: SecretValues] = [:], isPrivate: Bool = false) {
        self.garbled = garbled
        for (name, values) in secrets { self.secrets[Key(name: name, isPrivate: isPrivate)] = .some(values) }
    }

    public var description: String { "memory" }
    /// How many secrets the target holds.
    public var count: Int { lock.withLock { secrets.count } }
    /// How many creates, replaces and restores it received.
    public var writeCount: Int { lock.withLock { writes } }

    /// The values of a secret (nil: absent, or its values are missing).
    public func values(_ name: String, isPrivate: Bool = false) -> SecretValues? {
        lock.withLock { secrets[Key(name: name, isPrivate: isPrivate)] ?? nil }
    }

    /// A secret whose metadata exists without values, as an interrupted create leaves it.
    public func addInterrupted(_ name: String, isPrivate: Bool = false) {
        lock.withLock { secrets[Key(name: name, isPrivate: isPrivate)] = .some(nil) }
    }

    public func lookup(_ name: String, isPrivate: Bool) async throws -> TargetSecret? {
        lock.withLock {
            secrets[Key(name: name, isPrivate: isPrivate)].map { TargetSecret(id: (isPrivate ? "private/" : "public/") + name, name: name, values: $0) }
        }
    }

    public func create(_ name: String, values: SecretValues, isPrivate: Bool) async throws {
        var stored = values
        if garbled.contains(name) { stored["garbled"] = "yes" }
        try lock.withLock {
            let key = Key(name: name, isPrivate: isPrivate)
            guard secrets[key] == nil else {
                throw FerryError(.alreadyExists, code: .secretExists, "A secret `\(name)` already exists in memory.")
            }
            secrets[key] = .some(stored)
            writes += 1
        }
    }

    public func replace(_ secret: TargetSecret, values: SecretValues) async throws { try write(secret, values) }
    public func restore(_ secret: TargetSecret, values: SecretValues) async throws { try write(secret, values) }

    private func write(_ secret: TargetSecret, _ values: SecretValues) throws {
        try lock.withLock {
            let key = Key(name: secret.name, isPrivate: secret.id.hasPrefix("private/"))
            guard secrets[key] != nil else { throw FerryError(.notFound, code: .secretNotFound, "No secret `\(secret.name)` in memory.") }
            secrets[key] = .some(values)
            writes += 1
        }
    }
}

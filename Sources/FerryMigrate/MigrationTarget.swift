import FerryCore
import FerryStore
import Foundation

/// A secret in a migration target: its handle and, when it has them, its values.
public struct TargetSecret: Sendable {
    /// The target's own reference (a store's secret, a server's id).
    public let id: String
    public let name: String
    /// nil: the metadata exists but the values do not (an interrupted create).
    public let values: SecretValues?
}

/// Where a migration writes: Ferry's own store, or a live ZenML server.
public protocol MigrationTarget: Sendable {
    /// For people: where the secrets go.
    var description: String { get }
    /// The secret of that exact name and visibility, if any.
    func lookup(_ name: String, isPrivate: Bool) async throws -> TargetSecret?
    func create(_ name: String, values: SecretValues, isPrivate: Bool) async throws
    /// Replaces every value (keys the new values lack are removed).
    func replace(_ secret: TargetSecret, values: SecretValues) async throws
    /// Writes the values of a secret whose values are missing.
    func restore(_ secret: TargetSecret, values: SecretValues) async throws
}

/// Ferry's embedded store (or any ``SecretStore``).
public struct StoreTarget: MigrationTarget {
    public let store: SecretStore
    /// The database named in ``description`` (a dry run reads a store that does not exist yet
    /// as an empty one in memory, but names the file it would create).
    let path: String

    public init(store: SecretStore, path: String? = nil) {
        self.store = store
        self.path = path ?? store.database.path
    }

    public var description: String { "the store at \(path)" }

    public func lookup(_ name: String, isPrivate: Bool) async throws -> TargetSecret? {
        guard let secret = try? store.find(name, isPrivate: isPrivate, allowPartial: false) else { return nil }
        do {
            return TargetSecret(id: secret.id.uuidString, name: secret.name, values: try await store.values(of: secret))
        } catch let error as FerryError where error.kind == .notFound {
            return TargetSecret(id: secret.id.uuidString, name: secret.name, values: nil)
        }
    }

    public func create(_ name: String, values: SecretValues, isPrivate: Bool) async throws {
        try await store.create(name: name, values: values, isPrivate: isPrivate)
    }

    func secret(_ target: TargetSecret) throws -> Secret {
        guard let id = UUID(uuidString: target.id) else { throw FerryError(.notFound, "no secret \(target.name)") }
        return try store.secret(id: id)
    }

    public func replace(_ target: TargetSecret, values: SecretValues) async throws {
        let secret = try secret(target)
        let current = try await store.values(of: secret)
        try await store.update(secret, addOrUpdate: values, removeKeys: current.keys.filter { !values.contains($0) })
    }

    public func restore(_ target: TargetSecret, values: SecretValues) async throws {
        try await store.restoreValues(values, of: try secret(target))
    }
}

/// A live ZenML server: from 0.80 `private`; before, the `user` scope (private) or the
/// `workspace` scope of the client's workspace (``ZenMLServerClient/Layout``).
public struct ZenMLServerTarget: MigrationTarget {
    public let client: ZenMLServerClient
    public init(client: ZenMLServerClient) { self.client = client }

    public var description: String {
        guard case .scoped(_, let workspace, _) = client.layout else { return "the ZenML server at \(client.url.absoluteString)" }
        return "workspace `\(workspace)` of the ZenML server at \(client.url.absoluteString)"
    }

    public func lookup(_ name: String, isPrivate: Bool) async throws -> TargetSecret? {
        guard let entry = try await client.find(name, isPrivate: isPrivate) else { return nil }
        return TargetSecret(id: entry.id, name: entry.name, values: try await client.values(id: entry.id, name: name))
    }

    public func create(_ name: String, values: SecretValues, isPrivate: Bool) async throws {
        try await client.create(name, values: values, isPrivate: isPrivate)
    }

    public func replace(_ secret: TargetSecret, values: SecretValues) async throws {
        try await client.replace(id: secret.id, name: secret.name, values: values, dropping: secret.values?.keys ?? [])
    }

    public func restore(_ secret: TargetSecret, values: SecretValues) async throws {
        try await client.replace(id: secret.id, name: secret.name, values: values)
    }
}

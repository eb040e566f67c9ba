public import FerryCore
public import FerryStore
import Foundation

/// A secret in a migration target: its handle and, when it has them, its values.
public struct TargetSecret: Sendable {
    /// The target's own reference (a store's secret, a server's id).
    public let id: String
    public let name: String
    /// nil: the metadata exists but the values do not (an interrupted create).
    public let values: SecretValues?

    public init(id: String, name: String, values: SecretValues?) {
        self.id = id
        self.name = name
        self.values = values
    }
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
    /// Called once before a plan looks up `names`: a remote target may list them in bulk.
    func prepare(names: Set<String>, isPrivate: Bool) async throws
    /// Why this target cannot hold a secret of this name (nil: it can). Checked before a plan
    /// looks the name up, so such a secret is never written.
    func nameProblem(_ name: String) -> String?
}

extension MigrationTarget {
    public func prepare(names: Set<String>, isPrivate: Bool) async throws {}

    /// Every target refuses a NUL: SQLite (Ferry's store, a ZenML database) and C strings cut
    /// the name short there, so it would land on another secret, and a ZenML server's
    /// PostgreSQL refuses it. Other control characters are stored as they are (ZenML 0.52's
    /// own migrate carries a name with a line break over). The store's values back-ends key
    /// secrets by id, not by name.
    public func nameProblem(_ name: String) -> String? {
        if name.isEmpty { return "invalid name: the target name is empty" }
        if name.unicodeScalars.contains("\u{0}") {
            return "invalid name: it contains the control character U+0000 (NUL), which would cut it short in the target; rename it in its secrets manager"
        }
        return nil
    }
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
        // Only "not found" means absent: a locked or unreadable store fails the lookup (a dry run
        // must not plan `create` for every secret of a store it could not read). A name the store
        // cannot hold (a NUL) is not in it.
        if nameProblem(name) != nil { return nil }
        let secret: Secret
        do {
            secret = try store.find(name, isPrivate: isPrivate, allowPartial: false)
        } catch let error as FerryError where error.kind == .notFound {
            return nil
        }
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
    /// Names and ids of the secrets of the migration's visibility, listed once by ``prepare``;
    /// lookups then need no request for a name the server does not have, and one (its values)
    /// for a name it has. Secrets this target creates are added as they are created.
    private let index = Index()

    public init(client: ZenMLServerClient) { self.client = client }

    final class Index: @unchecked Sendable {
        private let lock = NSLock()
        private var ids: [String: String]?
        private var isPrivate = false

        func set(_ entries: [ZenMLServerClient.Entry]?, isPrivate: Bool) {
            lock.withLock {
                ids = entries.map { Dictionary($0.map { ($0.name, $0.id) }, uniquingKeysWith: { first, _ in first }) }
                self.isPrivate = isPrivate
            }
        }

        /// nil: not listed (ask the server); .some(nil): listed and absent.
        func id(_ name: String, isPrivate: Bool) -> String?? {
            lock.withLock { ids == nil || isPrivate != self.isPrivate ? nil : .some(ids?[name]) }
        }

        func add(_ name: String, id: String?, isPrivate: Bool) {
            lock.withLock {
                guard ids != nil, isPrivate == self.isPrivate else { return }
                if let id { ids?[name] = id } else { ids = nil }  // no id in the answer: ask the server from now on
            }
        }
    }

    /// Lists the visibility's secrets when the plan looks up enough names for one listing to
    /// cost fewer requests than a lookup each (and not when the server holds many more).
    public func prepare(names: Set<String>, isPrivate: Bool) async throws {
        guard names.count >= 8 else { return }
        index.set(try await client.list(isPrivate: isPrivate, limit: max(1_000, names.count * 10)), isPrivate: isPrivate)
    }

    public var description: String {
        guard case .scoped(_, let workspace, _) = client.layout else { return "the ZenML server at \(DisplaySafety.redactedURL(client.url.absoluteString))" }
        return "workspace `\(workspace)` of the ZenML server at \(DisplaySafety.redactedURL(client.url.absoluteString))"
    }

    public func lookup(_ name: String, isPrivate: Bool) async throws -> TargetSecret? {
        let id: String
        if let listed = index.id(name, isPrivate: isPrivate) {
            guard let listed else { return nil }
            id = listed
        } else {
            guard let entry = try await client.find(name, isPrivate: isPrivate) else { return nil }
            id = entry.id
        }
        return TargetSecret(id: id, name: name, values: try await client.values(id: id, name: name))
    }

    public func create(_ name: String, values: SecretValues, isPrivate: Bool) async throws {
        let id = try await client.create(name, values: values, isPrivate: isPrivate)
        index.add(name, id: id, isPrivate: isPrivate)
    }

    public func replace(_ secret: TargetSecret, values: SecretValues) async throws {
        try await client.replace(id: secret.id, name: secret.name, values: values, dropping: secret.values?.keys ?? [])
    }

    public func restore(_ secret: TargetSecret, values: SecretValues) async throws {
        try await client.replace(id: secret.id, name: secret.name, values: values)
    }
}

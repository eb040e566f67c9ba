public import FerryCore
public import Foundation

/// A secrets-manager stack component as ZenML stored it: the facts every flavor needs.
///
/// ```swift
/// let component = LegacyComponent(id: id, name: "local_sm", flavor: "local")
/// ```
public struct LegacyComponent: Sendable, Hashable {
    /// The component UUID (used by `component` scope and by the local flavor's folder).
    public var id: UUID
    public var name: String
    /// `local`, `aws`, `gcp`, `azure`, `vault` or `github`.
    public var flavor: String
    public var scope: LegacyScope
    /// The scope namespace (used by `namespace` scope).
    public var namespace: String?
    /// The flavor's own configuration fields (`secrets_file`, `region_name`, …), as strings.
    public var configuration: [String: String]

    public init(id: UUID, name: String, flavor: String, scope: LegacyScope = .none, namespace: String? = nil,
                configuration: [String: String] = [:])
    {
        self.id = id
        self.name = name
        self.flavor = flavor
        self.scope = scope
        self.namespace = namespace
        self.configuration = configuration
    }

    /// The scope path of this component.
    public var scopePath: ScopePath { ScopePath(scope: scope, componentID: id, namespace: namespace) }
}

/// One deprecated secrets-manager flavor, reading and writing exactly where and how ZenML did.
///
/// The six operations are ZenML's `BaseSecretsManager` API (ZenML 0.52.0
/// `src/zenml/secrets_managers/base_secrets_manager.py`); errors follow its contract:
/// ``FerryError/Kind/alreadyExists`` on register, ``FerryError/Kind/notFound`` on get, update and
/// delete, with ZenML's messages. Every conformance passes `FerryTesting`'s
/// `LegacySecretsManagerConformance`.
///
/// ```swift
/// let manager: any LegacySecretsManager = LocalSecretsManager(component: component, paths: paths)
/// try await manager.registerSecret(LegacySecret(name: "db", values: ["password": "hunter2"]))
/// ```
public protocol LegacySecretsManager: Sendable {
    /// The component this manager serves.
    var component: LegacyComponent { get }
    /// Where the secrets live, for people (a file path, a URL, a vault and mount).
    var location: String { get }
    /// The flavor's rule for secret names and namespaces; throws with ZenML's message.
    func validateSecretName(_ name: String) throws
    /// Registers a new secret.
    func registerSecret(_ secret: LegacySecret) async throws
    /// Reads one secret.
    func getSecret(named name: String) async throws -> LegacySecret
    /// `get_all_secret_keys()`: the names of every secret in this manager's scope.
    func secretNames() async throws -> [String]
    /// Replaces an existing secret's values.
    func updateSecret(_ secret: LegacySecret) async throws
    /// Deletes one secret.
    func deleteSecret(named name: String) async throws
    /// Deletes several secrets (a flavor that keeps them in one file rewrites it once); returns
    /// the error of each name that could not be deleted (empty: every one was).
    func deleteSecrets(named names: [String]) async -> [String: FerryError]
    /// Deletes every secret in this manager's scope.
    func deleteAllSecrets() async throws
    /// Every secret of the scope, in listing order; each one that cannot be read carries its error.
    func readAll() async throws -> [(name: String, result: Result<LegacySecret, FerryError>)]
    /// Secrets of this scope in an older layout that ZenML 0.52 no longer finds (see ``StrandedSecret``).
    func strandedSecrets() async throws -> [StrandedSecret]
    /// Deletes one of ``strandedSecrets()``.
    func deleteStrandedSecret(_ secret: StrandedSecret) async throws
    /// The components whose scoped secrets are in this manager's back-end (see ``RecoveredComponent``).
    func recoverComponents() async throws -> [RecoveredComponent]
}

extension LegacySecretsManager {
    public func validateSecretName(_ name: String) throws {}

    /// One ``deleteSecret(named:)`` per name.
    public func deleteSecrets(named names: [String]) async -> [String: FerryError] {
        var failures: [String: FerryError] = [:]
        for name in names {
            do {
                try await deleteSecret(named: name)
            } catch let error as FerryError {
                failures[name] = error
            } catch {
                failures[name] = FerryError(.backend, "\(error)")
            }
        }
        return failures
    }

    /// Every secret of this manager's scope: by default one `getSecret` per name; flavors with
    /// a bulk read override ``readAll()``. A secret that cannot be read is returned as its error.
    public func readAll() async throws -> [(name: String, result: Result<LegacySecret, FerryError>)] {
        var results: [(name: String, result: Result<LegacySecret, FerryError>)] = []
        for name in try await secretNames() {
            do {
                results.append((name, .success(try await getSecret(named: name))))
            } catch let error as FerryError {
                results.append((name, .failure(error)))
            }
        }
        return results
    }
}

/// A secret an older ZenML wrote in a layout that the flavor's later code (and so ZenML 0.52)
/// no longer finds, such as the vault flavor's 0.10–0.11 `zenml/<TYPE>-<name>` paths: readable
/// by Ferry only. Listing commands report these; migration carries them over.
public struct StrandedSecret: Sendable {
    /// The secret name the older ZenML gave it.
    public let name: String
    /// Where it is, in the back-end's terms (a path, a secret id), for people and for deletion.
    public let location: String
    /// Which ZenML versions wrote this layout, e.g. `ZenML 0.10–0.11`.
    public let era: String
    /// The first ZenML release that no longer reads it, e.g. `0.12`.
    public let unreadableSince: String
    /// The secret, or why it could not be read.
    public let result: Result<LegacySecret, FerryError>

    public init(name: String, location: String, era: String, unreadableSince: String, result: Result<LegacySecret, FerryError>) {
        self.name = name
        self.location = location
        self.era = era
        self.unreadableSince = unreadableSince
        self.result = result
    }
}

extension LegacySecretsManager {
    /// Secrets in an older layout of this flavor that belong to this manager's scope (none by default).
    public func strandedSecrets() async throws -> [StrandedSecret] { [] }

    /// Deletes a stranded secret (after migration). Flavors that report stranded secrets implement it.
    public func deleteStrandedSecret(_ secret: StrandedSecret) async throws {
        throw FerryError(.unsupported, code: .strandedDeleteUnsupported,
                         "Ferry cannot delete `\(secret.location)` for the \(component.flavor) flavor.")
    }
}

/// Items grouped by name, the groups in the order their first item came (for flavors that keep
/// one back-end secret per key and list them all at once).
func groupedByName<Item>(_ entries: [(name: String, item: Item)]) -> [(name: String, items: [Item])] {
    var order: [String] = []
    var groups: [String: [Item]] = [:]
    for (name, item) in entries {
        if groups[name] == nil { order.append(name) }
        groups[name, default: []].append(item)
    }
    return order.map { ($0, groups[$0] ?? []) }
}

/// `readAll()` of a flavor that lists once: `read` turns each group into a secret; a secret
/// that cannot be read is returned as its error.
func readEachGroup<Item>(_ groups: [(name: String, items: [Item])], _ read: (String, [Item]) async throws -> LegacySecret) async
    -> [(name: String, result: Result<LegacySecret, FerryError>)]
{
    var results: [(name: String, result: Result<LegacySecret, FerryError>)] = []
    for (name, items) in groups {
        do {
            results.append((name, .success(try await read(name, items))))
        } catch let error as FerryError {
            results.append((name, .failure(error)))
        } catch {
            results.append((name, .failure(FerryError(.backend, "\(error)"))))
        }
    }
    return results
}

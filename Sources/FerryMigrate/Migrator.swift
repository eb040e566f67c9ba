import FerryCore
import FerryLegacy
import FerryStore
import Foundation
import Logging

/// One legacy secret's way into the centralized store.
public struct MigrationItem: Sendable {
    /// What will happen (in a plan) or happened (in a report).
    public enum Action: String, Sendable {
        case create, update
        case skip = "skip (identical)"
        case conflict, unreadable, failed
    }

    public let component: LegacyComponent
    public let legacyName: String
    public let targetName: String
    public var action: Action
    /// Why, for conflicts, unreadable and failed items (never a value).
    public var detail: String?
    /// Whether the target read back equal after applying.
    public var verified = false
    /// Whether the source was deleted.
    public var deletedSource = false
    /// For a secret in an older layout that ZenML 0.52 no longer finds: where it is and who wrote it.
    public var stranded: (location: String, era: String)? { strandedSource.map { ($0.location, $0.era) } }
    let values: SecretValues?
    let existing: Secret?
    var strandedSource: StrandedSecret? = nil
}

/// Options of a migration, ZenML 0.35–0.52's `secrets-manager secret migrate` semantics by default.
public struct MigrationOptions: Sendable {
    /// Only these legacy names (all when empty).
    public var names: [String] = []
    /// Target visibility (ZenML ≥ 0.80 `private`).
    public var isPrivate = false
    /// Overwrite a target with other values (ZenML's `--non-interactive`); otherwise it is a conflict.
    public var overwrite = false
    /// Delete each source after its target verified equal.
    public var deleteSources = false
    /// Also carry over secrets in older layouts that ZenML 0.52 no longer finds (``StrandedSecret``).
    public var includeStranded = true

    public init() {}
}

/// Plans and applies a migration from legacy secrets managers into a ``SecretStore``.
///
/// A plan reads every source secret and compares it with the store; applying writes, reads
/// back to verify, and only then (with `deleteSources`) deletes the source. A re-run is a no-op.
///
/// ```swift
/// let migrator = Migrator(store: store)
/// var plan = try await migrator.plan(sources: managers, options: options)
/// try await migrator.apply(&plan, sources: managers, options: options)
/// ```
public struct Migrator: Sendable {
    public let store: SecretStore
    private let logger: Logger

    public init(store: SecretStore, logger: Logger = Logger(label: "ferry.migrate")) {
        self.store = store
        self.logger = logger
    }

    /// Reads every source secret and decides its action. Never writes.
    public func plan(sources: [any LegacySecretsManager], options: MigrationOptions) async throws -> [MigrationItem] {
        var items: [MigrationItem] = []
        var claimed: [String: (component: LegacyComponent, values: SecretValues)] = [:]
        typealias Entry = (name: String, result: Result<LegacySecret, FerryError>, stranded: StrandedSecret?)
        var listed: [(source: any LegacySecretsManager, secrets: [Entry])] = []
        for source in sources {
            var entries: [Entry] = try await source.readAll().map { ($0.name, $0.result, nil) }
            if options.includeStranded {
                entries += try await source.strandedSecrets().map { ($0.name, $0.result, $0) }
            }
            listed.append((source, entries))
        }
        let everyName = Set(listed.flatMap { $0.secrets.map(\.name) })
        for name in options.names where !everyName.contains(name) {
            throw FerryError(.notFound, code: "secret_not_found",
                             "Secret with name `\(name)` not found. Please double-check the name and try again.")
        }
        for (source, secrets) in listed {
            for (name, result, stranded) in secrets where options.names.isEmpty || options.names.contains(name) {
                var item: MigrationItem
                switch result {
                case .failure(let error):
                    item = MigrationItem(component: source.component, legacyName: name, targetName: name, action: .unreadable,
                                         detail: error.message, values: nil, existing: nil, strandedSource: stranded)
                case .success(let secret):
                    let existing = try? store.find(name, isPrivate: options.isPrivate, allowPartial: false)
                    var action = MigrationItem.Action.create
                    var detail: String?
                    if let existing {
                        let current = try await store.values(of: existing)
                        if current == secret.values {
                            action = .skip
                        } else if options.overwrite {
                            action = .update
                        } else {
                            action = .conflict
                            detail = "a \(options.isPrivate ? "private" : "public") secret `\(name)` with other values exists"
                        }
                    }
                    if let earlier = claimed[name] {
                        if earlier.values == secret.values {
                            action = .skip
                        } else {
                            action = .conflict
                            detail = "component \(earlier.component.name) also has a secret `\(name)`, with other values"
                        }
                    } else {
                        claimed[name] = (source.component, secret.values)
                    }
                    if let stranded, detail == nil {
                        detail = "\(stranded.era) layout at `\(stranded.location)`, which ZenML ≥ 0.12 does not read"
                    }
                    item = MigrationItem(component: source.component, legacyName: name, targetName: name, action: action,
                                         detail: detail, values: secret.values, existing: existing, strandedSource: stranded)
                }
                items.append(item)
            }
        }
        return items
    }

    /// Applies a plan: creates and updates, verifies each target by reading it back, then deletes
    /// verified sources when asked. A failure of one secret does not stop the others.
    public func apply(_ plan: inout [MigrationItem], sources: [any LegacySecretsManager], options: MigrationOptions) async {
        for index in plan.indices {
            var item = plan[index]
            guard let values = item.values else { continue }
            do {
                switch item.action {
                case .create:
                    try await store.create(name: item.targetName, values: values, isPrivate: options.isPrivate)
                case .update:
                    guard let existing = item.existing else { break }
                    let current = try await store.values(of: existing)
                    let stale = current.keys.filter { !values.contains($0) }
                    try await store.update(existing, addOrUpdate: values, removeKeys: stale)
                default:
                    break
                }
                if [.create, .update, .skip].contains(item.action) {
                    let target = try store.find(item.targetName, isPrivate: options.isPrivate, allowPartial: false)
                    item.verified = try await store.values(of: target) == values
                    if !item.verified {
                        item.action = .failed
                        item.detail = "the target did not read back equal"
                    }
                }
                if options.deleteSources, item.verified,
                    let source = sources.first(where: { $0.component.id == item.component.id })
                {
                    if let stranded = item.strandedSource {
                        try await source.deleteStrandedSecret(stranded)
                    } else {
                        try await source.deleteSecret(named: item.legacyName)
                    }
                    item.deletedSource = true
                }
            } catch {
                item.action = .failed
                item.detail = "\(error)"
                logger.warning("migration failed", metadata: ["secret": "\(item.legacyName)"])
            }
            plan[index] = item
        }
    }
}

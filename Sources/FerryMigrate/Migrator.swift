import FerryCore
public import FerryLegacy
public import FerryStore
public import Foundation
public import Logging

/// One legacy secret's way into the centralized store.
public struct MigrationItem: Sendable {
    /// What will happen (in a plan) or happened (in a report). The raw value is the stable
    /// identifier machines read (`-o json`, `--error-file`); ``label`` is for tables.
    public enum Action: String, Sendable, CaseIterable {
        case create, update
        /// The target's metadata exists but its values do not (an interrupted earlier run): they are written.
        case repair
        /// The target already holds the same values.
        case skip = "skip_identical"
        /// A conflict left alone (`--on-conflict skip`).
        case skipConflict = "skip_conflict"
        case conflict, unreadable, failed

        /// For people: `skip (identical)`, `repair (values missing)`, ….
        public var label: String {
            switch self {
            case .repair: "repair (values missing)"
            case .skip: "skip (identical)"
            case .skipConflict: "skip (conflict)"
            default: rawValue
            }
        }
    }

    public let component: LegacyComponent
    public let legacyName: String
    public var targetName: String
    public var action: Action
    /// Why, for conflicts, unreadable, renamed and failed items (never a value).
    public var detail: String?
    /// Whether the target read back equal after applying.
    public var verified = false
    /// Whether the source was deleted.
    public var deletedSource = false
    /// Whether this item stands for a whole secrets manager that could not be listed (none of its
    /// secrets can be migrated; `legacyName` is `*` for display). A real secret named `*` is an
    /// ordinary item: only this flag marks a failed listing.
    public internal(set) var wholeSource = false
    /// For a secret in an older layout that ZenML 0.52 no longer finds: where it is and who wrote it.
    public var stranded: (location: String, era: String)? { strandedSource.map { ($0.location, $0.era) } }
    let values: SecretValues?
    var existing: TargetSecret?
    var strandedSource: StrandedSecret? = nil

    /// Whether applying writes something for this item.
    public var writes: Bool { [.create, .update, .repair].contains(action) }
}

/// What to do when a target name already holds other values, or two sources land on one name.
public enum ConflictPolicy: String, Sendable, CaseIterable {
    /// Report it and write nothing for it (the default; ZenML asked, per secret).
    case report
    /// Leave the target as it is.
    case skip
    /// Replace the target's values (ZenML's `--non-interactive`), dropping keys the source lacks.
    case overwrite
    /// Write the source under a free name: `<target>-<component name>`, then `-2`, `-3`, …
    case rename
    /// Write nothing at all when any conflict exists.
    case fail
}

/// Target names from legacy ones: `{name}`, `{component}`, `{component_id}`, `{namespace}`,
/// `{scope}`, `{flavor}`. ZenML's migrate kept the bare name (`{name}`).
public struct NameTemplate: Sendable {
    public let text: String
    static let fields = ["name", "component", "component_id", "namespace", "scope", "flavor"]

    public init(_ text: String = "{name}") throws {
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw FerryError(.invalidInput, code: .badNameTemplate, "The name template '\(text)' has a `{` without `}`.")
            }
            let field = String(rest[rest.index(after: open)..<close])
            guard Self.fields.contains(field) else {
                throw FerryError(.invalidInput, code: .badNameTemplate,
                                 "The name template '\(text)' uses `{\(field)}`; the fields are \(Self.fields.map { "{\($0)}" }.joined(separator: ", ")).")
            }
            rest = rest[rest.index(after: close)...]
        }
        guard text.contains("{name}") else {
            throw FerryError(.invalidInput, code: .badNameTemplate, "The name template '\(text)' must contain {name}.")
        }
        self.text = text
    }

    public func render(name: String, component: LegacyComponent) -> String {
        text.replacingOccurrences(of: "{name}", with: name)
            .replacingOccurrences(of: "{component_id}", with: component.id.uuidString.lowercased())
            .replacingOccurrences(of: "{component}", with: component.name)
            .replacingOccurrences(of: "{namespace}", with: component.namespace ?? "")
            .replacingOccurrences(of: "{scope}", with: component.scope.rawValue)
            .replacingOccurrences(of: "{flavor}", with: component.flavor)
    }

    public var isIdentity: Bool { text == "{name}" }
}

/// Options of a migration, ZenML 0.35–0.52's `secrets-manager secret migrate` semantics by default.
public struct MigrationOptions: Sendable {
    /// Only these legacy names (all when empty).
    public var names: [String] = []
    /// Target visibility (ZenML ≥ 0.80 `private`).
    public var isPrivate = false
    /// Conflicts: reported by default; `overwrite` is ZenML's `--non-interactive`.
    public var onConflict: ConflictPolicy = .report
    /// Delete each source after its target verified equal.
    public var deleteSources = false
    /// Also carry over secrets in older layouts that ZenML 0.52 no longer finds (``StrandedSecret``).
    public var includeStranded = true
    /// Target names.
    public var nameTemplate = try! NameTemplate()
    /// How many secrets are written at once.
    public var concurrency = 4

    public init() {}
}

/// Progress of an apply, for a progress line (never a value).
public struct MigrationProgress: Sendable {
    public let done: Int
    public let total: Int
    public let elapsed: TimeInterval
    /// Seconds left at the current pace (nil until the first item is done).
    public var remaining: TimeInterval? { done == 0 ? nil : elapsed / Double(done) * Double(total - done) }
}

/// Plans and applies a migration from legacy secrets managers into a ``SecretStore``.
///
/// A plan reads every source secret and compares it with the store; applying writes, reads
/// back to verify, and only then (with `deleteSources`) deletes the source. A re-run is a no-op,
/// and a run interrupted at any point is completed by the next one: a target whose values never
/// arrived is repaired, a verified one is skipped (and its source deleted, with `deleteSources`).
///
/// ```swift
/// let migrator = Migrator(store: store)
/// var plan = try await migrator.plan(sources: managers, options: options)
/// try await migrator.apply(&plan, sources: managers, options: options)
/// ```
public struct Migrator: Sendable {
    public let target: any MigrationTarget
    private let logger: Logger

    public init(target: any MigrationTarget, logger: Logger = Logger(label: "ferry.migrate")) {
        self.target = target
        self.logger = logger
    }

    /// A migration into a ``SecretStore``.
    public init(store: SecretStore, logger: Logger = Logger(label: "ferry.migrate")) {
        self.init(target: StoreTarget(store: store), logger: logger)
    }

    /// Reads every source secret and decides its action. Never writes.
    public func plan(sources: [any LegacySecretsManager], options: MigrationOptions) async throws -> [MigrationItem] {
        typealias Entry = (name: String, result: Result<LegacySecret, FerryError>, stranded: StrandedSecret?)
        var listed: [(source: any LegacySecretsManager, secrets: [Entry], listingFailed: Bool)] = []
        for source in sources {
            do {
                var entries: [Entry] = try await source.readAll().map { ($0.name, $0.result, nil) }
                if options.includeStranded {
                    entries += try await source.strandedSecrets().map { ($0.name, $0.result, $0) }
                }
                listed.append((source, entries, false))
            } catch let error as FerryError {
                // A secrets manager that cannot be listed (no credentials, unreachable, a broken
                // secrets file) does not stop the others; its one row stands for all its secrets.
                listed.append((source, [("*", .failure(FerryError(error.kind, code: error.code, remoteCode: error.remoteCode,
                                                                   "none of its secrets can be read: \(error.message)")), nil)], true))
            }
        }
        let everyName = Set(listed.filter { !$0.listingFailed }.flatMap { $0.secrets.map(\.name) })
        for name in options.names where !everyName.contains(name) {
            let searched = sources.map { "\($0.component.name) (\($0.location))" }.joined(separator: ", ")
            throw FerryError(.notFound, code: .secretNotFound,
                             "Secret with name `\(name)` not found in the secrets manager\(sources.count == 1 ? "" : "s") searched: \(searched). Please double-check the name and try again.")
        }
        // The secrets to plan, each with its target name (rendered once); the readable ones are
        // looked up in the target, which may list their names in bulk first.
        // A name the target cannot hold (a NUL would land on another secret) is planned as
        // unreadable, never looked up or written.
        let selected = listed.flatMap { source, secrets, listingFailed in
            secrets.filter { options.names.isEmpty || options.names.contains($0.name) || listingFailed }
                .map { entry -> (source: any LegacySecretsManager, entry: Entry, target: String, wholeSource: Bool) in
                    let target = options.nameTemplate.render(name: entry.name, component: source.component)
                    guard case .success = entry.result, let problem = self.target.nameProblem(target) else { return (source, entry, target, listingFailed) }
                    return (source, (entry.name, .failure(FerryError(.invalidInput, code: .invalidName, problem)), entry.stranded), target, false)
                }
        }
        let lookedUp = Set(selected.compactMap { selection -> String? in
            guard case .success = selection.entry.result else { return nil }
            return selection.target
        })
        try await target.prepare(names: lookedUp, isPrivate: options.isPrivate)
        var items: [MigrationItem] = []
        var claimed: [String: (component: LegacyComponent, values: SecretValues)] = [:]
        for (source, (name, result, stranded), target, wholeSource) in selected {
            switch result {
            case .failure(let error):
                var item = MigrationItem(component: source.component, legacyName: name, targetName: target, action: .unreadable,
                                         detail: error.message, values: nil, existing: nil, strandedSource: stranded)
                item.wholeSource = wholeSource
                items.append(item)
            case .success(let secret):
                var item = try await decide(secret.values, name: name, target: target, component: source.component,
                                            claimed: &claimed, options: options)
                item.strandedSource = stranded
                if let stranded, item.detail == nil {
                    item.detail = "\(stranded.era) layout at `\(stranded.location)`, which ZenML ≥ \(stranded.unreadableSince) does not read"
                }
                items.append(item)
            }
        }
        return items
    }

    /// The action for one readable source secret, given the store and what earlier sources claimed.
    private func decide(_ values: SecretValues, name: String, target: String, component: LegacyComponent,
                        claimed: inout [String: (component: LegacyComponent, values: SecretValues)], options: MigrationOptions) async throws
        -> MigrationItem
    {
        var target = target
        var renamed: String?
        func make(_ action: MigrationItem.Action, _ detail: String?, _ existing: TargetSecret?) -> MigrationItem {
            MigrationItem(component: component, legacyName: name, targetName: target, action: action,
                          detail: detail ?? renamed.map { "renamed from `\($0)`: a conflict" }, values: values, existing: existing)
        }
        while true {
            if let earlier = claimed[target] {
                if earlier.values == values { return make(.skip, "component \(earlier.component.name) has the same secret", nil) }
                let detail = "component \(earlier.component.name) also has a secret that lands on `\(target)`, with other values"
                switch options.onConflict {
                case .rename:
                    renamed = renamed ?? target
                    target = try await freeName(for: renamed ?? target, component: component, claimed: claimed, isPrivate: options.isPrivate)
                    continue
                case .skip: return make(.skipConflict, detail, nil)
                default: return make(.conflict, detail, nil)
                }
            }
            guard let existing = try await self.target.lookup(target, isPrivate: options.isPrivate) else {
                claimed[target] = (component, values)
                return make(.create, nil, nil)
            }
            guard let current = existing.values else {
                // Metadata without values: an earlier run stopped between the two writes.
                claimed[target] = (component, values)
                return make(.repair, "an earlier run was interrupted before the values were written", existing)
            }
            if current == values {
                claimed[target] = (component, values)
                return make(.skip, nil, existing)
            }
            let detail = "a \(options.isPrivate ? "private" : "public") secret `\(target)` with other values exists"
            switch options.onConflict {
            case .overwrite:
                claimed[target] = (component, values)
                return make(.update, nil, existing)
            case .rename:
                renamed = renamed ?? target
                target = try await freeName(for: renamed ?? target, component: component, claimed: claimed, isPrivate: options.isPrivate)
            case .skip: return make(.skipConflict, detail, existing)
            case .report, .fail: return make(.conflict, detail, existing)
            }
        }
    }

    /// `<name>-<component>`, then `<name>-<component>-2`, … : the first name neither the store nor the plan has.
    private func freeName(for name: String, component: LegacyComponent, claimed: [String: (component: LegacyComponent, values: SecretValues)],
                          isPrivate: Bool) async throws -> String
    {
        let base = "\(name)-\(component.name)"
        var candidate = base
        var counter = 2
        while true {
            if claimed[candidate] == nil, try await target.lookup(candidate, isPrivate: isPrivate) == nil { return candidate }
            candidate = "\(base)-\(counter)"
            counter += 1
        }
    }

    /// Applies a plan: creates, repairs and updates, verifies each target by reading it back, then
    /// deletes verified sources when asked. At most `options.concurrency` secrets are in flight; a
    /// failure of one secret does not stop the others. With ``ConflictPolicy/fail`` and a
    /// conflict in the plan, nothing is written.
    public func apply(_ plan: inout [MigrationItem], sources: [any LegacySecretsManager], options: MigrationOptions,
                      progress: (@Sendable (MigrationProgress) -> Void)? = nil) async throws
    {
        if options.onConflict == .fail, let conflict = plan.first(where: { $0.action == .conflict }) {
            throw FerryError(.refused, code: .migrationConflict,
                             "Nothing was migrated: `\(conflict.legacyName)` of \(conflict.component.name) conflicts (\(conflict.detail ?? "")), and --on-conflict is fail.")
        }
        let started = Date()
        let total = plan.count
        let limit = max(1, options.concurrency)
        var done = 0
        // Verified items whose source secret is still to delete, by source: deleted in batches
        // (one rewrite of a local secrets file per batch, not one per secret).
        var verified: [Int: [Int]] = [:]
        try await withThrowingTaskGroup(of: (Int, MigrationItem).self) { group in
            var next = 0
            func launch() {
                guard next < plan.count else { return }
                let index = next
                let item = plan[index]
                next += 1
                group.addTask { (index, await self.applyOne(item, sources: sources, options: options)) }
            }
            for _ in 0..<limit { launch() }
            while let (index, item) = try await group.next() {
                plan[index] = item
                if options.deleteSources, item.verified, item.strandedSource == nil, let source = sourceIndex(of: item, in: sources) {
                    verified[source, default: []].append(index)
                    if verified[source]!.count >= Self.deleteBatch {
                        await deleteSources(verified.removeValue(forKey: source)!, from: sources[source], plan: &plan)
                    }
                }
                done += 1
                progress?(MigrationProgress(done: done, total: total, elapsed: Date().timeIntervalSince(started)))
                launch()
            }
        }
        for (source, indices) in verified.sorted(by: { $0.key < $1.key }) {
            await deleteSources(indices, from: sources[source], plan: &plan)
        }
    }

    /// How many verified source secrets are deleted at once.
    static let deleteBatch = 500

    private func sourceIndex(of item: MigrationItem, in sources: [any LegacySecretsManager]) -> Int? {
        sources.firstIndex { $0.component.id == item.component.id && $0.component.name == item.component.name }
    }

    /// Deletes the source secrets of verified items `indices` of `plan` from `source` in one call.
    private func deleteSources(_ indices: [Int], from source: any LegacySecretsManager, plan: inout [MigrationItem]) async {
        let failures = await source.deleteSecrets(named: indices.map { plan[$0].legacyName })
        for index in indices {
            if let error = failures[plan[index].legacyName] {
                plan[index].action = .failed
                plan[index].detail = error.message
                logger.warning("deleting the source failed", metadata: ["secret": "\(plan[index].legacyName)"])
            } else {
                plan[index].deletedSource = true
            }
        }
    }

    private func applyOne(_ item: MigrationItem, sources: [any LegacySecretsManager], options: MigrationOptions) async -> MigrationItem {
        var item = item
        guard let values = item.values else { return item }
        do {
            switch item.action {
            case .create:
                do {
                    try await target.create(item.targetName, values: values, isPrivate: options.isPrivate)
                } catch let error as FerryError where error.kind == .alreadyExists {
                    // Created since the plan, by a migration running at the same time: with the same
                    // values it is this run's result too (verified below); with others, a conflict.
                    guard let now = try await target.lookup(item.targetName, isPrivate: options.isPrivate), now.values == values else {
                        item.action = .conflict
                        item.detail = "a \(options.isPrivate ? "private" : "public") secret `\(item.targetName)` with other values was created while this run was migrating"
                        return item
                    }
                    item.action = .skip
                    item.detail = "created meanwhile by another run, with the same values"
                }
            case .repair:
                guard let existing = item.existing else { break }
                try await target.restore(existing, values: values)
            case .update:
                guard let existing = item.existing else { break }
                try await target.replace(existing, values: values)
            default:
                break
            }
            if [.create, .repair, .update, .skip].contains(item.action) {
                let written = try await target.lookup(item.targetName, isPrivate: options.isPrivate)
                item.verified = written?.values == values
                if !item.verified {
                    item.action = .failed
                    item.detail = "the target did not read back equal"
                }
            }
            // Stranded secrets are deleted one by one here; the others in batches by ``apply``.
            if options.deleteSources, item.verified, let stranded = item.strandedSource, let source = sourceIndex(of: item, in: sources) {
                try await sources[source].deleteStrandedSecret(stranded)
                item.deletedSource = true
            }
        } catch let error as FerryError {
            item.action = .failed
            item.detail = error.message
            logger.warning("migration failed", metadata: ["secret": "\(item.legacyName)"])
        } catch {
            item.action = .failed
            item.detail = "\(error)"
        }
        return item
    }
}

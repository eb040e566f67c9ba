import ArgumentParser
import FerryCore
import FerryLegacy
import FerryStack
import Foundation

extension GlobalOptions {
    /// The ZenML installation of `--config-dir` (or the environment), with the repository whose
    /// `.zen/config.yaml` may choose the active stack.
    /// Read once per process (a command may need it to choose sources and again to check
    /// references), so its problems are reported once.
    func installation() throws -> ZenMLInstallation {
        try InstallationCache.shared.get(zenmlPaths.configDirectory + "\u{0}" + (repository ?? "")) {
            let installation = try ZenMLInstallation.open(paths: zenmlPaths, environment: environment, repository: repository)
            for problem in installation.problems { Console.warning(problem) }
            return installation
        }
    }

    /// `ZENML_REPOSITORY_PATH`, else the nearest folder from the current one upwards that has a
    /// `.zen` folder, as ZenML's `Client.find_repository` looks for it.
    var repository: String? {
        if let path = environment["ZENML_REPOSITORY_PATH"], !path.isEmpty { return path }
        var folder = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL
        while true {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder.path + "/.zen", isDirectory: &isDirectory), isDirectory.boolValue { return folder.path }
            let parent = folder.deletingLastPathComponent()
            if parent.path == folder.path { return nil }
            folder = parent
        }
    }
}

/// Configuration values that hold credentials, masked in output unless --show-secrets (ZenML
/// marks them `SecretField`: tokens, passwords, secret keys).
enum SensitiveFields {
    static func isSensitive(_ key: String) -> Bool {
        let name = key.lowercased()
        if ["secrets_file", "secret_name", "key_vault_name", "token_uri"].contains(name) { return false }
        return name == "token" || name.hasSuffix("_token") || name.contains("password") || name == "secret" || name.hasSuffix("_secret")
            || name.hasSuffix("secret_key") || name.hasSuffix("private_key") || name.hasSuffix("api_key") || name.hasSuffix("access_key")
            || name.contains("credentials")
    }

    /// A stored configuration value as shown: references as they are, credentials masked.
    static func shown(_ key: String, _ value: PythonJSON.Value, _ show: Bool) -> PythonJSON.Value {
        if case .string(let text) = value, SecretReference.isReference(text) { return value }
        return isSensitive(key) && !show && value != .null ? .string(Console.mask) : value
    }

    static func configuration(_ pairs: [(key: String, value: PythonJSON.Value)], _ show: Bool) -> PythonJSON.Value {
        .object(pairs.map { ($0.key, shown($0.key, $0.value, show)) })
    }
}

/// `ferry stack …`: the stacks of a ZenML installation.
struct StackCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stack",
        abstract: "List, describe, export, validate and resolve the stacks of a ZenML installation.",
        discussion: """
            The installation is the ZenML configuration directory (--config-dir, else $ZENML_CONFIG_PATH, \
            else the platform's), in any ZenML era from 0.10 on. Nothing in it is written.
            """,
        subcommands: [List.self, Describe.self, Export.self, Validate.self, Resolve.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the stacks.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let installation = try global.installation()
            let types = Array(Set(installation.stacks.flatMap { $0.components.map(\.type) })).sorted()
            let document = PythonJSON.Value.array(installation.stacks.map { stack in
                .object([("name", .string(stack.name)), ("id", stack.id.map { .string($0.uuidString.lowercased()) } ?? .null),
                         ("active", .bool(stack.name == installation.activeStack?.name && stack.id == installation.activeStack?.id)),
                         ("components", .object(stack.components.map { type, component in
                             (type, .object([("name", .string(component.name)), ("id", component.id.map { .string($0.uuidString.lowercased()) } ?? .null),
                                             ("flavor", .string(component.flavor))]))
                         }))])
            })
            Console.emit(global.output, document: document) {
                let rows = installation.stacks.map { stack -> [String] in
                    let active = stack.name == installation.activeStack?.name && stack.id == installation.activeStack?.id
                    return [active ? "👉" : "", stack.name, stack.idText] + types.map { stack.component(ofType: $0)?.name ?? "" }
                }
                return Console.table(["ACTIVE", "STACK NAME", "STACK ID"] + types.map { $0.uppercased() }, rows, truncate: [1])
                    + "\n\(installation.era.rawValue) at \(installation.storeLocation)"
            }
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a stack's components, configurations and secret references.")
        @Argument(help: "The stack's name or id (default: the active stack).") var stack: String?
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let installation = try global.installation()
            let stack = try installation.stack(self.stack)
            let resolver = ReferenceResolver(installation: installation, context: global.legacyContext)
            let document = PythonJSON.Value.object([
                ("name", .string(stack.name)), ("id", stack.id.map { .string($0.uuidString.lowercased()) } ?? .null),
                ("active", .bool(stack.name == installation.activeStack?.name)),
                ("components", .array(stack.components.map { _, component in
                    .object([("type", .string(component.type)), ("name", .string(component.name)), ("flavor", .string(component.flavor)),
                             ("id", component.id.map { .string($0.uuidString.lowercased()) } ?? .null),
                             ("configuration", SensitiveFields.configuration(component.configuration, global.showSecrets)),
                             ("references", .array(resolver.references(of: component).map { .string("\($0.key)=\($0.reference)") }))])
                })),
            ])
            Console.emit(global.output, document: document) {
                var rows: [[String]] = []
                for (_, component) in stack.components {
                    let configuration = Console.lines(component.configuration.map { key, value in
                        "\(key)=\(SensitiveFields.shown(key, value, global.showSecrets).pythonString)"
                    })
                    rows.append([component.type, component.name, component.flavor, component.idText, configuration])
                }
                return "Stack `\(stack.name)`\(stack.name == installation.activeStack?.name ? " (active)" : ""):\n"
                    + Console.table(["COMPONENT_TYPE", "NAME", "FLAVOR", "ID", "CONFIGURATION"], rows, truncate: [1], multiline: [4])
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export a stack as ZenML 0.20–0.52's `zenml stack export` YAML.",
            discussion: "The file holds the configurations as ZenML stored them, credentials included; it is written with mode 0600.")
        @Argument(help: "The stack's name or id.") var stack: String
        @Argument(help: "The file to write (default: print, with credentials masked unless --show-secrets).") var file: String?
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let installation = try global.installation()
            let stack = try installation.stack(self.stack)
            var export = StackExport(stackName: stack.name, zenmlVersion: installation.version, components: stack.components.map(\.component))
            if let file {
                try SecureFile.write(Data(Console.yaml(export.document).utf8), to: file)
                Console.out("Exported stack '\(Console.escaped(stack.name))' to file '\(Console.escaped(file))'.")
                return
            }
            if !global.showSecrets {
                export = StackExport(stackName: export.stackName, zenmlVersion: export.zenmlVersion, components: export.components.map { component in
                    StackComponentRecord(id: component.id, name: component.name, type: component.type, flavor: component.flavor,
                                         configuration: component.configuration.map { ($0.key, SensitiveFields.shown($0.key, $0.value, false)) },
                                         source: component.source)
                })
            }
            Console.document(global.output == .json ? Console.json(export.document) : Console.yaml(export.document))
        }
    }

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that every secret reference of a stack's components can be resolved, as ZenML 0.52 does.",
            discussion: """
                Follows ZENML_SECRET_VALIDATION_LEVEL (SECRET_AND_KEY_EXISTS, the default; SECRET_EXISTS; NONE). \
                References the centralized store satisfies are dropped first; the rest are looked up in the \
                stack's secrets manager. Exit code 1 when something is missing.
                """)
        @Argument(help: "The stack's name or id (default: the active stack).") var stack: String?
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let installation = try global.installation()
            let stack = try installation.stack(self.stack)
            let level = try ReferenceResolver.ValidationLevel.from(global.environment)
            let resolver = ReferenceResolver(installation: installation, context: global.legacyContext)
            let result = await resolver.validate(stack, level: level, cache: resolver.cache(for: stack))
            func list(_ references: [SecretReference]) -> PythonJSON.Value { .array(references.map { .string("\($0.name).\($0.key)") }) }
            let document = PythonJSON.Value.object([
                ("stack", .string(stack.name)), ("level", .string(level.rawValue)), ("valid", .bool(result.message == nil)),
                ("required", list(result.required)), ("from_store", list(result.fromStore)), ("missing", list(result.missing)),
                ("message", result.message.map { .string($0) } ?? .null),
            ])
            Console.emit(global.output, document: document) {
                if let message = result.message { return message }
                if result.required.isEmpty { return "Stack `\(stack.name)` has no secret references." }
                if level == .none { return "Secret validation is off (ZENML_SECRET_VALIDATION_LEVEL=NONE)." }
                return "Every secret reference of stack `\(stack.name)` can be resolved (\(result.required.count) references, \(result.fromStore.count) from the centralized store)."
            }
            if result.message != nil { throw FerryError(.notFound, code: .missingSecrets, "Stack `\(stack.name)` references missing secrets.") }
        }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print each component configuration of a stack with its secret references resolved (masked unless --show-secrets).",
            discussion: "The stack is treated as the active one, as `zenml stack set STACK` would make it. Exit code 1 when a reference cannot be resolved.")
        @Argument(help: "The stack's name or id (default: the active stack).") var stack: String?
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let installation = try global.installation()
            try await ResolveOutput.run(installation: installation, stack: try installation.stack(self.stack), global: global)
        }
    }
}

/// `ferry resolve FILE`: a stack export file's references, resolved.
struct ResolveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Resolve the secret references of a `zenml stack export` file (masked unless --show-secrets).",
        discussion: """
            The centralized secrets and the secrets manager's id come from the ZenML installation \
            (--config-dir) when there is one; the export's own secrets manager is used for the rest.
            """)
    @Argument(help: "A stack export file (any ZenML era).") var file: String
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        let export = try StackExport.read(file)
        var stack = export.stack
        let installation: ZenMLInstallation
        if let opened = try? global.installation() {
            installation = opened
            // The export has no component ids: take the installation's component of the same name and type.
            stack = StackRecord(id: nil, name: stack.name, components: stack.components.map { type, component in
                let known = opened.components.first { $0.type == type && $0.name == component.name && $0.flavor == component.flavor }
                return (type, StackComponentRecord(id: known?.id, name: component.name, type: type, flavor: component.flavor,
                                                   configuration: component.configuration, source: component.source))
            })
        } else {
            installation = ZenMLInstallation.empty(paths: global.zenmlPaths, version: export.zenmlVersion)
        }
        try await ResolveOutput.run(installation: installation, stack: stack, global: global)
    }
}

/// The output of `stack resolve` and `resolve`.
enum ResolveOutput {
    static func run(installation: ZenMLInstallation, stack: StackRecord, global: GlobalOptions) async throws {
        let resolver = ReferenceResolver(installation: installation, context: global.legacyContext)
        let cache = resolver.cache(for: stack)
        var failures = 0
        var components: [(component: StackComponentRecord, outcomes: [(key: String, outcome: ReferenceResolver.Outcome)])] = []
        for (_, component) in stack.components {
            components.append((component, await resolver.resolve(component, activeStack: stack, cache: cache)))
        }
        func attribute(_ key: String, _ outcome: ReferenceResolver.Outcome) -> PythonJSON.Value {
            switch outcome {
            case .plain(let value):
                return .object([("value", SensitiveFields.shown(key, value, global.showSecrets))])
            case .resolved(let reference, let value, let from):
                return .object([("reference", .string(reference.description)), ("value", .string(Console.shown(value, global.showSecrets))),
                                ("from", .string(from))])
            case .failed(let reference, let error):
                return .object([("reference", .string(reference.description)), ("error", .string(error.message))])
            case .refused(let reference, let reason):
                return .object([("reference", .string(reference.description)), ("error", .string(reason))])
            }
        }
        for (_, outcomes) in components {
            for (_, outcome) in outcomes {
                switch outcome {
                case .failed, .refused: failures += 1
                default: break
                }
            }
        }
        let document = PythonJSON.Value.object([
            ("stack", .string(stack.name)),
            ("components", .array(components.map { component, outcomes in
                .object([("type", .string(component.type)), ("name", .string(component.name)), ("flavor", .string(component.flavor)),
                         ("attributes", .object(outcomes.map { ($0.key, attribute($0.key, $0.outcome)) }))])
            })),
        ])
        Console.emit(global.output, document: document) {
            var rows: [[String]] = []
            for (component, outcomes) in components {
                for (key, outcome) in outcomes {
                    let shown: String
                    let status: String
                    switch outcome {
                    case .plain(let value):
                        shown = SensitiveFields.shown(key, value, global.showSecrets).pythonString
                        status = ""
                    case .resolved(let reference, let value, let from):
                        shown = Console.shown(value, global.showSecrets)
                        status = "\(reference) from \(from)"
                    case .failed(let reference, let error):
                        shown = ""
                        status = "\(reference): \(error.message)"
                    case .refused(let reference, let reason):
                        shown = ""
                        status = "\(reference): \(reason)"
                    }
                    rows.append(["\(component.type)/\(component.name)", key, shown, status])
                }
            }
            return Console.table(["COMPONENT", "ATTRIBUTE", "VALUE", "REFERENCE"], rows, truncate: [0])
        }
        if failures > 0 {
            throw FerryError(.notFound, code: .unresolvedReferences,
                             "\(failures) secret reference\(failures == 1 ? "" : "s") of stack `\(stack.name)` cannot be resolved (see the output).")
        }
    }
}

/// The installations this process has read, by configuration directory and repository.
final class InstallationCache: @unchecked Sendable {
    static let shared = InstallationCache()
    private let lock = NSLock()
    private var read: [String: Result<ZenMLInstallation, any Error>] = [:]

    func get(_ key: String, _ open: () throws -> ZenMLInstallation) throws -> ZenMLInstallation {
        lock.lock()
        defer { lock.unlock() }
        if let known = read[key] { return try known.get() }
        let result = Result { try open() }
        read[key] = result
        return try result.get()
    }
}

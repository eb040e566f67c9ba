import ArgumentParser
import FerryCore
import FerryLegacy
import FerryMigrate
import FerryStack
import FerryHTTP
import FerryStore
import Foundation

/// `ferry secrets-manager …`: ZenML's deprecated secrets-manager components.
struct SecretsManagerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secrets-manager",
        abstract: "Work with ZenML's deprecated secrets managers.",
        subcommands: [ListManagers.self, DescribeManager.self, Recover.self, FlavorGroup.self, SecretGroup.self])

    /// `ferry secrets-manager secret …`, with ZenML 0.39's messages
    /// (ZenML 0.39.1 / 0.52.0 `src/zenml/cli/secret.py`, `register_secrets_manager_subcommands`).
    struct SecretGroup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "secret",
            abstract: "Register, read, list, update, delete and migrate the secrets of a secrets manager.",
            discussion: """
                The secrets manager is chosen with --secrets-manager (a name or id from the ZenML \
                installation, or a component UUID), --secrets-file, or --flavor with the component's \
                settings; without any, the active stack's secrets manager is used, as ZenML did, and \
                failing that the one local secrets manager under the configuration directory's local_stores.
                """,
            subcommands: [Register.self, Get.self, List.self, Update.self, Delete.self, Cleanup.self, Migrate.self])
    }
}

/// Which secrets manager a command works on.
struct ManagerOptions: ParsableArguments {
    @Option(name: .customLong("secrets-manager"),
            help: ArgumentHelp("The secrets manager: its name or id in the ZenML installation, or (with --flavor) its component UUID. Default: the active stack's.",
                               valueName: "name-or-id"))
    var secretsManager: String?

    @Option(help: ArgumentHelp("Describe the component by hand instead of reading it from the installation: local, aws, gcp, azure or vault.",
                               valueName: "flavor"))
    var flavor: String?

    @Option(name: .customLong("scope"),
            help: ArgumentHelp("The component's scope: none, global, component or namespace (default: component for scoping flavors, none for local). For migrate also ZenML's target scope: workspace or user (= --private).",
                               valueName: "scope"))
    var scopeArgument: ScopeArgument?

    /// The component scope `--scope` gives (not ZenML's target scopes `workspace`/`user`).
    var scope: LegacyScope? {
        if case .component(let scope)? = scopeArgument { return scope }
        return nil
    }

    /// ZenML 0.34–0.7x's target scope `--scope` gives (migrate only).
    var targetScope: String? {
        if case .target(let scope)? = scopeArgument { return scope }
        return nil
    }

    @Option(help: ArgumentHelp("The component's scope namespace.", valueName: "namespace"))
    var namespace: String?

    @Option(name: .customLong("component-name"), help: ArgumentHelp("The component's name (written into scoped tags).", valueName: "name"))
    var componentName: String?

    @Option(name: .customLong("region"), help: ArgumentHelp("aws: the component's region_name.", valueName: "region"))
    var region: String?

    @Option(name: .customLong("project-id"), help: ArgumentHelp("gcp: the component's project_id.", valueName: "project"))
    var projectID: String?

    @Option(name: .customLong("key-vault-name"), help: ArgumentHelp("azure: the component's key_vault_name.", valueName: "name"))
    var keyVaultName: String?

    @Option(name: .customLong("endpoint-url"),
            help: ArgumentHelp("aws: a Secrets Manager endpoint (as AWS_ENDPOINT_URL_SECRETS_MANAGER); gcp: a Secret Manager endpoint (as CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER); azure: the vault URL instead of https://<key-vault-name>.vault.azure.net; vault: the server URL (as VAULT_ADDR).",
                               valueName: "url"))
    var endpointURL: String?

    @Option(name: .customLong("mount-point"), help: ArgumentHelp("vault: the KV v2 mount (default secret).", valueName: "mount"))
    var mountPoint: String?

    @Option(name: .customLong("secrets-file"),
            help: ArgumentHelp("A local secrets manager's secrets.yaml (its `secrets_file` setting).", valueName: "path"))
    var secretsFile: String?

    /// The managers selected: one when chosen explicitly, every discovered one when `all` is set.
    /// `forWriting` allows a secrets file that does not exist yet.
    func managers(_ global: GlobalOptions, all: Bool = false, forWriting: Bool = false, acceptsTargetScope: Bool = false) throws
        -> [any LegacySecretsManager]
    {
        if let targetScope, !acceptsTargetScope {
            throw FerryError(.invalidInput, code: .targetScope,
                             "`--scope \(targetScope)` is a scope of the centralized store, for `migrate`; a component's scope is none, global, component or namespace.")
        }
        let paths = global.zenmlPaths
        if let secretsFile {
            let path = secretsFile.hasPrefix("/") ? secretsFile : FileManager.default.currentDirectoryPath + "/" + secretsFile
            if !forWriting && !FileManager.default.fileExists(atPath: path) {
                throw FerryError(.notFound, code: .secretsFileMissing, "The secrets file '\(path)' does not exist.")
            }
            let parent = URL(fileURLWithPath: path).deletingLastPathComponent().lastPathComponent
            let id = UUID(uuidString: parent) ?? UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
            let component = LegacyComponent(id: id, name: parent, flavor: "local", configuration: ["secrets_file": path])
            return [try LegacyFlavors.manager(for: component, context: global.legacyContext)]
        }
        if let flavor, flavor != "local" {
            guard let secretsManager else {
                throw FerryError(.invalidInput, code: .componentIDRequired,
                                 "The `\(flavor)` flavor needs the component's UUID: pass --secrets-manager UUID.")
            }
            guard let id = UUID(flexible: secretsManager) else {
                throw FerryError(.invalidInput, code: .badComponentID, "'\(secretsManager)' is not a component UUID.")
            }
            return [try LegacyFlavors.manager(for: describedComponent(flavor: flavor, id: id), context: global.legacyContext)]
        }
        if let scope, scope != .none {
            throw FerryError(.invalidInput, code: .scopeUnsupported,
                             "This Secrets Manager does not support scoping. You can only use a `none` scope value.")
        }
        // The installation's secrets managers (ZenML's database or 0.1x store), when there is one.
        // One that exists but cannot be read is an error unless the manager is named by its UUID:
        // falling back to the folders on disk would read another manager than the active stack's.
        var installation: ZenMLInstallation?
        if flavor == nil {
            do {
                installation = try global.installation()
            } catch let error as FerryError where [.noConfigDir, .noConfigFile].contains(error.code)
                || secretsManager.flatMap(UUID.init(flexible:)) != nil
            {
                installation = nil
            }
        }
        if let secretsManager {
            if let installation {
                do {
                    let found = try installation.secretsManager(secretsManager)
                    return [try LegacyFlavors.manager(for: withEndpoint(found.component), context: global.legacyContext)]
                } catch let error as FerryError where error.code == .ambiguousSecretsManager {
                    throw error
                } catch let error as FerryError where error.code != .secretsManagerNotFound {
                    throw error
                } catch {
                    // Not a component of the installation: a local secrets folder, below.
                }
            }
            guard let id = UUID(flexible: secretsManager) else {
                throw FerryError(.invalidInput, code: .badComponentID,
                                 "No secrets manager `\(secretsManager)` in the ZenML installation at \(paths.configDirectory), and it is not a component UUID (such as the name of a folder in \(paths.localStoresDirectory)).")
            }
            let folder = paths.localStoresDirectory + "/" + id.uuidString.lowercased()
            if !forWriting && !FileManager.default.fileExists(atPath: folder) {
                throw FerryError(.notFound, code: .managerNotFound,
                                 "No local secrets manager with ID \(secretsManager): '\(folder)' does not exist.")
            }
            let component = LegacyComponent(id: id, name: id.uuidString.lowercased(), flavor: "local")
            return [try LegacyFlavors.manager(for: component, context: global.legacyContext)]
        }
        // As ZenML: the active stack's secrets manager.
        if !all, let active = installation?.activeStack, active.secretsManager != nil,
           let found = installation?.secretsManagers().first(where: { $0.component.id == active.secretsManager?.id && $0.component.name == active.secretsManager?.name })
        {
            return [try LegacyFlavors.manager(for: withEndpoint(found.component), context: global.legacyContext)]
        }
        let found = try LocalDiscovery.components(in: paths)
        guard !found.isEmpty else {
            let searched = installation.map { installation in
                "The ZenML installation at \(paths.configDirectory) has \(installation.activeStack.map { "no secrets manager in its active stack `\($0.name)`" } ?? "no active stack")"
            } ?? "No ZenML installation at \(paths.configDirectory) (its config.yaml)"
            throw FerryError(.invalidInput, code: .noSecretsManager,
                             "\(searched), and no local secrets manager is in '\(paths.localStoresDirectory)'. Point Ferry at ZenML's configuration directory with --config-dir or ZENML_CONFIG_PATH, or choose a secrets manager with --secrets-manager, --secrets-file, --stack or --all.")
        }
        if found.count > 1 && !all {
            throw FerryError(.invalidInput, code: .severalSecretsManagers,
                             "Several local secrets managers found (\(found.map { $0.id.uuidString.lowercased() }.joined(separator: ", "))); choose one with --secrets-manager.")
        }
        return try found.map { try LegacyFlavors.manager(for: $0, context: global.legacyContext) }
    }

    /// The component the options describe by hand (`--flavor` and its settings).
    func describedComponent(flavor: String, id: UUID) -> LegacyComponent {
        var configuration: [String: String] = [:]
        if let region { configuration["region_name"] = region }
        if let projectID { configuration["project_id"] = projectID }
        if let keyVaultName { configuration["key_vault_name"] = keyVaultName }
        if let endpointURL { configuration[flavor == "vault" ? "url" : "endpoint_url"] = endpointURL }
        if let mountPoint { configuration["mount_point"] = mountPoint }
        return LegacyComponent(id: id, name: componentName ?? id.uuidString.lowercased(), flavor: flavor,
                               scope: scope ?? .component, namespace: namespace, configuration: configuration)
    }

    /// A component of the installation with this command's overrides (endpoint, region).
    func withEndpoint(_ component: LegacyComponent) -> LegacyComponent {
        var component = component
        if let endpointURL { component.configuration[component.flavor == "vault" ? "url" : "endpoint_url"] = endpointURL }
        if let region { component.configuration["region_name"] = region }
        return component
    }

    func manager(_ global: GlobalOptions, forWriting: Bool = false) throws -> any LegacySecretsManager {
        try managers(global, forWriting: forWriting)[0]
    }
}
extension SecretsManagerCommand {
    static func valuesTable(_ values: SecretValues, show: Bool) -> String {
        SecretCommand.valuesTable(values, show: show)
    }

    /// A `get`/`update` failure to find the secret, naming the secrets manager that was read.
    static func loadFailure(_ name: String, _ error: FerryError, in manager: any LegacySecretsManager) -> FerryError {
        guard error.kind == .notFound else { return error }
        let where_ = "the secrets manager \(manager.component.name) (\(manager.location))"
        guard error.code == .secretNotFound else {
            return FerryError(.notFound, code: error.code, remoteCode: error.remoteCode, "Secret `\(name)` could not be loaded from \(where_): \(error.message)")
        }
        return FerryError(.notFound, code: error.code, remoteCode: error.remoteCode, "Secret `\(name)` does not exist in \(where_).")
    }

    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a secret in the secrets manager.",
            discussion: """
                Example: ferry secrets-manager secret register db --schema=basic_auth --username=admin --password=@pw.txt
                A value @path reads a file (at most 10,240 bytes); @@x is the literal @x.
                """)
        @Option(name: [.short, .long], help: "The secret schema (DEPRECATED in ZenML): arbitrary, aws, gcp, azure, basic_auth, …")
        var schema = SecretSchema.arbitraryType
        @Flag(name: [.short, .long], help: "Enter the values interactively.") var interactive = false
        @OptionGroup var manager: ManagerOptions
        @OptionGroup var global: GlobalOptions
        @Argument(parsing: .allUnrecognized, help: ArgumentHelp("NAME and --key=value pairs.", valueName: "name-and-values"))
        var arguments: [String] = []

        func run() async throws {
            let parsed = try ZenMLArguments.parse(arguments)
            let name = parsed.name!
            if name == "name" { throw FerryError(.invalidInput, code: .reservedName, "Secret names cannot be named 'name'.") }
            if parsed.values.contains("name") {
                throw FerryError(.invalidInput, code: .reservedKey, "You can't use 'name' as the key for one of your secrets.")
            }
            let schema = try SecretSchema.require(self.schema)
            if !schema.isArbitrary {
                Console.warning("Secret schemas will be deprecated soon. You can still use them for now, but it is recommended to avoid them.")
            }
            var values = parsed.values
            if interactive {
                guard values.isEmpty else {
                    throw FerryError(.invalidInput, code: .interactiveWithArgs,
                                     "Cannot pass secret fields as arguments when using interactive mode.")
                }
                if schema.isArbitrary {
                    values = try ValuesInput.interactive()
                } else {
                    Console.out("You have supplied a secret schema with predefined keys. You can fill these out sequentially now. Just press ENTER to skip optional secrets that you do not want to set")
                    for key in schema.keys {
                        let value = try Prompt.secret("Secret value for \(key):")
                        if !value.isEmpty { values[key] = try ZenMLArguments.expandFileValue(key: key, value: value) }
                    }
                }
            } else if values.isEmpty {
                throw FerryError(.invalidInput, code: .noValues,
                                 "Secret fields must be passed as arguments when not using interactive mode.")
            }
            let content: SecretValues
            do {
                content = try schema.validate(values)
            } catch let error as FerryError {
                throw FerryError(.invalidInput, code: error.code, remoteCode: error.remoteCode, "Secret values do not conform with the secret schema: \(error.message)")
            }
            let target = try manager.manager(global, forWriting: true)
            try target.validateSecretName(name)
            if global.output == .table {
                Console.out("The following secret will be registered.")
                Console.out(valuesTable(content, show: global.showSecrets))
            }
            do {
                try await target.registerSecret(LegacySecret(name: name, schemaType: schema.type, values: content))
            } catch let error as FerryError where error.kind == .alreadyExists {
                throw FerryError(.alreadyExists, code: error.code, remoteCode: error.remoteCode, "A secret with name '\(name)' already exists.")
            }
            if global.output == .table { Console.out("Secret `\(Console.escaped(name))` registered in '\(target.location)'.") }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Get a secret, given its name.")
        @Argument(help: "The secret's name.") var name: String
        @OptionGroup var manager: ManagerOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let source = try manager.manager(global)
            let secret: LegacySecret
            do {
                secret = try await source.getSecret(named: name)
            } catch let error as FerryError {
                throw loadFailure(name, error, in: source)
            }
            let show = global.showSecrets
            let document = PythonJSON.Value.object([
                ("name", .string(secret.name)), ("schema", .string(secret.schemaType)),
                ("values", .object(secret.values.revealedPairs.map { ($0.key, .string(Console.shown($0.value, show))) })),
            ])
            try Console.emit(global.output, document: document, table: {
                var text = valuesTable(secret.values, show: show)
                switch secret.conformance {
                case .current: break
                case .unknownSchema:
                    text += "\nNote: schema `\(secret.schemaType)` is not one Ferry knows; the values are shown as stored."
                case .variant(let versions):
                    text += "\nNote: the values fit the `\(secret.schemaType)` schema of ZenML \(versions), not ZenML 0.52's."
                case .nonConforming(let reasons):
                    text += "\nNote: the values do not fit the `\(secret.schemaType)` schema: " + reasons.joined(separator: "; ")
                }
                return text
            }, env: { try Console.env(secret.values, show: show) })
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the names of all secrets in the secrets manager.")
        @OptionGroup var manager: ManagerOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let target = try manager.manager(global)
            let names = try await target.secretNames().sorted(by: PythonText.codePointLess)
            let stranded = try await target.strandedSecrets()
            if names.isEmpty && global.output == .table && stranded.isEmpty {
                Console.warning("No secrets registered.")
                return
            }
            if !names.isEmpty || global.output != .table {
                Console.emit(global.output, document: .array(names.map { .string($0) })) {
                    Console.table(["SECRET_NAMES"], names.map { [$0] })
                }
            }
            Self.reportStranded(stranded)
        }

        /// A note on stderr about secrets only Ferry can read (never their values).
        static func reportStranded(_ stranded: [StrandedSecret]) {
            guard !stranded.isEmpty else { return }
            let eras = Set(stranded.map(\.era)).sorted().joined(separator: ", ")
            let since = Set(stranded.map(\.unreadableSince)).sorted().first ?? "0.12"
            let list = stranded.map { "`\(Console.escaped($0.name))` (\(Console.escaped($0.location)))" }.joined(separator: ", ")
            Console.warning("""
                \(stranded.count) more secret\(stranded.count == 1 ? "" : "s") in the layout of \(eras), which ZenML ≥ \(since) \
                does not read, \(stranded.count == 1 ? "is" : "are") readable by Ferry only: \(list). \
                `ferry secrets-manager secret migrate` carries \(stranded.count == 1 ? "it" : "them") over.
                """)
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Update a secret with a given name.")
        @Flag(name: [.short, .long], help: "Enter new values for the existing keys interactively.") var interactive = false
        @OptionGroup var manager: ManagerOptions
        @OptionGroup var global: GlobalOptions
        @Argument(parsing: .allUnrecognized, help: ArgumentHelp("NAME and --key=value pairs.", valueName: "name-and-values"))
        var arguments: [String] = []

        func run() async throws {
            let parsed = try ZenMLArguments.parse(arguments)
            let name = parsed.name!
            let target = try manager.manager(global)
            let secret: LegacySecret
            do {
                secret = try await target.getSecret(named: name)
            } catch let error as FerryError {
                throw loadFailure(name, error, in: target)
            }
            if parsed.values.contains("name") {
                throw FerryError(.invalidInput, code: .reservedKey, "Secret names cannot be passed as arguments.")
            }
            var updated = secret.values
            if interactive {
                guard parsed.values.isEmpty else {
                    throw FerryError(.invalidInput, code: .interactiveWithArgs,
                                     "Cannot pass secret fields as arguments when using interactive mode.")
                }
                Console.out("You will now have a chance to overwrite each secret one by one. Press enter to skip.")
                for key in secret.values.keys {
                    let value = try Prompt.secret("New value for \(key):")
                    if !value.isEmpty { updated[key] = value }
                }
            } else {
                guard !parsed.values.isEmpty else {
                    throw FerryError(.invalidInput, code: .noValues,
                                     "Secret fields must be passed as arguments when not using interactive mode.")
                }
                updated.merge(parsed.values)
            }
            var content = updated
            if let schema = secret.schema {
                do {
                    content = try schema.validate(updated)
                } catch let error as FerryError {
                    throw FerryError(.invalidInput, code: error.code, remoteCode: error.remoteCode, "Secret values do not conform with the secret schema: \(error.message)")
                }
            }
            if global.output == .table {
                Console.out("The following secret will be updated.")
                Console.out(valuesTable(content, show: global.showSecrets))
            }
            do {
                try await target.updateSecret(LegacySecret(name: name, schemaType: secret.schemaType, values: content))
            } catch let error as FerryError where error.kind == .notFound {
                throw FerryError(.notFound, code: error.code, remoteCode: error.remoteCode, "Secret with name `\(name)` already exists.")
            }
            Console.out("Secret with name '\(Console.escaped(name))' has been updated")
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a secret identified by its name.")
        @Argument(help: "The secret's name.") var name: String
        @Flag(name: [.short, .long], help: "Skip asking for confirmation.") var yes = false
        @OptionGroup var manager: ManagerOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let target = try manager.manager(global)
            if !yes {
                guard try Prompt.confirm("This will delete all data associated with the `\(name)` secret. Are you sure you want to proceed?")
                else {
                    Console.out("Aborting secret deletion...")
                    return
                }
            }
            do {
                try await target.deleteSecret(named: name)
            } catch let error as FerryError where error.kind == .notFound {
                throw FerryError(.notFound, code: error.code, remoteCode: error.remoteCode, "Secret with name `\(name)` no longer present.")
            }
            Console.out("Deleted secret `\(Console.escaped(name))`.")
        }
    }

    struct Cleanup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete all secrets of the secrets manager.")
        @Flag(name: [.short, .long], help: "Skip asking for confirmation.") var yes = false
        @OptionGroup var manager: ManagerOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let target = try manager.manager(global)
            if !yes {
                guard try Prompt.confirm("This will delete all secrets. Are you sure you want to proceed?") else {
                    Console.out("Aborting deletion of all secrets...")
                    return
                }
            }
            try await target.deleteAllSecrets()
            Console.out("Deleted all secrets.")
        }
    }

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Migrate secrets into the centralized secrets store.",
            discussion: """
                Sources: the active stack's secrets manager (as ZenML did), or --secrets-manager, --stack, \
                --all (every secrets manager of the installation, and local secrets folders whose components \
                are gone), --secrets-file or --flavor. Every secret keeps its key→value map (the schema is \
                dropped); its target name comes from --name-template (default {name}, as ZenML). A target \
                with the same values is skipped; other values are a conflict, handled by --on-conflict \
                (--non-interactive is ZenML's `overwrite`). Each target is read back and compared; --delete \
                removes a source only after that check. A run that would write needs --yes when standard \
                input is not a terminal; on a terminal, the plan is shown before the question. --dry-run prints the plan only. \
                The plan never shows values: --show-secrets is accepted and unused. A run interrupted at any point is \
                completed by the next one; an unchanged re-run writes nothing.
                """)
        @Argument(help: "Only these secrets.") var secretNames: [String] = []
        @Flag(help: "Delete each secret from the secrets manager once its copy verified equal.") var delete = false
        @Flag(name: .customLong("non-interactive"), help: "Overwrite targets that hold other values (--on-conflict overwrite), as ZenML's flag did.")
        var nonInteractive = false
        @Option(name: .customLong("on-conflict"), help: "report (default), skip, overwrite, rename (<name>-<component>) or fail (write nothing).")
        var onConflict: ConflictPolicy?
        @Option(name: .customLong("name-template"),
                help: ArgumentHelp("Target names from {name}, {component}, {component_id}, {namespace}, {scope}, {flavor}.", valueName: "template"))
        var nameTemplate = "{name}"
        @Option(name: .customLong("stack"), help: ArgumentHelp("Migrate this stack's secrets manager.", valueName: "stack"))
        var stack: String?
        @Flag(name: .customLong("all"), help: "Migrate every secrets manager of the installation (and orphaned local ones); with --flavor and a cloud back-end's settings, every component whose secrets are there (as `recover` finds them).")
        var all = false
        @Option(name: .customLong("jobs"), help: "How many secrets are written at once.") var jobs = 4
        @Option(name: .customLong("error-file"), help: ArgumentHelp("Write the secrets that did not migrate here, one JSON object a line (no values).", valueName: "path"))
        var errorFile: String?
        @Flag(name: [.short, .long], help: "Create the secrets as private.") var `private` = false
        @Option(name: .customLong("workspace"),
                help: ArgumentHelp("ZenML servers and databases before 0.80: the workspace (name or id) the secrets go to (default: $ZENML_ACTIVE_WORKSPACE_ID, else `default`).",
                                   valueName: "workspace"))
        var workspace: String?
        @Flag(name: .customLong("dry-run"), help: "Show the plan without changing anything.") var dryRun = false
        @Flag(name: [.short, .long], help: "Do not ask for confirmation.") var yes = false
        @Flag(name: .customLong("skip-older-layouts"),
              help: "Leave out secrets in layouts later ZenML releases no longer read (vault's 0.10–0.11 paths, azure's 0.9–0.10 names).")
        var skipOlderLayouts = false
        @OptionGroup var manager: ManagerOptions
        @OptionGroup var global: GlobalOptions

        /// The sources the options select.
        func sources() async throws -> [any LegacySecretsManager] {
            if all, let flavor = manager.flavor, flavor != "local" {
                // A cloud back-end whose components ZenML ≥ 0.53 deleted: every component its secrets tell of.
                var base = manager.describedComponent(flavor: flavor, id: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))
                base.scope = .none
                base.namespace = nil
                let recovered = try await LegacyFlavors.manager(for: base, context: global.legacyContext).recoverComponents()
                return try recovered.map { try LegacyFlavors.manager(for: $0.component, context: global.legacyContext) }
            }
            guard all || stack != nil else { return try manager.managers(global, acceptsTargetScope: true) }
            let installation = try global.installation()
            var components: [LegacyComponent]
            if let stack {
                let record: StackRecord
                do {
                    record = try installation.stack(stack)
                } catch let error as FerryError where error.code == .stackNotFound {
                    throw FerryError(.invalidInput, code: error.code, remoteCode: error.remoteCode, error.message)
                }
                guard let found = installation.secretsManagers().first(where: { $0.component.id == record.secretsManager?.id && !$0.orphaned }) else {
                    throw FerryError(.notFound, code: .noSecretsManager, "Stack `\(record.name)` has no secrets manager.")
                }
                components = [found.component]
            } else {
                components = installation.secretsManagers().map(\.component)
            }
            components = components.map(manager.withEndpoint)
            return try components.map { try LegacyFlavors.manager(for: $0, context: global.legacyContext) }
        }

        func run() async throws {
            if global.output == .env {
                throw FerryError(.invalidInput, code: .outputFormat, "`migrate` prints its plan as a table, json or yaml; -o env is for `secret get`.")
            }
            let sources = try await sources()
            var options = MigrationOptions()
            options.names = secretNames
            // ZenML 0.35–0.52's `migrate --scope user|workspace`: a user-scoped secret is a private one.
            options.isPrivate = `private` || manager.targetScope == "user"
            options.onConflict = onConflict ?? (nonInteractive ? .overwrite : .report)
            options.deleteSources = delete
            options.includeStranded = !skipOlderLayouts
            options.nameTemplate = try NameTemplate(nameTemplate)
            options.concurrency = max(1, jobs)
            let target: any MigrationTarget
            if let location = global.store, location.hasPrefix("http://") || location.hasPrefix("https://") {
                // A live ZenML server: ZENML_STORE_USERNAME / ZENML_STORE_PASSWORD or ZENML_STORE_API_KEY.
                guard let url = URL(string: location), url.host != nil else {
                    throw FerryError(.invalidInput, code: .storeURL, "'\(DisplaySafety.redactedURL(location))' is not a ZenML server URL.")
                }
                let environment = global.environment
                let transport = SocketTransport(caFile: environment["REQUESTS_CA_BUNDLE"].flatMap { $0.isEmpty ? nil : $0 }, caVariable: "REQUESTS_CA_BUNDLE")
                let client = try await ZenMLServerClient(url: url, credentials: .from(environment), transport: transport,
                                                         logger: Log.logger("ferry.http"))
                    .connected(workspace: workspace ?? ZenMLDatabaseTarget.workspace(from: environment))
                if let workspace, client.layout == .privateFlag {
                    throw FerryError(.invalidInput, code: .zenmlWorkspace,
                                     "The ZenML server at \(DisplaySafety.redactedURL(location)) runs ZenML \(client.serverVersion ?? "0.80 or later"), whose secrets belong to no workspace; leave out --workspace \(workspace).")
                }
                target = ZenMLServerTarget(client: client)
            } else if let location = global.store, let path = try? StoreConfiguration.databasePath(fromLocation: location),
                      ZenMLDatabaseTarget.isZenMLDatabase(path)
            {
                // A ZenML database file: its `secret` table, as that release writes it.
                target = try ZenMLDatabaseTarget(path: path, environment: global.environment, workspace: workspace)
            } else {
                if let workspace {
                    throw FerryError(.invalidInput, code: .zenmlWorkspace,
                                     "--workspace \(workspace) is for a ZenML server or database before 0.80 (--store); Ferry's store has no workspaces.")
                }
                do {
                    target = StoreTarget(store: try global.openStore(readOnly: dryRun), path: try global.storePath())
                } catch let error as FerryError where error.code == .storeURL {
                    throw FerryError(.invalidInput, code: error.code, remoteCode: error.remoteCode,
                                     "\(error.message) `migrate` also writes to a ZenML server (http:// or https:// URL) or a ZenML database (…/zenml.db).")
                }
            }
            let migrator = Migrator(target: target, logger: Log.logger("ferry.migrate"))
            var plan = try await migrator.plan(sources: sources, options: options)
            if plan.isEmpty {
                Console.out("Your Secrets Manager is empty. Nothing to migrate.")
                return
            }
            let broken = options.nameTemplate.isIdentity ? [] : brokenReferences(plan)
            let writes = plan.filter(\.writes).count + (delete ? plan.count : 0)
            if !dryRun && writes > 0 && !yes {
                let migrating = plan.filter { $0.writes || (delete && $0.action == .skip) }.count
                let secrets = "\(migrating) secret\(migrating == 1 ? "" : "s")"
                let question = delete
                    ? "Migrate \(secrets) and delete each from its secrets manager once its copy has verified equal. Proceed?"
                    : "Migrate \(secrets) into \(target.description)? Proceed?"
                if global.output == .table && Prompt.isInteractive {
                    Console.out(planTable(plan, broken: broken, target: target.description, isPrivate: options.isPrivate, planned: true))
                }
                guard try Prompt.confirm(question) else {
                    throw FerryError(.refused, code: .migrationAborted, "Aborting migration: nothing was changed.")
                }
            }
            if !dryRun {
                let interactive = isatty(STDERR_FILENO) == 1
                let lastPrinted = LockedDate()
                try await migrator.apply(&plan, sources: sources, options: options) { progress in
                    // A re-run that writes nothing needs no progress line.
                    guard progress.total >= 10, writes > 0 else { return }
                    if !interactive && !lastPrinted.due(every: 1) && progress.done != progress.total { return }
                    // No estimate before 5 % of the work, nor one under a second.
                    let eta = progress.remaining.flatMap { progress.done * 20 >= progress.total && $0 >= 1 ? String(format: ", about %.0f s left", $0) : nil } ?? ""
                    let line = "Migrating: \(progress.done)/\(progress.total) (\(progress.done * 100 / progress.total)%)\(progress.done == progress.total ? "" : eta)"
                    FileHandle.standardError.write(Data((interactive ? "\r\u{1B}[K" + line + (progress.done == progress.total ? "\n" : "") : line + "\n").utf8))
                }
            }
            let failedActions: [MigrationItem.Action] = [.conflict, .unreadable, .failed]
            if let errorFile {
                let lines = plan.filter { failedActions.contains($0.action) }.map { item in
                    PythonJSON.dumps(.object([("component_id", .string(item.component.id.uuidString.lowercased())),
                                              ("component", .string(item.component.name)), ("legacy_name", .string(item.legacyName)),
                                              ("target_name", .string(item.targetName)), ("action", .string(item.action.rawValue)),
                                              ("detail", item.detail.map { .string($0) } ?? .null)]))
                }
                try SecureFile.write(Data(lines.map { $0 + "\n" }.joined().utf8), to: errorFile)
            }
            report(plan, broken: broken, target: target.description, isPrivate: options.isPrivate)
            let incomplete = plan.filter { failedActions.contains($0.action) && !$0.wholeSource }.count
            let unreadableManagers = plan.filter(\.wholeSource).count
            if !dryRun && incomplete + unreadableManagers > 0 {
                let parts = (incomplete > 0 ? ["\(incomplete) secret\(incomplete == 1 ? "" : "s") could not be migrated"] : [])
                    + (unreadableManagers > 0 ? ["\(unreadableManagers) secrets manager\(unreadableManagers == 1 ? "" : "s") could not be read, so none of \(unreadableManagers == 1 ? "its" : "their") secrets were migrated"] : [])
                throw FerryError(.backend, code: .migrationIncomplete,
                                 "\(parts.joined(separator: ", and ")) (see the table\(errorFile.map { " and \($0)" } ?? "")).")
            }
        }

        /// References `{{name.key}}` of the installation's components to secrets this run renames.
        func brokenReferences(_ plan: [MigrationItem]) -> [String] {
            guard let installation = try? global.installation() else { return [] }
            let resolver = ReferenceResolver(installation: installation, context: global.legacyContext)
            var moved: [String: String] = [:]
            for item in plan where item.targetName != item.legacyName && !item.wholeSource { moved[item.legacyName] = item.targetName }
            var result: [String] = []
            for component in installation.components {
                for (key, reference) in resolver.references(of: component) {
                    if let target = moved[reference.name] {
                        result.append("\(component.type) `\(component.name)` attribute \(key) references \(reference), but `\(reference.name)` moves to `\(target)`")
                    }
                }
            }
            return result
        }

        func report(_ plan: [MigrationItem], broken: [String], target: String, isPrivate: Bool) {
            let document = PythonJSON.Value.object([
                ("items", .array(plan.map { item in
                    .object([("component_id", .string(item.component.id.uuidString.lowercased())), ("component", .string(item.component.name)),
                             ("flavor", .string(item.component.flavor)), ("scope", .string(item.component.scope.rawValue)),
                             ("namespace", item.component.namespace.map { .string($0) } ?? .null),
                             ("legacy_name", .string(item.legacyName)),
                             ("legacy_location", item.stranded.map { .string($0.location) } ?? .null),
                             ("target_name", .string(item.targetName)), ("private", .bool(isPrivate)),
                             ("action", .string(item.action.rawValue)), ("verified", .bool(item.verified)),
                             ("deleted_source", .bool(item.deletedSource)), ("detail", item.detail.map { .string($0) } ?? .null)])
                })),
                ("broken_references", .array(broken.map { .string($0) })),
                ("target", .string(target)),
            ])
            Console.emit(global.output, document: document) {
                planTable(plan, broken: broken, target: target, isPrivate: isPrivate, planned: dryRun)
            }
        }

        /// The table of a plan (`planned`) or of its outcome, with its summary line.
        func planTable(_ plan: [MigrationItem], broken: [String], target: String, isPrivate: Bool, planned: Bool) -> String {
            let rows = plan.map { item -> [String] in
                [item.component.name, item.legacyName, item.targetName, planned ? item.action.label : Self.outcome(item), item.detail ?? ""]
            }
            var counts: [MigrationItem.Action: Int] = [:]
            for item in plan where !item.wholeSource { counts[item.action, default: 0] += 1 }
            // (action, planned, done, plural of planned, plural of done)
            let words: [(MigrationItem.Action, String, String, String, String)] = [
                (.create, "to create", "created", "to create", "created"), (.repair, "to repair", "repaired", "to repair", "repaired"),
                (.update, "to update", "updated", "to update", "updated"), (.skip, "identical", "identical", "identical", "identical"),
                (.skipConflict, "conflict skipped", "conflict skipped", "conflicts skipped", "conflicts skipped"),
                (.conflict, "conflict", "conflict", "conflicts", "conflicts"),
                (.unreadable, "unreadable", "unreadable", "unreadable", "unreadable"), (.failed, "failed", "failed", "failed", "failed"),
            ]
            var summary = words.compactMap { action, one, oneDone, many, manyDone in
                counts[action].map { "\($0) \(planned ? ($0 == 1 ? one : many) : ($0 == 1 ? oneDone : manyDone))" }
            }
            let unreadableManagers = plan.filter(\.wholeSource).count
            if unreadableManagers > 0 {
                summary.append("\(unreadableManagers) secrets manager\(unreadableManagers == 1 ? "" : "s") unreadable (none of \(unreadableManagers == 1 ? "its" : "their") secrets \(planned ? "can be" : "were") migrated)")
            }
            var text = Console.table(["COMPONENT", "SECRET", "TARGET", planned ? "PLANNED" : "RESULT", "DETAIL"], rows, truncate: [0, 1, 2])
                + "\n" + (planned ? "Plan: " : "Done: ") + summary.joined(separator: ", ") + "\nTarget: " + Console.escaped(target) + (isPrivate ? " (private)" : "")
            if !broken.isEmpty {
                text += "\nThese references would no longer resolve under the new names:\n" + broken.map { "  " + Console.escaped($0) }.joined(separator: "\n")
            }
            let incomplete = plan.filter { [.conflict, .unreadable, .failed].contains($0.action) }.count
            if !planned && incomplete == 0 && plan.contains(where: \.writes) {
                text += "\nCongratulations! Your secrets were migrated successfully."
            }
            return text
        }

        static func outcome(_ item: MigrationItem) -> String {
            var text: String
            switch item.action {
            case .create: text = "created"
            case .update: text = "updated"
            case .repair: text = "repaired"
            default: text = item.action.label
            }
            if item.verified { text += ", verified" }
            if item.deletedSource { text += ", source deleted" }
            return text
        }
    }
}

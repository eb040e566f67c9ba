public import ArgumentParser
import FerryCore
import FerryLegacy
import FerryMigrate
import FerryStore
import Foundation

/// How results are printed.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, yaml, env
}

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("config-dir"),
            help: ArgumentHelp("The ZenML configuration directory (default: $ZENML_CONFIG_PATH, else the platform's).",
                               valueName: "path"))
    var configDir: String?

    @Option(name: .customLong("store"),
            help: ArgumentHelp("The centralized store: an SQLite file or sqlite:/// URL (default: $FERRY_STORE, else <data dir>/ferry.db; the data dir is $FERRY_HOME, else $XDG_DATA_HOME/ferry, else ~/.local/share/ferry). `migrate` also writes to a ZenML server (http(s)://…) or a ZenML database (…/zenml.db).",
                               valueName: "url"))
    var store: String?

    @Option(name: .customLong("store-config"),
            help: ArgumentHelp("A store configuration file (default: <data dir>/store.yaml when present).", valueName: "path"))
    var storeConfig: String?

    @Option(name: [.short, .long], help: "Output format: table, json, yaml or env.")
    var output: OutputFormat = .table

    @Flag(name: .customLong("show-secrets"), help: "Show secret values instead of masking them.")
    var showSecrets = false

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// ZenML's paths, from `--config-dir` or the environment.
    var zenmlPaths: ZenMLPaths {
        if let configDir { return ZenMLPaths(configDirectory: configDir, environment: environment) }
        return ZenMLPaths(environment: environment)
    }

    /// What legacy flavors need. Every context shares the process's one transport
    /// (``SocketTransport/shared``), so a command's managers share one connection pool.
    var legacyContext: LegacyContext { LegacyContext(paths: zenmlPaths, environment: environment, logger: Log.logger("ferry.http")) }

    /// The centralized store's database file, whether or not it exists yet.
    func storePath() throws -> String {
        try StoreConfiguration.resolve(environment: environment, store: store, configurationFile: storeConfig).databasePath
    }

    /// Opens the centralized store; `readOnly` never creates or changes anything (a missing
    /// store reads as empty).
    func openStore(readOnly: Bool = false) throws -> SecretStore {
        let configuration = try StoreConfiguration.resolve(environment: environment, store: store, configurationFile: storeConfig)
        return try SecretStore(configuration: configuration, readOnly: readOnly, logger: Log.logger("ferry.store"))
    }
}

extension LegacyScope: ExpressibleByArgument {}

/// `--scope`: a component scope, or (for migrate) ZenML's target scope `workspace` or `user`.
enum ScopeArgument: ExpressibleByArgument {
    case component(LegacyScope)
    case target(String)

    init?(argument: String) {
        if let scope = LegacyScope(rawValue: argument) {
            self = .component(scope)
        } else if argument == "workspace" || argument == "user" {
            self = .target(argument)
        } else {
            return nil
        }
    }

    static var allValueStrings: [String] { LegacyScope.allCases.map(\.rawValue) + ["workspace", "user"] }
}
extension ConflictPolicy: ExpressibleByArgument {}

/// Parses a Python-style boolean option value (`true`, `false`, `yes`, `no`, `1`, `0`).
struct PythonBool: ExpressibleByArgument {
    let value: Bool
    init?(argument: String) {
        guard let parsed = SecretSchema.parseBool(argument) else { return nil }
        value = parsed
    }
}

public import Foundation

/// Where a ZenML installation keeps its files, derived from the environment as ZenML does.
///
/// `<config dir>` = `Path($ZENML_CONFIG_PATH).resolve()` when set, else click's
/// `get_app_dir("zenml")`; local stores = `$ZENML_LOCAL_STORES_PATH` (ZenML ≥ 0.20.5) or
/// `<config dir>/local_stores`. ZenML 0.52.0 `src/zenml/utils/io_utils.py`,
/// `src/zenml/config/global_config.py`, `src/zenml/constants.py`.
///
/// ```swift
/// let paths = ZenMLPaths(environment: ProcessInfo.processInfo.environment)
/// paths.localStoresDirectory   // ~/.config/zenml/local_stores
/// ```
public struct ZenMLPaths: Sendable, Equatable {
    /// `LOCAL_STORES_DIRECTORY_NAME`.
    public static let localStoresDirectoryName = "local_stores"
    /// `LOCAL_SECRETS_FILENAME`.
    public static let localSecretsFileName = "secrets.yaml"
    /// `DEFAULT_STORE_DIRECTORY_NAME`: the SQL store's folder inside local stores, not a component.
    public static let defaultStoreDirectoryName = "default_zen_store"

    /// The global configuration directory.
    public let configDirectory: String
    /// The folder holding one sub-folder per local component.
    public let localStoresDirectory: String

    /// Paths for an explicit configuration directory (Ferry's `--config-dir`), still honouring
    /// `ZENML_LOCAL_STORES_PATH` from `environment`.
    public init(configDirectory: String, environment: [String: String] = [:]) {
        self.configDirectory = Self.resolve(configDirectory)
        if let stores = environment["ZENML_LOCAL_STORES_PATH"], !stores.isEmpty {
            localStoresDirectory = Self.resolve(stores)
        } else {
            localStoresDirectory = self.configDirectory + "/" + Self.localStoresDirectoryName
        }
    }

    /// Paths as ZenML derives them from `environment`.
    public init(environment: [String: String], home: String? = nil) {
        let home = home ?? Self.home(environment)
        if let config = environment["ZENML_CONFIG_PATH"], !config.isEmpty {
            self.init(configDirectory: config, environment: environment)
        } else {
            self.init(configDirectory: Self.platformConfigDirectory(environment: environment, home: home),
                      environment: environment)
        }
    }

    /// click's `get_app_dir("zenml")` (roaming, not POSIX-forced) for this platform.
    public static func platformConfigDirectory(environment: [String: String], home: String) -> String {
        #if os(macOS)
        return home + "/Library/Application Support/zenml"
        #elseif os(Windows)
        return (environment["APPDATA"] ?? home) + "\\zenml"
        #else
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return xdg + "/zenml" }
        return home + "/.config/zenml"
        #endif
    }

    /// The home folder as Python's `os.path.expanduser("~")` finds it: `$HOME` first.
    public static func home(_ environment: [String: String]) -> String {
        if let home = environment["HOME"], !home.isEmpty { return home }
        return NSHomeDirectory()
    }

    /// A path a moved or copied configuration directory still names (`store_url`, a database
    /// URL, a local `secrets_file`): when it does not exist but the same `profiles/…` or
    /// `local_stores/…` path does under this configuration directory, that one.
    public func reroot(_ path: String) -> String {
        if FileManager.default.fileExists(atPath: path) { return path }
        for (marker, base) in [("/" + Self.localStoresDirectoryName + "/", localStoresDirectory + "/"), ("/profiles/", configDirectory + "/profiles/")] {
            guard let range = path.range(of: marker, options: .backwards) else { continue }
            let candidate = base + path[range.upperBound...]
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
        }
        return path
    }

    /// `LocalSecretsManager.get_default_secret_store_path(id)`.
    public func defaultLocalSecretsFile(componentID: UUID) -> String {
        localStoresDirectory + "/" + componentID.uuidString.lowercased() + "/" + Self.localSecretsFileName
    }

    /// `Path(p).resolve()`: absolute, `~` expanded, symbolic links resolved.
    static func resolve(_ path: String) -> String {
        let expanded = NSString(string: path).expandingTildeInPath
        let absolute = expanded.hasPrefix("/") ? expanded : FileManager.default.currentDirectoryPath + "/" + expanded
        return URL(fileURLWithPath: absolute).standardizedFileURL.resolvingSymlinksInPath().path
    }
}

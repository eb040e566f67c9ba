import FerryAWS
import FerryAzure
public import FerryCore
import FerryGCP
public import FerryHTTP
import FerryVault
import Foundation
public import Logging

/// What a flavor needs besides its component: where ZenML's files are, the environment (for
/// cloud credentials), and the HTTP transport.
public struct LegacyContext: Sendable {
    public var paths: ZenMLPaths
    public var environment: [String: String]
    /// The transport every flavor's client sends through.
    public var transport: any HTTPTransport
    /// Whether `transport` was given (a test's stub, a caller's own transport). When it was not,
    /// the `vault` and `azure` clients build the transport that trusts the CA file their
    /// variables name (`VAULT_CACERT`, `REQUESTS_CA_BUNDLE`); `aws` and `gcp` share the
    /// process's one ``SocketTransport/shared`` (one connection pool, not one per manager).
    public let transportGiven: Bool

    public init(paths: ZenMLPaths, environment: [String: String], transport: (any HTTPTransport)? = nil,
                logger: Logger = Logger(label: "ferry.http"))
    {
        self.paths = paths
        self.environment = environment
        self.logger = logger
        self.transport = transport ?? SocketTransport.shared
        transportGiven = transport != nil
    }

    /// Where the flavors' clients log (retry waits).
    public var logger: Logger

    /// The transport for a client that otherwise builds its own (nil: let it).
    var givenTransport: (any HTTPTransport)? { transportGiven ? transport : nil }
}

/// The registry of legacy flavors: one line per flavor maps a component to its manager, so the
/// CLI and the migrator never name a flavor themselves.
///
/// ```swift
/// let manager = try LegacyFlavors.manager(for: component, context: LegacyContext(paths: paths, environment: env))
/// ```
public enum LegacyFlavors {
    /// Builds a manager for a component of one flavor.
    public typealias Factory = @Sendable (LegacyComponent, LegacyContext) throws -> any LegacySecretsManager

    /// The flavors Ferry reads and writes.
    static let factories: [String: Factory] = [
        "local": { LocalSecretsManager(component: $0, paths: $1.paths) },
        // ZenML's `region_name` is the component's region; boto3's chain supplies credentials and endpoint.
        "aws": { component, context in
            let client = try SecretsManagerClient.make(environment: context.environment, region: component.configuration["region_name"],
                                                       endpoint: component.configuration["endpoint_url"], transport: context.transport,
                                                       logger: context.logger)
            return try AWSLegacySecretsManager(component: component, client: client)
        },
        // ZenML's `url`, `token` and `mount_point`; VAULT_* variables fill what the component lacks.
        "vault": { component, context in
            let client = try VaultClient.make(environment: context.environment, address: component.configuration["url"],
                                              token: component.configuration["token"], transport: context.givenTransport,
                                              logger: context.logger)
            return try VaultLegacySecretsManager(component: component, client: client)
        },
        // ZenML's `project_id`; credentials as Google's libraries find them (ZenML used `SecretManagerServiceClient()`).
        "gcp": { component, context in
            let client = try GCPSecretManagerClient.make(environment: context.environment, project: component.configuration["project_id"],
                                                         endpoint: component.configuration["endpoint_url"], transport: context.transport,
                                                         logger: context.logger)
            return try GCPLegacySecretsManager(component: component, client: client)
        },
        // ZenML's `key_vault_name`; credentials as DefaultAzureCredential finds them (ZenML used it).
        "azure": { component, context in
            let client = try KeyVaultClient.make(environment: context.environment, vaultName: component.configuration["key_vault_name"],
                                                 vaultURL: component.configuration["endpoint_url"], transport: context.givenTransport,
                                                 logger: context.logger)
            return try AzureLegacySecretsManager(component: component, client: client)
        },
    ]

    /// ZenML's other flavors, with what Ferry can say about them.
    static let unavailable: [String: String] = [
        "github": "GitHub secrets managers cannot be read: GitHub's API never returns secret values (ZenML itself could read them only inside a GitHub Actions workflow).",
    ]

    /// The flavor names Ferry can read and write.
    public static var available: [String] { factories.keys.sorted() }

    /// The manager for `component`, or an error that says why its flavor cannot be served.
    public static func manager(for component: LegacyComponent, context: LegacyContext) throws -> any LegacySecretsManager {
        if let factory = factories[component.flavor] { return try factory(component, context) }
        if let reason = unavailable[component.flavor] {
            throw FerryError(.unsupported, code: .flavorUnavailable, reason)
        }
        throw FerryError(.unsupported, code: .unknownFlavor,
                         "Secrets manager flavor `\(component.flavor)` is not one ZenML had (known: local, aws, gcp, azure, vault, github).")
    }
}

import FerryCore
import Foundation

/// The registry of legacy flavors: one line per flavor maps a component to its manager, so the
/// CLI and the migrator never name a flavor themselves.
///
/// ```swift
/// let manager = try LegacyFlavors.manager(for: component, paths: paths)
/// ```
public enum LegacyFlavors {
    /// Builds a manager for a component of one flavor.
    public typealias Factory = @Sendable (LegacyComponent, ZenMLPaths) throws -> any LegacySecretsManager

    /// The flavors Ferry reads and writes.
    static let factories: [String: Factory] = [
        "local": { LocalSecretsManager(component: $0, paths: $1) },
    ]

    /// ZenML's other flavors, with what Ferry can say about them.
    static let unavailable: [String: String] = [
        "aws": "The `aws` flavor is not available in this Ferry build yet.",
        "gcp": "The `gcp` flavor is not available in this Ferry build yet.",
        "azure": "The `azure` flavor is not available in this Ferry build yet.",
        "vault": "The `vault` flavor is not available in this Ferry build yet.",
        "github": "GitHub secrets managers cannot be read: GitHub's API never returns secret values (ZenML itself could read them only inside a GitHub Actions workflow).",
    ]

    /// The flavor names Ferry can read and write.
    public static var available: [String] { factories.keys.sorted() }

    /// The manager for `component`, or an error that says why its flavor cannot be served.
    public static func manager(for component: LegacyComponent, paths: ZenMLPaths) throws -> any LegacySecretsManager {
        if let factory = factories[component.flavor] { return try factory(component, paths) }
        if let reason = unavailable[component.flavor] {
            throw FerryError(.unsupported, code: "flavor_unavailable", reason)
        }
        throw FerryError(.unsupported, code: "unknown_flavor",
                         "Secrets manager flavor `\(component.flavor)` is not one ZenML had (known: local, aws, gcp, azure, vault, github).")
    }
}

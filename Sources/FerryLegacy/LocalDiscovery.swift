public import FerryCore
import Foundation

/// Finds local secrets managers from what they leave on disk: a `<local stores>/<uuid>/secrets.yaml`
/// per component. This works for every ZenML version, including ≥ 0.53, whose database no
/// longer lists secrets-manager components (ZenML 0.53.0 migration `1041bc644e0d`).
public enum LocalDiscovery {
    /// Every component folder with a secrets file, sorted by id.
    public static func components(in paths: ZenMLPaths) throws -> [LegacyComponent] {
        let directory = paths.localStoresDirectory
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return entries.sorted().compactMap { entry -> LegacyComponent? in
            guard let id = UUID(uuidString: entry),
                FileManager.default.fileExists(atPath: "\(directory)/\(entry)/\(ZenMLPaths.localSecretsFileName)")
            else { return nil }
            return LegacyComponent(id: id, name: entry, flavor: "local")
        }
    }
}

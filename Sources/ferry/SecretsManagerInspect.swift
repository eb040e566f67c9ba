import ArgumentParser
import FerryCore
import FerryLegacy
import FerryStack
import Foundation

extension SecretsManagerCommand {
    /// One secrets manager as JSON (flavor fields with credentials masked unless --show-secrets).
    static func document(_ found: DiscoveredSecretsManager, show: Bool) -> PythonJSON.Value {
        let component = found.component
        return .object([
            ("name", .string(component.name)), ("id", .string(component.id.uuidString.lowercased())), ("flavor", .string(component.flavor)),
            ("scope", .string(component.scope.rawValue)), ("scope_is_default", .bool(found.scopeIsDefault)),
            ("namespace", component.namespace.map { .string($0) } ?? .null),
            ("configuration", SensitiveFields.configuration(component.configuration.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }, show)),
            ("stacks", .array(found.stacks.map { .string($0) })), ("orphaned", .bool(found.orphaned)), ("source", .string(found.source)),
        ])
    }

    struct ListManagers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List the secrets managers of the ZenML installation: flavor, id, scope, namespace and stacks.",
            discussion: """
                The scope is what ZenML made of the stored configuration: a stored `scope`, else `component` for \
                the scoping flavors (aws, gcp, azure, vault) and `none` for local (0.20–0.52), and `none` for \
                components of the 0.1x stores that predate scopes. Local secrets folders no component claims \
                (ZenML ≥ 0.53 deleted the components) are listed as orphaned.
                """)
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let installation = try global.installation()
            let managers = installation.secretsManagers()
            Console.emit(global.output, document: .array(managers.map { SecretsManagerCommand.document($0, show: global.showSecrets) })) {
                let active = installation.activeStack?.secretsManager
                let rows = managers.map { found -> [String] in
                    let component = found.component
                    let isActive = active.map { $0.id == component.id && $0.name == component.name } ?? false
                    return [isActive ? "👉" : "", component.name, component.id.uuidString.lowercased(), component.flavor,
                            component.scope.rawValue + (found.scopeIsDefault ? " (default)" : ""), component.namespace ?? "",
                            found.orphaned ? "(orphaned)" : found.stacks.joined(separator: ", ")]
                }
                if rows.isEmpty { return "No secrets managers in \(installation.storeLocation)." }
                return Console.table(["ACTIVE", "NAME", "ID", "FLAVOR", "SCOPE", "NAMESPACE", "STACKS"], rows, truncate: [1, 6])
            }
        }
    }

    struct DescribeManager: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "describe", abstract: "Show one secrets manager in detail.")
        @Argument(help: "Its name or id (default: the active stack's).") var nameOrID: String?
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let installation = try global.installation()
            let found: DiscoveredSecretsManager
            if let nameOrID {
                found = try installation.secretsManager(nameOrID)
            } else {
                guard let record = installation.activeStack?.secretsManager,
                      let active = installation.secretsManagers().first(where: { $0.component.id == record.id && $0.component.name == record.name })
                else {
                    throw FerryError(.notFound, code: .noActiveSecretsManager,
                                     "The active stack has no secrets manager; name one (`ferry secrets-manager list` shows them).")
                }
                found = active
            }
            let manager = try? LegacyFlavors.manager(for: found.component, context: global.legacyContext)
            Console.emit(global.output, document: SecretsManagerCommand.document(found, show: global.showSecrets)) {
                let component = found.component
                var rows: [[String]] = [
                    ["NAME", component.name], ["ID", component.id.uuidString.lowercased()], ["FLAVOR", component.flavor],
                    ["SCOPE", component.scope.rawValue + (found.scopeIsDefault ? " (ZenML's default; not stored)" : "")],
                ]
                if let namespace = component.namespace { rows.append(["NAMESPACE", namespace]) }
                for (key, value) in component.configuration.sorted(by: { $0.key < $1.key }) {
                    rows.append([key.uppercased(), SensitiveFields.shown(key, .string(value), global.showSecrets).pythonString])
                }
                rows.append(["STACKS", found.orphaned ? "(orphaned: the component is gone, its secrets remain)" : found.stacks.joined(separator: ", ")])
                if let manager { rows.append(["SECRETS AT", manager.location]) }
                rows.append(["SOURCE", found.source])
                return Console.table(["PROPERTY", "VALUE"], rows)
            }
        }
    }

    struct Recover: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "recover",
            abstract: "Find the secrets-manager components whose secrets are still in a cloud back-end (after ZenML ≥ 0.53 deleted them).",
            discussion: """
                Give the back-end with --flavor (aws, gcp, azure or vault) and its settings (--region, --project-id, \
                --key-vault-name, --endpoint-url, --mount-point). Each component found can then be read with \
                `ferry secrets-manager secret list --flavor … --scope … [--namespace …] --secrets-manager ID`.
                """)
        @OptionGroup var manager: ManagerOptions
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            guard let flavor = manager.flavor, flavor != "local" else {
                throw FerryError(.invalidInput, code: .flavorRequired,
                                 "Name the back-end with --flavor aws, gcp, azure or vault (local secrets managers are found by `ferry secrets-manager list`).")
            }
            var base = manager.describedComponent(flavor: flavor, id: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))
            base.scope = .none
            base.namespace = nil
            let recovered = try await LegacyFlavors.manager(for: base, context: global.legacyContext).recoverComponents()
            let document = PythonJSON.Value.array(recovered.map { found in
                .object([("name", .string(found.component.name)), ("id", .string(found.component.id.uuidString.lowercased())),
                         ("flavor", .string(found.component.flavor)), ("scope", .string(found.component.scope.rawValue)),
                         ("namespace", found.component.namespace.map { .string($0) } ?? .null), ("secrets", .number(String(found.secretCount))),
                         ("evidence", .string(found.evidence))])
            })
            Console.emit(global.output, document: document) {
                if recovered.isEmpty { return "No ZenML secrets-manager secrets found there." }
                return Console.table(["NAME", "ID", "SCOPE", "NAMESPACE", "SECRETS"], recovered.map { found in
                    [found.component.name, found.component.id.uuidString.lowercased(), found.component.scope.rawValue,
                     found.component.namespace ?? "", String(found.secretCount)]
                }, truncate: [0])
            }
        }
    }

    struct FlavorGroup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "flavor", abstract: "The secrets-manager flavors ZenML had.",
                                                        subcommands: [FlavorList.self])
    }

    struct FlavorList: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the flavors and what Ferry can do with each.")
        @OptionGroup var global: GlobalOptions

        /// ZenML's flavors (ZenML 0.52.0 `*_secrets_manager_flavor.py`; github 0.9.0–0.36.1).
        static let flavors: [(name: String, integration: String, scoping: Bool, versions: String)] = [
            ("local", "built-in", false, "0.7–0.52"), ("aws", "aws", true, "0.7–0.52"), ("gcp", "gcp", true, "0.8–0.52"),
            ("azure", "azure", true, "0.9–0.52"), ("vault", "vault", true, "0.10–0.52"), ("github", "github", false, "0.9–0.36"),
        ]

        func run() async throws {
            let available = Set(LegacyFlavors.available)
            let document = PythonJSON.Value.array(Self.flavors.map { flavor in
                .object([("name", .string(flavor.name)), ("integration", .string(flavor.integration)), ("supports_scoping", .bool(flavor.scoping)),
                         ("zenml_versions", .string(flavor.versions)), ("readable", .bool(available.contains(flavor.name)))])
            })
            Console.emit(global.output, document: document) {
                Console.table(["FLAVOR", "INTEGRATION", "SCOPING", "ZENML", "FERRY"], Self.flavors.map { flavor in
                    [flavor.name, flavor.integration, flavor.scoping ? "yes" : "no", flavor.versions,
                     available.contains(flavor.name) ? "read and write" : "cannot read (GitHub never returns secret values)"]
                })
            }
        }
    }
}

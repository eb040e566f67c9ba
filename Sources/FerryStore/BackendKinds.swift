import FerryAWS
import FerryAzure
import FerryCore
import FerryGCP
import FerryHTTP
import FerryVault
import Foundation

/// The `secrets_store` types: the fields each accepts, a check that runs before the database is
/// opened (so a bad configuration creates nothing), and how the back-end is built.
///
/// Field names are ZenML's (`*SecretsStoreConfiguration` in ZenML 0.98.0
/// `src/zenml/zen_stores/secrets_stores/`), with ZenML 0.35–0.54's older ones where they differ;
/// `endpoint_url` and `vault_url` are Ferry's (a local endpoint for tests and emulators).
enum BackendKinds {
    struct Kind: Sendable {
        let fields: Set<String>
        let check: @Sendable (StoreFields, _ environment: [String: String]) throws -> Void
        let make: @Sendable (StoreFields, _ environment: [String: String], _ database: StoreDatabase) throws -> any SecretValuesBackend
    }

    static let kinds: [String: Kind] = [
        "sql": Kind(fields: ["encryption_key"], check: { _, _ in }, make: { fields, _, database in
            SQLValuesBackend(database: database, encryptionKey: fields.value("encryption_key"))
        }),
        "aws": Kind(fields: ["region_name", "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "endpoint_url",
                             "list_page_size", "secret_list_refresh_timeout"],
                    check: { _, _ in },
                    make: { fields, environment, database in
                        // ZenML 0.35–0.54 `AWSSecretsStoreConfiguration`; explicit keys win over the chain.
                        var explicit: AWSCredentials?
                        if let id = fields.value("aws_access_key_id"), let key = fields.value("aws_secret_access_key") {
                            explicit = AWSCredentials(accessKeyID: id, secretAccessKey: key, sessionToken: fields.value("aws_session_token"),
                                                      expiration: nil)
                        }
                        let client = try SecretsManagerClient.make(environment: environment, region: fields.value("region_name"),
                                                                   endpoint: fields.value("endpoint_url"), explicitCredentials: explicit,
                                                                   logger: database.logger)
                        return AWSValuesBackend(client: client, storeID: database.storeID)
                    }),
        "hashicorp": Kind(fields: ["vault_addr", "vault_token", "vault_namespace", "mount_point", "max_versions", "auth_method",
                                   "auth_mount_point", "app_role_id", "app_secret_id", "aws_role", "aws_header_value"],
                          check: { fields, environment in
                              _ = try vaultAuth(fields, environment: environment)
                              if let text = fields.value("max_versions"), Int(text).map({ $0 < 1 }) ?? true {
                                  throw FerryError(.configuration, code: .configBadField,
                                                   "The hashicorp secrets store's `max_versions` must be a positive integer.")
                              }
                          },
                          make: { fields, environment, database in
                              // VAULT_* (or BAO_*) variables fill what the configuration lacks.
                              let client = try VaultClient.make(environment: environment, address: fields.value("vault_addr"),
                                                                token: fields.value("vault_token"), namespace: fields.value("vault_namespace"),
                                                                auth: try vaultAuth(fields, environment: environment), logger: database.logger)
                              return HashiCorpValuesBackend(client: client, storeID: database.storeID,
                                                            mountPoint: fields.value("mount_point") ?? "secret",
                                                            maxVersions: fields.value("max_versions").flatMap(Int.init) ?? 1)
                          }),
        "gcp": Kind(fields: ["project_id", "auth_method", "auth_config", "endpoint_url"],
                    check: { fields, _ in _ = try gcpSettings(fields) },
                    make: { fields, environment, database in
                        let settings = try gcpSettings(fields)
                        var environment = environment
                        if let token = settings.token { environment["CLOUDSDK_AUTH_ACCESS_TOKEN"] = token }
                        let client = try GCPSecretManagerClient.make(environment: environment, project: settings.project,
                                                                     endpoint: fields.value("endpoint_url"), explicitKey: settings.key,
                                                                     logger: database.logger)
                        return GCPValuesBackend(client: client, storeID: database.storeID)
                    }),
        "azure": Kind(fields: ["key_vault_name", "auth_method", "auth_config", "azure_client_id", "azure_client_secret",
                               "azure_tenant_id", "vault_url"],
                      check: { fields, environment in _ = try azureEnvironment(fields, environment: environment) },
                      make: { fields, environment, database in
                          let client = try KeyVaultClient.make(environment: try azureEnvironment(fields, environment: environment),
                                                               vaultName: fields.value("key_vault_name"), vaultURL: fields.value("vault_url"),
                                                               logger: database.logger)
                          return AzureValuesBackend(client: client, storeID: database.storeID)
                      }),
    ]

    /// Checks `configuration` completely, before anything is opened or created.
    static func check(_ configuration: BackendConfiguration, environment: [String: String]) throws -> Kind {
        switch configuration.type {
        case "none":
            throw FerryError(.configuration, code: .storeDisabled, "The secrets store type is `none`: no centralized secrets store is configured.")
        case "custom":
            throw FerryError(.unsupported, code: .backendUnavailable, "The `custom` values back-end is not available in this Ferry build.")
        default:
            break
        }
        guard let kind = kinds[configuration.type] else {
            throw FerryError(.configuration, code: .unknownStoreType,
                             "No store implementation found for secrets store type `\(configuration.type)`.")
        }
        let unknown = configuration.fields.keys.filter { !kind.fields.contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw FerryError(.configuration, code: .configUnknownField,
                             "The \(configuration.type) secrets store has no field \(unknown.map { "`\($0)`" }.joined(separator: ", ")).")
        }
        try kind.check(try StoreFields(configuration), environment)
        return kind
    }

    // MARK: - Credentials of each type

    /// The login of a hashicorp store's `auth_method` (`token`, the default, gives nil: the token is
    /// `vault_token` or VAULT_TOKEN). ZenML 0.98.0 `hashicorp_secrets_store.py` (`HashiCorpVaultAuthMethod`,
    /// default auth mounts `approle` and `aws`).
    static func vaultAuth(_ fields: StoreFields, environment: [String: String]) throws -> VaultAuth? {
        let mount = fields.value("auth_mount_point")
        switch fields.value("auth_method") ?? "token" {
        case "token":
            return nil
        case "app_role":
            return .appRole(roleID: try fields.required("app_role_id", method: "app_role"),
                            secretID: try fields.required("app_secret_id", method: "app_role"), mount: mount ?? "approle")
        case "aws":
            let chain = AWSCredentialChain(environment: environment, transport: SocketTransport.shared)
            // ZenML calls hvac's `iam_login` without a region, which signs for us-east-1 (the global STS endpoint).
            return .awsIAM(role: fields.value("aws_role") ?? "", serverID: fields.value("aws_header_value"), credentials: chain,
                           region: "us-east-1", mount: mount ?? "aws")
        case let other:
            throw FerryError(.configuration, code: .configBadField,
                             "The hashicorp secrets store's `auth_method` is `\(other)`; it must be token, app_role or aws.")
        }
    }

    /// A gcp store's project and credentials: ZenML ≥ 0.55's `auth_method` + `auth_config`
    /// (`project_id`, `service_account_json`, `user_account_json`, `token`), or 0.35–0.54's
    /// `project_id` with the environment's credentials (ZenML 0.98.0 `gcp_secrets_store.py` and the
    /// GCP service connector's auth methods).
    static func gcpSettings(_ fields: StoreFields) throws -> (project: String, key: (json: String, source: String)?, token: String?) {
        guard let project = fields.auth("project_id") ?? fields.value("project_id") else {
            throw FerryError(.configuration, code: .configMissingField, "The gcp secrets store needs a `project_id` (in `auth_config`).")
        }
        switch fields.value("auth_method") ?? "implicit" {
        case "implicit":
            return (project, nil, nil)
        case "service-account":
            return (project, (try fields.required("service_account_json", method: "service-account"),
                              "The `service_account_json` of the gcp secrets store"), nil)
        case "user-account":
            return (project, (try fields.required("user_account_json", method: "user-account"),
                              "The `user_account_json` of the gcp secrets store"), nil)
        case "oauth2-token":
            return (project, nil, try fields.required("token", method: "oauth2-token"))
        case let other:
            throw FerryError(.configuration, code: .configBadField,
                             "The gcp secrets store's `auth_method` is `\(other)`; Ferry supports implicit, service-account, user-account and oauth2-token.")
        }
    }

    /// An azure store's credentials as the variables ``AzureCredentials`` reads: ZenML ≥ 0.55's
    /// `auth_method` (`service-principal`, `access-token`, `implicit`) with `auth_config`
    /// (`client_id`, `client_secret`, `tenant_id`, `token`), or 0.35–0.54's `azure_client_id`,
    /// `azure_client_secret`, `azure_tenant_id` (ZenML 0.98.0 `azure_secrets_store.py` and the Azure
    /// service connector's auth methods).
    static func azureEnvironment(_ fields: StoreFields, environment: [String: String]) throws -> [String: String] {
        guard fields.value("key_vault_name") != nil || fields.value("vault_url") != nil else {
            throw FerryError(.configuration, code: .configMissingField, "The azure secrets store needs a `key_vault_name`.")
        }
        var fields = fields
        let legacy = ["azure_client_id", "azure_client_secret", "azure_tenant_id"].filter { fields.value($0) != nil }
        if !legacy.isEmpty && legacy.count < 3 {
            throw FerryError(.configuration, code: .configMissingField,
                             "The azure secrets store has \(legacy.map { "`\($0)`" }.joined(separator: ", ")) but needs all of `azure_client_id`, `azure_client_secret` and `azure_tenant_id`.")
        }
        if fields.value("auth_method") == nil, let id = fields.value("azure_client_id"), let secret = fields.value("azure_client_secret"),
           let tenant = fields.value("azure_tenant_id")
        {
            fields.authConfig = ["client_id": id, "client_secret": secret, "tenant_id": tenant]
            fields.fields["auth_method"] = "service-principal"
        }
        var result = environment
        switch fields.value("auth_method") ?? "implicit" {
        case "implicit":
            break
        case "service-principal":
            result["AZURE_CLIENT_ID"] = try fields.required("client_id", method: "service-principal")
            result["AZURE_CLIENT_SECRET"] = try fields.required("client_secret", method: "service-principal")
            result["AZURE_TENANT_ID"] = try fields.required("tenant_id", method: "service-principal")
            result["AZURE_ACCESS_TOKEN"] = nil
        case "access-token":
            result["AZURE_ACCESS_TOKEN"] = try fields.required("token", method: "access-token")
        case let other:
            throw FerryError(.configuration, code: .configBadField,
                             "The azure secrets store's `auth_method` is `\(other)`; Ferry supports implicit, service-principal and access-token.")
        }
        return result
    }
}

/// A `secrets_store` block's fields, with its `auth_config` (ZenML ≥ 0.55: a JSON object, as its
/// environment variable holds it) read once.
struct StoreFields: Sendable {
    let type: String
    var fields: [String: String]
    /// `auth_config`'s members as text (objects, such as a service-account key, as their JSON).
    var authConfig: [String: String] = [:]

    init(_ configuration: BackendConfiguration) throws {
        type = configuration.type
        fields = configuration.fields
        if let text = fields["auth_config"], !text.isEmpty {
            guard case .object(let pairs)? = try? PythonJSON.parse(text) else {
                throw FerryError(.configuration, code: .configBadField, "The \(type) secrets store's `auth_config` is not a JSON object.")
            }
            for (key, value) in pairs {
                switch value {
                case .string(let text), .number(let text): authConfig[key] = text
                case .object, .array: authConfig[key] = PythonJSON.dumps(value)
                default: break
                }
            }
        }
    }

    /// A field, nil when absent or empty.
    func value(_ name: String) -> String? { fields[name].flatMap { $0.isEmpty ? nil : $0 } }

    /// A member of `auth_config`, nil when absent or empty.
    func auth(_ name: String) -> String? { authConfig[name].flatMap { $0.isEmpty ? nil : $0 } }

    /// A member the auth method needs: from `auth_config`, or (hashicorp's flat fields) the block itself.
    func required(_ name: String, method: String) throws -> String {
        if let found = auth(name) ?? value(name) { return found }
        let place = type == "hashicorp" ? "" : " in `auth_config`"
        throw FerryError(.configuration, code: .configMissingField,
                         "The \(type) secrets store needs `\(name)`\(place) for the `\(method)` auth method.")
    }
}

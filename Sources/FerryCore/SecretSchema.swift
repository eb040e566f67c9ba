/// A legacy secret schema: ZenML's `BaseSecretSchema` subclasses, which fixed a secret's keys.
///
/// Field sets come from ZenML 0.52.0 `src/zenml/secret/schemas/*.py`,
/// `src/zenml/secret/arbitrary_secret_schema.py` and the integrations' `secret_schemas` modules
/// (seldon, kserve, whylogs); schemas that changed over time keep their older field set as a
/// ``variants`` entry. Typed schemas forbid unknown keys (pydantic `extra="forbid"`).
///
/// ```swift
/// let aws = SecretSchema.named("aws")!
/// let content = try aws.validate(["aws_access_key_id": "AKIA", "aws_secret_access_key": "s3cr3t"])
/// ```
public struct SecretSchema: Sendable, Hashable {
    /// How pydantic typed a field.
    public enum Kind: Sendable, Hashable {
        /// `str` or `Optional[str]`.
        case string
        /// `bool`: accepts pydantic v1's spellings, stored as Python's `str(bool)` (`True`/`False`)
        /// in string layouts and as JSON `true`/`false` in JSON layouts.
        case bool
        /// `Literal["value"]`: only that value.
        case literal(String)
    }

    /// One declared field.
    public struct Field: Sendable, Hashable {
        public let name: String
        public let kind: Kind
        /// The default ZenML fills in (part of `content`), or nil.
        public let defaultValue: String?
        /// Required: no default and not Optional.
        public let isRequired: Bool

        public init(_ name: String, _ kind: Kind = .string, default defaultValue: String? = nil, required: Bool = false) {
            self.name = name
            self.kind = kind
            self.defaultValue = defaultValue
            self.isRequired = required
        }
    }

    /// The schema's `TYPE` string, as stored in `zenml_schema_name`.
    public let type: String
    /// The Python class name (used in validation messages).
    public let className: String
    /// Where the class lives, for messages.
    public let origin: String
    /// Declared fields in declaration order; empty for `arbitrary`.
    public let fields: [Field]
    /// Whether any key is accepted (`arbitrary`).
    public let isArbitrary: Bool
    /// Older field sets of the same `TYPE`, newest first, with the ZenML versions that used them.
    public let variants: [(versions: String, fields: [Field])]

    public init(type: String, className: String, origin: String, fields: [Field], isArbitrary: Bool = false,
                variants: [(versions: String, fields: [Field])] = [])
    {
        self.type = type
        self.className = className
        self.origin = origin
        self.fields = fields
        self.isArbitrary = isArbitrary
        self.variants = variants
    }

    public static func == (lhs: SecretSchema, rhs: SecretSchema) -> Bool { lhs.type == rhs.type }
    public func hash(into hasher: inout Hasher) { hasher.combine(type) }

    /// `get_schema_keys()`: the declared keys.
    public var keys: [String] { fields.map(\.name) }

    /// `values` in the order ZenML's `content` gives them: declared fields in declaration order,
    /// then any other keys in their given order (an arbitrary schema keeps the given order).
    public func ordered(_ values: SecretValues) -> SecretValues {
        if isArbitrary { return values }
        var result = SecretValues()
        for key in keys { if let value = values[key] { result[key] = value } }
        for (key, value) in values.revealedPairs where !result.contains(key) { result[key] = value }
        return result
    }

    /// The declared field called `name`, if any.
    public func field(_ name: String) -> Field? { fields.first { $0.name == name } }

    /// Builds `content` as ZenML would from user-given values: unknown keys and missing required
    /// keys rejected, booleans and literals checked, defaults filled in, declaration order.
    ///
    /// Booleans come back as `True`/`False`, Python's `str(bool)`, which is what every string
    /// layout stores. Throws ``FerryError/Kind/invalidInput`` with pydantic v1's message shape.
    public func validate(_ values: SecretValues) throws -> SecretValues {
        if isArbitrary { return values }
        let problems = Self.problems(of: values, against: fields)
        guard problems.isEmpty else {
            let lines = problems.map { "\($0.field)\n  \($0.message)" }.joined(separator: "\n")
            let count = problems.count
            throw FerryError(
                .invalidInput, code: .schemaViolation,
                "\(count) validation error\(count == 1 ? "" : "s") for \(className)\n\(lines)")
        }
        var content = SecretValues()
        for field in fields {
            let value = values[field.name] ?? field.defaultValue
            guard let value else { continue }
            content[field.name] = field.kind == .bool ? (Self.parseBool(value)! ? "True" : "False") : value
        }
        return content
    }

    /// Which field set a stored secret conforms to: the current one, an older variant, or none
    /// (with the reasons). Reading never fails on a mismatch; this only describes it.
    public func conformance(of values: SecretValues) -> SchemaConformance {
        if isArbitrary { return .current }
        let current = Self.problems(of: values, against: fields)
        if current.isEmpty { return .current }
        for variant in variants where Self.problems(of: values, against: variant.fields).isEmpty {
            return .variant(versions: variant.versions)
        }
        return .nonConforming(current.map { "\($0.field): \($0.message)" })
    }

    /// pydantic v1's `bool` parsing of a string (`BOOL_TRUE`/`BOOL_FALSE`, case-insensitive).
    public static func parseBool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "1", "on", "t", "true", "y", "yes": return true
        case "0", "off", "f", "false", "n", "no": return false
        default: return nil
        }
    }

    private static func problems(of values: SecretValues, against fields: [Field]) -> [(field: String, message: String)] {
        var problems: [(field: String, message: String)] = []
        for field in fields {
            guard let value = values[field.name] else {
                if field.isRequired { problems.append((field.name, "field required (type=value_error.missing)")) }
                continue
            }
            switch field.kind {
            case .string: break
            case .bool:
                if parseBool(value) == nil {
                    problems.append((field.name, "value could not be parsed to a boolean (type=type_error.bool)"))
                }
            case .literal(let allowed):
                if value != allowed {
                    problems.append(
                        (field.name, "unexpected value; permitted: '\(allowed)' (type=value_error.const; permitted=('\(allowed)',))"))
                }
            }
        }
        let declared = Set(fields.map(\.name))
        for key in values.keys where !declared.contains(key) {
            problems.append((key, "extra fields not permitted (type=value_error.extra)"))
        }
        return problems
    }
}

/// How a stored secret relates to its recorded schema.
public enum SchemaConformance: Sendable, Equatable {
    /// It fits the schema as ZenML 0.52.0 defines it.
    case current
    /// It fits an older field set of the schema (ZenML would reject it from the version that changed it).
    case variant(versions: String)
    /// It fits no known field set; the reasons, one per field.
    case nonConforming([String])
    /// The schema type is not one Ferry knows; the raw map is kept as it is.
    case unknownSchema
}

extension SecretSchema {
    /// The schema type ZenML uses when none is given (`ARBITRARY_SECRET_SCHEMA_TYPE`).
    public static let arbitraryType = "arbitrary"

    /// The registry: every built-in schema of ZenML 0.7–0.52, keyed by `TYPE`.
    public static let builtIn: [SecretSchema] = {
        typealias F = Field
        let core = "zenml.secret.schemas"
        return [
            SecretSchema(type: "arbitrary", className: "ArbitrarySecretSchema", origin: "zenml.secret",
                         fields: [], isArbitrary: true),
            SecretSchema(type: "aws", className: "AWSSecretSchema", origin: core, fields: [
                F("aws_access_key_id", required: true), F("aws_secret_access_key", required: true),
                F("aws_session_token"),
            ]),
            SecretSchema(type: "gcp", className: "GCPSecretSchema", origin: core, fields: [F("token", required: true)]),
            SecretSchema(type: "azure", className: "AzureSecretSchema", origin: core, fields: [
                F("account_name"), F("account_key"), F("sas_token"), F("connection_string"), F("client_id"),
                F("client_secret"), F("tenant_id"),
            ]),
            SecretSchema(type: "basic_auth", className: "BasicAuthSecretSchema", origin: core, fields: [
                F("username", required: true), F("password", required: true),
            ]),
            // ZenML 0.8.0–0.13.2 src/zenml/metadata_stores/mysql_secret_schema.py (removed in 0.20.0).
            SecretSchema(type: "mysql", className: "MYSQLSecretSchema", origin: "zenml.metadata_stores", fields: [
                F("user"), F("password"), F("ssl_ca"), F("ssl_cert"), F("ssl_key"),
                F("ssl_verify_server_cert", .bool, default: "False"),
            ]),
            SecretSchema(type: "seldon_s3", className: "SeldonS3SecretSchema", origin: "zenml.integrations.seldon", fields: [
                F("rclone_config_s3_type", .literal("s3"), default: "s3"),
                F("rclone_config_s3_provider", default: "aws"),
                F("rclone_config_s3_env_auth", .bool, default: "False"),
                F("rclone_config_s3_access_key_id"), F("rclone_config_s3_secret_access_key"),
                F("rclone_config_s3_session_token"), F("rclone_config_s3_region"), F("rclone_config_s3_endpoint"),
            ]),
            SecretSchema(type: "seldon_gs", className: "SeldonGSSecretSchema", origin: "zenml.integrations.seldon", fields: [
                F("rclone_config_gs_type", .literal("google cloud storage"), default: "google cloud storage"),
                F("rclone_config_gs_client_id"), F("rclone_config_gs_client_secret"),
                F("rclone_config_gs_project_number"), F("rclone_config_gs_service_account_credentials"),
                F("rclone_config_gs_anonymous", .bool, default: "False"),
                F("rclone_config_gs_token"), F("rclone_config_gs_auth_url"), F("rclone_config_gs_token_url"),
            ]),
            SecretSchema(type: "seldon_az", className: "SeldonAzureSecretSchema", origin: "zenml.integrations.seldon", fields: [
                F("rclone_config_az_type", .literal("azureblob"), default: "azureblob"),
                F("rclone_config_az_env_auth", .bool, default: "False"),
                F("rclone_config_az_account"), F("rclone_config_az_key"), F("rclone_config_az_sas_url"),
                F("rclone_config_az_use_msi", .bool, default: "False"),
                F("rclone_config_az_client_secret"), F("rclone_config_az_client_id"), F("rclone_config_az_tenant"),
            ], variants: [("0.8.0–0.35.1", [
                F("rclone_config_azureblob_type", .literal("azureblob"), default: "azureblob"),
                F("rclone_config_azureblob_account"), F("rclone_config_azureblob_key"),
                F("rclone_config_azureblob_sas_url"), F("rclone_config_azureblob_use_msi", .bool, default: "False"),
            ])]),
            SecretSchema(type: "kserve_s3", className: "KServeS3SecretSchema", origin: "zenml.integrations.kserve", fields: [
                F("aws_access_key_id"), F("aws_secret_access_key"), F("s3_endpoint"), F("s3_region"),
                F("s3_use_https"), F("s3_verify_ssl"),
            ], variants: [("0.12.0–0.35.1", [
                F("storage_type", .literal("S3"), default: "S3"), F("credentials"), F("service_account"),
                F("s3_endpoint"), F("s3_region"), F("s3_use_https"), F("s3_verify_ssl"),
            ])]),
            SecretSchema(type: "kserve_gs", className: "KServeGSSecretSchema", origin: "zenml.integrations.kserve", fields: [
                F("google_application_credentials"),
            ], variants: [("0.12.0–0.35.1", [
                F("storage_type", .literal("GCS"), default: "GCS"), F("credentials"), F("service_account"),
            ])]),
            SecretSchema(type: "kserve_az", className: "KServeAzureSecretSchema", origin: "zenml.integrations.kserve", fields: [
                F("azure_client_id"), F("azure_client_secret"), F("azure_tenant_id"), F("azure_subscription_id"),
            ], variants: [("0.12.0–0.35.1", [
                F("storage_type", .literal("Azure"), default: "Azure"), F("credentials"),
            ])]),
            SecretSchema(type: "whylabs", className: "WhylabsSecretSchema", origin: "zenml.integrations.whylogs", fields: [
                F("whylabs_default_org_id", required: true), F("whylabs_api_key", required: true),
                F("whylabs_default_dataset_id"),
            ]),
        ]
    }()

    private static let byType: [String: SecretSchema] = Dictionary(uniqueKeysWithValues: builtIn.map { ($0.type, $0) })

    /// The built-in schema with this `TYPE`, or nil for a schema Ferry does not know.
    public static func named(_ type: String) -> SecretSchema? { byType[type] }

    /// The built-in schema with this `TYPE`, or ZenML's registry error for an unknown one.
    public static func require(_ type: String) throws -> SecretSchema {
        if let schema = byType[type] { return schema }
        let known = builtIn.map(\.type).sorted().joined(separator: ", ")
        throw FerryError(
            .invalidInput, code: .unknownSchema,
            "No SecretSchema class found for schema flavor `\(type)`. Registered flavors are: \(known).")
    }
}

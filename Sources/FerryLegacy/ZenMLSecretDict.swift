import FerryCore

/// `secret_to_dict` / `secret_from_dict` with `encode=False`, and the name rule, as the `aws` and
/// `vault` flavors share them (ZenML 0.52.0 `src/zenml/secrets_managers/utils.py`;
/// `validate_aws_secret_name_or_namespace` and `validate_vault_secret_name_or_namespace`, which
/// are the same regex, in the flavors' `*_secrets_manager_flavor.py`).
enum ZenMLSecretDict {
    /// `[a-zA-Z0-9_+=.@-]*`, with ZenML's message.
    static func validateName(_ name: String) throws {
        try checkName(name, allowEmpty: true, rule: "Must contain only alphanumeric characters and the characters _+=.@-.") { scalar in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", "_", "+", "=", ".", "@", "-": return true
            default: return false
            }
        }
    }

    /// A flavor's secret name (or namespace) rule, with ZenML's messages
    /// (`Invalid secret name or namespace '…'. <rule>` and `… The length is limited to maximum N characters.`).
    static func checkName(_ name: String, allowEmpty: Bool = false, maxLength: Int? = nil, rule: String,
                          allowed: (Unicode.Scalar) -> Bool) throws
    {
        guard (allowEmpty || !name.isEmpty) && name.unicodeScalars.allSatisfy(allowed) else {
            throw FerryError(.invalidInput, code: .invalidSecretName, "Invalid secret name or namespace '\(name)'. \(rule)")
        }
        if let maxLength, name.count > maxLength {
            throw FerryError(.invalidInput, code: .invalidSecretName,
                             "Invalid secret name or namespace '\(name)'. The length is limited to maximum \(maxLength) characters.")
        }
    }

    /// `content` (booleans of the schema as JSON booleans), then `zenml_schema_name`.
    static func encode(_ secret: LegacySecret) -> [(key: String, value: PythonJSON.Value)] {
        let schema = secret.schema
        var pairs: [(key: String, value: PythonJSON.Value)] = secret.values.revealedPairs.map { key, value in
            if schema?.field(key)?.kind == .bool, let flag = SecretSchema.parseBool(value) { return (key, .bool(flag)) }
            return (key, .string(value))
        }
        pairs.append((LocalSecretsManager.schemaKey, .string(secret.schemaType)))
        return pairs
    }

    /// Pops `zenml_schema_name`, `str()`s the values, orders them as the schema's `content`.
    static func decode(name: String, pairs: [(key: String, value: PythonJSON.Value)], source: String) throws -> LegacySecret {
        var values = SecretValues(pairs.map { ($0.key, $0.value.pythonString) })
        guard let schema = values[LocalSecretsManager.schemaKey] else {
            throw FerryError(.corruptData, code: .missingSchema, "\(source) has no `zenml_schema_name` key.")
        }
        values[LocalSecretsManager.schemaKey] = nil
        return LegacySecret(name: name, schemaType: schema, values: SecretSchema.named(schema)?.ordered(values) ?? values)
    }
}

public import FerryCore

/// The error codes FerryStack throws. Their raw strings are stable: `-o json` prints them and
/// docs/commands.md lists them (`ErrorCodeDocsTests` keeps the two in step).
extension FerryError.Code {
    /// More than one secrets manager matches `…`: …
    public static let ambiguousSecretsManager = Self("ambiguous_secrets_manager")
    /// The configuration of … is not base64-encoded JSON of a mapping.
    public static let badConfiguration = Self("bad_configuration")
    /// '…' is not a valid SecretValidationLevel (ZENML_SECRET_VALIDATION_LEVEL): use …
    public static let badValidationLevel = Self("bad_validation_level")
    /// '…' is not a ZenML stack export: it has no `components` mapping.
    public static let exportShape = Self("export_shape")
    /// '…' has `…` but no `…` table.
    public static let missingTable = Self("missing_table")
    /// No active stack is set in …; name a stack.
    public static let noActiveStack = Self("no_active_stack")
    /// No ZenML configuration directory at '…' (set ZENML_CONFIG_PATH or pass --config-dir).
    public static let noConfigDir = Self("no_config_dir")
    /// No config.yaml in '…': is this ZenML's configuration directory? (set ZENML_CONFIG_PATH or pass --config-dir)
    public static let noConfigFile = Self("no_config_file")
    /// The ZenML database '…' does not exist.
    public static let noDatabase = Self("no_database")
    /// '…' has no profile `…` (profiles: …
    public static let noProfile = Self("no_profile")
    /// The ZenML 0.1x store '…' has no stacks.yaml.
    public static let noStacksFile = Self("no_stacks_file")
    /// …. The secret … does not contain a value for key …. Available keys: ….
    public static let referenceMissingKey = Self("reference_missing_key")
    /// …: The secret … does not exist.
    public static let referenceMissingSecret = Self("reference_missing_secret")
    /// …: The active stack does not have a secrets manager.
    public static let referenceNoSecretsManager = Self("reference_no_secrets_manager")
    /// …: The stack component is not part of the active stack and therefore can't have it's secret references resolved.
    public static let referenceNotActive = Self("reference_not_active")
    /// No secrets manager `…` in … (known: …
    public static let secretsManagerNotFound = Self("secrets_manager_not_found")
    /// No stack `…` in … (stacks: …
    public static let stackNotFound = Self("stack_not_found")
    /// Profile `…` of '…' uses a `…` store; Ferry reads `local` and `sql` profiles.
    public static let storeType = Self("store_type")
    /// Cannot read '…'.
    public static let unreadableFile = Self("unreadable_file")
    /// The values of secret `…` are not in '…' (an external secrets store kept them).
    public static let valuesElsewhere = Self("values_elsewhere")
}

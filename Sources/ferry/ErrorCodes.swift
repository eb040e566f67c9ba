import FerryCore

/// The error codes the command-line tool throws. Their raw strings are stable: `-o json` prints them and
/// docs/commands.md lists them (`ErrorCodeDocsTests` keeps the two in step).
extension FerryError.Code {
    /// Unknown column `…`: use …
    static let badColumn = Self("bad_column")
    /// '…' is not a component UUID.
    static let badComponentID = Self("bad_component_id")
    /// --logical_operator takes `and` or `or`.
    static let badOperator = Self("bad_operator")
    /// The `…` flavor needs the component's UUID: pass --secrets-manager UUID.
    static let componentIDRequired = Self("component_id_required")
    /// … Not asked, as standard input is not a terminal: pass --yes to proceed.
    static let confirmationNeeded = Self("confirmation_needed")
    /// -o env prints shell assignments of the values, and without --show-secrets every value would be '***'; add --show-secrets (or use -o yaml to see the keys).
    static let envNeedsShowSecrets = Self("env_needs_show_secrets")
    /// -o env cannot print key…
    static let envUnsafeKey = Self("env_unsafe_key")
    /// Name the back-end with --flavor aws, gcp, azure or vault (local secrets managers are found by `ferry secrets-manager list`).
    static let flavorRequired = Self("flavor_required")
    /// Cannot pass secret fields as arguments when using interactive mode.
    static let interactiveWithArgs = Self("interactive_with_args")
    /// No local secrets manager with ID …: '…' does not exist.
    static let managerNotFound = Self("manager_not_found")
    /// Aborting migration: nothing was changed.
    static let migrationAborted = Self("migration_aborted")
    /// …
    static let migrationIncomplete = Self("migration_incomplete")
    /// `…
    static let missingCommand = Self("missing_command")
    /// Stack `…` references missing secrets.
    static let missingSecrets = Self("missing_secrets")
    /// The active stack has no secrets manager; name one (`ferry secrets-manager list` shows them).
    static let noActiveSecretsManager = Self("no_active_secrets_manager")
    /// No answer given for: …
    static let noInput = Self("no_input")
    /// …, and no local secrets manager is in '…'. Point Ferry at ZenML's configuration directory with --config-dir or ZENML_CONFIG_PATH, or choose a secrets manager with --secrets-manager, --secrets-file, --stack or --all.
    static let noSecretsManager = Self("no_secrets_manager")
    /// Secret fields must be passed as arguments when not using interactive mode.
    static let noValues = Self("no_values")
    /// `migrate` prints its plan as a table, json or yaml; -o env is for `secret get`.
    static let outputFormat = Self("output_format")
    /// This Secrets Manager does not support scoping. You can only use a `none` scope value.
    static let scopeUnsupported = Self("scope_unsupported")
    /// The secrets file '…' does not exist.
    static let secretsFileMissing = Self("secrets_file_missing")
    /// Several local secrets managers found (…
    static let severalSecretsManagers = Self("several_secrets_managers")
    /// `--scope …` is a scope of the centralized store, for `migrate`; a component's scope is none, global, component or namespace.
    static let targetScope = Self("target_scope")
    /// Unknown command '…'. Did you mean '…'?
    static let unknownCommand = Self("unknown_command")
    /// … secret reference…
    static let unresolvedReferences = Self("unresolved_references")
    /// The --values text is not valid JSON: ….
    static let valuesInvalidJSON = Self("values_invalid_json")
    /// The --values text must be a JSON or YAML mapping of keys to plain values.
    static let valuesNotAMap = Self("values_not_a_map")
}

/// The error codes FerryCore throws. Their raw strings are stable: `-o json` prints them and
/// docs/commands.md lists them (`ErrorCodeDocsTests` keeps the two in step).
extension FerryError.Code {
    /// '…' must be a mapping with `secrets_store` and `backup_secrets_store`.
    public static let configShape = Self("config_shape")
    /// Cannot … '…': ….
    public static let fileError = Self("file_error")
    /// '…' exists already; pass --force to replace it.
    public static let fileExists = Self("file_exists")
    /// Invalid argument #… (not shown, as it may hold a value). …
    public static let invalidArgument = Self("invalid_argument")
    /// … is not valid JSON: …
    public static let invalidJSON = Self("invalid_json")
    /// Invalid key '…': please provide args with a proper identifier as the key.
    public static let invalidKey = Self("invalid_key")
    /// A secret name cannot contain a NUL character.
    public static let invalidName = Self("invalid_name")
    /// A name must be supplied. Please see the command help for more information.
    public static let missingName = Self("missing_name")
    /// Cannot create the folder '…': ….
    public static let mkdirFailed = Self("mkdir_failed")
    /// The value of … is not a JSON object of keys and values.
    public static let notAMap = Self("not_a_map")
    /// '…' is not UTF-8 text.
    public static let notUTF8 = Self("not_utf8")
    /// You can't use 'name' as the key for one of your secrets.
    public static let reservedKey = Self("reserved_key")
    /// Secret names cannot be named 'name'.
    public static let reservedName = Self("reserved_name")
    /// … validation error…
    public static let schemaViolation = Self("schema_violation")
    /// '…' already has a secret `…`.
    public static let secretExists = Self("secret_exists")
    /// Secret with name `…` not found in the secrets manager…
    public static let secretNotFound = Self("secret_not_found")
    /// '…' is not a ZenML server URL.
    public static let storeURL = Self("store_url")
    /// '…' has none of the tables of a ZenML store (stack_component, stackcomponentschema or zenstackcomponent): not a ZenML database, or an era Ferry does not know.
    public static let unknownSchema = Self("unknown_schema")
    /// Could not load argument '…' value: file '…' does not exist or is not readable.
    public static let valueFileMissing = Self("value_file_missing")
    /// Could not load argument '…' value: file '…' is not UTF-8 text.
    public static let valueFileNotUTF8 = Self("value_file_not_utf8")
    /// Could not load argument '…' value: file '…' is too large (max size is … bytes).
    public static let valueFileTooLarge = Self("value_file_too_large")
    /// Could not load argument '…' value: file '…' could not be accessed.
    public static let valueFileUnreadable = Self("value_file_unreadable")
    /// '…' is a ZenML 0.80+ database, whose secrets belong to no workspace; leave out the workspace `…`.
    public static let zenmlWorkspace = Self("zenml_workspace")
}

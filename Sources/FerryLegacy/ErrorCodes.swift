public import FerryCore

/// The error codes FerryLegacy throws. Their raw strings are stable: `-o json` prints them and
/// docs/commands.md lists them (`ErrorCodeDocsTests` keeps the two in step).
extension FerryError.Code {
    /// Key Vault secret `…` is tagged as part of `…` but its name does not start with `…-`.
    public static let azureGroupKey = Self("azure_group_key")
    /// Secret '…' has no keys: the azure flavor's none scope keeps one Key Vault secret per key, so an empty secret would not be stored at all.
    public static let azureNoKeys = Self("azure_no_keys")
    /// Secret `…` in '…' has a key that is not text.
    public static let badKey = Self("bad_key")
    /// '…' has a secret name that is not text.
    public static let badSecretName = Self("bad_secret_name")
    /// Key `…` of secret `…` in '…' has no text value.
    public static let badValue = Self("bad_value")
    /// AWS secret '…' holds binary data, which ZenML never wrote and cannot read.
    public static let binarySecret = Self("binary_secret")
    /// Key `…` of secret `…` in '…' is not valid base64 of UTF-8 text.
    public static let brokenBase64 = Self("broken_base64")
    /// The secrets manager's flavor cannot be read by Ferry (the message says why).
    public static let flavorUnavailable = Self("flavor_unavailable")
    /// GCP secret `…` is labelled as part of `…` but its id does not start with `…_`.
    public static let gcpGroupKey = Self("gcp_group_key")
    /// Secret '…' has no keys: the gcp flavor's none scope keeps one GCP secret per key, so an empty secret would not be stored at all.
    public static let gcpNoKeys = Self("gcp_no_keys")
    /// Invalid secret name or namespace '…'. …
    public static let invalidSecretName = Self("invalid_secret_name")
    /// … has no `zenml_schema_name` key.
    public static let missingSchema = Self("missing_schema")
    /// A `namespace` value is required for a namespace scoped Secrets Manager.
    public static let namespaceRequired = Self("namespace_required")
    /// GCP secret `…` (key of `…`) has no readable version.
    public static let secretUnreadable = Self("secret_unreadable")
    /// Ferry cannot delete `…` for the … flavor.
    public static let strandedDeleteUnsupported = Self("stranded_delete_unsupported")
    /// `…` is not under the mount `…`.
    public static let strandedNotHere = Self("stranded_not_here")
    /// Secrets manager flavor `…` is not one ZenML had (known: local, aws, gcp, azure, vault, github).
    public static let unknownFlavor = Self("unknown_flavor")
}

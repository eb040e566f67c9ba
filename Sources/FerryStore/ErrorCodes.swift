public import FerryCore

/// The error codes FerryStore throws. Their raw strings are stable: `-o json` prints them and
/// docs/commands.md lists them (`ErrorCodeDocsTests` keeps the two in step).
extension FerryError.Code {
    /// Multiple secrets have been found for name, ID or prefix '…': …. Please specify the full name or ID.
    public static let ambiguousSecret = Self("ambiguous_secret")
    /// The `custom` values back-end is not available in this Ferry build.
    public static let backendUnavailable = Self("backend_unavailable")
    /// A backup secrets store is not available in this Ferry build yet.
    public static let backupUnavailable = Self("backup_unavailable")
    /// The `private` filter takes only equals or notequals.
    public static let badFilter = Self("bad_filter")
    /// Pages start at 1 and hold 1 to 10000 items.
    public static let badPage = Self("bad_page")
    /// A row of the `secret` table in '…' is malformed.
    public static let badRow = Self("bad_row")
    /// Cannot sort by '…': use one of …
    public static let badSort = Self("bad_sort")
    /// The hashicorp secrets store's `max_versions` must be a positive integer.
    public static let configBadField = Self("config_bad_field")
    /// The store configuration file '…' does not exist.
    public static let configMissing = Self("config_missing")
    /// The gcp secrets store needs a `project_id` (in `auth_config`).
    public static let configMissingField = Self("config_missing_field")
    /// `…` in '…' has no `type`.
    public static let configMissingType = Self("config_missing_type")
    /// '…' is not UTF-8 text.
    public static let configNotUTF8 = Self("config_not_utf8")
    /// The … secrets store has no field …
    public static let configUnknownField = Self("config_unknown_field")
    /// Database constraint failed in '…': ….
    public static let constraint = Self("constraint")
    /// '…' is not a usable SQLite database: ….
    public static let databaseCorrupt = Self("database_corrupt")
    /// Database error in '…': ….
    public static let databaseError = Self("database_error")
    /// The database '…' stayed locked by … for … s; try again when it has finished.
    public static let databaseLocked = Self("database_locked")
    /// Cannot open the database '…': ….
    public static let databaseOpen = Self("database_open")
    /// A secret name cannot be empty.
    public static let emptyName = Self("empty_name")
    /// '…' is an SQLite database of another program (tables …), not a Ferry store; Ferry adds nothing to it. Give a new file's path.
    public static let foreignDatabase = Self("foreign_database")
    /// Key `…` cannot be both updated and removed.
    public static let keyAddedAndRemoved = Self("key_added_and_removed")
    /// Cannot remove key `…` from secret `…`: the secret has no such key.
    public static let keyNotFound = Self("key_not_found")
    /// The store '…' is encrypted: set FERRY_SECRETS_STORE_ENCRYPTION_KEY (or `encryption_key` in the store configuration).
    public static let missingEncryptionKey = Self("missing_encryption_key")
    /// Secret names are at most … characters (this one has …).
    public static let nameTooLong = Self("name_too_long")
    /// Only the user who created the secret is allowed to update its private status.
    public static let notOwner = Self("not_owner")
    /// A text with a NUL character cannot be stored in '…'.
    public static let nulInText = Self("nul_in_text")
    /// '…' was replaced while Ferry opened it; try again.
    public static let storeChanged = Self("store_changed")
    /// Cannot make '…' private (mode 0600): ….
    public static let storeChmod = Self("store_chmod")
    /// Cannot create the store '…': ….
    public static let storeCreate = Self("store_create")
    /// The secrets store type is `none`: no centralized secrets store is configured.
    public static let storeDisabled = Self("store_disabled")
    /// The store '…' is damaged: … (its `ferry_meta` table was changed outside Ferry). Ferry will not repair it; restore it from a backup.
    public static let storeMetaDamaged = Self("store_meta_damaged")
    /// The store '…' is not a regular file.
    public static let storeNotFile = Self("store_not_file")
    /// The store '…' belongs to another user (uid …); Ferry keeps secrets only in a file of its own user.
    public static let storeNotOwned = Self("store_not_owned")
    /// '…' has store schema …, which this Ferry does not know.
    public static let storeSchema = Self("store_schema")
    /// Cannot look at the store '…': ….
    public static let storeStat = Self("store_stat")
    /// The store '…' is a symbolic link; Ferry opens and creates its store only as a regular file, never through a link. Name the real file with --store if you trust it.
    public static let storeSymlink = Self("store_symlink")
    /// The store '…' can be written by other users (mode …); Ferry will not keep secrets in it. If you trust its content, `chmod 600` it.
    public static let storeWritableByOthers = Self("store_writable_by_others")
    /// The store '…' holds unencrypted values, but an encryption key is configured; unset it, or use a new store.
    public static let unexpectedEncryptionKey = Self("unexpected_encryption_key")
    /// No store implementation found for secrets store type `…`.
    public static let unknownStoreType = Self("unknown_store_type")
    /// The stored values of secret `…` (…) in '…' are damaged: they do not decode with the store's …
    public static let valuesDamaged = Self("values_damaged")
    /// Secret values for secret … have not been stored in the SQL secrets store.
    public static let valuesNotFound = Self("values_not_found")
    /// Vault secret `…/…` is missing ZenML's values or metadata.
    public static let valuesNotOurs = Self("values_not_ours")
    /// The keys and values of secret `…` take … bytes; at most … are allowed.
    public static let valuesTooLarge = Self("values_too_large")
    /// The stored values of secret … are not in ZenML's encoding.
    public static let valuesUndecodable = Self("values_undecodable")
    /// The encryption key does not match the one the store '…' was encrypted with.
    public static let wrongEncryptionKey = Self("wrong_encryption_key")
    /// The ZenML server at … did not name the current user or the workspace `…`.
    public static let zenmlBadResponse = Self("zenml_bad_response")
    /// '…' is a ZenML database, not a Ferry store: `ferry secret` commands do not read ZenML databases yet, and Ferry adds nothing to it. To migrate secrets into it, use `ferry secrets-manager secret migrate --store …`.
    public static let zenmlDatabase = Self("zenml_database")
    /// The ZenML server at … refused the …….
    public static let zenmlExists = Self("zenml_exists")
    /// The ZenML server refused a request (`remoteCode`: the HTTP status).
    public static let zenmlHTTP = Self("zenml_http")
    /// The ZenML server at … refused the …….
    public static let zenmlInvalid = Self("zenml_invalid")
    /// The ZenML server at … answered the login without a token.
    public static let zenmlNoToken = Self("zenml_no_token")
    /// The ZenML server at … did not return the values of secret '…'.
    public static let zenmlNoValues = Self("zenml_no_values")
    /// The ZenML server at … has no …….
    public static let zenmlNotFound = Self("zenml_not_found")
    /// The ZenML server at … runs ZenML …, which has no centralized secrets store (ZenML 0.35 and later have one).
    public static let zenmlServerVersion = Self("zenml_server_version")
    /// The ZenML server at … refused the …….
    public static let zenmlUnauthorized = Self("zenml_unauthorized")
    /// The ZenML server at … hides the values of secret '…' from this user (no permission to read them).
    public static let zenmlValuesHidden = Self("zenml_values_hidden")
}

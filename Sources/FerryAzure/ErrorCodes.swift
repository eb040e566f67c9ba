public import FerryCore

/// The error codes FerryAzure throws. Their raw strings are stable: `-o json` prints them and
/// docs/commands.md lists them (`ErrorCodeDocsTests` keeps the two in step).
extension FerryError.Code {
    /// The authority host '…' is not a URL.
    public static let azureBadAuthority = Self("azure_bad_authority")
    /// Key Vault at … answered the … with a nextLink that repeats or points elsewhere.
    public static let azureBadNextLink = Self("azure_bad_next_link")
    /// Key Vault at … refused the …….
    public static let azureBadParameter = Self("azure_bad_parameter")
    /// Key Vault at … answered the … with a body that is not JSON.
    public static let azureBadResponse = Self("azure_bad_response")
    /// The Key Vault URL '…' is not an http(s) URL.
    public static let azureBadVault = Self("azure_bad_vault")
    /// Key Vault at … refused the …….
    public static let azureConflict = Self("azure_conflict")
    /// Key Vault at … refused the ……; the name is soft-deleted and must be recovered or purged first.
    public static let azureDeletedRecoverable = Self("azure_deleted_recoverable")
    /// Key Vault at … denied … the …….
    public static let azureForbidden = Self("azure_forbidden")
    /// Key Vault refused a request (`remoteCode`: its `error.code`, else the HTTP status).
    public static let azureHTTP = Self("azure_http")
    /// AZURE_CLIENT_SECRET is set but AZURE_CLIENT_ID or AZURE_TENANT_ID is not.
    public static let azureIncompleteCredentials = Self("azure_incomplete_credentials")
    /// Key Vault at … answered 401 without a Bearer challenge naming its tenant and resource.
    public static let azureNoChallenge = Self("azure_no_challenge")
    /// No Azure credentials: AZURE_CLIENT_ID/AZURE_CLIENT_SECRET/AZURE_TENANT_ID are not all set, and … did not answer (…).
    public static let azureNoCredentials = Self("azure_no_credentials")
    /// No Key Vault: the component or store needs its `key_vault_name`.
    public static let azureNoVault = Self("azure_no_vault")
    /// Key Vault at … has no …….
    public static let azureNotFound = Self("azure_not_found")
    /// The token endpoint at … refused …….
    public static let azureTokenRefused = Self("azure_token_refused")
    /// The token endpoint at … answered … without an access token.
    public static let azureTokenResponse = Self("azure_token_response")
    /// Key Vault at … did not accept the credentials (…) for the …….
    public static let azureUnauthenticated = Self("azure_unauthenticated")
}

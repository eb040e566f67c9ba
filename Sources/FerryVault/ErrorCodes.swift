public import FerryCore

/// The error codes FerryVault throws. Their raw strings are stable: `-o json` prints them and
/// docs/commands.md lists them (`ErrorCodeDocsTests` keeps the two in step).
extension FerryError.Code {
    /// The Vault address is not an http(s) URL.
    public static let vaultBadAddress = Self("vault_bad_address")
    /// Vault at … answered the login at 'auth/…' without a token.
    public static let vaultBadResponse = Self("vault_bad_response")
    /// Vault at … refused the …… (check the token's policies).
    public static let vaultForbidden = Self("vault_forbidden")
    /// Vault refused a request (`remoteCode`: the HTTP status).
    public static let vaultHTTP = Self("vault_http")
    /// No Vault address: set VAULT_ADDR or pass an address.
    public static let vaultNoAddress = Self("vault_no_address")
    /// No Vault token: set VAULT_TOKEN or pass a token.
    public static let vaultNoToken = Self("vault_no_token")
    /// Vault has no data at '…/…' (deleted or destroyed).
    public static let vaultNotFound = Self("vault_not_found")
}

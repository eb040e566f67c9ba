public import FerryCore

/// The error codes FerryGCP throws. Their raw strings are stable: `-o json` prints them and
/// docs/commands.md lists them (`ErrorCodeDocsTests` keeps the two in step).
extension FerryError.Code {
    /// GCP Secret Manager at … refused the …, which already exists….
    public static let gcpAlreadyExists = Self("gcp_already_exists")
    /// The Secret Manager endpoint '…' is not an http(s) URL.
    public static let gcpBadEndpoint = Self("gcp_bad_endpoint")
    /// GCP Secret Manager at … answered the value of secret '…' with a payload that is not base64.
    public static let gcpBadResponse = Self("gcp_bad_response")
    /// The value of secret '…' from … does not match its CRC32C checksum (corrupted in transit).
    public static let gcpCRC32CMismatch = Self("gcp_crc32c_mismatch")
    /// GCP Secret Manager refused a request (`remoteCode`: its `error.status`, else the HTTP status).
    public static let gcpHTTP = Self("gcp_http")
    /// GCP Secret Manager at … refused the …….
    public static let gcpInvalidArgument = Self("gcp_invalid_argument")
    /// … lacks `client_email` or `private_key`.
    public static let gcpKeyFields = Self("gcp_key_fields")
    /// … is not a JSON service account key.
    public static let gcpKeyNotJSON = Self("gcp_key_not_json")
    /// The `private_key` of … is not a PEM RSA private key.
    public static let gcpKeyPrivateKey = Self("gcp_key_private_key")
    /// The `token_uri` of … is not an http(s) URL.
    public static let gcpKeyTokenUri = Self("gcp_key_token_uri")
    /// … is not a service account key (its `type` is not `service_account`).
    public static let gcpKeyType = Self("gcp_key_type")
    /// The … '…' cannot be read.
    public static let gcpKeyUnreadable = Self("gcp_key_unreadable")
    /// The metadata host `…` is not a host name.
    public static let gcpMetadataHost = Self("gcp_metadata_host")
    /// No GCP credentials: GOOGLE_APPLICATION_CREDENTIALS is not set, there are no gcloud application-default credentials, and … did not answer (…).
    public static let gcpNoCredentials = Self("gcp_no_credentials")
    /// No GCP project: the component or store needs its `project_id`.
    public static let gcpNoProject = Self("gcp_no_project")
    /// GCP Secret Manager at … has no …….
    public static let gcpNotFound = Self("gcp_not_found")
    /// GCP Secret Manager at … gave the same page token twice.
    public static let gcpPagingLoop = Self("gcp_paging_loop")
    /// GCP Secret Manager at … denied … the …….
    public static let gcpPermissionDenied = Self("gcp_permission_denied")
    /// The token endpoint at … refused …….
    public static let gcpTokenRefused = Self("gcp_token_refused")
    /// The token endpoint at … answered … without an access token.
    public static let gcpTokenResponse = Self("gcp_token_response")
    /// GCP Secret Manager at … did not accept the credentials (…) for the …….
    public static let gcpUnauthenticated = Self("gcp_unauthenticated")
}

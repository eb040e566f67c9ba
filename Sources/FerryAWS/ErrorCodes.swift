public import FerryCore

/// The error codes FerryAWS throws. Their raw strings are stable: `-o json` prints them and
/// docs/commands.md lists them (`ErrorCodeDocsTests` keeps the two in step).
extension FerryError.Code {
    /// The AWS profile '…' has duration_seconds = …, which is not a number of seconds.
    public static let awsBadDuration = Self("aws_bad_duration")
    /// AWS Secrets Manager answered … with a body that is not JSON.
    public static let awsBadResponse = Self("aws_bad_response")
    /// Cannot parse the AWS configuration file …: line … is ….
    public static let awsConfigSyntax = Self("aws_config_syntax")
    /// Cannot read the AWS configuration file ….
    public static let awsConfigUnreadable = Self("aws_config_unreadable")
    /// AWS Secrets Manager answered with an HTTP error and no error type (`remoteCode`: the status).
    public static let awsHTTP = Self("aws_http")
    /// AWS Secrets Manager refused a request: the secret is marked for deletion (`remoteCode`: `InvalidRequestException`).
    public static let awsMarkedForDeletion = Self("aws_marked_for_deletion")
    /// The AWS profile '…' needs an MFA code (mfa_serial), which Ferry cannot prompt for.
    public static let awsMFAUnsupported = Self("aws_mfa_unsupported")
    /// No AWS credentials found (the message lists where Ferry looked).
    public static let awsNoCredentials = Self("aws_no_credentials")
    /// No AWS region is configured: pass a region, set AWS_REGION or AWS_DEFAULT_REGION, or set `region` in the profile.
    public static let awsNoRegion = Self("aws_no_region")
    /// AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not.
    public static let awsPartialCredentials = Self("aws_partial_credentials")
    /// The AWS profile '…' is in neither … nor ….
    public static let awsProfileNotFound = Self("aws_profile_not_found")
    /// The AWS profile '…' is its own source_profile but holds no keys.
    public static let awsRoleSourceLoop = Self("aws_role_source_loop")
    /// The AWS profile '…' has role_arn but neither source_profile nor credential_source.
    public static let awsRoleWithoutSource = Self("aws_role_without_source")
    /// AWS answered with an error type (`remoteCode`: `ResourceNotFoundException`, `AccessDeniedException`, `SignatureDoesNotMatch`…).
    public static let awsService = Self("aws_service")
    /// STS at … answered AssumeRole for profile '…' without credentials.
    public static let awsSTSBadResponse = Self("aws_sts_bad_response")
    /// STS answered AssumeRole with an HTTP error and no error code (`remoteCode`: the status).
    public static let stsHTTP = Self("aws_sts_http")
    /// The AWS profile '…' gets its credentials through `…`, which Ferry does not support.
    public static let awsUnsupportedCredentials = Self("aws_unsupported_credentials")
}

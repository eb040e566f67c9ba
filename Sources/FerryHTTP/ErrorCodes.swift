public import FerryCore

/// The error codes FerryHTTP throws. Their raw strings are stable: `-o json` prints them and
/// docs/commands.md lists them (`ErrorCodeDocsTests` keeps the two in step).
extension FerryError.Code {
    /// An HTTP method must be a token; got one that is not.
    public static let httpBadRequest = Self("http_bad_request")
    /// … sent a malformed HTTP response: ….
    public static let httpBadResponse = Self("http_bad_response")
    /// Cannot reach …: cannot resolve `…` (…).
    public static let httpUnreachable = Self("http_unreachable")
    /// … is not an http or https URL.
    public static let httpUnsupportedScheme = Self("http_unsupported_scheme")
    /// The CA file `…` does not exist or cannot be read.
    public static let tlsCAFile = Self("tls_ca_file")
    /// Cannot set up TLS: ….
    public static let tlsFailed = Self("tls_failed")
    /// The TLS certificate of … is not trusted: it is not valid for `…` (…).
    public static let tlsUntrusted = Self("tls_untrusted")
}

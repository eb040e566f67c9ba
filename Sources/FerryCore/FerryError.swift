/// An error from any Ferry library: a stable short code that is safe for logs, and a message for people.
///
/// Messages name the file, secret, key or server involved, but never contain a secret value.
/// The command-line tool maps ``Kind`` to an exit code. Codes are a finite set of ``Code`` values,
/// declared per library in an extension (`ErrorCodes.swift`); what a server said its error was
/// (`ResourceNotFoundException`, `NOT_FOUND`, an HTTP status) is ``remoteCode``, never part of the code.
///
/// ```swift
/// throw FerryError(.notFound, code: .secretNotFound, "Secret `db` does not exist.")
/// ```
public struct FerryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, coarsely; the command-line tool derives its exit code from it.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// Bad input from the user: arguments, values, schema violations.
        case invalidInput = "invalid_input"
        /// The named thing does not exist.
        case notFound = "not_found"
        /// The named thing exists already.
        case alreadyExists = "already_exists"
        /// Stored data cannot be read: malformed YAML, broken base64, a JSON payload that is not a map.
        case corruptData = "corrupt_data"
        /// The encryption key is missing or wrong for the data at hand.
        case encryptionKey = "encryption_key"
        /// A file system or database operation failed.
        case io = "io"
        /// A server could not be reached or answered with an error.
        case backend = "backend"
        /// The operation was refused (needs confirmation, or would be unsafe).
        case refused = "refused"
        /// A configuration (Ferry's or ZenML's) is invalid.
        case configuration = "configuration"
        /// Something that is not supported (by the flavor, the era, or Ferry).
        case unsupported = "unsupported"
    }

    /// A stable, machine-readable error code such as `secret_not_found`: a string struct whose
    /// values are declared as static members next to the code that throws them.
    ///
    /// ```swift
    /// extension FerryError.Code {
    ///     public static let tlsUntrusted = Self("tls_untrusted")
    /// }
    /// ```
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// A code with this raw string; declare it once, as a static member.
        public init(_ rawValue: String) { self.rawValue = rawValue }
        /// The code of an error that has no more specific one: the kind's raw value.
        public init(_ kind: Kind) { self.rawValue = kind.rawValue }
        public var description: String { rawValue }
    }

    /// The coarse kind.
    public let kind: Kind
    /// A stable, machine-readable code such as `secret_not_found` (defaults to the kind's raw value).
    public let code: Code
    /// What the server called its error, when one answered: AWS's `__type` or `<Code>`, GCP's
    /// `error.status`, Key Vault's `error.code`, or the HTTP status when that is all there was.
    /// Only a value that repeats nothing the request sent (``ServerRefusal``) is kept.
    public let remoteCode: String?
    /// A human message; never holds a secret value.
    public let message: String

    /// Creates an error.
    public init(_ kind: Kind, code: Code? = nil, remoteCode: String? = nil, _ message: String) {
        self.kind = kind
        self.code = code ?? Code(kind)
        self.remoteCode = remoteCode
        self.message = message
    }

    public var description: String { message }
}

/// An error from any Ferry library: a stable short code that is safe for logs, and a message for people.
///
/// Messages name the file, secret, key or server involved, but never contain a secret value.
/// The command-line tool maps ``Kind`` to an exit code.
///
/// ```swift
/// throw FerryError(.notFound, "Secret `db` does not exist.")
/// ```
public struct FerryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, coarsely; the command-line tool derives its exit code from it.
    public enum Kind: String, Sendable, Equatable {
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

    /// The coarse kind.
    public let kind: Kind
    /// A stable, machine-readable code such as `secret_not_found` (defaults to the kind's raw value).
    public let code: String
    /// A human message; never holds a secret value.
    public let message: String

    /// Creates an error.
    public init(_ kind: Kind, code: String? = nil, _ message: String) {
        self.kind = kind
        self.code = code ?? kind.rawValue
        self.message = message
    }

    public var description: String { message }
}

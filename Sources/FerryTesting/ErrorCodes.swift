public import FerryCore

/// The error codes FerryTesting throws. Their raw strings are stable: `-o json` prints them and
/// they are not listed in docs/commands.md: only tests meet them.
extension FerryError.Code {
    /// Values for secret … already exist.
    public static let valuesExist = Self("values_exist")
}

public import FerryCore

/// The error codes FerryMigrate throws. Their raw strings are stable: `-o json` prints them and
/// docs/commands.md lists them (`ErrorCodeDocsTests` keeps the two in step).
extension FerryError.Code {
    /// The name template '…' has a `{` without `}`.
    public static let badNameTemplate = Self("bad_name_template")
    /// Nothing was migrated: `…` of … conflicts (…
    public static let migrationConflict = Self("migration_conflict")
    /// The `secret` table of '…' has neither ZenML 0.34–0.7x's columns (scope, workspace_id) nor 0.80's (private).
    public static let zenmlDBLayout = Self("zenml_db_layout")
    /// '…' has no ZenML user `…` (set ZENML_STORE_USERNAME).
    public static let zenmlDBUser = Self("zenml_db_user")
    /// '…' has no ZenML workspace `…`.
    public static let zenmlDBWorkspace = Self("zenml_db_workspace")
}

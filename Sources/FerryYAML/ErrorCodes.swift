public import FerryCore

/// The error codes FerryYAML throws. Their raw strings are stable: `-o json` prints them and
/// docs/commands.md lists them (`ErrorCodeDocsTests` keeps the two in step).
extension FerryError.Code {
    /// … is not valid YAML: ….
    public static let malformedYAML = Self("malformed_yaml")
    /// A YAML file repeats too much through aliases (over the node or depth limit).
    public static let yamlAliasLimit = Self("yaml_alias_limit")
}

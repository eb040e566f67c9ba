public import Foundation

/// ZenML's command-line rules for secrets: a free-form name and `--key=value` pairs in any
/// order, identifier keys, and `@file` values.
///
/// ZenML 0.52.0 `src/zenml/cli/utils.py` (`parse_name_and_extra_arguments`,
/// `expand_argument_value_from_file`, `MAX_ARGUMENT_VALUE_SIZE`); the same rules in 0.98.0.
/// Unlike ZenML, error messages never repeat a value: an invalid `--key=value` shows its key only.
///
/// ```swift
/// let parsed = try ZenMLArguments.parse(["db", "--user=admin", "--password=@pw.txt"])
/// parsed.name            // "db"
/// parsed.values["password"]   // contents of pw.txt
/// ```
public enum ZenMLArguments {
    /// `MAX_ARGUMENT_VALUE_SIZE`: the largest file an `@file` value may name, in bytes.
    public static let maxFileValueSize = 10_240

    /// The outcome of parsing: the name (if any) and the pairs in the order given.
    public struct Parsed: Sendable {
        public var name: String?
        public var values: SecretValues
    }

    private static let hint =
        "Please provide args with a proper identifier as the key and the following structure: --custom_argument=\"value\""

    /// Parses `arguments` as ZenML does. `expandFiles` applies the `@file` / `@@` rules to values.
    public static func parse(_ arguments: [String], nameRequired: Bool = true, expandFiles: Bool = true,
                             currentDirectory: String = FileManager.default.currentDirectoryPath) throws -> Parsed
    {
        var rest = arguments
        var name: String?
        if let index = rest.firstIndex(where: { !$0.isEmpty && !$0.hasPrefix("--") }) {
            name = rest.remove(at: index)
        } else if nameRequired {
            throw FerryError(.invalidInput, code: .missingName,
                             "A name must be supplied. Please see the command help for more information.")
        }
        var values = SecretValues()
        for (position, argument) in rest.enumerated() where !argument.isEmpty {
            guard argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") else {
                throw FerryError(
                    .invalidInput, code: .invalidArgument,
                    "Invalid argument #\(position + 1) (not shown, as it may hold a value). \(hint)")
            }
            let key = String(argument[argument.index(argument.startIndex, offsetBy: 2)..<equals])
            guard PythonText.isIdentifier(key) else {
                throw FerryError(.invalidInput, code: .invalidArgument, "Invalid argument: '--\(key)=…'. \(hint)")
            }
            values[key] = String(argument[argument.index(after: equals)...])
        }
        if expandFiles {
            for (key, value) in values.revealedPairs {
                values[key] = try expandFileValue(key: key, value: value, currentDirectory: currentDirectory)
            }
        }
        return Parsed(name: name, values: values)
    }

    /// `@@x` gives `@x`; `@path` gives the file's text (at most 10,240 bytes, `~` expanded,
    /// line endings normalized as Python's text mode does); anything else is returned unchanged.
    public static func expandFileValue(key: String, value: String,
                                       currentDirectory: String = FileManager.default.currentDirectoryPath) throws -> String
    {
        if value.hasPrefix("@@") { return String(value.dropFirst()) }
        guard value.hasPrefix("@") else { return value }
        var path = String(value.dropFirst())
        if path.hasPrefix("~") { path = NSString(string: path).expandingTildeInPath }
        if !path.hasPrefix("/") { path = currentDirectory + "/" + path }
        path = URL(fileURLWithPath: path).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
            FileManager.default.isReadableFile(atPath: path)
        else {
            throw FerryError(.invalidInput, code: .valueFileMissing,
                             "Could not load argument '\(key)' value: file '\(path)' does not exist or is not readable.")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size <= maxFileValueSize else {
            throw FerryError(
                .invalidInput, code: .valueFileTooLarge,
                "Could not load argument '\(key)' value: file '\(path)' is too large (max size is \(maxFileValueSize) bytes).")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FerryError(.io, code: .valueFileUnreadable,
                             "Could not load argument '\(key)' value: file '\(path)' could not be accessed.")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw FerryError(.invalidInput, code: .valueFileNotUTF8,
                             "Could not load argument '\(key)' value: file '\(path)' is not UTF-8 text.")
        }
        return text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }

    /// ZenML's CLI rules for a secret's name and keys: no secret and no key named `name`, identifier keys.
    public static func validateSecret(name: String?, keys: [String]) throws {
        if name == "name" {
            throw FerryError(.invalidInput, code: .reservedName, "Secret names cannot be named 'name'.")
        }
        if keys.contains("name") {
            throw FerryError(.invalidInput, code: .reservedKey, "You can't use 'name' as the key for one of your secrets.")
        }
        for key in keys where !PythonText.isIdentifier(key) {
            throw FerryError(.invalidInput, code: .invalidKey,
                             "Invalid key '\(key)': please provide args with a proper identifier as the key.")
        }
    }
}

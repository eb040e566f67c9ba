import FerryCore
import FerryYAML
import Foundation

/// Secret values given on the command line: ZenML's `--key=value` arguments, `--values`
/// (JSON or YAML, inline, `@file`, or `-` for standard input) and interactive entry.
enum ValuesInput {
    /// `--values`: `@file` expanded (10,240 bytes at most), `-` read from stdin, then JSON, else YAML
    /// (ZenML 0.98.0 `src/zenml/cli/utils.py` `convert_structured_str_to_dict`).
    static func structured(_ argument: String) throws -> SecretValues {
        var text = argument
        if argument == "-" {
            text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        } else {
            text = try ZenMLArguments.expandFileValue(key: "values", value: argument)
        }
        let trimmed = PythonText.strip(Substring(text))
        if trimmed.hasPrefix("{") || trimmed.hasPrefix("[") || trimmed.hasPrefix("\"") {
            // It is meant as JSON: report JSON's error, not YAML's.
            let json: PythonJSON.Value
            do {
                json = try PythonJSON.parse(text)
            } catch let error as FerryError {
                throw FerryError(.invalidInput, code: .valuesInvalidJSON, "The --values text is not valid JSON: \(error.message).")
            }
            guard case .object(let pairs) = json else { throw notAMap() }
            var values = SecretValues()
            for (key, value) in pairs {
                if case .object = value { throw notAMap() }
                if case .array = value { throw notAMap() }
                values[key] = value.pythonString
            }
            return values
        }
        let node: Node?
        do {
            node = try SafeYAML.compose(text, source: "The --values text")
        } catch let error as FerryError {
            throw FerryError(.invalidInput, code: error.code, remoteCode: error.remoteCode, error.message)
        }
        guard let node, let mapping = node.mapping else { throw notAMap() }
        var values = SecretValues()
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.scalar?.string, let value = valueNode.scalar?.string else { throw notAMap() }
            values[key] = value
        }
        return values
    }

    private static func notAMap() -> FerryError {
        FerryError(.invalidInput, code: .valuesNotAMap,
                   "The --values text must be a JSON or YAML mapping of keys to plain values.")
    }

    /// ZenML's interactive loop: a key, a hidden value, and whether to add another. With piped
    /// input, lines alternate key and value until the input ends.
    static func interactive() throws -> SecretValues {
        var values = SecretValues()
        while true {
            if !Prompt.isInteractive {
                FileHandle.standardError.write(Data("Please enter a secret key: ".utf8))
                guard let key = Prompt.readLine() else { break }
                try add(key: key, to: &values)
                continue
            }
            try add(key: try Prompt.ask("Please enter a secret key"), to: &values)
            guard try Prompt.confirm("Do you want to add another key-value pair to this secret?") else { break }
        }
        if values.isEmpty {
            throw FerryError(.invalidInput, code: .noValues, "No secret key was entered.")
        }
        return values
    }

    /// ZenML 0.98's interactive update: for each existing key, whether to update it and its new
    /// hidden value; then new pairs. With piped input: one line per existing key (empty keeps
    /// it), then lines alternating new key and value.
    static func interactiveUpdate(existingKeys: [String]) throws -> SecretValues {
        var values = SecretValues()
        Console.out("You will now have a chance to update each secret pair one by one.")
        for key in existingKeys {
            if Prompt.isInteractive {
                let choice = try Prompt.ask("Do you want to update key '\(key)'? (enter to skip) [y/n]").lowercased()
                guard choice == "y" else { continue }
            }
            let value = try Prompt.secret("Please enter the new secret value for the key '\(key)':")
            if !value.isEmpty { values[key] = value }
        }
        if Prompt.isInteractive {
            while try Prompt.confirm("Do you want to add a new key:value pair?") {
                try add(key: try Prompt.ask("Please enter the new key name"), to: &values)
            }
        } else {
            while let key = Prompt.readLine() { try add(key: key, to: &values) }
        }
        return values
    }

    private static func add(key: String, to values: inout SecretValues) throws {
        if values.contains(key) {
            Console.warning("Key `\(Console.escaped(key))` already in this secret. Please use a different key.")
            _ = try Prompt.secret("Please enter the secret value for the key [\(key)]:")
            return
        }
        try ZenMLArguments.validateSecret(name: nil, keys: [key])
        let value = try Prompt.secret("Please enter the secret value for the key [\(key)]:")
        values[key] = try ZenMLArguments.expandFileValue(key: key, value: value)
    }
}

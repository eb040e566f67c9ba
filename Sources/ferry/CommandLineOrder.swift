import ArgumentParser
import FerryCore

/// Arguments as people type them, made into what the parser takes: global options given before
/// the subcommand (`ferry --store x.db secret list`, as with git or kubectl, or `ferry secret
/// --store x.db list`) move behind it, and a mistyped subcommand is named with the closest one.
enum CommandLineOrder {
    /// ``GlobalOptions``' options that take a value, and its flags.
    static let valueOptions: Set<String> = ["--config-dir", "--store", "--store-config", "--output", "-o"]
    static let flags: Set<String> = ["--show-secrets"]

    /// `arguments` (without the program name) with the global options given before or between
    /// the subcommand names moved to just after them; throws a usage error for a subcommand that
    /// does not exist.
    static func arranged(_ arguments: [String]) throws -> [String] {
        var leading: [String] = []
        var path: [String] = []
        var children: [any ParsableCommand.Type] = Ferry.configuration.subcommands
        var index = 0
        while index < arguments.count, !children.isEmpty {
            let token = arguments[index]
            if flags.contains(token) || (valueOptions.contains(String(token.prefix { $0 != "=" })) && token.contains("=")) {
                leading.append(token)
                index += 1
            } else if valueOptions.contains(token) && index + 1 < arguments.count {
                leading += [token, arguments[index + 1]]
                index += 2
            } else if token.hasPrefix("-") {
                break
            } else {
                // The next subcommand name.
                if token == "help" { return arguments }
                guard let child = children.first(where: { $0._commandName == token || $0.configuration.aliases.contains(token) }) else {
                    throw unknown(token, among: children.map { $0._commandName }, path: path)
                }
                children = child.configuration.subcommands
                path.append(token)
                index += 1
            }
        }
        let rest = Array(arguments[index...])
        if path.isEmpty, let first = leading.first, !rest.contains(where: { ["--help", "-h", "--version"].contains($0) }) {
            throw FerryError(.invalidInput, code: .missingCommand,
                             "`\(first.prefix { $0 != "=" })` goes with a command, before or after it: `ferry \(first.prefix { $0 != "=" }) … secret list`.")
        }
        return path + leading + rest
    }

    /// The value of the last `-o`/`--output` option (`-o json`, `--output=json`) before a `--`, read
    /// from the raw arguments so that an error found before the command is parsed is shown in that
    /// format too.
    static func output(in arguments: [String]) -> String? {
        var format: String?
        var index = 0
        while index < arguments.count, arguments[index] != "--" {
            let token = arguments[index]
            let name = token.prefix { $0 != "=" }
            if name == "-o" || name == "--output" {
                if token.count > name.count {
                    format = String(token.dropFirst(name.count + 1))
                } else if index + 1 < arguments.count {
                    format = arguments[index + 1]
                    index += 1
                }
            }
            index += 1
        }
        return format
    }

    static func unknown(_ token: String, among names: [String], path: [String]) -> FerryError {
        let shown = DisplaySafety.escaped(token)
        let ranked = names.map { (name: $0, distance: editDistance(token, $0)) }.min { $0.distance < $1.distance }
        let parent = (["ferry"] + path).joined(separator: " ")
        if let ranked, ranked.distance <= max(1, min(2, ranked.name.count / 3)) {
            return FerryError(.invalidInput, code: .unknownCommand,
                              "Unknown command '\(shown)'. Did you mean '\(ranked.name)'?")
        }
        return FerryError(.invalidInput, code: .unknownCommand,
                          "Unknown command '\(shown)'; `\(parent)` has: \(names.joined(separator: ", ")).")
    }

    /// Edits (insert, delete, replace, swap two neighbours) that turn `a` into `b`.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.lowercased()), b = Array(b.lowercased())
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var rows = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { rows[i][0] = i }
        for j in 0...b.count { rows[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
                }
            }
        }
        return rows[a.count][b.count]
    }
}

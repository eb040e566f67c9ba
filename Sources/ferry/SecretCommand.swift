import ArgumentParser
import FerryCore
import FerryStore
import Foundation

/// `ferry secret …`: the centralized secrets store, with ZenML 0.98's `zenml secret` semantics
/// (ZenML 0.98.0 `src/zenml/cli/secret.py`).
struct SecretCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secret",
        abstract: "Create, read, list, update, rename, delete and export secrets in the centralized store.",
        subcommands: [Create.self, Get.self, List.self, Update.self, Rename.self, Delete.self, Export.self])

    /// A secret and (optionally) its values as a document for json/yaml output.
    static func document(_ secret: Secret, values: SecretValues?, show: Bool) -> PythonJSON.Value {
        var pairs: [(key: String, value: PythonJSON.Value)] = [
            ("id", .string(secret.id.uuidString.lowercased())),
            ("name", .string(secret.name)),
            ("private", .bool(secret.isPrivate)),
            ("user_id", .string(secret.owner.uuidString.lowercased())),
            ("created", .string(ZenMLTimestamp.format(secret.created))),
            ("updated", .string(ZenMLTimestamp.format(secret.updated))),
        ]
        if let values {
            pairs.append(("values", .object(values.revealedPairs.map { ($0.key, .string(Console.shown($0.value, show))) })))
        }
        return .object(pairs)
    }

    /// A secret's name as a file name in the current folder: `/`, `\\`, control characters and a
    /// leading dot become `_` (so `../x` is `_._x`, never a path), at most 200 UTF-8 bytes.
    static func fileName(for name: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {
            let unsafe = scalar == "/" || scalar == "\\" || scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
            scalars.append(unsafe ? "_" : scalar)
        }
        var result = String(scalars)
        if result.hasPrefix(".") { result = "_" + result.dropFirst() }
        while result.utf8.count > 200 { result.removeLast() }
        return result.isEmpty ? "_" : result
    }

    static func valuesTable(_ values: SecretValues, show: Bool) -> String {
        Console.table(["SECRET_KEY", "SECRET_VALUE"], values.revealedPairs.map { [$0.key, Console.shown($0.value, show)] })
    }

    /// `--key=value` arguments, `--values` and `-i`, combined as ZenML combines them.
    static func collectValues(arguments: [String], values: String?, interactive: Bool, nameRequired: Bool)
        throws -> (name: String?, values: SecretValues)
    {
        let parsed = try ZenMLArguments.parse(arguments, nameRequired: nameRequired)
        var collected = parsed.values
        if let values { collected.merge(try ValuesInput.structured(values)) }
        if interactive {
            guard collected.isEmpty else {
                throw FerryError(.invalidInput, code: .interactiveWithArgs,
                                 "Cannot pass secret fields as arguments when using interactive mode.")
            }
            collected = try ValuesInput.interactive()
        }
        return (parsed.name, collected)
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a secret.",
            discussion: """
                Values come as --key=value arguments (a value @path reads a file of at most 10,240 bytes, \
                @@x means the literal @x), as --values with JSON or YAML (inline, @file, or - for standard \
                input), or interactively with -i (hidden input; piped lines alternate key and value).
                Example: ferry secret create db --username=admin --password=@pw.txt
                """)

        @Flag(name: [.short, .long], help: "Make the secret private (visible to its owner only).")
        var `private` = false
        @Flag(name: [.short, .long], help: "Enter keys and values interactively.")
        var interactive = false
        @Option(name: [.short, .long], help: "Values as JSON or YAML, @file, or - for standard input.")
        var values: String?
        @OptionGroup var global: GlobalOptions
        @Argument(parsing: .allUnrecognized, help: ArgumentHelp("NAME and --key=value pairs.", valueName: "name-and-values"))
        var arguments: [String] = []

        func run() async throws {
            let (name, values) = try SecretCommand.collectValues(
                arguments: arguments, values: self.values, interactive: interactive, nameRequired: true)
            try ZenMLArguments.validateSecret(name: name, keys: values.keys)
            guard !values.isEmpty else {
                throw FerryError(.invalidInput, code: .noValues,
                                 "Secret fields must be passed as arguments when not using interactive mode.")
            }
            let store = try global.openStore()
            if global.output == .table {
                Console.out("The following secret will be registered.")
                Console.out(SecretCommand.valuesTable(values, show: global.showSecrets))
            }
            let secret = try await store.create(name: name!, values: values, isPrivate: `private`)
            Console.emit(global.output, document: SecretCommand.document(secret, values: values, show: global.showSecrets)) {
                "Secret '\(Console.escaped(secret.name))' successfully created."
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a secret, by name, ID or a unique prefix.")
        @Argument(help: "The secret's name, ID or a prefix of either.") var nameIdOrPrefix: String
        @Option(name: [.short, .long], help: "Look among private (true) or public (false) secrets only.")
        var `private`: PythonBool?
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let store = try global.openStore(readOnly: true)
            let secret = try store.find(nameIdOrPrefix, isPrivate: `private`?.value, allowPartial: true)
            let values = try await store.values(of: secret)
            let show = global.showSecrets
            try Console.emit(global.output, document: SecretCommand.document(secret, values: values, show: show), table: {
                var text = "Fetched \(secret.isPrivate ? "private" : "public") secret with name `\(Console.escaped(secret.name))` and ID `\(secret.id.uuidString.lowercased())`:"
                text += values.isEmpty ? "\nSecret with name `\(Console.escaped(secret.name))` is empty." : "\n" + SecretCommand.valuesTable(values, show: show)
                return text
            }, env: { try Console.env(values, show: show) })
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List secrets: names and metadata (values only with --columns values, masked unless --show-secrets).",
            discussion: """
                Filters take ZenML's operator:value form: equals, notequals, contains, startswith, endswith, \
                oneof, gt, gte, lt, lte. Example: ferry secret list --name startswith:prod --sort_by asc:name
                """)
        @Option(help: "Filter on the ID.") var id: String?
        @Option(help: "Filter on the name.") var name: String?
        @Option(help: "Filter on the creation time (YYYY-MM-DD HH:MM:SS).") var created: String?
        @Option(help: "Filter on the update time.") var updated: String?
        @Option(help: "Filter on the owner's user ID.") var user: String?
        @Option(name: .long, help: "Filter on visibility (true or false).") var `private`: String?
        @Option(name: [.customLong("sort_by"), .customLong("sort-by")], help: "asc:FIELD or desc:FIELD (default desc:created).")
        var sortBy = "desc:created"
        @Option(name: [.customLong("logical_operator"), .customLong("logical-operator")], help: "and or or between filters.")
        var logicalOperator = "and"
        @Option(help: "Page number, from 1.") var page = 1
        @Option(help: "Items per page.") var size = 20
        @Option(name: [.short, .long], help: "Columns: created,id,name,private,updated,user_id,values.")
        var columns = "id,name"
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            var query = SecretQuery()
            let filters: [(SecretQuery.Field, String?)] = [
                (.id, id), (.name, name), (.created, created), (.updated, updated), (.user, user), (.private, `private`),
            ]
            query.filters = try filters.compactMap { field, value in try value.map { try .init(field: field, expression: $0) } }
            guard ["and", "or"].contains(logicalOperator) else {
                throw FerryError(.invalidInput, code: .badOperator, "--logical_operator takes `and` or `or`.")
            }
            query.matchAny = logicalOperator == "or"
            query.sort = try .init(sortBy)
            query.page = page
            query.size = size
            let known = ["created", "id", "name", "private", "updated", "user", "user_id", "values"]
            let chosen = columns.split(separator: ",").map { String(PythonText.strip($0)) }
            if let bad = chosen.first(where: { !known.contains($0) }) {
                throw FerryError(.invalidInput, code: .badColumn, "Unknown column `\(bad)`: use \(known.joined(separator: ", ")).")
            }
            let store = try global.openStore(readOnly: true)
            let result = try store.list(query)
            var rows: [[(key: String, value: PythonJSON.Value)]] = []
            for secret in result.items {
                var row: [(key: String, value: PythonJSON.Value)] = []
                for column in chosen {
                    switch column {
                    case "id": row.append((column, .string(secret.id.uuidString.lowercased())))
                    case "name": row.append((column, .string(secret.name)))
                    case "private": row.append((column, .bool(secret.isPrivate)))
                    case "created": row.append((column, .string(ZenMLTimestamp.format(secret.created))))
                    case "updated": row.append((column, .string(ZenMLTimestamp.format(secret.updated))))
                    case "user", "user_id": row.append((column, .string(secret.owner.uuidString.lowercased())))
                    default:
                        let values = try await store.values(of: secret)
                        row.append((column, .object(values.revealedPairs.map { ($0.key, .string(Console.shown($0.value, global.showSecrets))) })))
                    }
                }
                rows.append(row)
            }
            let document = PythonJSON.Value.object([
                ("items", .array(rows.map { .object($0) })),
                ("pagination", .object([("index", .number("\(result.index)")), ("max_size", .number("\(result.maxSize)")),
                                        ("total_pages", .number("\(result.totalPages)")), ("total", .number("\(result.total)"))])),
            ])
            if global.output == .table && result.items.isEmpty {
                Console.warning(result.total > 0 ? "Page \(result.index) is past the last page (\(result.totalPages))."
                    : query.filters.isEmpty ? "Nothing in \(store): it holds no secrets." : "No secrets found for the given filters in \(store).")
                return
            }
            Console.emit(global.output, document: document) {
                let table = Console.table(chosen.map { $0.uppercased() }, rows.map { row in
                    row.map { cell -> String in
                        switch cell.value {
                        case .object(let pairs): return Console.lines(pairs.map { "\($0.key)=\($0.value.pythonString)" })
                        case .bool(let flag): return flag ? "true" : "false"
                        default: return cell.value.pythonString
                        }
                    }
                }, multiline: Set(chosen.indices.filter { chosen[$0] == "values" }))
                return table + "\nPage \(result.index) of \(result.totalPages) (\(result.total) secret\(result.total == 1 ? "" : "s"))"
                    + (result.totalPages > 1 ? "; --page N shows another" : "")
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Update a secret's values, visibility or both (exact name or ID).",
            discussion: "Example: ferry secret update db --password=@new.txt --remove-keys old_key")
        @Option(name: [.short, .long], help: "Make the secret private (true) or public (false).") var `private`: PythonBool?
        @Flag(name: [.short, .long], help: "Enter new keys and values interactively.") var interactive = false
        @Option(name: [.short, .long], help: "Values to add or overwrite, as JSON or YAML, @file, or -.") var values: String?
        @Option(name: [.short, .customLong("remove-keys")], help: "A key to remove (repeatable).") var removeKeys: [String] = []
        @OptionGroup var global: GlobalOptions
        @Argument(parsing: .allUnrecognized, help: ArgumentHelp("NAME_OR_ID and --key=value pairs.", valueName: "name-and-values"))
        var arguments: [String] = []

        func run() async throws {
            var (name, values) = try SecretCommand.collectValues(
                arguments: arguments, values: self.values, interactive: false, nameRequired: true)
            if interactive && !values.isEmpty {
                throw FerryError(.invalidInput, code: .interactiveWithArgs,
                                 "Cannot pass secret fields as arguments when using interactive mode.")
            }
            let store = try global.openStore()
            let secret = try store.find(name!, isPrivate: nil, allowPartial: false)
            if interactive { values = try ValuesInput.interactiveUpdate(existingKeys: try await store.values(of: secret).keys) }
            if values.contains("name") {
                throw FerryError(.invalidInput, code: .reservedKey, "The word 'name' cannot be used as a key for a secret.")
            }
            try ZenMLArguments.validateSecret(name: nil, keys: values.keys)
            let updated = try await store.update(secret, isPrivate: `private`?.value, addOrUpdate: values, removeKeys: removeKeys)
            Console.emit(global.output, document: SecretCommand.document(updated, values: updated.values, show: global.showSecrets)) {
                "Secret '\(Console.escaped(updated.name))' successfully updated."
            }
        }
    }

    struct Rename: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rename a secret (exact name or ID).")
        @Argument(help: "The secret's name or ID.") var nameOrId: String
        @Option(name: [.short, .customLong("new-name")], help: "The new name.") var newName: String
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            if newName == "name" {
                throw FerryError(.invalidInput, code: .reservedName, "Your secret cannot be called 'name'.")
            }
            let store = try global.openStore()
            let secret = try store.find(nameOrId, allowPartial: false)
            let renamed = try await store.update(secret, newName: newName)
            Console.emit(global.output, document: SecretCommand.document(renamed, values: nil, show: false)) {
                "Secret '\(Console.escaped(nameOrId))' successfully renamed to '\(Console.escaped(newName))'."
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a secret (exact name or ID).")
        @Argument(help: "The secret's name or ID.") var nameOrId: String
        @Flag(name: [.short, .long], help: "Do not ask for confirmation.") var yes = false
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let store = try global.openStore()
            let secret = try store.find(nameOrId, allowPartial: false)
            if !yes {
                guard try Prompt.confirm("Are you sure you want to delete secret `\(secret.name)`?") else {
                    Console.out("Secret deletion canceled.")
                    return
                }
            }
            try await store.delete(secret)
            Console.emit(global.output, document: SecretCommand.document(secret, values: nil, show: false)) {
                "Secret '\(Console.escaped(nameOrId))' successfully deleted."
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a secret's values to a YAML file (mode 0600), as `zenml secret export` does.",
            discussion: "Re-import with: ferry secret create NEW_NAME --values @FILE")
        @Argument(help: "The secret's name, ID or a prefix of either.") var nameIdOrPrefix: String
        @Option(name: [.short, .long], help: "Look among private (true) or public (false) secrets only.") var `private`: PythonBool?
        @Option(name: [.short, .long], help: "The file to write (default: <name>.yaml in the current folder, with any character that is not safe in a file name replaced by _).")
        var filename: String?
        @Flag(help: "Replace the file if it exists.") var force = false
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let store = try global.openStore(readOnly: true)
            let secret = try store.find(nameIdOrPrefix, isPrivate: `private`?.value, allowPartial: true)
            let values = try await store.values(of: secret)
            if values.isEmpty { Console.warning("Secret with name `\(Console.escaped(secret.name))` is empty.") }
            // A name is not a path: without -f the file is always in the current folder.
            let file = filename ?? SecretCommand.fileName(for: secret.name) + ".yaml"
            let yaml = PyYAMLEmitter.dump(.mapping(values.revealedPairs.map { (key: $0.key, value: .string($0.value)) }))
            try SecureFile.write(Data(yaml.utf8), to: file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file,
                                 replace: force)
            Console.out("Secret '\(Console.escaped(secret.name))' successfully exported to '\(Console.escaped(file))'.")
        }
    }
}

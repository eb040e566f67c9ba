import ArgumentParser
import FerryCore
import Foundation

/// `ferry`: migrate ZenML's deprecated secrets managers into a centralized secrets store.
struct Ferry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ferry",
        abstract: "Read ZenML's deprecated secrets managers and move their secrets into a centralized secrets store.",
        discussion: """
            Exit codes: 0 success, 1 the operation failed, 2 refused (a confirmation was needed; \
            pass --yes), 64 usage error.
            Secret values are masked in every output unless --show-secrets is given.
            Ferry's data directory (ferry.db, store.yaml) is $FERRY_HOME, else $XDG_DATA_HOME/ferry, else \
            ~/.local/share/ferry. Global options (--config-dir, --store, --store-config, -o, --show-secrets) \
            go before or after the subcommand.
            """,
        version: FerryVersion.current,
        subcommands: [SecretCommand.self, SecretsManagerCommand.self, StackCommand.self, ResolveCommand.self])
}

enum FerryVersion {
    static let current = "0.1.0"
}

/// The exit codes of DESIGN.md.
enum ExitStatus {
    static let failed: Int32 = 1
    static let refused: Int32 = 2
    static let usage: Int32 = 64

    static func code(for error: FerryError) -> Int32 {
        switch error.kind {
        case .invalidInput: return usage
        case .refused: return refused
        default: return failed
        }
    }
}

@main
enum Main {
    static func main() async {
        CrashGuard.install()
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try Ferry.parseAsRoot(try CommandLineOrder.arranged(arguments))
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as FerryError where CommandLineOrder.output(in: arguments) == OutputFormat.json.rawValue {
            Console.err(Console.errorJSON(error))
            exit(ExitStatus.code(for: error))
        } catch let error as FerryError {
            // One line, a name's line feeds escaped too; only a schema violation lists its fields on lines of their own.
            Console.err("Error: " + (error.code == .schemaViolation ? error.message : Console.escaped(error.message)))
            exit(ExitStatus.code(for: error))
        } catch {
            Ferry.exit(withError: error)
        }
    }
}

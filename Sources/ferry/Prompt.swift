import FerryCore
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Questions to the person at the terminal. When standard input is not a terminal, answers are
/// read line by line from it (so values can be piped in); confirmations then need `--yes`.
enum Prompt {
    static var isInteractive: Bool { isatty(STDIN_FILENO) == 1 }

    /// One line from standard input, without its line break; nil at end of input.
    static func readLine() -> String? {
        Swift.readLine(strippingNewline: true)
    }

    /// Asks for a visible answer.
    static func ask(_ question: String) throws -> String {
        FileHandle.standardError.write(Data((question + ": ").utf8))
        guard let line = readLine() else {
            throw FerryError(.invalidInput, code: .noInput, "No answer given for: \(question)")
        }
        return line
    }

    /// Asks for a hidden answer (no echo on a terminal).
    static func secret(_ question: String) throws -> String {
        FileHandle.standardError.write(Data((question + " ").utf8))
        guard isInteractive else {
            guard let line = readLine() else {
                throw FerryError(.invalidInput, code: .noInput, "No value given for: \(question)")
            }
            return line
        }
        var original = termios()
        tcgetattr(STDIN_FILENO, &original)
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &original)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        return readLine() ?? ""
    }

    /// A yes/no question; refuses (exit 2) when nobody can answer it.
    static func confirm(_ question: String, default defaultAnswer: Bool = false) throws -> Bool {
        guard isInteractive else {
            throw FerryError(.refused, code: .confirmationNeeded,
                             "\(question) Not asked, as standard input is not a terminal: pass --yes to proceed.")
        }
        let answer = try ask(question + (defaultAnswer ? " [Y/n]" : " [y/N]")).lowercased()
        if answer.isEmpty { return defaultAnswer }
        return answer == "y" || answer == "yes"
    }
}

/// A time, shared between tasks, for "at most once a second" output.
final class LockedDate: @unchecked Sendable {
    private let lock = NSLock()
    private var last = Date.distantPast

    /// Whether `seconds` have passed since the last time this said yes.
    func due(every seconds: TimeInterval) -> Bool {
        lock.withLock {
            guard Date().timeIntervalSince(last) >= seconds else { return false }
            last = Date()
            return true
        }
    }
}

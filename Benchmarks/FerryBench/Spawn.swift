import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A command to start: an absolute executable path, its arguments and its whole environment
/// (nothing is looked up on PATH while timing).
struct Command: Sendable {
    /// The name shown in the report, e.g. `ferry secret get bench_secret`.
    var label: String
    /// Absolute path of the executable.
    var executable: String
    /// Arguments after the program name.
    var arguments: [String]
    /// The complete environment of the child.
    var environment: [String: String]

    /// The command line as a person would type it (for error messages).
    var shellLine: String {
        let assignments = environment.keys.filter { $0.hasPrefix("FERRY_") || $0.hasPrefix("ZENML_") }.sorted()
            .map { "\($0)=\(environment[$0]!)" }
        return (assignments + [executable] + arguments).map(Self.quoted).joined(separator: " ")
    }

    private static func quoted(_ word: String) -> String {
        let plain = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:@,+".contains($0) }
        return plain && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// How a child process ended, decoded from `wait4`'s status word.
enum Termination: Equatable, Sendable, CustomStringConvertible {
    /// It called `exit` with this status.
    case exited(Int32)
    /// A signal ended it.
    case signaled(Int32)

    init(waitStatus: Int32) {
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import (they are macros).
        let signal = waitStatus & 0x7f
        self = signal == 0 ? .exited((waitStatus >> 8) & 0xff) : .signaled(signal)
    }

    /// Whether the process succeeded.
    var succeeded: Bool { self == .exited(0) }

    var description: String {
        switch self {
        case .exited(let status): return "exit status \(status)"
        case .signaled(let signal): return "signal \(signal)"
        }
    }
}

/// One timed run: wall-clock time from just before `posix_spawn` to the return of `wait4`, and
/// the CPU time (user + system) the child used, from `wait4`'s resource usage.
struct SpawnSample: Sendable {
    /// Nanoseconds of wall-clock time.
    var wallNanoseconds: UInt64
    /// Nanoseconds of CPU time used by the child (user + system).
    var cpuNanoseconds: UInt64
    /// How the child ended.
    var termination: Termination
}

/// A ``Command`` with its C argument and environment arrays built once, so that building them
/// is never part of a timing. Started with `posix_spawn`; standard input is `/dev/null`.
final class SpawnableCommand {
    /// The command this was built from.
    let command: Command
    private let argv: [UnsafeMutablePointer<CChar>?]
    private let envp: [UnsafeMutablePointer<CChar>?]

    init(_ command: Command) {
        self.command = command
        argv = ([command.executable] + command.arguments).map { strdup($0) } + [nil]
        envp = command.environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
    }

    deinit {
        argv.forEach { free($0) }
        envp.forEach { free($0) }
    }

    /// Starts the command, waits for it and times it. Standard output and error go to the
    /// given files (created or truncated), `/dev/null` by default.
    func run(standardOutput: String = "/dev/null", standardError: String = "/dev/null") throws -> SpawnSample {
        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t?
        #else
        var actions = posix_spawn_file_actions_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, standardOutput, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, standardError, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

        var pid = pid_t()
        let start = DispatchTime.now().uptimeNanoseconds
        let spawned = argv.withUnsafeBufferPointer { arguments in
            envp.withUnsafeBufferPointer { environment in
                posix_spawn(&pid, command.executable, &actions, nil, arguments.baseAddress!, environment.baseAddress!)
            }
        }
        guard spawned == 0 else {
            throw BenchError.failed("Cannot start \(command.executable): \(String(cString: strerror(spawned))).")
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else {
                throw BenchError.failed("Waiting for \(command.executable) failed: \(String(cString: strerror(errno))).")
            }
        }
        let end = DispatchTime.now().uptimeNanoseconds
        return SpawnSample(wallNanoseconds: end - start,
                           cpuNanoseconds: Self.nanoseconds(usage.ru_utime) + Self.nanoseconds(usage.ru_stime),
                           termination: Termination(waitStatus: status))
    }

    /// Runs the command once with its output kept, for set-up steps and failure reports.
    /// `scratch` is a folder for the two capture files.
    func capture(in scratch: String) throws -> (termination: Termination, output: String, error: String) {
        let outPath = scratch + "/capture.out", errPath = scratch + "/capture.err"
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        let sample = try run(standardOutput: outPath, standardError: errPath)
        func text(_ path: String) -> String {
            (FileManager.default.contents(atPath: path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
        return (sample.termination, text(outPath), text(errPath))
    }

    /// Like ``capture(in:)``, but a failure throws an error that names the command and quotes
    /// the end of its standard error.
    @discardableResult
    func captureSucceeding(in scratch: String, what: String) throws -> String {
        let result = try capture(in: scratch)
        guard result.termination.succeeded else {
            throw BenchError.failed(Self.failureMessage(what: what, command: command, termination: result.termination,
                                                        error: result.error.isEmpty ? result.output : result.error))
        }
        return result.output
    }

    /// "`what` failed (exit status 1): … Command: …", with the last lines of `error`.
    static func failureMessage(what: String, command: Command, termination: Termination, error: String) -> String {
        let tail = error.split(separator: "\n", omittingEmptySubsequences: true).suffix(6).joined(separator: "\n    ")
        return "\(what) failed (\(termination)).\n  Command (its temporary folder is removed on exit): \(command.shellLine)"
            + (tail.isEmpty ? "" : "\n  Its output ends with:\n    \(tail)")
    }

    private static func nanoseconds(_ time: timeval) -> UInt64 {
        UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_usec) * 1_000
    }
}

/// Small file-system helpers shared by the benchmarks.
enum Paths {
    /// The absolute path of an executable: `name` itself when it contains a slash, else the
    /// first match on `PATH`.
    static func executable(_ name: String, environment: [String: String]) -> String? {
        if name.contains("/") {
            let absolute = absolute(name)
            return access(absolute, X_OK) == 0 ? absolute : nil
        }
        for folder in (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    /// `path` made absolute against the current directory, with `~` expanded.
    static func absolute(_ path: String) -> String {
        let expanded = NSString(string: path).expandingTildeInPath
        if expanded.hasPrefix("/") { return NSString(string: expanded).standardizingPath }
        return NSString(string: FileManager.default.currentDirectoryPath + "/" + expanded).standardizingPath
    }

    /// The folder that holds this program's executable.
    static func ownDirectory() -> String {
        let executable = Bundle.main.executablePath ?? CommandLine.arguments[0]
        return NSString(string: absolute(executable)).deletingLastPathComponent
    }

    /// A new private temporary folder.
    static func makeTemporaryDirectory(prefix: String) throws -> String {
        let path = NSTemporaryDirectory() + "/\(prefix)-\(UUID().uuidString.lowercased().prefix(8))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        return NSString(string: path).standardizingPath
    }
}

import FerryCore
import Foundation

/// A `python3` script that serves on a free loopback port, started by a test and stopped by it.
/// The script prints its port on its first line of stdout; its stderr goes to `log` (if given).
public final class ScriptServer: @unchecked Sendable {
    public let port: Int
    private let process = Process()

    public init(script: String, arguments: [String] = [], log: String? = nil) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = log.flatMap { FileHandle(forWritingAtPath: $0) } ?? FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        var data = Data()
        while !data.contains(0x0A) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            data.append(chunk)
        }
        guard let port = Int(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            let error = log.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) } ?? ""
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw FerryError(.io, "python3 \(URL(fileURLWithPath: script).lastPathComponent) did not start: \(error)")
        }
        self.port = port
    }

    /// SIGKILL: a child of a libdispatch worker thread inherits a mask that blocks SIGTERM.
    public func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}

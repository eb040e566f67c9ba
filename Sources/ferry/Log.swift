import Foundation
import Logging

/// Logging for the tool: warnings and above on stderr, `FERRY_LOG_LEVEL` to change that.
/// Libraries receive these loggers; none of them logs a secret value.
enum Log {
    static let bootstrapped: Bool = {
        let level = ProcessInfo.processInfo.environment["FERRY_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return true
    }()

    static func logger(_ label: String) -> Logger {
        _ = bootstrapped
        return Logger(label: label)
    }
}

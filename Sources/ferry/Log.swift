import FerryCore
import Foundation
import Logging

/// Logging for the tool: notices (retry waits) and above on stderr, `FERRY_LOG_LEVEL` to change
/// that. Libraries receive these loggers; none of them logs a secret value.
enum Log {
    static let bootstrapped: Bool = {
        let level = ProcessInfo.processInfo.environment["FERRY_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .notice
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return TerminalSafeLogHandler(inner: handler)
        }
        return true
    }()

    static func logger(_ label: String) -> Logger {
        _ = bootstrapped
        return Logger(label: label)
    }
}

/// Log lines with their control characters escaped (a secret's name in `metadata` cannot steer
/// the terminal), as ``Console`` prints messages.
struct TerminalSafeLogHandler: LogHandler {
    var inner: StreamLogHandler

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        event.message = Logger.Message(stringLiteral: DisplaySafety.escaped(event.message.description))
        event.metadata = event.metadata?.mapValues(Self.escaped)
        inner.log(event: event)
    }

    static func escaped(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): return .string(DisplaySafety.escaped(text))
        case .stringConvertible(let item): return .string(DisplaySafety.escaped(item.description))
        case .dictionary(let items): return .dictionary(items.mapValues(escaped))
        case .array(let items): return .array(items.map(escaped))
        }
    }
}

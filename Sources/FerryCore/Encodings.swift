public import Foundation

/// Base64 as Python's `base64.b64decode` (non-validating) and `b64encode` handle it.
public enum PythonBase64 {
    /// `base64.b64encode`: standard alphabet, padded.
    public static func encode(_ data: Data) -> String { data.base64EncodedString() }

    /// `base64.b64encode(text.encode("utf-8"))`.
    public static func encode(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    /// `base64.b64decode(text)`: characters outside the alphabet are discarded, padding must be
    /// complete. Returns nil where Python raises `binascii.Error`.
    public static func decode(_ text: String) -> Data? {
        var core: [UInt8] = []
        core.reserveCapacity(text.utf8.count)
        var padding = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"):
                if padding > 0 { return Data(base64Encoded: String(decoding: core, as: UTF8.self)) }
                core.append(byte)
            case UInt8(ascii: "="):
                padding += 1
            default:
                continue
            }
        }
        let needed: Int
        switch core.count % 4 {
        case 0: needed = 0
        case 2: needed = 2
        case 3: needed = 1
        default: return nil
        }
        guard padding >= needed else { return nil }
        core.append(contentsOf: repeatElement(UInt8(ascii: "="), count: needed))
        return Data(base64Encoded: Data(core))
    }

    /// `str(base64.b64decode(text), "utf-8")`: nil for broken base64 or bytes that are not UTF-8.
    public static func decodeUTF8(_ text: String) -> String? {
        guard let data = decode(text) else { return nil }
        return String(data: data, encoding: .utf8)
    }
}

/// ZenML's database timestamps: naive UTC, `YYYY-MM-DD HH:MM:SS.ffffff` (`datetime.utcnow()` as SQLAlchemy stores it).
public enum ZenMLTimestamp {
    /// Formats `date` to microseconds.
    public static func format(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        var seconds = time_t(interval.rounded(.down))
        var micros = Int(((interval - Double(seconds)) * 1_000_000).rounded())
        if micros >= 1_000_000 { seconds += 1; micros -= 1_000_000 }
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let micro = String(micros)
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2)) "
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + String(repeating: "0", count: 6 - micro.count) + micro
    }

    /// Parses `YYYY-MM-DD HH:MM:SS[.ffffff]` (also with a `T`) as UTC; nil when malformed.
    public static func parse(_ text: String) -> Date? {
        let scalars = Array(text.utf8)
        guard scalars.count >= 19 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard index < scalars.count, (48...57).contains(scalars[index]) else { return nil }
                value = value * 10 + Int(scalars[index] - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19)
        else { return nil }
        var fraction = 0.0
        if scalars.count > 20, scalars[19] == UInt8(ascii: ".") {
            var scale = 0.1
            for byte in scalars[20...] {
                guard (48...57).contains(byte) else { break }
                fraction += Double(byte - 48) * scale
                scale /= 10
            }
        }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let seconds = timegm(&parts)
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }
}

extension UUID {
    /// The 32-hex form ZenML stores in SQL databases (`uuid.hex`).
    public var hexString: String { uuidString.lowercased().replacingOccurrences(of: "-", with: "") }

    /// Parses a UUID written hyphenated or as 32 hex characters.
    public init?(flexible text: String) {
        if let id = UUID(uuidString: text) { self = id; return }
        let hex = Array(text.utf8)
        guard hex.count == 32, hex.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) })
        else { return nil }
        let s = String(decoding: hex, as: UTF8.self)
        let dashed = "\(s.prefix(8))-\(s.dropFirst(8).prefix(4))-\(s.dropFirst(12).prefix(4))-\(s.dropFirst(16).prefix(4))-\(s.dropFirst(20))"
        guard let id = UUID(uuidString: dashed) else { return nil }
        self = id
    }
}

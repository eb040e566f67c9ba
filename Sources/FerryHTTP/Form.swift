import Foundation

/// Percent-encoding for URL query components and `application/x-www-form-urlencoded` bodies,
/// with RFC 3986 escaping: only unreserved characters (`A–Z a–z 0–9 - . _ ~`) are kept.
///
/// ```swift
/// HTTPForm.encode("labels.zenml-group-key:*")          // "labels.zenml-group-key%3A%2A"
/// HTTPForm.body([("grant_type", "client_credentials")]) // "grant_type=client_credentials"
/// ```
public enum HTTPForm {
    /// One component, every byte outside the unreserved set as `%XX` (uppercase hex).
    public static func encode(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                result.unicodeScalars.append(UnicodeScalar(byte))
            default:
                result += String(format: "%%%02X", byte)
            }
        }
        return result
    }

    /// `name=value&…`, each side encoded.
    public static func body(_ pairs: [(String, String)]) -> String {
        pairs.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
    }
}

public import FerryCore
import Foundation

/// A listing request with ZenML 0.98's filter, sort and page options.
///
/// Filters take ZenML's `operator:value` syntax (`contains:db`, `startswith:prod`,
/// `gte:2024-01-01 00:00:00`); a value without a known operator means `equals`.
/// ZenML 0.98.0 `src/zenml/models/v2/base/filter.py`, `src/zenml/models/v2/core/secret.py`.
///
/// ```swift
/// var query = SecretQuery()
/// query.filters = [try .init(field: .name, expression: "startswith:prod")]
/// query.sort = try .init("asc:name")
/// ```
public struct SecretQuery: Sendable {
    /// A filterable or sortable field.
    public enum Field: String, Sendable, CaseIterable {
        case id, name, created, updated, `private`, user
    }

    /// ZenML's filter operators.
    public enum Operator: String, Sendable, CaseIterable {
        case equals, notequals, contains, startswith, endswith, oneof, gt, gte, lt, lte
    }

    /// One condition.
    public struct Filter: Sendable {
        public let field: Field
        public let op: Operator
        public let value: String

        /// Parses `op:value` for `field`.
        public init(field: Field, expression: String) throws {
            self.field = field
            if let colon = expression.firstIndex(of: ":"), let op = Operator(rawValue: String(expression[..<colon])) {
                self.op = op
                value = String(expression[expression.index(after: colon)...])
            } else {
                op = .equals
                value = expression
            }
            if field == .private, op != .equals, op != .notequals {
                throw FerryError(.invalidInput, code: .badFilter, "The `private` filter takes only equals or notequals.")
            }
            if (field == .created || field == .updated), ZenMLTimestamp.parse(normalizedDate(value)) == nil, op != .oneof {
                throw FerryError(.invalidInput, code: .badFilter,
                                 "The `\(field.rawValue)` filter needs a date as YYYY-MM-DD HH:MM:SS (got '\(value)').")
            }
        }

        func matches(_ secret: Secret) -> Bool {
            switch field {
            case .private:
                let wanted = SecretSchema.parseBool(value) ?? false
                return (secret.isPrivate == wanted) == (op == .equals)
            case .created, .updated:
                let actual = field == .created ? secret.created : secret.updated
                let candidates = op == .oneof ? Self.list(value) : [value]
                let dates = candidates.compactMap { ZenMLTimestamp.parse(normalizedDate($0)) }
                guard let date = dates.first else { return false }
                switch op {
                case .equals: return actual == date
                case .notequals: return actual != date
                case .gt: return actual > date
                case .gte: return actual >= date
                case .lt: return actual < date
                case .lte: return actual <= date
                case .oneof: return dates.contains(actual)
                default: return ZenMLTimestamp.format(actual).contains(value)
                }
            case .id, .name, .user:
                let text: String
                switch field {
                case .id: text = secret.id.uuidString.lowercased()
                case .user: text = secret.owner.uuidString.lowercased()
                default: text = secret.name
                }
                let wanted = field == .name ? value : value.lowercased().replacingOccurrences(of: "-", with: "")
                let actual = field == .name ? text : text.replacingOccurrences(of: "-", with: "")
                switch op {
                case .equals: return actual == wanted
                case .notequals: return actual != wanted
                case .contains: return actual.contains(wanted)
                case .startswith: return actual.hasPrefix(wanted)
                case .endswith: return actual.hasSuffix(wanted)
                case .oneof:
                    return Self.list(value).map { field == .name ? $0 : $0.lowercased().replacingOccurrences(of: "-", with: "") }
                        .contains(actual)
                case .gt: return actual > wanted
                case .gte: return actual >= wanted
                case .lt: return actual < wanted
                case .lte: return actual <= wanted
                }
            }
        }

        /// `oneof:` takes a JSON list or a comma-separated list.
        static func list(_ value: String) -> [String] {
            if case .array(let items)? = try? PythonJSON.parse(value) { return items.map(\.pythonString) }
            return value.split(separator: ",").map { String(PythonText.strip($0)) }
        }
    }

    /// `asc:field` or `desc:field` (a bare field sorts ascending).
    public struct Sort: Sendable {
        public let field: Field
        public let descending: Bool

        public init(field: Field, descending: Bool) {
            self.field = field
            self.descending = descending
        }

        /// The SQL column that sorts exactly as ``SecretQuery/ordered(_:_:)`` does, when there is one
        /// (names sort by code points in Python; SQLite's BINARY collation compares UTF-8 bytes, which agrees).
        var sqlColumn: String? {
            switch field {
            case .id: return "id"
            case .name: return "name"
            case .created: return "created"
            case .updated: return "updated"
            case .private: return "private"
            case .user: return "user_id"
            }
        }

        public init(_ expression: String) throws {
            var text = Substring(expression)
            var descending = false
            if text.hasPrefix("desc:") { descending = true; text = text.dropFirst(5) }
            else if text.hasPrefix("asc:") { text = text.dropFirst(4) }
            guard let field = Field(rawValue: String(text)) else {
                throw FerryError(.invalidInput, code: .badSort,
                                 "Cannot sort by '\(text)': use one of \(Field.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            self.init(field: field, descending: descending)
        }
    }

    public var filters: [Filter] = []
    /// `or` instead of `and` between filters.
    public var matchAny = false
    /// ZenML's CLI default: newest first.
    public var sort = Sort(field: .created, descending: true)
    /// 1-based page index.
    public var page = 1
    /// Items per page (ZenML's default 20, at most 10,000).
    public var size = 20

    public init() {}

    /// Whether `secret` passes the filters.
    public func matches(_ secret: Secret) -> Bool {
        guard !filters.isEmpty else { return true }
        return matchAny ? filters.contains { $0.matches(secret) } : filters.allSatisfy { $0.matches(secret) }
    }

    func ordered(_ lhs: Secret, _ rhs: Secret) -> Bool {
        func key(_ secret: Secret) -> String {
            switch sort.field {
            case .id: return secret.id.hexString
            case .name: return secret.name
            case .created: return ZenMLTimestamp.format(secret.created)
            case .updated: return ZenMLTimestamp.format(secret.updated)
            case .private: return secret.isPrivate ? "1" : "0"
            case .user: return secret.owner.hexString
            }
        }
        let (a, b) = (key(lhs), key(rhs))
        if PythonText.scalarsEqual(a, b) { return lhs.id.hexString < rhs.id.hexString }
        return sort.descending ? PythonText.codePointLess(b, a) : PythonText.codePointLess(a, b)
    }
}

private func normalizedDate(_ text: String) -> String {
    text.count == 10 ? text + " 00:00:00" : text
}

/// One page of a listing, shaped as ZenML's `Page`.
public struct SecretPage: Sendable {
    public let items: [Secret]
    /// 1-based.
    public let index: Int
    public let maxSize: Int
    public let totalPages: Int
    public let total: Int
}

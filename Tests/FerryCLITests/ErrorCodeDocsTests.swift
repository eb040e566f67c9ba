import FerryCore
import FerryTesting
import Foundation
import Testing

/// docs/commands.md's "Error codes" section lists exactly the codes the libraries declare
/// (`Sources/<target>/ErrorCodes.swift`, without FerryTesting's and FerryFuzzing's) and the kinds'
/// codes; `scripts/error-codes` prints the section again after a change.
@Suite struct ErrorCodeDocsTests {
    static let root = Repository.root(from: #filePath)

    /// Every `Self("raw")` member of each target's ErrorCodes.swift, with the target.
    static func declared() throws -> [(target: String, raw: String)] {
        let sources = root + "/Sources"
        var found: [(String, String)] = []
        for target in try FileManager.default.contentsOfDirectory(atPath: sources).sorted() {
            guard let text = try? String(contentsOfFile: "\(sources)/\(target)/ErrorCodes.swift", encoding: .utf8) else { continue }
            for match in text.matches(of: /static let `?\w+`? = Self\("([a-z0-9_]+)"\)/) { found.append((target, String(match.1))) }
        }
        return found
    }

    /// The codes in the tables of docs/commands.md's "Error codes" section.
    static func documented() throws -> [String] {
        let text = try String(contentsOfFile: root + "/docs/commands.md", encoding: .utf8)
        guard let start = text.range(of: "\n## Error codes\n") else { return [] }
        let section = text[start.upperBound...].split(separator: "\n## ", maxSplits: 1).first ?? ""
        return section.split(separator: "\n").compactMap { line in line.firstMatch(of: /^\| `([a-z0-9_]+)` \|/).map { String($0.1) } }
    }

    @Test func theDocsListEveryDeclaredCodeAndNoOther() throws {
        let declared = try Self.declared()
        #expect(declared.count > 200, "the ErrorCodes.swift files were found")
        let raws = declared.map(\.raw)
        #expect(Set(raws).count == raws.count, "each code is declared once: \(Dictionary(grouping: raws) { $0 }.filter { $0.value.count > 1 }.keys.sorted())")
        let shown = Set(declared.filter { !["FerryTesting", "FerryFuzzing"].contains($0.target) }.map(\.raw)
            + FerryError.Kind.allCases.map(\.rawValue))
        let documented = try Self.documented()
        #expect(Set(documented).count == documented.count, "a code is listed once")
        #expect(shown.subtracting(documented).sorted() == [], "declared but not in docs/commands.md (run scripts/error-codes)")
        #expect(Set(documented).subtracting(shown).sorted() == [], "in docs/commands.md but not declared")
    }

    /// The kinds column names the kinds each code is thrown with (`FerryError(.kind, code: .name`).
    @Test func theDocsGiveEachCodeTheKindsItIsThrownWith() throws {
        let names = Dictionary(try Self.declared().map { (target, raw) in
            (raw.split(separator: "_").enumerated().map { $0.offset == 0 ? String($0.element) : String($0.element).capitalized }.joined(), raw)
        }, uniquingKeysWith: { first, _ in first })
        var thrown: [String: Set<String>] = [:]
        let sources = Self.root + "/Sources"
        for case let path as String in FileManager.default.enumerator(atPath: sources)! where path.hasSuffix(".swift") {
            let text = try String(contentsOfFile: "\(sources)/\(path)", encoding: .utf8)
            for match in text.matches(of: /FerryError\(\s*\.(\w+),\s*code: \.(\w+)/) {
                let kind = FerryError.Kind.allCases.first { "\($0)" == match.1 }?.rawValue ?? String(match.1)
                // Member names spell acronyms in capitals (`tlsCAFile`); compare them case-insensitively.
                guard let raw = names.first(where: { $0.key.lowercased() == match.2.lowercased() })?.value else { continue }
                thrown[raw, default: []].insert(kind)
            }
        }
        #expect(thrown.count > 150, "the throw sites were found")
        let text = try String(contentsOfFile: Self.root + "/docs/commands.md", encoding: .utf8)
        for match in text.matches(of: /(?m)^\| `([a-z0-9_]+)` \| ([a-z_ (),0-9]+) \|/) where thrown[String(match.1)] != nil {
            let listed = Set(match.2.split(separator: ",").map { String($0.split(separator: " ")[0]) })
            #expect(listed == thrown[String(match.1)], "`\(match.1)` is thrown as \(thrown[String(match.1)]!.sorted()) (run scripts/error-codes)")
        }
    }

    /// Codes are `.name` members at throw sites, never string literals.
    @Test func noThrowSiteSpellsACodeAsAString() throws {
        let sources = Self.root + "/Sources"
        var literal: [String] = []
        for case let path as String in FileManager.default.enumerator(atPath: sources)! where path.hasSuffix(".swift") {
            let text = try String(contentsOfFile: "\(sources)/\(path)", encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where !line.trimmingCharacters(in: .whitespaces).hasPrefix("//") && line.contains(#"code: ""#) {
                literal.append("\(path):\(number + 1)")
            }
        }
        #expect(literal == [])
    }
}

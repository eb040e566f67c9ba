import FerryFuzzing
import Foundation
import Testing

/// Every committed seed and regression input of every fuzz target (`Fuzz/corpus/<target>/`), fed
/// once to the same entry point the fuzzer drives: a crash the fuzzer once found fails `swift test`.
@Suite struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz/corpus").path

    static func inputs(_ target: String, _ kind: String) -> [String] {
        let folder = corpus + "/" + target + "/" + kind
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { !$0.hasPrefix(".") }.sorted().map { folder + "/" + $0 }
    }

    @Test func everyCorpusFolderIsATargetAndEveryTargetHasSeeds() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.corpus).filter { !$0.hasPrefix(".") }.sorted()
        #expect(folders == FuzzTargets.names)
        for target in FuzzTargets.names { #expect(!Self.inputs(target, "seeds").isEmpty, "\(target) has no seeds") }
    }

    @Test(arguments: FuzzTargets.names)
    func replaysSeedsAndRegressions(_ target: String) throws {
        for file in Self.inputs(target, "seeds") + Self.inputs(target, "regressions") {
            FuzzTargets.run(target, try Data(contentsOf: URL(fileURLWithPath: file)))
        }
    }
}

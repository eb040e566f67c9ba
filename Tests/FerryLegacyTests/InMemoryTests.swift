import FerryCore
import FerryLegacy
import FerryTesting
import Foundation
import Testing

@Suite struct InMemoryLegacySecretsManagerTests {
    /// The double the migrator's tests use keeps ZenML's contract, as every flavor does.
    @Test func passesTheLegacyConformanceSuite() async throws {
        let ran = try await LegacySecretsManagerConformance.run { InMemoryLegacySecretsManager() }
        #expect(!ran.isEmpty)
    }
}

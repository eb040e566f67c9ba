import FerryCore
import FerryVault
import Foundation
import Testing

/// Against an OpenBao dev server started with `-dev-tls -dev-tls-cert-dir=DIR`:
/// `FERRY_VAULT_TLS_ADDR=https://127.0.0.1:8298 FERRY_VAULT_CACERT=DIR/vault-ca.pem`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["CI"] == "true" || ProcessInfo.processInfo.environment["FERRY_VAULT_TLS_ADDR"] != nil
    && ProcessInfo.processInfo.environment["FERRY_VAULT_CACERT"] != nil))
struct VaultTLSTests {
    let env = ProcessInfo.processInfo.environment

    @Test func trustsTheCAFromVaultCACert() async throws {
        let environment = ["VAULT_ADDR": env["FERRY_VAULT_TLS_ADDR"] ?? "", "VAULT_CACERT": env["FERRY_VAULT_CACERT"] ?? "",
                           "VAULT_TOKEN": env["VAULT_TOKEN"] ?? "root"]
        let vault = try VaultClient.make(environment: environment)
        let path = "ferry-tls-\(UUID().uuidString.prefix(8))"
        try await vault.kvWrite(mount: "secret", path: path, data: [("k", .string("v"))])
        #expect(try await vault.kvRead(mount: "secret", path: path).version == 1)
        try await vault.kvDeleteAll(mount: "secret", path: path)
    }

    @Test func refusesAnUntrustedCertificate() async throws {
        let vault = try VaultClient.make(environment: ["VAULT_ADDR": env["FERRY_VAULT_TLS_ADDR"] ?? "", "VAULT_TOKEN": "root"])
        do {
            _ = try await vault.kvRead(mount: "secret", path: "anything")
            Issue.record("an untrusted certificate should be refused")
        } catch let error as FerryError {
            #expect(error.kind == .backend)
        }
    }
}

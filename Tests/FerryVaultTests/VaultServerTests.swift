import FerryCore
import FerryHTTP
import FerryStore
import FerryTesting
import FerryVault
import Foundation
import Testing

/// Against a real OpenBao/Vault dev server: `FERRY_VAULT_ADDR=http://127.0.0.1:8299 VAULT_TOKEN=root`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["FERRY_VAULT_ADDR"] != nil), .serialized)
struct VaultServerTests {
    let env = ProcessInfo.processInfo.environment
    var addr: String { env["FERRY_VAULT_ADDR"] ?? "" }
    var root: String { env["VAULT_TOKEN"] ?? "root" }
    let prefix = "ferry-test-\(UUID().uuidString.prefix(8))"

    func client(token: String? = nil, namespace: String? = nil) throws -> VaultClient {
        try VaultClient.make(environment: [:], address: addr, token: token ?? root, namespace: namespace)
    }

    /// A raw call with the root token (for setting up policies, auth methods and namespaces).
    func admin(_ method: String, _ path: String, _ body: String? = nil) async throws -> HTTPResponse {
        var request = HTTPRequest(method: method, url: URL(string: addr + "/v1/" + path)!)
        request.setHeader("X-Vault-Token", root)
        if let body {
            request.body = Data(body.utf8)
            request.setHeader("Content-Type", "application/json")
        }
        return try await SocketTransport().send(request)
    }

    func json(_ response: HTTPResponse) throws -> PythonJSON.Value {
        try PythonJSON.parse(String(decoding: response.body, as: UTF8.self))
    }

    func value(_ data: [(key: String, value: PythonJSON.Value)], _ key: String) -> PythonJSON.Value? {
        data.first { $0.key == key }?.value
    }

    /// Creates an AppRole `role` at `auth/<mount>` with `body`; returns its role id and a fresh secret id.
    func appRole(mount: String, role: String, _ body: String) async throws -> (roleID: String, secretID: String) {
        _ = try await admin("POST", "auth/\(mount)/role/\(role)", body)
        let roleJSON = try json(try await admin("GET", "auth/\(mount)/role/\(role)/role-id"))
        let secretJSON = try json(try await admin("POST", "auth/\(mount)/role/\(role)/secret-id", "{}"))
        guard case .object(let roleData)? = roleJSON.member("data"), case .string(let roleID)? = value(roleData, "role_id"),
              case .object(let secretData)? = secretJSON.member("data"), case .string(let secretID)? = value(secretData, "secret_id")
        else {
            throw FerryError(.backend, "could not set up the AppRole \(role) at auth/\(mount)")
        }
        return (roleID, secretID)
    }

    @Test func writeReadVersionsPatchAndCAS() async throws {
        let vault = try client()
        let path = "\(prefix)/db"
        let v1 = try await vault.kvWrite(mount: "secret", path: path, data: [("user", .string("a")), ("n", .number("1"))])
        #expect(v1 == 1)
        let v2 = try await vault.kvWrite(mount: "secret", path: path, data: [("user", .string("b"))], cas: 1)
        #expect(v2 == 2)
        let latest = try await vault.kvRead(mount: "secret", path: path)
        #expect(latest.version == 2)
        #expect(value(latest.data, "user") == .string("b"))
        let old = try await vault.kvRead(mount: "secret", path: path, version: 1)
        #expect(old.version == 1)
        #expect(value(old.data, "n") == .number("1"))

        do {
            try await vault.kvWrite(mount: "secret", path: path, data: [("user", .string("SECRETVALUE"))], cas: 1)
            Issue.record("CAS mismatch should fail")
        } catch let error as FerryError {
            #expect(error.code == .vaultHTTP && error.remoteCode == "400")
            #expect(error.message.contains("check-and-set"))
            #expect(!error.message.contains("SECRETVALUE"))
        }

        try await vault.kvPatch(mount: "secret", path: path, data: [("extra", .string("x"))])
        let patched = try await vault.kvRead(mount: "secret", path: path)
        #expect(patched.version == 3)
        #expect(value(patched.data, "user") == .string("b"))
        #expect(value(patched.data, "extra") == .string("x"))

        try await vault.kvSetMaxVersions(mount: "secret", path: path, maxVersions: 2)
        try await vault.kvDeleteAll(mount: "secret", path: path)
        await #expect(throws: FerryError.self) { try await vault.kvRead(mount: "secret", path: path) }
    }

    @Test func listNestedAndUnusualNames() async throws {
        let vault = try client()
        let names = ["a_b+c=d.e@f-g", "ünïcode", "plain"]
        for name in names {
            try await vault.kvWrite(mount: "secret", path: "\(prefix)/list/\(name)", data: [("k", .string("v"))])
        }
        try await vault.kvWrite(mount: "secret", path: "\(prefix)/list/sub/inner", data: [("k", .string("v"))])
        let keys = try await vault.kvList(mount: "secret", path: "\(prefix)/list")
        #expect(Set(keys) == Set(names + ["sub/"]))
        #expect(try await vault.kvList(mount: "secret", path: "\(prefix)/list/sub/") == ["inner"])
        #expect(try await vault.kvList(mount: "secret", path: "\(prefix)/nothing-here") == [])
        let read = try await vault.kvRead(mount: "secret", path: "\(prefix)/list/a_b+c=d.e@f-g")
        #expect(value(read.data, "k") == .string("v"))
        for name in names + ["sub/inner"] {
            try await vault.kvDeleteAll(mount: "secret", path: "\(prefix)/list/\(name)")
        }
        #expect(try await vault.kvList(mount: "secret", path: "\(prefix)/list") == [])
    }

    @Test func forbiddenAndNotFound() async throws {
        let bad = try client(token: "s.NOT-A-REAL-TOKEN")
        do {
            _ = try await bad.kvRead(mount: "secret", path: "\(prefix)/x")
            Issue.record("a bad token should be refused")
        } catch let error as FerryError {
            #expect(error.code == .vaultForbidden)
            #expect(error.message.contains("permission denied"))
            #expect(error.message.contains("secret/\(prefix)/x"))
            #expect(!error.message.contains("NOT-A-REAL-TOKEN"))
        }
        do {
            _ = try await client().kvRead(mount: "secret", path: "\(prefix)/missing")
            Issue.record("a missing secret should be not found")
        } catch let error as FerryError {
            #expect(error.kind == .notFound)
        }
    }

    @Test func appRoleReadOnly() async throws {
        let vault = try client()
        let path = "\(prefix)/approle"
        try await vault.kvWrite(mount: "secret", path: path, data: [("k", .string("v"))])
        let policy = #"path \"secret/data/*\" { capabilities = [\"read\"] }"#
        _ = try await admin("PUT", "sys/policies/acl/\(prefix)-ro", #"{"policy": "\#(policy)"}"#)
        let mounted = try await admin("POST", "sys/auth/\(prefix)-approle", #"{"type": "approle"}"#)
        #expect((200..<300).contains(mounted.status))
        let (roleID, secretID) = try await appRole(mount: "\(prefix)-approle", role: "ro",
                                                   #"{"token_policies": ["\#(prefix)-ro"], "token_ttl": "10m"}"#)
        let reader = VaultClient(address: URL(string: addr)!, auth: .appRole(roleID: roleID, secretID: secretID, mount: "\(prefix)-approle"),
                                 transport: SocketTransport())
        let read = try await reader.kvRead(mount: "secret", path: path)
        #expect(value(read.data, "k") == .string("v"))
        do {
            try await reader.kvWrite(mount: "secret", path: path, data: [("k", .string("w"))])
            Issue.record("a read-only role should not write")
        } catch let error as FerryError {
            #expect(error.code == .vaultForbidden)
            #expect(error.message.contains("permission denied"))
        }
        let badLogin = VaultClient(address: URL(string: addr)!, auth: .appRole(roleID: roleID, secretID: "wrong", mount: "\(prefix)-approle"),
                                   transport: SocketTransport())
        await #expect(throws: FerryError.self) { try await badLogin.kvRead(mount: "secret", path: path) }
        // A token good for one use only: the second request is refused, and the client logs in again.
        let (onceRoleID, onceSecretID) = try await appRole(mount: "\(prefix)-approle", role: "once",
                                                           #"{"token_policies": ["\#(prefix)-ro"], "token_num_uses": 1}"#)
        let once = VaultClient(address: URL(string: addr)!, auth: .appRole(roleID: onceRoleID, secretID: onceSecretID, mount: "\(prefix)-approle"),
                               transport: SocketTransport())
        for _ in 0..<3 {
            #expect(value(try await once.kvRead(mount: "secret", path: path).data, "k") == .string("v"))
        }
        try await vault.kvDeleteAll(mount: "secret", path: path)
        _ = try await admin("DELETE", "sys/auth/\(prefix)-approle")
        _ = try await admin("DELETE", "sys/policies/acl/\(prefix)-ro")
    }

    /// ZenML ≥ 0.55's hashicorp store configuration with `auth_method: app_role`: the store logs in
    /// with a role that may only touch its secrets, and keeps `max_versions` on its own paths
    /// (the mount's configuration, which other secrets share, is left as it was).
    @Test func storeWithAppRoleAndMaxVersions() async throws {
        let mount = "\(prefix)-kv"
        _ = try await admin("POST", "sys/mounts/\(mount)", #"{"type": "kv", "options": {"version": "2"}}"#)
        let auth = "\(prefix)-store-approle"
        _ = try await admin("POST", "sys/auth/\(auth)", #"{"type": "approle"}"#)
        let policy = #"path \"\#(mount)/data/*\" { capabilities = [\"create\", \"read\", \"update\", \"patch\", \"delete\"] } path \"\#(mount)/metadata/*\" { capabilities = [\"create\", \"read\", \"update\", \"delete\", \"list\"] }"#
        _ = try await admin("PUT", "sys/policies/acl/\(prefix)-store", #"{"policy": "\#(policy)"}"#)
        let (roleID, secretID) = try await appRole(mount: auth, role: "store",
                                                   #"{"token_policies": ["\#(prefix)-store"], "token_ttl": "10m"}"#)
        let folder = try TemporaryDirectory("ferry-vault-store")
        defer { folder.remove() }
        let fields = ["vault_addr": addr, "mount_point": mount, "auth_method": "app_role", "auth_mount_point": auth,
                      "app_role_id": roleID, "app_secret_id": secretID, "max_versions": "2"]
        let store = try SecretStore(configuration: StoreConfiguration(databasePath: folder.file("ferry.db"),
                                                                      secretsStore: BackendConfiguration(type: "hashicorp", fields: fields)),
                                    environment: [:])
        let secret = try await store.create(name: "db", values: ["password": "s3cr3t"])
        for round in 1...3 { try await store.update(secret, addOrUpdate: ["password": "s3cr3t-\(round)"], removeKeys: []) }
        #expect(try await store.values(of: secret) == ["password": "s3cr3t-3"])
        let path = "zenml/\(secret.id.uuidString.lowercased())"
        let metadata = try json(try await admin("GET", "\(mount)/metadata/\(path)")).member("data")
        #expect(metadata?.member("max_versions") == .number("2"))
        if case .object(let versions)? = metadata?.member("versions") {
            #expect(versions.count == 2, "only the last two versions are kept")
        } else {
            Issue.record("no versions in the metadata")
        }
        let config = try json(try await admin("GET", "\(mount)/config")).member("data")
        #expect(config?.member("max_versions") == .number("0"), "the mount's own setting is untouched")
        try await store.delete(secret)

        // A missing AppRole field is a configuration error before anything is created.
        await #expect {
            _ = try SecretStore(configuration: StoreConfiguration(
                databasePath: folder.file("bad.db"),
                secretsStore: BackendConfiguration(type: "hashicorp", fields: ["vault_addr": addr, "auth_method": "app_role", "app_role_id": "x"])),
                                environment: [:])
        } throws: { ($0 as? FerryError)?.message.contains("`app_secret_id`") == true }
        #expect(!FileManager.default.fileExists(atPath: folder.file("bad.db")))
        _ = try await admin("DELETE", "sys/auth/\(auth)")
        _ = try await admin("DELETE", "sys/mounts/\(mount)")
        _ = try await admin("DELETE", "sys/policies/acl/\(prefix)-store")
    }

    @Test func namespace() async throws {
        let ns = "\(prefix)-ns"
        let created = try await admin("POST", "sys/namespaces/\(ns)", "{}")
        if created.status == 404 || created.status == 405 {
            withKnownIssue("this server has no sys/namespaces (HTTP \(created.status))") { throw FerryError(.unsupported, "no namespaces") }
            return
        }
        #expect((200..<300).contains(created.status))
        var mount = HTTPRequest(method: "POST", url: URL(string: addr + "/v1/sys/mounts/kv")!,
                                body: Data(#"{"type": "kv", "options": {"version": "2"}}"#.utf8))
        mount.setHeader("X-Vault-Token", root)
        mount.setHeader("X-Vault-Namespace", ns)
        mount.setHeader("Content-Type", "application/json")
        let mounted = try await SocketTransport().send(mount)
        #expect((200..<300).contains(mounted.status))
        // KV v2 upgrades its storage asynchronously after mounting; retry briefly.
        let vault = try client(namespace: ns)
        var written = false
        for _ in 0..<20 where !written {
            do {
                try await vault.kvWrite(mount: "kv", path: "inside", data: [("k", .string("v"))])
                written = true
            } catch {
                try await Task.sleep(nanoseconds: 200_000_000)
            }
        }
        #expect(written)
        let read = try await vault.kvRead(mount: "kv", path: "inside")
        #expect(value(read.data, "k") == .string("v"))
        // Outside the namespace the mount does not exist.
        await #expect(throws: FerryError.self) { try await client().kvRead(mount: "kv", path: "inside") }
    }
}


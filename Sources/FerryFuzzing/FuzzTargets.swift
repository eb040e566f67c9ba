import FerryAWS
import FerryCore
import FerryHTTP
import FerryLegacy
import FerryStack
import FerryStore
public import Foundation

/// One fuzz target per parser of untrusted input, each a function of the raw input bytes.
///
/// A target feeds the bytes to Ferry's public parsing entry points and ignores thrown errors, which
/// are the expected answer to bad input: what it looks for is a crash, a hang or unbounded memory.
/// The libFuzzer driver (`Fuzz/`, `scripts/fuzz`) and the replay test (`FerryFuzzingTests`) both
/// call ``run(_:_:)``, so every committed seed and regression input is replayed by `swift test`.
///
/// ```swift
/// FuzzTargets.run("secret-reference", Data("{{db.password}}".utf8))
/// ```
public enum FuzzTargets {
    /// Target names, as the corpus folders under `Fuzz/corpus/` are named.
    public static var names: [String] { targets.keys.sorted() }

    /// Whether `name` is a target.
    public static func exists(_ name: String) -> Bool { targets[name] != nil }

    /// Feeds `data` to target `name` (which must exist).
    public static func run(_ name: String, _ data: Data) {
        guard let target = targets[name] else { preconditionFailure("no fuzz target \(name)") }
        target(data)
    }

    private static let targets: [String: @Sendable (Data) -> Void] = [
        // ZenML's config.yaml of every era (0.20+ `store:`, 0.1x `profiles:`).
        "config-yaml": { data in
            let directory = scratch("config")
            write(data, to: directory + "/config.yaml")
            _ = try? ZenMLInstallation.open(paths: ZenMLPaths(configDirectory: directory))
        },
        // A ZenML 0.1x local store's stacks.yaml (and the component YAML files it names).
        "stacks-yaml": { data in
            let directory = scratch("stacks")
            write(Data("activated_profile: default\nprofiles:\n  default:\n    store_type: local\n".utf8),
                  to: directory + "/config.yaml")
            write(data, to: directory + "/profiles/default/stacks.yaml")
            _ = try? ZenMLInstallation.open(paths: ZenMLPaths(configDirectory: directory))
        },
        // A local secrets manager's secrets.yaml.
        "secrets-yaml": { data in
            let file = scratch("secrets") + "/secrets.yaml"
            write(data, to: file)
            let manager = LocalSecretsManager(
                component: LegacyComponent(id: UUID(uuidString: "00000000-0000-0000-0000-000000000000")!, name: "fuzz", flavor: "local"), secretsFile: file)
            blocking {
                _ = try? await manager.readAll()
                if let first = try? await manager.secretNames().first { _ = try? await manager.getSecret(named: first) }
            }
        },
        // A `zenml stack export` file (`ferry resolve FILE`).
        "stack-export": { data in
            let file = scratch("export") + "/export.yaml"
            write(data, to: file)
            _ = try? StackExport.read(file)
        },
        // Ferry's store.yaml.
        "store-yaml": { data in
            let directory = scratch("store")
            write(data, to: directory + "/store.yaml")
            _ = try? StoreConfiguration.resolve(environment: ["FERRY_HOME": directory], configurationFile: directory + "/store.yaml")
        },
        // ZenML's value encodings: base64, Python JSON, timestamps, UUIDs.
        "zenml-values": { data in
            let text = String(decoding: data, as: UTF8.self)
            _ = PythonBase64.decode(text)
            _ = PythonBase64.decodeUTF8(text)
            _ = try? PythonJSON.parse(text)
            _ = try? PythonJSON.parseFlatMap(text, what: "The fuzz input")
            _ = ZenMLTimestamp.parse(text)
            _ = UUID(flexible: text)
        },
        // The `values` column of ZenML's `secret` table, without and with an encryption key.
        "zenml-row": { data in
            let text = String(decoding: data, as: UTF8.self)
            let plain = ZenMLValuesCodec(encryptionKey: nil)
            let keyed = ZenMLValuesCodec(encryptionKey: "fuzz-key")
            _ = try? plain.decode(.base64(data), secret: "fuzz")
            _ = try? plain.decode(.encrypted(text), secret: "fuzz")
            _ = try? keyed.decode(.base64(data), secret: "fuzz")
            _ = try? keyed.decode(.encrypted(text), secret: "fuzz")
        },
        // `{{secret.key}}` references, under every era's grammar.
        "secret-reference": { data in
            let text = String(decoding: data, as: UTF8.self)
            for era in SecretReference.Era.allCases {
                _ = SecretReference(parsing: text, era: era)
                _ = SecretReference.isReference(text, era: era)
            }
        },
        // AWS's shared credentials and config files.
        "aws-ini": { data in
            _ = try? INIFile.parse(String(decoding: data, as: UTF8.self), path: "fuzz")
        },
        // An HTTP/1.1 response as a server sends it.
        "http-response": { data in
            _ = try? SocketTransport.parseResponse(data, isHead: data.first == UInt8(ascii: "H") && data.count % 7 == 0)
        },
    ]

    /// A fresh folder for one kind of target in this process's scratch folder (under TMPDIR).
    private static func scratch(_ kind: String) -> String {
        let directory = root + "/" + kind
        try? FileManager.default.removeItem(atPath: directory)
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return directory
    }

    private static let root: String = {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        // Removed when the process exits (the fuzzer and `swift test` alike), so no run leaves it behind.
        atexit { try? FileManager.default.removeItem(atPath: FuzzTargets.root) }
        return base + "/ferry-fuzz-\(getpid())"
    }()

    private static func write(_ data: Data, to file: String) {
        try? FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: file, contents: data)
    }

    /// Runs async work to its end from synchronous code. `Task.immediate` runs it on this thread
    /// until it first suspends (the local flavor never does), so the task's memory is freed before
    /// the input ends; with a plain `Task`, libFuzzer saw unbalanced mallocs and ran a leak check
    /// after every input (45 inputs a second instead of thousands).
    private static func blocking(_ work: @escaping @Sendable () async -> Void) {
        let done = DispatchSemaphore(value: 0)
        let run: @Sendable () async -> Void = {
            await work()
            done.signal()
        }
        // `Task.immediate` is Swift 6.2's (and macOS 26's); elsewhere a plain task does the same, slower.
        #if compiler(>=6.2)
        if #available(macOS 26.0, *) {
            Task.immediate(operation: run)
        } else {
            Task(operation: run)
        }
        #else
        Task(operation: run)
        #endif
        done.wait()
    }
}

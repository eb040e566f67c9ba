// swift-tools-version: 6.1
// Ferry: reads ZenML's deprecated secrets managers byte-compatibly and migrates them into a
// centralized secrets store. Dependency choices and their measured costs: docs/architecture.md.
import PackageDescription

// Boundaries the compiler checks, on every Swift target below (docs/architecture.md).
let swiftSettings: [SwiftSetting] = [
    // A protocol used as a type is spelled `any P`, so an existential's cost is visible where it is used.
    .enableUpcomingFeature("ExistentialAny"),
    // A file uses members (and extensions) only of the modules it imports itself.
    .enableUpcomingFeature("MemberImportVisibility"),
    // `import X` is internal: a module whose public API shows X's types says `public import X`.
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Ferry",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ferry", targets: ["ferry"]),
        .library(name: "FerryCore", targets: ["FerryCore"]),
        .library(name: "FerryLegacy", targets: ["FerryLegacy"]),
        .library(name: "FerryStore", targets: ["FerryStore"]),
        .library(name: "FerryStack", targets: ["FerryStack"]),
        .library(name: "FerryMigrate", targets: ["FerryMigrate"]),
        .library(name: "FerryTesting", targets: ["FerryTesting"]),
        // The fuzz targets, for the libFuzzer driver in Fuzz/ (a package of its own).
        .library(name: "FerryFuzzing", targets: ["FerryFuzzing"]),
    ],
    // Exact versions: Package.resolved is not committed (the build machines' package mirrors have
    // commit ids of their own), so these lines are what fixes the versions every build uses.
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
    ],
    targets: [
        // System libraries: both -dev packages are installed by .ci/run.
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "COpenSSL", providers: [.apt(["libssl-dev"])]),

        // Value types only: secrets, schemas, scopes, references, ZenML's encodings.
        .target(name: "FerryCore", swiftSettings: swiftSettings),
        // AES-256-GCM, SHA-256, HMAC and randomness over OpenSSL's libcrypto.
        .target(name: "FerryCrypto", dependencies: ["COpenSSL"], swiftSettings: swiftSettings),
        // One small HTTP transport protocol, an HTTP/1.1 client over POSIX sockets + OpenSSL's libssl
        // behind it (not URLSession: FoundationNetworking/libcurl doubles start-up), and retries.
        .target(name: "FerryHTTP", dependencies: ["FerryCore", "COpenSSL", .product(name: "Logging", package: "swift-log")], swiftSettings: swiftSettings),
        // AWS: SigV4, the credential chain, STS, and the Secrets Manager JSON 1.1 API. Knows nothing of ZenML.
        .target(name: "FerryAWS", dependencies: ["FerryCore", "FerryCrypto", "FerryHTTP", .product(name: "Logging", package: "swift-log")], swiftSettings: swiftSettings),
        // HashiCorp Vault / OpenBao KV v2 client: token, AppRole and AWS IAM auth.
        .target(name: "FerryVault", dependencies: ["FerryCore", "FerryHTTP", "FerryAWS", .product(name: "Logging", package: "swift-log")], swiftSettings: swiftSettings),
        // Google Cloud Secret Manager REST v1: service-account JWT, gcloud user, metadata-server and fixed-token auth.
        .target(name: "FerryGCP", dependencies: ["FerryCore", "FerryCrypto", "FerryHTTP", .product(name: "Logging", package: "swift-log")], swiftSettings: swiftSettings),
        // Azure Key Vault secrets REST 7.5: the bearer challenge, client-secret, managed-identity and fixed-token auth.
        .target(name: "FerryAzure", dependencies: ["FerryCore", "FerryHTTP", .product(name: "Logging", package: "swift-log")], swiftSettings: swiftSettings),
        // Yams behind errors that never quote the document.
        .target(name: "FerryYAML", dependencies: ["FerryCore", .product(name: "Yams", package: "Yams")], swiftSettings: swiftSettings),
        // The deprecated secrets-manager flavors.
        .target(
            name: "FerryLegacy",
            dependencies: [
                "FerryCore", "FerryYAML", "FerryHTTP", "FerryAWS", "FerryVault", "FerryGCP", "FerryAzure",
                .product(name: "Logging", package: "swift-log"),
            ], swiftSettings: swiftSettings),
        // The centralized secrets store: metadata database and values back-ends.
        .target(
            name: "FerryStore",
            dependencies: [
                "FerryCore", "FerryCrypto", "FerryYAML", "FerryHTTP", "FerryAWS", "FerryVault", "FerryGCP", "FerryAzure", "CSQLite",
                .product(name: "Logging", package: "swift-log"),
            ], swiftSettings: swiftSettings),
        // ZenML installations of every era (config.yaml, YAML and SQL stores, stack exports) and secret references.
        .target(name: "FerryStack", dependencies: ["FerryCore", "FerryYAML", "FerryLegacy", "FerryStore"], swiftSettings: swiftSettings),
        // Legacy secrets manager -> centralized store.
        .target(
            name: "FerryMigrate",
            dependencies: ["FerryCore", "FerryLegacy", "FerryStore", .product(name: "Logging", package: "swift-log")], swiftSettings: swiftSettings),
        // Conformance suites and in-memory doubles for every back-end.
        .target(name: "FerryTesting", dependencies: ["FerryCore", "FerryHTTP", "FerryYAML", "FerryLegacy", "FerryStore", "FerryMigrate"], swiftSettings: swiftSettings),
        // One fuzz target per parser of untrusted input: Fuzz/README.md.
        .target(
            name: "FerryFuzzing",
            dependencies: ["FerryCore", "FerryHTTP", "FerryAWS", "FerryLegacy", "FerryStore", "FerryStack"], swiftSettings: swiftSettings),
        // The command-line tool: parsing and output only.
        .executableTarget(
            name: "ferry",
            dependencies: [
                "FerryCore", "FerryHTTP", "FerryYAML", "FerryLegacy", "FerryStore", "FerryStack", "FerryMigrate",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ], swiftSettings: swiftSettings),
        // Self-timing benchmark: `swift run -c release ferry-bench`.
        .executableTarget(
            name: "ferry-bench",
            dependencies: ["FerryCore", "FerryStore", "FerryLegacy", "FerryAWS"],
            path: "Benchmarks/FerryBench",
            exclude: ["../aws", "../README.md"], swiftSettings: swiftSettings),

        .testTarget(name: "FerryCoreTests", dependencies: ["FerryCore", "FerryCrypto"], exclude: ["Fixtures"], swiftSettings: swiftSettings),
        .testTarget(name: "FerryLegacyTests", dependencies: ["FerryCore", "FerryLegacy", "FerryTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "FerryStoreTests", dependencies: ["FerryCore", "FerryCrypto", "FerryStore", "FerryTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "FerryAWSTests", dependencies: ["FerryCore", "FerryHTTP", "FerryAWS", "FerryLegacy", "FerryStore", "FerryTesting",
                                                    .product(name: "Logging", package: "swift-log"),
                                                    .product(name: "InMemoryLogging", package: "swift-log")], swiftSettings: swiftSettings),
        .testTarget(name: "FerryCLITests", dependencies: ["FerryCore", "FerryLegacy", "FerryStore", "FerryTesting", "FerryYAML"], swiftSettings: swiftSettings),
        .testTarget(name: "FerryMigrateTests", dependencies: ["FerryCore", "FerryLegacy", "FerryMigrate", "FerryStore", "FerryTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "FerryHTTPTests", dependencies: ["FerryCore", "FerryHTTP", "FerryTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "FerryGCPTests", dependencies: ["FerryCore", "FerryCrypto", "FerryHTTP", "FerryGCP", "FerryLegacy", "FerryStore", "FerryTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "FerryAzureTests", dependencies: ["FerryCore", "FerryHTTP", "FerryAzure", "FerryLegacy", "FerryStore", "FerryTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "FerryStackTests", dependencies: ["FerryCore", "FerryLegacy", "FerryStore", "FerryStack", "FerryTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "FerryFuzzingTests", dependencies: ["FerryFuzzing"], swiftSettings: swiftSettings),
        .testTarget(name: "FerryVaultTests", dependencies: ["FerryCore", "FerryHTTP", "FerryVault", "FerryLegacy", "FerryStore", "FerryTesting"], swiftSettings: swiftSettings),
    ]
)

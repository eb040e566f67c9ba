// swift-tools-version: 6.1
// The libFuzzer driver for Ferry's fuzz targets (Sources/FerryFuzzing in the main package).
// Built only by scripts/fuzz, with -sanitize=fuzzer,address, into its own scratch path: see README.md.
import PackageDescription

// A path dependency's identity is its folder's name: the checkout's, whatever it is called.
let ferry = String(Context.packageDirectory.split(separator: "/").dropLast().last ?? "ferry")

let package = Package(
    name: "FerryFuzz",
    platforms: [.macOS(.v13)],
    dependencies: [.package(path: "..")],
    targets: [
        .executableTarget(name: "ferry-fuzz", dependencies: [.product(name: "FerryFuzzing", package: ferry)]),
    ]
)

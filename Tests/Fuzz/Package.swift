// swift-tools-version:6.0
// The libFuzzer target for FeedParser, kept in its own package so the main build never
// needs fuzzer flags. Run it with `make fuzz` from the project root.
import PackageDescription

let package = Package(
    name: "aggregator-fuzz",
    dependencies: [.package(name: "aggregator", path: "../..")],
    targets: [
        .executableTarget(
            name: "FeedParserFuzzer",
            dependencies: [.product(name: "FeedParserLibrary", package: "aggregator")]),
    ],
    swiftLanguageModes: [.v6]
)

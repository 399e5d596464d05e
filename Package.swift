// swift-tools-version:6.0
// aggregator — an RSS/Atom feed aggregator daemon and CLI for Linux.
// Targets follow the data: Config → Daemon (scheduler) → Fetcher → FeedParser → Store ← CLI.
import PackageDescription

let package = Package(
    name: "aggregator",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "aggregatord", targets: ["aggregatord"]),
        .executable(name: "aggregator", targets: ["aggregator"]),
        // For Tests/Fuzz, the libFuzzer package.
        .library(name: "FeedParserLibrary", targets: ["FeedParser"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
        // The PostgreSQL store (a fleet's shared database): the wire protocol and TLS.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
    ],
    targets: [
        // C libraries and the typed shims Swift needs around their variadic calls.
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "CCurlShims", dependencies: ["CCurl"]),
        // What the executables do about their process that Swift cannot: libdispatch's
        // per-thread renicing answered (thread_priority.c), signals caught into a pipe
        // (signal_pipe.c).
        .target(name: "CProcessShims"),
        .target(name: "CTerminalShims"),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // Finding a site's feeds from its address (`aggregator add`).
        .target(name: "Discovery", dependencies: ["CLibXML2", "FeedParser", "Fetcher"]),
        .systemLibrary(
            name: "CLibXML2", pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]),
        // Content-Encoding is undone in the parsing tasks, not by libcurl on the network
        // thread (ContentDecoding says why): libdeflate for gzip and deflate, brotli, zstd.
        .systemLibrary(
            name: "CLibDeflate", pkgConfig: "libdeflate",
            providers: [.apt(["libdeflate-dev"])]),
        .systemLibrary(
            name: "CBrotli", pkgConfig: "libbrotlidec",
            providers: [.apt(["libbrotli-dev"])]),
        .systemLibrary(
            name: "CZstd", pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]),

        // The pipeline.
        .target(name: "Config"),
        .target(
            name: "FeedParser", dependencies: ["CLibXML2"],
            // The SAX callbacks touch builder state millions of times per document; the
            // runtime exclusivity checks on those class properties cost ~10% of parse time.
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]),
        .target(name: "Fetcher", dependencies: ["CCurlShims", "CLibDeflate", "CBrotli", "CZstd"]),
        .target(
            name: "Store",
            dependencies: [
                "FeedParser", "CZstd",
                .product(name: "GRDB", package: "GRDB.swift"),
                // The C interface itself, for the writer's hot statements (DirectBinding).
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]),
        // The second backend: a PostgreSQL database several daemons share (PostgresStore says
        // what it holds today), and the copy between the two.
        .target(
            name: "PostgresStore",
            dependencies: [
                "Config", "Store",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .target(
            name: "Daemon",
            dependencies: [
                "Config", "Fetcher", "FeedParser", "Store", "CProcessShims", "COpenSSL",
                // A fleet member polls into PostgreSQL (FleetDaemon).
                "PostgresStore",
                .product(name: "Logging", package: "swift-log"),
            ]),

        // What both executables share: path and log options, output helpers.
        .target(
            name: "CommandSupport",
            dependencies: [
                "Config", "Daemon", "CProcessShims",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // Thin executables.
        .executableTarget(
            name: "aggregatord",
            dependencies: [
                "Daemon", "Config", "CommandSupport", "Fetcher", "Store", "PostgresStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "aggregator",
            dependencies: [
                "Daemon", "Config", "CommandSupport", "Fetcher", "FeedParser", "Store", "CTerminalShims", "Discovery",
                "PostgresStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // Times the store at scale (Benchmarks/StoreBenchmark/main.swift says how to run it).
        .executableTarget(name: "store-bench", dependencies: ["Store", "FeedParser"], path: "Benchmarks/StoreBenchmark"),

        // Tests mirror the targets; EndToEndTests run the built binaries.
        .testTarget(name: "ConfigTests", dependencies: ["Config"]),
        .testTarget(name: "DiscoveryTests", dependencies: ["Discovery"]),
        .testTarget(
            name: "FeedParserTests", dependencies: ["FeedParser"],
            exclude: ["Tools"],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "FetcherTests", dependencies: ["Fetcher", "TestSupport", "CLibDeflate", "CZstd"]),
        .testTarget(
            name: "StoreTests",
            dependencies: ["Store", "FeedParser", .product(name: "GRDBSQLite", package: "GRDB.swift")]),
        // Against a real PostgreSQL (AGGREGATOR_TEST_POSTGRES, which `make test` sets).
        .testTarget(name: "PostgresStoreTests", dependencies: ["PostgresStore", "Store", "Config", "FeedParser", "TestSupport"]),
        .testTarget(name: "DaemonTests", dependencies: ["Daemon", "Fetcher", "Store", "TestSupport"]),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["aggregator", "aggregatord", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            resources: [.copy("Fixtures")]),
        // A loopback HTTP server that records what it was asked, for the network tests.
        .target(
            name: "TestSupport",
            dependencies: [.product(name: "FlyingFox", package: "FlyingFox")],
            path: "Tests/TestSupport"),
    ],
    swiftLanguageModes: [.v6]
)

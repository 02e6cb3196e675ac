// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "HQSearch",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "hq", targets: ["hq"]),
        .library(name: "HQStorage", targets: ["HQStorage"]),
        .library(name: "HQEmbedding", targets: ["HQEmbedding"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // C foundations: each imported by exactly one Swift module.
        .systemLibrary(
            name: "CPostgres", path: "Sources/CPostgres", pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]),
        .systemLibrary(
            name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),

        // Storage: libpq layer, pool, COPY, LISTEN, migrations, embedded cluster.
        .target(
            name: "HQStorage",
            dependencies: ["CPostgres", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        // Embedding: the Embedder abstraction and the native BERT encoder on CBLAS.
        .target(
            name: "HQEmbedding",
            dependencies: ["CBLAS", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),

        .executableTarget(
            name: "hq",
            dependencies: [
                "HQStorage", "HQEmbedding",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // Benchmark of the native embedder (not a test): bench/embed.sh runs it.
        .executableTarget(name: "hq-bench-embed", dependencies: ["HQEmbedding"], path: "bench/embed", swiftSettings: strict),

        // Shared by the integration test targets: the embedded test database, fixture paths.
        .target(
            name: "HQTestSupport",
            dependencies: ["HQStorage", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),

        .testTarget(name: "HQStorageTests", dependencies: ["HQStorage", "HQTestSupport"], swiftSettings: strict),
        .testTarget(name: "HQEmbeddingTests", dependencies: ["HQEmbedding"], swiftSettings: strict),
    ]
)

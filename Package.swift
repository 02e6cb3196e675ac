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
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", from: "0.12.1"),
        // Already built for Hummingbird: the server, pools and long operations run as Services in a ServiceGroup.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
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

        // Small pure-Swift pieces every layer shares (SHA-256).
        .target(name: "HQCore", swiftSettings: strict),
        // Storage: libpq layer, pool, COPY, LISTEN, migrations, embedded cluster.
        .target(
            name: "HQStorage",
            dependencies: ["CPostgres", "HQCore", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        // HTTP client over libcurl (the only importer of CCurl): embedding providers, file fetches, LLMs.
        .target(
            name: "HQNet",
            dependencies: ["CCurl", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        // Embedding: the Embedder abstraction, the native BERT encoder on CBLAS, HTTP providers.
        .target(
            name: "HQEmbedding",
            dependencies: ["CBLAS", "HQCore", "HQNet", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        // Indexing: extraction, chunking, leased workers, bulk re-indexing, ingest.
        .target(
            name: "HQIndexing",
            dependencies: [
                "HQCore", "HQStorage", "HQEmbedding", "HQNet", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // Search: the retrieval pipeline (candidates, fusion, exact rerank, MMR, grouping, snippets), eval.
        .target(
            name: "HQSearch",
            dependencies: ["HQCore", "HQStorage", "HQEmbedding", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        // Knowledge for agents: boot context (rich text as markdown within a token budget) and draft-set assembly.
        .target(
            name: "HQKnowledge",
            dependencies: [
                "HQCore", "HQStorage", "HQEmbedding", "HQNet", "HQSearch",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // The one runtime of every front: pool, embedder, one search service and the services built over it.
        .target(
            name: "HQRuntime",
            dependencies: [
                "HQCore", "HQStorage", "HQEmbedding", "HQSearch", "HQKnowledge",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // HTTP server (`hq serve`): embeddings now, search and agent routes as they land.
        .target(
            name: "HQServer",
            dependencies: [
                "HQCore", "HQEmbedding", "HQSearch", "HQKnowledge", "HQStorage", "HQRuntime",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            // The OpenAPI document, served as is at GET /openapi.json (docs/openapi.json links to it).
            resources: [.copy("Resources/openapi.json")],
            swiftSettings: strict),
        // MCP server (`hq mcp`): the knowledge engine as tools for agents, over stdio.
        .target(
            name: "HQMCP",
            dependencies: [
                "HQCore", "HQEmbedding", "HQSearch", "HQKnowledge", "HQStorage", "HQRuntime",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),

        .executableTarget(
            name: "hq",
            dependencies: [
                "HQCore", "HQStorage", "HQEmbedding", "HQNet", "HQIndexing", "HQSearch", "HQKnowledge", "HQRuntime",
                "HQServer", "HQMCP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // Benchmark of the native embedder (not a test): bench/embed.sh runs it.
        .executableTarget(
            name: "hq-bench-embed", dependencies: ["HQEmbedding"], path: "bench/embed", swiftSettings: strict),
        // Benchmark of the indexer end to end (not a test): bench/index.sh runs it.
        .executableTarget(
            name: "hq-bench-index",
            dependencies: [
                "HQBenchSupport", "HQIndexing", "HQEmbedding", "HQStorage",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "bench/index", swiftSettings: strict),
        // Shared by the benchmark executables: databases, timing, percentiles, JSON output.
        .target(
            name: "HQBenchSupport", dependencies: ["HQStorage", .product(name: "Logging", package: "swift-log")],
            path: "bench/support",
            swiftSettings: strict),
        // The 100k-chunk search benchmark (filtered recall, incumbent side by side, in-process latency): bench/search.sh.
        .executableTarget(
            name: "hq-bench-search",
            dependencies: ["HQBenchSupport", "HQCore", "HQEmbedding", "HQIndexing", "HQSearch", "HQStorage"],
            path: "bench/search", swiftSettings: strict),
        .executableTarget(
            name: "hq-bench-http", dependencies: ["HQEmbedding", "HQServer"], path: "bench/http", swiftSettings: strict),
        // How long a change takes to reach search, beside searches and a bulk job: bench/freshness.sh.
        .executableTarget(
            name: "hq-bench-freshness", dependencies: ["HQBenchSupport", "HQNet", "HQStorage"], path: "bench/freshness",
            swiftSettings: strict),

        // Shared by the integration test targets: the embedded test database, fixture paths.
        .target(
            name: "HQTestSupport",
            dependencies: [
                "HQCore", "HQStorage", "HQEmbedding", "HQIndexing", "HQSearch", "HQKnowledge",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),

        .testTarget(
            name: "HQStorageTests", dependencies: ["HQCore", "HQStorage", "HQTestSupport"], swiftSettings: strict),
        .testTarget(name: "HQEmbeddingTests", dependencies: ["HQEmbedding"], swiftSettings: strict),
        .testTarget(
            name: "HQNetTests", dependencies: ["HQNet", "HQEmbedding", "HQTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "HQIndexingTests",
            dependencies: ["HQCore", "HQIndexing", "HQStorage", "HQEmbedding", "HQNet", "HQTestSupport"],
            exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(
            name: "HQSearchTests",
            dependencies: ["HQSearch", "HQIndexing", "HQStorage", "HQEmbedding", "HQNet", "HQTestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "HQKnowledgeTests",
            dependencies: [
                "HQKnowledge", "HQCore", "HQSearch", "HQIndexing", "HQStorage", "HQEmbedding", "HQNet", "HQTestSupport",
            ],
            swiftSettings: strict),
        .testTarget(
            name: "HQServerTests",
            dependencies: [
                "HQCore", "HQServer", "HQMCP", "HQRuntime", "HQNet", "HQStorage", "HQEmbedding", "HQIndexing",
                "HQSearch",
                "HQKnowledge",
                "HQTestSupport",
                .product(name: "MCP", package: "swift-sdk"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "HQMCPTests",
            dependencies: [
                "HQCore", "HQMCP", "HQRuntime", "HQServer", "HQNet", "HQSearch", "HQIndexing", "HQStorage",
                "HQEmbedding",
                "HQTestSupport",
                .product(name: "MCP", package: "swift-sdk"),
            ],
            swiftSettings: strict),
    ]
)

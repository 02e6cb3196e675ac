import ArgumentParser
import Foundation
import HQServer
import HQStorage
import Hummingbird
import Logging
import ServiceLifecycle

/// `hq serve`: the HTTP API — embeddings now (OpenAI-compatible and HQ's shape), search as it lands.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the HTTP API: embeddings (POST /v1/embeddings, POST /embed), /healthz, /metrics.",
        discussion: """
            Requests need 'Authorization: Bearer $HQ_API_KEY' when HQ_API_KEY is set (GET /healthz never does). \
            Without HQ_API_KEY the server is closed by default: it binds loopback addresses only (127.0.0.0/8, ::1, \
            localhost), answers 421 to a Host header that is not localhost, 127.x.x.x or [::1] (DNS rebinding), and, \
            with or without a key, answers 415 to a POST/PUT/PATCH/DELETE or a body without \
            'Content-Type: application/json' (cross-site forms). Every database statement has a timeout \
            (HQ_STATEMENT_TIMEOUT_MS, default 30000; 503 when exceeded). \
            The embedder is the built-in model unless HQ_EMBED_URL (or --embed-url) names a service. \
            SIGINT or SIGTERM stop the server after the requests in progress.
            """)

    @Option(help: ArgumentHelp("Interface to listen on (a non-loopback one needs HQ_API_KEY).", valueName: "host"))
    var host = "127.0.0.1"

    @Option(help: ArgumentHelp("TCP port (0 picks a free one).", valueName: "port"))
    var port = 8787

    @Option(
        name: .customLong("max-body-bytes"),
        help: ArgumentHelp("Largest request body (413 beyond).", valueName: "bytes"))
    var maxBodyBytes = ServerConfiguration().maxBodyBytes

    @Option(
        name: .customLong("max-inputs"),
        help: ArgumentHelp("Most texts per embeddings request (400 beyond).", valueName: "n"))
    var maxInputs = ServerConfiguration().maxInputs

    @Flag(inversion: .prefixedNo, help: "Connect to the database for DB-backed routes (they answer 503 without it).")
    var database = true

    @OptionGroup var embedderOptions: EmbedderOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard maxBodyBytes > 0, maxInputs > 0 else {
            throw ValidationError("--max-body-bytes and --max-inputs must be positive")
        }
    }

    func run() async throws {
        let env = AppEnvironment()
        var logger = env.logger
        if env.variables["HQ_LOG_LEVEL"] == nil { logger.logLevel = .info }

        var configuration = ServerConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.maxBodyBytes = maxBodyBytes
        configuration.maxInputs = maxInputs
        if let key = env.variables["HQ_API_KEY"], !key.isEmpty { configuration.apiKey = key }
        // Refuse an exposed, unauthenticated server before loading a model or starting a database.
        do { try configuration.validate() } catch { throw CLIError(error.message, hint: error.hint) }
        configuration.search = try env.searchConfiguration()
        configuration.llm = try env.llmConfiguration()
        let statementTimeout = try env.statementTimeoutMilliseconds()
        let embedder = try EmbedderSelection.makeEmbedder(options: embedderOptions, environment: env, logger: logger)

        let pool = database ? openPool(env, statementTimeout: statementTimeout, logger: logger) : nil
        let server = ServerContext(configuration: configuration, embedder: embedder, database: pool, logger: logger)
        let host = host
        let auth = configuration.apiKey == nil ? "no auth" : "bearer auth"
        let application = try ServerApplication.makeApplication(server: server) { port in
            FileHandle.standardError.write(
                Data("hq serve: listening on http://\(host):\(port) (\(embedder.modelID), \(auth))\n".utf8))
        }
        // One group: SIGINT/SIGTERM stop the server after the requests in progress, then close the pool.
        let services: [ServiceGroupConfiguration.ServiceConfiguration] =
            (pool.map { [.init(service: PoolService(pool: $0))] } ?? []) + [
                .init(
                    service: application, successTerminationBehavior: .gracefullyShutdownGroup,
                    failureTerminationBehavior: .gracefullyShutdownGroup)
            ]
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            throw CLIError("the server stopped: \(error)", hint: "is another process using port \(port)? try --port")
        }
    }

    /// A pool for the configured database; nil (DB routes answer 503) if it cannot be located or started.
    private func openPool(_ env: AppEnvironment, statementTimeout: Int, logger: Logger) -> PostgresPool? {
        do {
            let url = try env.databaseURL(startIfNeeded: true)
            return PostgresPool(
                configuration: PostgresConfiguration(
                    url, applicationName: "hq-serve", connectTimeout: 3, statementTimeoutMilliseconds: statementTimeout),
                maxConnections: 8, logger: logger)
        } catch {
            logger.warning("serving without a database", metadata: ["reason": "\(error)"])
            return nil
        }
    }
}

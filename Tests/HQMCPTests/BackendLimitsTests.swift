import HQEmbedding
import HQRuntime
import HQStorage
import HQTestSupport
import Testing

/// Issue 13, limits: the runtime's database sessions (`hq mcp` and the CLI) have a statement timeout like `hq serve`'s.
@Suite("Runtime limits")
struct BackendLimitsTests {
    struct NoEmbedder: Error {}

    @Test("every session of the backend's pool runs with statement_timeout (30 s by default, configurable)")
    func statementTimeout() async throws {
        let url = try await TestDatabase.url()
        for (configured, shown) in [(nil, "30s"), (1500, "1500ms")] as [(Int?, String)] {
            var configuration = HQRuntime.Configuration()
            if let configured { configuration.statementTimeoutMilliseconds = configured }
            let backend = HQRuntime(
                databaseURL: { url }, makeEmbedder: { throw NoEmbedder() }, configuration: configuration,
                logger: TestDatabase.logger)
            let pool = try await backend.pool()
            let value = try await pool.query("SHOW statement_timeout").first?.decode(String.self, column: 0)
            #expect(value == shown)
            await backend.close()
        }
    }
}

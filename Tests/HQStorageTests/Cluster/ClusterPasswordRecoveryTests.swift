import Foundation
import HQStorage
import HQTestSupport
import Testing

/// The TCP password lives only in `cluster.json`. Root's clusters live in /var/lib/hq keyed by the `HQ_HOME`
/// path, so a new `HQ_HOME` at the same path (a fresh clone, a wiped state directory) finds the old cluster with
/// no password recorded: before, `tcpURL()` then said "not running" about a running server, for good.
@Suite("Embedded cluster: a lost cluster.json gets a new password, TCP works again")
struct ClusterPasswordRecoveryTests {
    @Test("cluster.json removed while stopped and while running: start() sets and records a new password")
    func lostPasswordIsReset() async throws {
        let home = TestDatabase.packageRoot + "/.build/test-home/password-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment
        environment["HQ_HOME"] = home
        let configuration = ClusterConfiguration.resolve(environment: environment)
        let cluster = EmbeddedCluster(configuration: configuration)
        defer {
            try? cluster.stop()
            if configuration.clusterDirectory.hasPrefix(ClusterConfiguration.rootClustersDirectory + "/") {
                try? FileManager.default.removeItem(atPath: configuration.clusterDirectory)
            }
            try? FileManager.default.removeItem(atPath: home)
        }
        try cluster.start()
        let first = try cluster.tcpURL()
        try await Self.expectConnects(first)

        // Stopped, then started with no cluster.json: the data directory is reused, the password is new.
        try cluster.stop()
        try FileManager.default.removeItem(atPath: configuration.home + "/cluster.json")
        try cluster.start()
        let second = try cluster.tcpURL()
        #expect(PsqlLaunch.splitPassword(second).password != PsqlLaunch.splitPassword(first).password)
        try await Self.expectConnects(second)
        await #expect(throws: (any Error).self) {
            try await PostgresConnection.connect(
                PostgresConfiguration(first, connectTimeout: 5), logger: TestDatabase.logger)
        }

        // Removed while the server runs: tcpURL() names the missing password, start() sets a new one.
        try FileManager.default.removeItem(atPath: configuration.home + "/cluster.json")
        #expect {
            _ = try cluster.tcpURL()
        } throws: { error in
            "\(error)".contains("no password is recorded")
        }
        try cluster.start()
        try await Self.expectConnects(try cluster.tcpURL())
    }

    private static func expectConnects(_ url: String) async throws {
        let connection = try await PostgresConnection.connect(
            PostgresConfiguration(url, connectTimeout: 5), logger: TestDatabase.logger)
        let rows = try await connection.query("SELECT 1")
        #expect(rows.count == 1)
        await connection.close()
    }
}

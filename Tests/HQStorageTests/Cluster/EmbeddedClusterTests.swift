import Foundation
import HQStorage
import HQTestSupport
import Testing

@Suite("Embedded cluster configuration and errors")
struct EmbeddedClusterTests {
    @Test("root delegates the server to hq-postgres under /var/lib/hq; others keep it under HQ_HOME")
    func resolution() {
        let env = ["HOME": "/home/ada", "HQ_HOME": "/srv/hq"]
        let asUser = ClusterConfiguration.resolve(environment: env, userID: 1000)
        #expect(asUser.home == "/srv/hq")
        #expect(asUser.serverUser == nil)
        #expect(asUser.clusterDirectory == "/srv/hq/postgres")
        #expect(asUser.postgresDirectory == "/home/ada/.cache/hq/postgres")
        let asRoot = ClusterConfiguration.resolve(environment: env, userID: 0)
        #expect(asRoot.serverUser == "hq-postgres")
        #expect(asRoot.clusterDirectory.hasPrefix("/var/lib/hq/clusters/"))
        #expect(asRoot.postgresDirectory == "/var/cache/hq/postgres")
        let defaults = ClusterConfiguration.resolve(environment: ["HOME": "/home/ada"], userID: 1000)
        #expect(defaults.home == "/home/ada/.local/share/hq")
        let pinned = ClusterConfiguration.resolve(environment: ["HOME": "/h", "HQ_PG_DIR": "/opt/pg"], userID: 1000)
        #expect(pinned.postgresDirectory == "/opt/pg")
    }

    @Test("a missing PostgreSQL installation is a clear error that names setup")
    func notInstalled() {
        let config = ClusterConfiguration(
            home: NSTemporaryDirectory() + "hq-missing-\(UUID().uuidString)", postgresDirectory: "/nonexistent/pg",
            serverUser: nil, clusterDirectory: "/nonexistent/cluster")
        #expect {
            try EmbeddedCluster(configuration: config).start()
        } throws: { error in
            guard let error = error as? ClusterError else { return false }
            return error.code == .notInstalled && error.description.contains("scripts/setup")
        }
    }

    @Test("a stopped cluster reports itself stopped and has no URL")
    func stoppedHasNoURL() throws {
        let config = ClusterConfiguration(
            home: NSTemporaryDirectory() + "hq-none-\(UUID().uuidString)", postgresDirectory: "/nonexistent/pg",
            serverUser: nil, clusterDirectory: NSTemporaryDirectory() + "hq-none-cluster")
        let cluster = EmbeddedCluster(configuration: config)
        #expect(cluster.status().running == false)
        #expect(cluster.status().initialized == false)
        #expect(throws: ClusterError.self) { try cluster.socketURL() }
    }
}

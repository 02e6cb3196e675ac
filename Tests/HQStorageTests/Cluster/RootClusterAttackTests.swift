import Foundation
import HQStorage
import HQTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Attacks by the `hq-postgres` user (or anyone who compromised the database it runs) on root, who manages the
/// embedded cluster: links planted where root creates, chowns or writes, and a predictable /tmp socket directory.
/// Each test aims at a root-owned decoy and checks that root refused or replaced the link, and the decoy is intact.
@Suite("Root's embedded cluster: planted links are never followed", .serialized, .enabled(if: ClusterAttack.canRun))
struct RootClusterAttackTests {
    private static func configuration(home: String, clusterDirectory: String) -> ClusterConfiguration {
        ClusterConfiguration(
            home: home, postgresDirectory: ClusterAttack.postgresDirectory, serverUser: ClusterAttack.serverUser,
            clusterDirectory: clusterDirectory, databaseName: "hq")
    }

    private static func freshHome() throws -> String {
        let home = TestDatabase.packageRoot + "/.build/test-home/attack-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        return home
    }

    @Test("a cluster directory that is a symbolic link to root's directory is refused, not chowned")
    func symlinkedClusterDirectory() throws {
        let decoy = try Decoy()
        let home = try Self.freshHome()
        let clusterDirectory = ClusterConfiguration.rootClustersDirectory + "/attack-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(
            atPath: ClusterConfiguration.rootClustersDirectory, withIntermediateDirectories: true)
        try ClusterAttack.plantSymlink(clusterDirectory, to: decoy.directory)
        defer {
            unlink(clusterDirectory)
            decoy.remove()
            try? FileManager.default.removeItem(atPath: home)
        }

        let cluster = EmbeddedCluster(configuration: Self.configuration(home: home, clusterDirectory: clusterDirectory))
        #expect {
            try cluster.start()
        } throws: { error in
            (error as? ClusterError)?.code == .unsafePath
        }
        #expect(decoy.isUntouched)
        #expect(ClusterAttack.info(clusterDirectory)?.isLink == true)
    }

    @Test("links planted for data/, log/ and run/ in a cluster directory hq-postgres owned are refused")
    func plantedSubdirectories() throws {
        let decoy = try Decoy()
        let home = try Self.freshHome()
        let clusterDirectory = ClusterConfiguration.rootClustersDirectory + "/attack-\(UUID().uuidString.prefix(8))"
        try ClusterAttack.makeServerOwnedDirectory(clusterDirectory)
        for name in ["data", "log", "run"] {
            try ClusterAttack.plantSymlink(clusterDirectory + "/" + name, to: decoy.directory)
        }
        defer {
            try? FileManager.default.removeItem(atPath: clusterDirectory)
            decoy.remove()
            try? FileManager.default.removeItem(atPath: home)
        }

        let cluster = EmbeddedCluster(configuration: Self.configuration(home: home, clusterDirectory: clusterDirectory))
        #expect {
            try cluster.start()
        } throws: { error in
            (error as? ClusterError)?.code == .unsafePath
        }
        #expect(decoy.isUntouched)
        // Root took the directory back: hq-postgres can no longer add or swap entries in it.
        let info = ClusterAttack.info(clusterDirectory)
        #expect(info?.uid == 0)
        #expect(info?.mode == 0o711)
        #expect(ClusterAttack.info(ClusterConfiguration.rootClustersDirectory)?.uid == 0)
    }

    /// One real cluster under attack from its first start: a legacy directory with `initdb.pw` planted, a planted
    /// `cluster.json`, a planted predictable /tmp socket directory; after a restart, a planted `hq.conf`.
    @Test("a real cluster starts under attack without writing or chowning through any planted link")
    func clusterUnderAttack() throws {
        let decoy = try Decoy()
        let home = try Self.freshHome()
        // Long enough that the socket cannot live in <cluster>/run (107-byte limit): /tmp is used.
        let clusterDirectory =
            ClusterConfiguration.rootClustersDirectory + "/attack-\(UUID().uuidString)-"
            + String(repeating: "x", count: 24)
        let predictableSocket = "/tmp/hq-" + ClusterAttack.stableHex(clusterDirectory)
        try ClusterAttack.makeServerOwnedDirectory(clusterDirectory)
        try ClusterAttack.plantSymlink(clusterDirectory + "/initdb.pw", to: decoy.file)
        try ClusterAttack.plantSymlink(home + "/cluster.json", to: decoy.file)
        try ClusterAttack.plantSymlink(predictableSocket, to: decoy.directory)
        let cluster = EmbeddedCluster(configuration: Self.configuration(home: home, clusterDirectory: clusterDirectory))
        var socketDirectory = ""
        defer {
            try? cluster.stop()
            try? FileManager.default.removeItem(atPath: clusterDirectory)
            if socketDirectory.hasPrefix("/tmp/hq-") { try? FileManager.default.removeItem(atPath: socketDirectory) }
            unlink(predictableSocket)
            decoy.remove()
            try? FileManager.default.removeItem(atPath: home)
        }

        let started = try cluster.start()
        socketDirectory = started.socketDirectory
        #expect(started.running)
        #expect(decoy.isUntouched)
        // cluster.json: replaced by a regular root file with mode 0600, not written through the link.
        let state = ClusterAttack.info(home + "/cluster.json")
        #expect(state?.isLink == false && state?.uid == 0 && state?.mode == 0o600)
        #expect(try cluster.tcpURL().hasPrefix("postgresql://hq:"))
        // The socket directory: a private mkdtemp directory of hq-postgres, not the predictable name.
        #expect(socketDirectory != predictableSocket && socketDirectory.hasPrefix("/tmp/hq-"))
        let socketInfo = ClusterAttack.info(socketDirectory)
        #expect(socketInfo?.uid == ClusterAttack.serverUID && socketInfo?.mode == 0o700 && socketInfo?.isLink == false)
        #expect(ClusterAttack.info(predictableSocket)?.isLink == true)
        // The layout: root keeps the cluster directory; hq-postgres owns only what it writes.
        #expect(ClusterAttack.info(clusterDirectory)?.uid == 0)
        #expect(ClusterAttack.info(clusterDirectory)?.mode == 0o711)
        for name in ["data", "log"] {
            let info = ClusterAttack.info(clusterDirectory + "/" + name)
            #expect(info?.uid == ClusterAttack.serverUID && info?.mode == 0o700, "\(name)")
        }
        #expect(ClusterAttack.info(clusterDirectory + "/initdb.pw")?.isLink == true)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: clusterDirectory).filter {
            $0.hasPrefix(".hq-")
        }
        #expect(leftovers.isEmpty, "the private password directory is removed after initdb")

        // Restart with a link planted where root writes the server configuration.
        try cluster.stop()
        let hqConf = clusterDirectory + "/data/hq.conf"
        unlink(hqConf)
        try ClusterAttack.plantSymlink(hqConf, to: decoy.file)
        let restarted = try cluster.start()
        #expect(restarted.running)
        #expect(restarted.socketDirectory == socketDirectory, "the recorded private socket directory is reused")
        #expect(decoy.isUntouched)
        let conf = ClusterAttack.info(hqConf)
        #expect(conf?.isLink == false && conf?.uid == ClusterAttack.serverUID && conf?.mode == 0o600)
    }

    @Test("a FIFO planted as postmaster.pid does not hang status()", .timeLimit(.minutes(1)))
    func fifoPidFile() throws {
        let home = try Self.freshHome()
        let clusterDirectory = ClusterConfiguration.rootClustersDirectory + "/attack-\(UUID().uuidString.prefix(8))"
        try ClusterAttack.makeServerOwnedDirectory(clusterDirectory)
        try ClusterAttack.makeServerOwnedDirectory(clusterDirectory + "/data")
        #expect(mkfifo(clusterDirectory + "/data/postmaster.pid", 0o600) == 0)
        defer {
            try? FileManager.default.removeItem(atPath: clusterDirectory)
            try? FileManager.default.removeItem(atPath: home)
        }
        let status = EmbeddedCluster(configuration: Self.configuration(home: home, clusterDirectory: clusterDirectory))
            .status()
        #expect(status.running == false)
    }
}

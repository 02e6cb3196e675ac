import Foundation
import HQCore
import HQStorage
import HQTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Secrets must not reach the embedded cluster's processes: `/proc/<pid>/environ` of the server is readable by
/// `hq-postgres` (so by anyone who compromises the database), and `/proc/<pid>/cmdline` by every local user.
/// These tests run the real release `hq` with keys in its environment and read /proc while it works.
@Suite(
    "Secrets never reach the cluster's environment or anyone's argv", .serialized, .enabled(if: ClusterAttack.canRun))
struct SecretExposureTests {
    @Test("hq db start with keys in its environment: the postmaster, its children and initdb never see them")
    func serverEnvironmentHasNoSecrets() async throws {
        let home = TestDatabase.packageRoot + "/.build/test-home/secrets-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let secrets = ClusterAttack.secrets()
        var environment = secrets
        environment["PATH"] = "/usr/local/bin:/usr/bin:/bin"
        environment["HQ_HOME"] = home
        environment["HQ_PG_DIR"] = ClusterAttack.postgresDirectory
        let hq = ClusterAttack.hqBinary
        var dataDirectory = ""
        defer {
            _ = try? ClusterAttack.runBlocking([hq, "db", "stop"], environment: environment)
            if dataDirectory.hasPrefix(ClusterConfiguration.rootClustersDirectory + "/") {
                try? FileManager.default.removeItem(atPath: (dataDirectory as NSString).deletingLastPathComponent)
            }
            try? FileManager.default.removeItem(atPath: home)
        }

        // While hq starts the cluster, record every helper's command line (initdb, pg_ctl, createdb, postgres).
        let seen = Collected()
        let start = try await ClusterAttack.run([hq, "db", "start"], environment: environment) {
            for (_, line) in ClusterAttack.commandLines()
            where line.contains("initdb") || line.contains("pg_ctl") || line.contains("createdb") {
                seen.append(line)
            }
        }
        #expect(start.status == 0, "\(start.output)")
        let status = try await ClusterAttack.run([hq, "db", "status", "--json"], environment: environment)
        let json = try JSONSerialization.jsonObject(with: Data(status.output.utf8)) as? [String: Any]
        let pid = Int32(json?["pid"] as? Int ?? 0)
        dataDirectory = json?["data_directory"] as? String ?? ""
        #expect(pid > 0)

        // What /proc shows of the server and its workers (PostgreSQL moves its environment to make room for the
        // process title, so this region is mostly the title; the real test is the next one).
        let processes = [pid] + ClusterAttack.children(of: pid)
        #expect(processes.count > 1, "the postmaster has its background workers")
        for process in processes {
            let variables = ClusterAttack.environment(of: process)
            for (name, value) in secrets {
                #expect(!variables.contains { $0.contains(value) }, "\(name) reached pid \(process)")
            }
        }
        // No descriptor of root's (the lock file in HQ_HOME, a database socket) survives into the server.
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        #expect(!descriptors.isEmpty)
        for fd in descriptors {
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)")) ?? ""
            #expect(!target.hasPrefix(home), "the postmaster holds root's \(target)")
        }
        // The attack itself: whoever controls the database runs a program as hq-postgres, which inherits the
        // server's environment (COPY FROM PROGRAM as the superuser).
        let url = try await ClusterAttack.run([hq, "db", "url"], environment: environment).output
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let connection = try await PostgresConnection.connect(PostgresConfiguration(url), logger: TestDatabase.logger)
        let serverEnvironment: [String]
        do {
            try await connection.execute(script: "CREATE TEMP TABLE leaked (line text); COPY leaked FROM PROGRAM 'env'")
            serverEnvironment = try await connection.query("SELECT line FROM leaked").map {
                try $0.decode(String.self, column: 0)
            }
            await connection.close()
        } catch {
            await connection.close()
            throw error
        }
        #expect(serverEnvironment.contains { $0.hasPrefix("PATH=") }, "the program ran and printed its environment")
        for (name, value) in secrets {
            #expect(!serverEnvironment.contains { $0.contains(value) }, "\(name) reached the server's programs")
        }
        #expect(!serverEnvironment.contains { $0.hasPrefix("HQ_") }, "no HQ_* variable reaches the server")
        // initdb was seen, with the password file's path but never the password.
        let state =
            try JSONSerialization.jsonObject(
                with: try Data(contentsOf: URL(fileURLWithPath: home + "/cluster.json"))) as? [String: Any]
        let password = try #require(state?["password"] as? String)
        #expect(password.count >= 32)
        #expect(seen.all.contains { $0.contains("initdb") && $0.contains("--pwfile") })
        #expect(!seen.all.contains { $0.contains(password) })
        // cluster.json holds that password: root's, 0600.
        let info = ClusterAttack.info(home + "/cluster.json")
        #expect(info?.uid == 0 && info?.mode == 0o600)
    }

    @Test("hq db psql with a password URL: argv never holds the password, psql's environment holds no keys")
    func psqlPasswordNotInArgv() async throws {
        // A cluster of its own (as hq db start makes it), over TCP with its generated password from cluster.json.
        let home = TestDatabase.packageRoot + "/.build/test-home/psql-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        var clusterEnvironment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "HQ_HOME": home]
        clusterEnvironment["HQ_PG_DIR"] = ClusterAttack.postgresDirectory
        var dataDirectory = ""
        defer {
            _ = try? ClusterAttack.runBlocking([ClusterAttack.hqBinary, "db", "stop"], environment: clusterEnvironment)
            if dataDirectory.hasPrefix(ClusterConfiguration.rootClustersDirectory + "/") {
                try? FileManager.default.removeItem(atPath: (dataDirectory as NSString).deletingLastPathComponent)
            }
            try? FileManager.default.removeItem(atPath: home)
        }
        let start = try await ClusterAttack.run(
            [ClusterAttack.hqBinary, "db", "start"], environment: clusterEnvironment)
        #expect(start.status == 0, "\(start.output)")
        let status = try await ClusterAttack.run(
            [ClusterAttack.hqBinary, "db", "status", "--json"], environment: clusterEnvironment)
        dataDirectory =
            (try? JSONSerialization.jsonObject(with: Data(status.output.utf8)) as? [String: Any])?["data_directory"]
            as? String ?? ""
        let state =
            try JSONSerialization.jsonObject(
                with: try Data(contentsOf: URL(fileURLWithPath: home + "/cluster.json"))) as? [String: Any]
        let port = try #require(state?["port"] as? Int)
        let secret = try #require(state?["password"] as? String)
        let tcpURL = "postgresql://hq:\(secret)@127.0.0.1:\(port)/hq"
        let password = try #require(PsqlLaunch.splitPassword(tcpURL).password)
        let secrets = ClusterAttack.secrets()
        var environment = secrets
        environment["PATH"] = "/usr/local/bin:/usr/bin:/bin"
        environment["HQ_DATABASE_URL"] = tcpURL
        environment["HQ_PG_DIR"] = ClusterAttack.postgresDirectory
        environment.removeValue(forKey: "PGPASSWORD")

        let argvWithPassword = Collected()
        let psqlEnvironments = Collected()
        let result = try await ClusterAttack.run(
            [ClusterAttack.hqBinary, "db", "psql", "-X", "-A", "-t", "-c", "SELECT 'connected', pg_sleep(2)"],
            environment: environment
        ) {
            for (pid, line) in ClusterAttack.commandLines() {
                if line.contains(password) { argvWithPassword.append(line) }
                // psql itself (after hq's execve), not hq before it.
                if line.split(separator: " ").first?.hasSuffix("/psql") == true, line.contains("pg_sleep") {
                    psqlEnvironments.append(ClusterAttack.environment(of: pid).joined(separator: "\n"))
                }
            }
        }
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("connected"), "psql authenticated with the password from PGPASSWORD")
        #expect(argvWithPassword.all.isEmpty, "the password showed in a command line")
        let seenEnvironment = try #require(psqlEnvironments.all.last)
        #expect(seenEnvironment.contains("PGPASSWORD=\(password)"))
        for (name, value) in secrets {
            #expect(!seenEnvironment.contains(value), "\(name) reached psql")
        }
    }

    @Test(
        "the password is taken out of every connection-string form",
        arguments: [
            ("postgresql://hq:s3cr%2Ft@127.0.0.1:5432/hq", "postgresql://hq@127.0.0.1:5432/hq", "s3cr/t"),
            ("postgres://u:p@h/db?sslmode=require&password=q", "postgres://u@h/db?sslmode=require", "q"),
            ("postgresql:///hq?host=/tmp/x&port=5&user=hq", "postgresql:///hq?host=/tmp/x&port=5&user=hq", nil),
            ("host=h user=u password = 'two words' dbname=d", "host=h user=u dbname=d", "two words"),
            ("host=h password=pw dbname=d", "host=h dbname=d", "pw"),
            ("host=h password='a \\' b' dbname=d", "host=h dbname=d", "a ' b"),
        ] as [(String, String, String?)])
    func splitPassword(connection: String, expected: String, password: String?) {
        let split = PsqlLaunch.splitPassword(connection)
        #expect(split.connection == expected)
        #expect(split.password == password)
    }

    @Test("the child environment keeps PATH and the locale, and only what is passed explicitly")
    func childEnvironmentAllowList() {
        let parent = [
            "PATH": "/bin", "LANG": "C.UTF-8", "LC_ALL": "C", "TZ": "UTC", "HOME": "/root",
            "HQ_API_KEY": "k", "OPENAI_API_KEY": "k", "HQ_STORAGE_KEY": "k", "PGPASSWORD": "k",
            "AWS_SECRET_ACCESS_KEY": "k",
        ]
        let env = ChildEnvironment(inheriting: parent, setting: ["PGPASSWORD": "deliberate"])
        #expect(
            env.variables == [
                "PATH": "/bin", "LANG": "C.UTF-8", "LC_ALL": "C", "TZ": "UTC", "PGPASSWORD": "deliberate",
            ])
        #expect(ChildEnvironment(inheriting: [:]).variables == ["PATH": ChildEnvironment.defaultPath])
    }
}

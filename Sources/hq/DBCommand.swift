import ArgumentParser
import Foundation
import HQStorage

/// `hq db …`: the database `hq` uses — the embedded cluster by default, or `HQ_DATABASE_URL`.
struct DBCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Manage the database: the embedded PostgreSQL cluster, or the one HQ_DATABASE_URL names.",
        subcommands: [Start.self, Stop.self, Status.self, URLCommand.self, Migrate.self, Bundle.self, Psql.self])

    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start the embedded cluster (initialising it the first time).")
        func run() async throws {
            let env = AppEnvironment()
            guard env.externalDatabaseURL == nil else {
                throw ValidationError("HQ_DATABASE_URL is set: hq does not start or stop an external database")
            }
            let cluster = EmbeddedCluster(configuration: env.cluster)
            let status = try CLIError.wrap { try cluster.start() }
            print("embedded PostgreSQL running (pid \(status.pid ?? 0), port \(status.port ?? 0))")
        }
    }

    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the embedded cluster.")
        func run() async throws {
            let env = AppEnvironment()
            guard env.externalDatabaseURL == nil else {
                throw ValidationError("HQ_DATABASE_URL is set: hq does not start or stop an external database")
            }
            try CLIError.wrap { try EmbeddedCluster(configuration: env.cluster).stop() }
            print("embedded PostgreSQL stopped")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show where the database is and whether it runs.")
        @Flag(help: "Print JSON.") var json = false
        func run() async throws {
            let env = AppEnvironment()
            if let url = env.externalDatabaseURL {
                let redacted = redactPassword(url)
                if json {
                    try printJSON(["mode": "external", "url": redacted])
                } else {
                    print("database: external (\(redacted))")
                }
                return
            }
            let status = EmbeddedCluster(configuration: env.cluster).status()
            if json {
                try printJSON([
                    "mode": "embedded", "initialized": status.initialized, "running": status.running,
                    "pid": status.pid.map(Int.init) as Any, "port": status.port as Any,
                    "data_directory": status.dataDirectory, "socket_directory": status.socketDirectory,
                    "home": env.cluster.home,
                ])
                return
            }
            print("database: embedded PostgreSQL (HQ_HOME=\(env.cluster.home))")
            print("  data:    \(status.dataDirectory)\(status.initialized ? "" : " (not initialised yet)")")
            if status.running {
                print("  state:   running, pid \(status.pid ?? 0), port \(status.port ?? 0) on 127.0.0.1")
                print("  socket:  \(status.socketDirectory)")
            } else {
                print("  state:   stopped (commands that need it start it; or run: hq db start)")
            }
        }
    }

    struct URLCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "url", abstract: "Print the connection URL (starts the embedded cluster if needed).")
        @Flag(help: "The TCP URL with the generated password instead of the Unix-socket URL.") var tcp = false
        func run() async throws {
            let env = AppEnvironment()
            if let url = env.externalDatabaseURL {
                print(url)
                return
            }
            let cluster = EmbeddedCluster(configuration: env.cluster)
            try CLIError.wrap {
                if !cluster.status().running { try cluster.start() }
                print(tcp ? try cluster.tcpURL() : try cluster.socketURL())
            }
        }
    }

    struct Bundle: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print all migrations as one script for Supabase's SQL editor.")
        func run() async throws {
            let env = AppEnvironment()
            let set = try CLIError.wrap { try MigrationSet(directory: env.migrationsDirectory) }
            print(set.bundle(), terminator: "")
        }
    }

    struct Psql: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Open psql on the database (extra arguments are passed to psql).")
        @Argument(parsing: .captureForPassthrough) var arguments: [String] = []
        func run() async throws {
            let env = AppEnvironment()
            let url = try CLIError.wrap { try env.databaseURL() }
            var psql = env.cluster.postgresDirectory + "/bin/psql"
            if !FileManager.default.isExecutableFile(atPath: psql) { psql = "/usr/bin/psql" }
            // The password goes to PGPASSWORD, never into argv (`ps` shows argv to every local user), and psql
            // gets a minimal environment without hq's keys.
            let launch = PsqlLaunch(
                psql: psql, connection: url, extraArguments: arguments, parentEnvironment: env.variables)
            let cArgs = launch.arguments.map { strdup($0) } + [nil]
            let cEnv = launch.environment.entries.map { strdup($0) } + [nil]
            execve(psql, cArgs, cEnv)
            throw CLIError("cannot run \(psql)", hint: "run scripts/setup")
        }
    }
}

func printJSON(_ object: [String: Any]) throws {
    let data = try JSONSerialization.data(
        withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
    print(String(decoding: data, as: UTF8.self))
}

/// `postgresql://user:secret@host/db` → `postgresql://user:***@host/db`; `password=secret` → `password=***`.
func redactPassword(_ url: String) -> String {
    var out = url
    if let scheme = out.range(of: "://"), let at = out[scheme.upperBound...].firstIndex(of: "@") {
        let userInfo = out[scheme.upperBound..<at]
        if let colon = userInfo.firstIndex(of: ":") {
            out.replaceSubrange(out.index(after: colon)..<at, with: "***")
        }
    }
    if let range = out.range(of: "password=") {
        let end = out[range.upperBound...].firstIndex(where: { $0 == "&" || $0 == " " }) ?? out.endIndex
        out.replaceSubrange(range.upperBound..<end, with: "***")
    }
    return out
}

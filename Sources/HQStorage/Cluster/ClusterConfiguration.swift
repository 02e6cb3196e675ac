import Foundation
public import HQCore

/// Where the embedded PostgreSQL cluster lives and which binaries run it.
///
/// Built from the environment by the executable (`resolve(environment:)`); tests build their own.
/// Defaults are safe on a laptop: data under `~/.local/share/hq`, binaries from the setup cache,
/// the socket private to the owning user and the TCP port bound to 127.0.0.1 only.
public struct ClusterConfiguration: Sendable, Equatable {
    /// `$HQ_HOME`: the state directory (`cluster.json`, and the cluster itself for non-root users).
    public var home: String
    /// The PostgreSQL installation (`bin/`, `lib/`, `share/`) unpacked by `scripts/setup`.
    public var postgresDirectory: String
    /// The OS user that owns and runs the server, or nil to run it as the current user.
    /// PostgreSQL refuses to run as root, so root delegates to the unprivileged `hq-postgres`.
    public var serverUser: String?
    /// Directory holding the data directory, socket and log.
    public var clusterDirectory: String
    /// Name of the database `hq` uses inside the cluster.
    public var databaseName: String
    /// What initdb, pg_ctl, createdb and the server inherit: the allow-list only (`PATH`, `LANG`, `LC_*`, `TZ`),
    /// never `hq`'s keys, which the server user could read from `/proc/<pid>/environ`.
    public var childEnvironment: ChildEnvironment

    public init(
        home: String, postgresDirectory: String, serverUser: String?, clusterDirectory: String,
        databaseName: String = "hq", childEnvironment: ChildEnvironment = ChildEnvironment(inheriting: [:])
    ) {
        self.home = home
        self.postgresDirectory = postgresDirectory
        self.serverUser = serverUser
        self.clusterDirectory = clusterDirectory
        self.databaseName = databaseName
        self.childEnvironment = childEnvironment
    }

    /// The system user `scripts/setup` creates for root installs.
    public static let rootServerUser = "hq-postgres"
    /// Parent of root-owned clusters; traversable by `hq-postgres` (unlike `/root`).
    public static let rootClustersDirectory = "/var/lib/hq/clusters"

    /// Resolves the configuration from environment variables, with the same rules as `scripts/setup`.
    ///
    /// - `HQ_HOME` (default `$XDG_DATA_HOME/hq` or `~/.local/share/hq`)
    /// - `HQ_PG_DIR` (default `$HQ_CACHE/postgres`; `HQ_CACHE` defaults to `/var/cache/hq` for root,
    ///   `$XDG_CACHE_HOME/hq` or `~/.cache/hq` otherwise)
    /// - As root, the cluster lives in `/var/lib/hq/clusters/<hash of HQ_HOME>` owned by `hq-postgres`.
    public static func resolve(environment env: [String: String], userID: UInt32? = nil) -> ClusterConfiguration {
        let userID = userID ?? getuid()
        let userHome = env["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        let isRoot = userID == 0
        let home: String
        if let explicit = env["HQ_HOME"], !explicit.isEmpty {
            home = absolutePath(explicit)
        } else if let xdg = env["XDG_DATA_HOME"], !xdg.isEmpty {
            home = xdg + "/hq"
        } else {
            home = userHome + "/.local/share/hq"
        }
        let cache: String
        if let explicit = env["HQ_CACHE"], !explicit.isEmpty {
            cache = absolutePath(explicit)
        } else if isRoot {
            cache = "/var/cache/hq"
        } else if let xdg = env["XDG_CACHE_HOME"], !xdg.isEmpty {
            cache = xdg + "/hq"
        } else {
            cache = userHome + "/.cache/hq"
        }
        let pgDir = env["HQ_PG_DIR"].flatMap { $0.isEmpty ? nil : absolutePath($0) } ?? cache + "/postgres"
        let clusterDir =
            isRoot
            ? rootClustersDirectory + "/" + StableHash.hex16(home)
            : home + "/postgres"
        return ClusterConfiguration(
            home: home, postgresDirectory: pgDir, serverUser: isRoot ? rootServerUser : nil,
            clusterDirectory: clusterDir, childEnvironment: ChildEnvironment(inheriting: env))
    }

    var dataDirectory: String { clusterDirectory + "/data" }
    /// Owned by the server user: `pg_ctl -l` writes the log as that user, and root keeps the cluster directory.
    var logDirectory: String { clusterDirectory + "/log" }
    var logFile: String { logDirectory + "/server.log" }
    var stateFile: String { home + "/cluster.json" }
    var lockFile: String { home + "/cluster.lock" }

    /// The Unix socket directory inside the cluster directory, or nil when that path is too long for a socket
    /// (limited to 107 bytes). Then a private directory made by `mkdtemp` under /tmp is used instead and recorded
    /// in `cluster.json`: a predictable /tmp name could be planted by any local user first.
    var preferredSocketDirectory: String? {
        let preferred = clusterDirectory + "/run"
        if preferred.utf8.count + "/.s.PGSQL.65535".utf8.count < 100 { return preferred }
        return nil
    }

    func binary(_ name: String) -> String { postgresDirectory + "/bin/" + name }

    private static func absolutePath(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return FileManager.default.currentDirectoryPath + "/" + path
    }
}

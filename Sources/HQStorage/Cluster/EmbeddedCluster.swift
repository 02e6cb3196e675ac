import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The PostgreSQL cluster `hq` manages itself when no database URL is configured.
///
/// One cluster per `HQ_HOME`: `initdb` on first start, the server bound to a Unix socket private to its
/// owner plus a port on 127.0.0.1 (password auth), a database named `hq`. As root the server runs as the
/// unprivileged `hq-postgres` user. Start and stop are serialised across processes by a lock file, so
/// concurrent `hq` commands that start the database on demand do not race.
public struct EmbeddedCluster: Sendable {
    public let configuration: ClusterConfiguration

    public init(configuration: ClusterConfiguration) {
        self.configuration = configuration
    }

    /// What `hq db status` reports.
    public struct Status: Sendable, Equatable {
        public var initialized: Bool
        public var running: Bool
        public var pid: Int32?
        public var port: Int?
        public var dataDirectory: String
        public var socketDirectory: String
    }

    /// Reads the server state from `postmaster.pid` without spawning a process (and without following a
    /// symbolic link or opening anything but a small regular file in the server user's directory).
    public func status() -> Status {
        let config = configuration
        let data = try? DirectoryHandle.open(trusted: config.clusterDirectory)
            .subdirectory("data", followLinks: config.serverUser == nil)
        let initialized = data?.contains("PG_VERSION") ?? false
        var status = Status(
            initialized: initialized, running: false, pid: nil, port: savedState()?.port,
            dataDirectory: config.dataDirectory, socketDirectory: currentSocketDirectory)
        guard let pidData = try? data?.readFile("postmaster.pid", maxBytes: 4096) else { return status }
        let lines = String(decoding: pidData, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard let pid = lines.first.flatMap({ Int32($0.trimmingCharacters(in: .whitespaces)) }), pid > 0 else {
            return status
        }
        // kill(pid, 0) succeeds (or fails with EPERM for another user's process) when the server lives.
        if kill(pid, 0) == 0 || errno == EPERM {
            status.running = true
            status.pid = pid
            if lines.count > 3, let port = Int(lines[3].trimmingCharacters(in: .whitespaces)) { status.port = port }
        }
        return status
    }

    /// Initialises (first time) and starts the cluster; returns when it accepts connections and the
    /// `hq` database exists. Does nothing when it already runs.
    @discardableResult
    public func start() throws -> Status {
        try checkInstalled()
        return try withLock {
            var current = status()
            if current.running, let port = current.port {
                try ensureDatabase(port: port, socketDirectory: current.socketDirectory)
                if savedState()?.password.isEmpty ?? true {
                    try resetPassword(try prepareDirectories(), port: port, socketDirectory: current.socketDirectory)
                }
                return current
            }
            let layout = try prepareDirectories()
            if !current.initialized { try initialize(layout) }
            let port = try choosePort()
            try writeServerConfiguration(layout, port: port)
            let password = savedState()?.password ?? ""
            try saveState(ClusterState(port: port, password: password, socketDirectory: layout.socketDirectory))
            let result = try run(
                "pg_ctl", ["-D", configuration.dataDirectory, "-l", configuration.logFile, "-w", "-t", "60", "start"])
            current = status()
            guard result.status == 0, current.running else {
                throw ClusterError(
                    .startFailed, "PostgreSQL did not start: \(lastLines(of: result.output, 5))",
                    hint: "see \(configuration.logFile)")
            }
            try ensureDatabase(port: port, socketDirectory: layout.socketDirectory)
            if password.isEmpty { try resetPassword(layout, port: port, socketDirectory: layout.socketDirectory) }
            return current
        }
    }

    /// Stops the server (fast shutdown: open transactions roll back, data is safe).
    public func stop() throws {
        try withLock {
            guard status().running else { return }
            let result = try run("pg_ctl", ["-D", configuration.dataDirectory, "-m", "fast", "-w", "-t", "60", "stop"])
            if result.status != 0 && status().running {
                throw ClusterError(.toolFailed, "pg_ctl stop failed: \(lastLines(of: result.output, 3))")
            }
        }
    }

    /// A libpq connection URL over the private Unix socket (trusted for the owning user only).
    public func socketURL() throws -> String {
        let state = status()
        guard state.running, let port = state.port, !state.socketDirectory.isEmpty else {
            throw ClusterError(.notRunning, "the embedded database is not running", hint: "run: hq db start")
        }
        return "postgresql:///\(configuration.databaseName)?host=\(percentEncode(state.socketDirectory))"
            + "&port=\(port)&user=hq"
    }

    /// A libpq connection URL over TCP on 127.0.0.1, with the cluster's generated password.
    public func tcpURL() throws -> String {
        let state = status()
        guard state.running, let port = state.port else {
            throw ClusterError(.notRunning, "the embedded database is not running", hint: "run: hq db start")
        }
        guard let password = savedState()?.password, !password.isEmpty else {
            throw ClusterError(
                .notRunning, "no password is recorded for the embedded database in \(configuration.stateFile)",
                hint: "run: hq db start (it sets a new one)")
        }
        return "postgresql://hq:\(password)@127.0.0.1:\(port)/\(configuration.databaseName)"
    }

    // MARK: - Steps

    private func checkInstalled() throws {
        let postgres = configuration.binary("postgres")
        guard FileManager.default.isExecutableFile(atPath: postgres) else {
            throw ClusterError(
                .notInstalled, "PostgreSQL is not installed at \(configuration.postgresDirectory)",
                hint: "run scripts/setup, or set HQ_PG_DIR, or set HQ_DATABASE_URL to use an existing database")
        }
        if let user = configuration.serverUser, getpwnam(user) == nil {
            throw ClusterError(
                .notInstalled, "the system user \(user) that runs PostgreSQL for root does not exist",
                hint: "run scripts/setup as root")
        }
    }

    /// Runs the installation's `tool` as the server user, with the minimal environment.
    private func run(_ tool: String, _ arguments: [String]) throws -> Subprocess.Result {
        try Subprocess.run(
            configuration.binary(tool), arguments, as: configuration.serverUser,
            environment: configuration.childEnvironment)
    }

    /// Passes `contents` to a tool in a file, never in argv: a fresh 0600 file of the server user in a private
    /// directory that root made (not listable by the server user), removed as soon as `body` returns.
    private func withSecretFile<T>(_ layout: ClusterLayout, _ contents: String, _ body: (String) throws -> T) throws
        -> T
    {
        let secrets = try layout.cluster.makeTemporaryDirectory(prefix: ".hq-secret-")
        let secretsName = String(secrets.path.split(separator: "/").last!)
        defer {
            secrets.remove("secret")
            layout.cluster.remove(secretsName, directory: true)
        }
        try secrets.setOwner(nil, mode: 0o711)
        try secrets.writeFile("secret", Data(contents.utf8), owner: layout.serverOwner, mode: 0o600)
        return try body(secrets.child("secret"))
    }

    private func initialize(_ layout: ClusterLayout) throws {
        let password = Self.randomPassword()
        let result = try withSecretFile(layout, password + "\n") { pwfile in
            try run(
                "initdb",
                [
                    "-D", configuration.dataDirectory, "-U", "hq", "--pwfile", pwfile, "-E", "UTF8",
                    "--locale=C.UTF-8", "--auth-local=trust", "--auth-host=scram-sha-256",
                ])
        }
        guard result.status == 0 else {
            throw ClusterError(.toolFailed, "initdb failed: \(lastLines(of: result.output, 5))")
        }
        // Trust only on the socket (its directory is 0700, so only the owner reaches it); passwords on TCP.
        let hba = """
            # Written by hq. The socket directory is private to the cluster owner.
            local   all  all                 trust
            host    all  all  127.0.0.1/32   scram-sha-256
            host    all  all  ::1/128        scram-sha-256

            """
        try layout.data.writeFile("pg_hba.conf", Data(hba.utf8), owner: layout.serverOwner)
        let include = "include_if_exists = 'hq.conf'"
        let existing = try layout.data.readFile(
            "postgresql.conf", maxBytes: 1 << 20, owners: [layout.serverOwner?.uid ?? getuid()])
        var mainConf = existing.map { String(decoding: $0, as: UTF8.self) } ?? ""
        if !mainConf.contains(include) { mainConf += "\n" + include + "\n" }
        try layout.data.writeFile("postgresql.conf", Data(mainConf.utf8), owner: layout.serverOwner)
        try saveState(ClusterState(port: 0, password: password, socketDirectory: layout.socketDirectory))
    }

    /// Gives the `hq` role a new password and records it, for a cluster whose password is not known here: its
    /// `cluster.json` was removed, or a new `HQ_HOME` at the same path found root's cluster from before (root's
    /// clusters live in /var/lib/hq, keyed by the `HQ_HOME` path). Over the trusted socket, the statement in a file.
    private func resetPassword(_ layout: ClusterLayout, port: Int, socketDirectory: String) throws {
        let password = Self.randomPassword()  // hex digits only: safe inside a SQL literal
        let result = try withSecretFile(layout, "ALTER ROLE hq PASSWORD '\(password)';\n") { script in
            try run(
                "psql",
                [
                    "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", socketDirectory, "-p", String(port), "-U", "hq",
                    "-d", configuration.databaseName, "-f", script,
                ])
        }
        guard result.status == 0 else {
            throw ClusterError(.toolFailed, "cannot set the database password: \(lastLines(of: result.output, 3))")
        }
        var state = savedState() ?? ClusterState(port: port, password: "", socketDirectory: socketDirectory)
        state.password = password
        try saveState(state)
    }

    private func writeServerConfiguration(_ layout: ClusterLayout, port: Int) throws {
        let conf = """
            # Written by hq on every start; edit postgresql.conf for your own settings.
            port = \(port)
            listen_addresses = '127.0.0.1'
            unix_socket_directories = '\(layout.socketDirectory)'
            unix_socket_permissions = 0700
            max_connections = 200
            shared_buffers = 256MB
            work_mem = 16MB
            maintenance_work_mem = 512MB
            max_parallel_maintenance_workers = 2
            password_encryption = scram-sha-256

            """
        try layout.data.writeFile("hq.conf", Data(conf.utf8), owner: layout.serverOwner)
    }

    private func ensureDatabase(port: Int, socketDirectory: String) throws {
        let result = try run(
            "createdb", ["-h", socketDirectory, "-p", String(port), "-U", "hq", configuration.databaseName])
        if result.status != 0 && !result.output.contains("already exists") {
            throw ClusterError(.toolFailed, "createdb failed: \(lastLines(of: result.output, 3))")
        }
    }

    /// Keeps the recorded port when it is free; otherwise derives one from the cluster path and probes.
    private func choosePort() throws -> Int {
        if let saved = savedState()?.port, saved > 0, Self.portIsFree(saved) { return saved }
        let base = 20_000 + Int(StableHash.value(configuration.clusterDirectory) % 20_000)
        for offset in 0..<200 {
            let port = 20_000 + (base - 20_000 + offset) % 20_000
            if Self.portIsFree(port) { return port }
        }
        throw ClusterError(.startFailed, "no free TCP port on 127.0.0.1 for the embedded database")
    }

    // MARK: - Helpers

    private static func randomPassword() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in
            let hex = String(generator.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
    }

    static func portIsFree(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return bound == 0
    }

    private func lastLines(of text: String, _ count: Int) -> String {
        text.split(separator: "\n").suffix(count).joined(separator: " | ")
    }

    private func percentEncode(_ text: String) -> String {
        text.addingPercentEncoding(
            withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "&=?")))
            ?? text
    }
}

/// What `hq` remembers about its cluster between runs (`$HQ_HOME/cluster.json`, mode 0600).
struct ClusterState: Codable {
    var port: Int
    var password: String
    /// The socket directory when it is not the cluster's own `run/` (a private mkdtemp directory under /tmp).
    var socketDirectory: String?
}

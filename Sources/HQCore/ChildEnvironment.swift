/// The environment a child process (postgres, initdb, pg_ctl, psql, pdftotext) starts with: an allow-list, not
/// the parent's whole environment.
///
/// `hq` holds API keys in its environment (`HQ_API_KEY`, `HQ_EMBED_API_KEY`, `HQ_LLM_API_KEY`, `HQ_STORAGE_KEY`,
/// `OPENAI_API_KEY`, …). A child that inherited them would expose them to anyone who can read its
/// `/proc/<pid>/environ` — for the embedded server that is the `hq-postgres` user, i.e. anyone who compromises
/// the database. So only what a program needs to run and to format text is inherited (`PATH`, `LANG`, `LC_*`,
/// `TZ`); everything else must be passed explicitly, by name or by value.
///
/// ```swift
/// let env = ChildEnvironment(inheriting: ProcessInfo.processInfo.environment, setting: ["PGPASSWORD": secret])
/// env.variables  // ["PATH": …, "LANG": …, "PGPASSWORD": secret]
/// env.entries    // ["LANG=…", "PATH=…", "PGPASSWORD=…"] (sorted), for execve/posix_spawn
/// ```
public struct ChildEnvironment: Sendable, Equatable {
    /// Names inherited from the parent when present.
    public static let inheritedNames: Set<String> = ["PATH", "LANG", "LANGUAGE", "TZ"]
    /// Prefixes inherited from the parent (locale categories).
    public static let inheritedPrefixes = ["LC_"]
    /// `PATH` when the parent has none.
    public static let defaultPath = "/usr/local/bin:/usr/bin:/bin"

    /// The variables the child gets.
    public private(set) var variables: [String: String]

    /// The allow-listed variables of `parent`, plus `names` inherited by the caller's explicit choice, plus
    /// `values` set explicitly (these win).
    /// - Parameters:
    ///   - parent: the parent's environment (an executable passes `ProcessInfo.processInfo.environment`).
    ///   - names: further variables to inherit (e.g. `TERM`, `HOME` for an interactive psql); never keys.
    ///   - values: variables to set (e.g. `PGPASSWORD` for psql, deliberately).
    public init(
        inheriting parent: [String: String], alsoInheriting names: [String] = [], setting values: [String: String] = [:]
    ) {
        var variables: [String: String] = [:]
        for (name, value) in parent where Self.isInherited(name) || names.contains(name) {
            variables[name] = value
        }
        if variables["PATH"]?.isEmpty ?? true { variables["PATH"] = Self.defaultPath }
        for (name, value) in values { variables[name] = value }
        self.variables = variables
    }

    /// Whether the allow-list inherits `name` from the parent.
    public static func isInherited(_ name: String) -> Bool {
        inheritedNames.contains(name) || inheritedPrefixes.contains { name.hasPrefix($0) }
    }

    /// Sets (or with nil removes) one variable.
    public mutating func set(_ name: String, _ value: String?) {
        variables[name] = value
    }

    /// `NAME=value` strings, sorted by name: the `envp` of `execve` / `posix_spawn`.
    public var entries: [String] {
        variables.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    }
}

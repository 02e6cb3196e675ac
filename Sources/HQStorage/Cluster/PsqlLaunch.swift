public import HQCore

/// How `hq db psql` starts psql: the connection string without its password in argv (every local user can read
/// a process's command line through `ps` or `/proc/<pid>/cmdline`), the password in `PGPASSWORD` (readable only by
/// the same user), and a minimal environment without `hq`'s keys.
///
/// ```swift
/// let launch = PsqlLaunch(psql: "/usr/bin/psql", connection: "postgresql://hq:s3cret@127.0.0.1:5432/hq",
///                         extraArguments: ["-c", "select 1"], parentEnvironment: env)
/// launch.arguments                        // ["/usr/bin/psql", "postgresql://hq@127.0.0.1:5432/hq", "-c", "select 1"]
/// launch.environment.variables["PGPASSWORD"] // "s3cret"
/// ```
public struct PsqlLaunch: Sendable {
    /// `argv`, the program first.
    public let arguments: [String]
    /// The environment psql gets.
    public let environment: ChildEnvironment

    /// What an interactive psql may inherit besides the allow-list: its terminal, pager, editor, history and
    /// rc file, and libpq's own `PG*` settings (which the user set for psql deliberately).
    public static let interactiveNames = [
        "HOME", "USER", "LOGNAME", "TERM", "COLUMNS", "LINES", "PAGER", "PSQL_PAGER", "EDITOR", "VISUAL",
        "PSQL_EDITOR", "PSQL_EDITOR_LINENUMBER_ARG", "PSQL_HISTORY", "PSQLRC", "XDG_CONFIG_HOME",
    ]

    /// - Parameters:
    ///   - psql: the program.
    ///   - connection: a `postgres(ql)://` URL or a `key=value` connection string, possibly with a password.
    ///   - extraArguments: further arguments for psql.
    ///   - parentEnvironment: `hq`'s environment (filtered, never passed whole).
    public init(psql: String, connection: String, extraArguments: [String], parentEnvironment: [String: String]) {
        let (conninfo, password) = Self.splitPassword(connection)
        let inherited = Self.interactiveNames + parentEnvironment.keys.filter { $0.hasPrefix("PG") }
        var environment = ChildEnvironment(inheriting: parentEnvironment, alsoInheriting: inherited)
        if let password { environment.set("PGPASSWORD", password) }
        self.arguments = [psql, conninfo] + extraArguments
        self.environment = environment
    }

    /// `connection` without its password, and the password (decoded), if it had one.
    public static func splitPassword(_ connection: String) -> (connection: String, password: String?) {
        if connection.hasPrefix("postgresql://") || connection.hasPrefix("postgres://") {
            return splitURL(connection)
        }
        return splitKeywords(connection)
    }

    /// `scheme://[user[:password]@]host…[?…&password=…]`. Like libpq, the credentials end at the first '@' that
    /// comes before any '/'.
    private static func splitURL(_ url: String) -> (String, String?) {
        let schemeEnd = url.range(of: "://")!.upperBound
        var result = String(url[..<schemeEnd])
        var rest = url[schemeEnd...]
        var password: String?
        if let at = rest.firstIndex(where: { $0 == "@" || $0 == "/" }), rest[at] == "@" {
            let userInfo = rest[..<at]
            if let colon = userInfo.firstIndex(of: ":") {
                password = percentDecode(String(userInfo[userInfo.index(after: colon)...]))
                result += userInfo[..<colon]
            } else {
                result += userInfo
            }
            result += "@"
            rest = rest[rest.index(after: at)...]
        }
        guard let question = rest.firstIndex(of: "?") else { return (result + rest, password) }
        result += rest[...question]
        var kept: [Substring] = []
        for parameter in rest[rest.index(after: question)...].split(separator: "&", omittingEmptySubsequences: false) {
            if parameter.hasPrefix("password=") {
                password = percentDecode(String(parameter.dropFirst("password=".count)))
            } else {
                kept.append(parameter)
            }
        }
        if kept.isEmpty { result.removeLast() } else { result += kept.joined(separator: "&") }
        return (result, password)
    }

    /// `key = value key2='quoted \' value'`: the `password` pair is removed, the rest kept as written.
    private static func splitKeywords(_ conninfo: String) -> (String, String?) {
        var pairs: [String] = []
        var password: String?
        var index = conninfo.startIndex
        func skipSpaces() {
            while index < conninfo.endIndex, conninfo[index].isWhitespace { index = conninfo.index(after: index) }
        }
        while true {
            skipSpaces()
            guard index < conninfo.endIndex else { break }
            let keyStart = index
            while index < conninfo.endIndex, conninfo[index] != "=", !conninfo[index].isWhitespace {
                index = conninfo.index(after: index)
            }
            let key = String(conninfo[keyStart..<index])
            skipSpaces()
            guard index < conninfo.endIndex, conninfo[index] == "=" else { return (conninfo, nil) }  // not key=value
            index = conninfo.index(after: index)
            skipSpaces()
            var value = ""
            var raw = ""
            // A quoted value runs to the closing quote, a bare one to whitespace; backslash escapes in both.
            let quoted = index < conninfo.endIndex && conninfo[index] == "'"
            if quoted {
                raw.append("'")
                index = conninfo.index(after: index)
            }
            while index < conninfo.endIndex, quoted ? conninfo[index] != "'" : !conninfo[index].isWhitespace {
                if conninfo[index] == "\\", conninfo.index(after: index) < conninfo.endIndex {
                    raw.append("\\")
                    index = conninfo.index(after: index)
                }
                value.append(conninfo[index])
                raw.append(conninfo[index])
                index = conninfo.index(after: index)
            }
            if quoted {
                raw.append("'")
                if index < conninfo.endIndex { index = conninfo.index(after: index) }
            }
            if key == "password" { password = value } else { pairs.append(key + "=" + raw) }
        }
        return (pairs.joined(separator: " "), password)
    }

    private static func percentDecode(_ text: String) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// How to reach a PostgreSQL server.
///
/// Accepts anything libpq accepts: a URL (`postgresql://user:pass@host:5432/db?sslmode=require`) or a
/// key/value conninfo (`host=127.0.0.1 port=5432 dbname=hq`). The string is never logged or put in
/// error descriptions.
public struct PostgresConfiguration: Sendable {
    /// The libpq connection string (URL or conninfo).
    public var connectionString: String
    /// Reported to the server as `application_name` unless the connection string sets one.
    public var applicationName: String
    /// Seconds to wait while connecting before giving up, unless the connection string sets
    /// `connect_timeout`.
    public var connectTimeout: Int
    /// How many prepared statements each connection keeps before deallocating the oldest.
    public var preparedStatementCacheSize: Int
    /// `statement_timeout` of every session in milliseconds (set after connecting and after every reconnect); a
    /// statement running longer fails with SQLSTATE 57014. nil leaves the server's setting (services set one: a
    /// hostile or unlucky request must not hold a connection for ever).
    public var statementTimeoutMilliseconds: Int?

    /// Creates a configuration from a URL or conninfo string.
    /// - Parameters:
    ///   - connectionString: a `postgresql://` URL or a `key=value` conninfo.
    ///   - applicationName: fallback `application_name`.
    ///   - connectTimeout: fallback `connect_timeout` in seconds.
    ///   - preparedStatementCacheSize: prepared statements kept per connection.
    ///   - statementTimeoutMilliseconds: `statement_timeout` of every session; nil keeps the server's.
    public init(
        _ connectionString: String, applicationName: String = "hq", connectTimeout: Int = 10,
        preparedStatementCacheSize: Int = 256, statementTimeoutMilliseconds: Int? = nil
    ) {
        self.statementTimeoutMilliseconds = statementTimeoutMilliseconds
        self.connectionString = connectionString
        self.applicationName = applicationName
        self.connectTimeout = connectTimeout
        self.preparedStatementCacheSize = preparedStatementCacheSize
    }
}

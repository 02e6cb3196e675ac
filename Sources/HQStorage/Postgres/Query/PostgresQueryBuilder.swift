/// Builds a statement whose shape is decided at run time (optional filters, a vector bound after them): SQL text
/// with `$n` placeholders beside the matching bind values, so values never reach SQL text.
///
/// ```swift
/// var sql = PostgresQueryBuilder("SELECT id FROM public.documents WHERE true")
/// if let tag { sql.append(" AND tags && ARRAY[\(sql.bind(tag))]::text[]") }
/// let rows = try await pool.query(sql.query)
/// ```
public struct PostgresQueryBuilder: Sendable {
    /// The SQL text so far.
    public private(set) var sql: String
    /// The values of `$1`, `$2`, … in order.
    public private(set) var bindings: [any PostgresEncodable] = []

    /// Starts with trusted SQL text.
    public init(_ sql: String = "") { self.sql = sql }

    /// Appends trusted SQL text. Never pass user input here: bind it.
    public mutating func append(_ text: String) { sql += text }

    /// Binds a value and returns its placeholder (`$n`).
    public mutating func bind(_ value: some PostgresEncodable) -> String {
        bindings.append(value)
        return "$\(bindings.count)"
    }

    /// The statement.
    public var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, bindings: bindings) }
}

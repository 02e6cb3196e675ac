/// SQL text plus bind values. Interpolated values become `$n` parameters, never SQL text, so a
/// string literal with interpolation is safe by construction:
///
/// ```swift
/// let rows = try await conn.query("SELECT id FROM documents WHERE title = \(title) AND folder_id = \(folder)")
/// // sent as: SELECT id FROM documents WHERE title = $1 AND folder_id = $2
/// ```
///
/// Identifiers can be interpolated quoted with `\(identifier: name)`; trusted SQL fragments with
/// `\(unescaped: fragment)`. To build SQL at run time use ``init(unsafeSQL:bindings:)`` with
/// explicit `$n` placeholders.
public struct PostgresQuery: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The SQL text with `$1…$n` placeholders.
    public var sql: String
    /// The values for the placeholders, in order.
    public var bindings: [any PostgresEncodable]

    /// A query from SQL built at run time. The name is a reminder: never splice values into `sql`,
    /// pass them in `bindings` and refer to them as `$1`, `$2`, ….
    public init(unsafeSQL sql: String, bindings: [any PostgresEncodable] = []) {
        self.sql = sql
        self.bindings = bindings
    }

    public init(stringLiteral value: String) {
        self.init(unsafeSQL: value)
    }

    public init(stringInterpolation: StringInterpolation) {
        self.init(unsafeSQL: stringInterpolation.sql, bindings: stringInterpolation.bindings)
    }

    /// The SQL text only (bind values are never shown).
    public var description: String { sql }

    /// Builds the SQL text and bindings from an interpolated literal.
    public struct StringInterpolation: StringInterpolationProtocol {
        var sql = ""
        var bindings: [any PostgresEncodable] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            bindings.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) { sql += literal }

        /// Appends a bind parameter `$n`.
        public mutating func appendInterpolation(_ value: some PostgresEncodable) {
            bindings.append(value)
            sql += "$\(bindings.count)"
        }

        /// Appends a bind parameter `$n` for an optional value (NULL when nil). The same as the generic overload;
        /// spelled out so the compiler knows an optional here is meant (no "debug description" warning).
        public mutating func appendInterpolation<Wrapped: PostgresEncodable>(_ value: Wrapped?) {
            bindings.append(value)
            sql += "$\(bindings.count)"
        }

        /// Appends a quoted identifier (table, column, channel), doubling embedded quotes.
        public mutating func appendInterpolation(identifier: String) {
            sql += PostgresQuery.quoteIdentifier(identifier)
        }

        /// Appends trusted SQL text as-is. Never pass user input here.
        public mutating func appendInterpolation(unescaped fragment: String) { sql += fragment }
    }

    /// Quotes an identifier for SQL: `my "table"` → `"my ""table"""`.
    public static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacing("\"", with: "\"\"") + "\""
    }
}

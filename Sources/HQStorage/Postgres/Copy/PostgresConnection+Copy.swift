extension PostgresConnection {
    /// Bulk-inserts rows with binary `COPY table (columns) FROM STDIN (FORMAT binary)`.
    ///
    /// `build` runs first, in the caller, and fills an in-memory payload; then the payload is sent
    /// in one operation. For very large loads call this several times (inside one ``transaction(isolation:_:)``
    /// if they must be atomic).
    ///
    /// ```swift
    /// let inserted = try await conn.copy(into: "chunks", columns: ["id", "text", "embedding"]) { writer in
    ///     for chunk in chunks { try writer.append(chunk.id, chunk.text, PostgresVector(chunk.vector)) }
    /// }
    /// ```
    /// - Parameters:
    ///   - table: the table name, quoted as an identifier.
    ///   - schema: optional schema name, quoted.
    ///   - columns: column names in the order values are appended.
    ///   - build: appends rows to the writer.
    /// - Returns: the number of rows the server copied.
    /// - Complexity: O(total encoded size) memory for the payload.
    /// - Throws: ``PostgresError`` (`encoding` from `build`; `server` with SQLSTATE for bad rows,
    ///   e.g. 22P04 or a constraint).
    @discardableResult
    public func copy(
        into table: String, schema: String? = nil, columns: [String],
        _ build: (inout PostgresCopyWriter) throws -> Void
    ) async throws -> Int {
        var writer = PostgresCopyWriter(columnCount: columns.count)
        try build(&writer)
        let payload = writer.finish()
        let target =
            (schema.map { PostgresQuery.quoteIdentifier($0) + "." } ?? "") + PostgresQuery.quoteIdentifier(table)
        let columnList = columns.map(PostgresQuery.quoteIdentifier).joined(separator: ", ")
        let sql = "COPY \(target) (\(columnList)) FROM STDIN (FORMAT binary)"
        return try await handle.run { try $0.copyInOnQueue(sql, payload: payload) }
    }
}

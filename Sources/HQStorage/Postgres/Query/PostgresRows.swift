/// The rows a statement returned, in binary format. Cheap to pass around: values stay in the libpq
/// result and are decoded on access.
///
/// ```swift
/// let rows = try await conn.query("SELECT id, title FROM documents WHERE folder = \(folder)")
/// for row in rows {
///     let (id, title) = try row.decode((UUID, String).self)
/// }
/// ```
public struct PostgresRows: Sendable, RandomAccessCollection {
    let result: ResultHandle?
    /// Column names in order.
    public let columnNames: [String]
    private let columnIndex: [String: Int]
    /// Rows affected, from the command tag (INSERT/UPDATE/DELETE/COPY/SELECT); 0 for other commands.
    public let affectedRows: Int

    init(result: ResultHandle?) {
        self.result = result
        let names = result.map { result in (0..<result.columnCount).map { result.columnName($0) } } ?? []
        columnNames = names
        // The first column wins on duplicate names, like most drivers.
        columnIndex = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        affectedRows = result?.affectedRows ?? 0
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { result?.rowCount ?? 0 }
    public subscript(position: Int) -> PostgresRow { PostgresRow(rows: self, index: position) }

    /// The position of a column by exact (case-sensitive) name.
    public func columnPosition(_ name: String) -> Int? { columnIndex[name] }
}

/// One row of ``PostgresRows``.
public struct PostgresRow: Sendable {
    let rows: PostgresRows
    /// The row's position in its result.
    public let index: Int

    /// Number of columns.
    public var columnCount: Int { rows.columnNames.count }

    /// Whether the column holds SQL NULL.
    public func isNull(column: Int) -> Bool {
        rows.result?.isNull(row: index, column: column) ?? true
    }

    /// Decodes one column by position.
    ///
    /// ```swift
    /// let id = try row.decode(UUID.self, column: 0)
    /// let note = try row.decode(String?.self, column: 1)  // nil for NULL
    /// ```
    /// - Throws: ``PostgresError`` of kind `decoding` for a bad position, a type mismatch or NULL into
    ///   a non-optional.
    public func decode<T: PostgresDecodable>(_ type: T.Type, column: Int) throws -> T {
        guard let result = rows.result, column >= 0, column < result.columnCount else {
            throw PostgresError(.decoding, message: "no column \(column) (result has \(columnCount))")
        }
        do {
            if result.isNull(row: index, column: column) { return try T.decodeNull() }
            var buffer = PostgresDecodingBuffer(
                bytes: result.bytes(row: index, column: column), typeOID: result.columnType(column))
            return try T.decode(from: &buffer)
        } catch var error as PostgresError {
            error.message += " (column \(column) \"\(rows.columnNames[column])\")"
            throw error
        }
    }

    /// Decodes one column by exact (case-sensitive) name.
    public func decode<T: PostgresDecodable>(_ type: T.Type, column name: String) throws -> T {
        guard let column = rows.columnPosition(name) else {
            throw PostgresError(.decoding, message: "no column named \"\(name)\"")
        }
        return try decode(type, column: column)
    }

    /// Decodes the leading columns as a tuple: `let (id, n) = try row.decode((UUID, Int).self)`.
    public func decode<each T: PostgresDecodable>(_ types: (repeat each T).Type) throws -> (repeat each T) {
        var column = 0
        func next<V: PostgresDecodable>(_ type: V.Type) throws -> V {
            defer { column += 1 }
            return try decode(type, column: column)
        }
        return (repeat try next((each T).self))
    }
}

/// Builds the rows of a binary `COPY … FROM STDIN (FORMAT binary)`, encoding each value in the same
/// binary format as bind parameters (vectors included).
///
/// Format: the signature `PGCOPY\n\xff\r\n\0`, flags and header-extension length (both 0), then per
/// row an int16 field count and each field as an int32 length (-1 for NULL) plus bytes, then -1.
public struct PostgresCopyWriter {
    /// The number of columns each row must have.
    public let columnCount: Int
    /// Rows appended so far.
    public private(set) var rowCount = 0
    var buffer: PostgresEncodingBuffer

    init(columnCount: Int, reservingCapacity capacity: Int = 1 << 16) {
        self.columnCount = columnCount
        buffer = PostgresEncodingBuffer(capacity: capacity)
        buffer.writeBytes([0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00])
        buffer.writeInteger(Int32(0))
        buffer.writeInteger(Int32(0))
    }

    /// Appends one row; values in column order, `nil` optionals become NULL.
    ///
    /// ```swift
    /// try writer.append(chunkID, sourceID, text, PostgresVector(embedding))
    /// ```
    /// - Throws: ``PostgresError`` of kind `encoding` if the count does not match or a value fails.
    public mutating func append<each Value: PostgresEncodable>(_ values: repeat each Value) throws {
        var count = 0
        for _ in repeat each values { count += 1 }
        guard count == columnCount else {
            throw PostgresError(.encoding, message: "COPY row has \(count) values for \(columnCount) columns")
        }
        buffer.writeInteger(Int16(count))
        for value in repeat each values { try appendField(value) }
        rowCount += 1
    }

    /// Appends one row from an array (for rows built dynamically).
    public mutating func append(row values: [any PostgresEncodable]) throws {
        guard values.count == columnCount else {
            throw PostgresError(.encoding, message: "COPY row has \(values.count) values for \(columnCount) columns")
        }
        buffer.writeInteger(Int16(values.count))
        for value in values { try appendField(value) }
        rowCount += 1
    }

    private mutating func appendField(_ value: some PostgresEncodable) throws {
        guard !value.isPostgresNull else {
            buffer.writeInteger(Int32(-1))
            return
        }
        let lengthAt = buffer.reserveInt32()
        let start = buffer.bytes.count
        try value.encode(into: &buffer)
        buffer.patchInt32(Int32(buffer.bytes.count - start), at: lengthAt)
    }

    /// The complete payload including the trailer.
    func finish() -> [UInt8] {
        var done = buffer
        done.writeInteger(Int16(-1))
        return done.bytes
    }
}

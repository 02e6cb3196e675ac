/// A pgvector `vector`: single-precision elements.
///
/// Binary format (`vector_send`): int16 dimensions, int16 unused (0), then float4 × dimensions.
public struct PostgresVector: Sendable, Hashable, PostgresEncodable, PostgresDecodable {
    /// The elements.
    public var values: [Float]

    /// Wraps the elements (pgvector allows 1…16,000 dimensions).
    public init(_ values: [Float]) { self.values = values }

    public static var postgresType: PostgresDataType { .vector }

    public func encode(into buffer: inout PostgresEncodingBuffer) throws {
        guard let dimensions = Int16(exactly: values.count) else {
            throw PostgresError(.encoding, message: "vector has \(values.count) dimensions, more than pgvector allows")
        }
        buffer.writeInteger(dimensions)
        buffer.writeInteger(Int16(0))
        for value in values { buffer.writeFloat(value) }
    }

    public static func decode(from buffer: inout PostgresDecodingBuffer) throws -> PostgresVector {
        let dimensions = Int(try buffer.readInteger(as: Int16.self))
        _ = try buffer.readInteger(as: Int16.self)
        guard dimensions >= 0, buffer.readableBytes == dimensions * 4 else {
            throw buffer.typeMismatch(PostgresVector.self)
        }
        var values = [Float](repeating: 0, count: dimensions)
        for index in 0..<dimensions { values[index] = try buffer.readFloat() }
        return PostgresVector(values)
    }
}

/// A pgvector `sparsevec`: a vector of `dimensions` elements of which only some are non-zero.
///
/// Binary format (`sparsevec_send`): int32 dimensions, int32 non-zero count, int32 unused (0), then
/// int32 indices (0-based, ascending), then float4 values. Note that the text form
/// (`{1:0.5}/10`) counts from 1.
public struct PostgresSparseVector: Sendable, Hashable, PostgresEncodable, PostgresDecodable {
    /// The full length of the vector.
    public var dimensions: Int
    /// 0-based positions of the non-zero elements, strictly ascending.
    public var indices: [Int32]
    /// The non-zero elements, parallel to `indices`.
    public var values: [Float]

    /// Creates a sparse vector.
    /// - Parameters:
    ///   - dimensions: the full length.
    ///   - indices: 0-based, strictly ascending positions (the server rejects other orders).
    ///   - values: one per index.
    public init(dimensions: Int, indices: [Int32], values: [Float]) {
        self.dimensions = dimensions
        self.indices = indices
        self.values = values
    }

    public static var postgresType: PostgresDataType { .sparsevec }

    public func encode(into buffer: inout PostgresEncodingBuffer) throws {
        guard indices.count == values.count, let dimensions = Int32(exactly: dimensions) else {
            throw PostgresError(
                .encoding, message: "sparsevec needs one value per index and at most Int32.max dimensions")
        }
        buffer.writeInteger(dimensions)
        buffer.writeInteger(Int32(indices.count))
        buffer.writeInteger(Int32(0))
        for index in indices { buffer.writeInteger(index) }
        for value in values { buffer.writeFloat(value) }
    }

    public static func decode(from buffer: inout PostgresDecodingBuffer) throws -> PostgresSparseVector {
        let dimensions = Int(try buffer.readInteger(as: Int32.self))
        let count = Int(try buffer.readInteger(as: Int32.self))
        _ = try buffer.readInteger(as: Int32.self)
        guard count >= 0, buffer.readableBytes == count * 8 else {
            throw buffer.typeMismatch(PostgresSparseVector.self)
        }
        var indices = [Int32](repeating: 0, count: count)
        var values = [Float](repeating: 0, count: count)
        for position in 0..<count { indices[position] = try buffer.readInteger(as: Int32.self) }
        for position in 0..<count { values[position] = try buffer.readFloat() }
        return PostgresSparseVector(dimensions: dimensions, indices: indices, values: values)
    }
}

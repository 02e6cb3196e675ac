/// A pgvector `halfvec`: elements stored as IEEE binary16 on the server, held as `Float` here.
///
/// Binary format (`halfvec_send`): int16 dimensions, int16 unused (0), then float16 × dimensions.
/// Encoding rounds each element to the nearest half (relative error ≤ 2⁻¹¹ in the normal range);
/// the server rejects values that overflow to infinity.
public struct PostgresHalfVector: Sendable, Hashable, PostgresEncodable, PostgresDecodable {
    /// The elements, as floats.
    public var values: [Float]

    /// Wraps the elements; they are rounded to half precision when sent.
    public init(_ values: [Float]) { self.values = values }

    public static var postgresType: PostgresDataType { .halfvec }

    public func encode(into buffer: inout PostgresEncodingBuffer) throws {
        guard let dimensions = Int16(exactly: values.count) else {
            throw PostgresError(.encoding, message: "halfvec has \(values.count) dimensions, more than pgvector allows")
        }
        buffer.writeInteger(dimensions)
        buffer.writeInteger(Int16(0))
        for value in values { buffer.writeInteger(HalfFloat.bits(from: value)) }
    }

    public static func decode(from buffer: inout PostgresDecodingBuffer) throws -> PostgresHalfVector {
        let dimensions = Int(try buffer.readInteger(as: Int16.self))
        _ = try buffer.readInteger(as: Int16.self)
        guard dimensions >= 0, buffer.readableBytes == dimensions * 2 else {
            throw buffer.typeMismatch(PostgresHalfVector.self)
        }
        var values = [Float](repeating: 0, count: dimensions)
        for index in 0..<dimensions { values[index] = HalfFloat.float(from: try buffer.readInteger(as: UInt16.self)) }
        return PostgresHalfVector(values)
    }
}

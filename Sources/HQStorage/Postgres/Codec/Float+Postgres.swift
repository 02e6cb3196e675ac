extension Float: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresDataType { .float4 }
    public func encode(into buffer: inout PostgresEncodingBuffer) { buffer.writeFloat(self) }
    public static func decode(from buffer: inout PostgresDecodingBuffer) throws -> Float {
        switch buffer.typeOID {
        case OID.float4: try buffer.readFloat()
        case OID.float8: Float(try buffer.readDouble())
        default: Float(try Double.decode(from: &buffer))
        }
    }
}

/// `Double` is sent as `float8` and reads float4, float8, numeric and integer columns.
extension Double: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresDataType { .float8 }
    public func encode(into buffer: inout PostgresEncodingBuffer) { buffer.writeDouble(self) }
    public static func decode(from buffer: inout PostgresDecodingBuffer) throws -> Double {
        switch buffer.typeOID {
        case OID.float8: return try buffer.readDouble()
        case OID.float4: return Double(try buffer.readFloat())
        case OID.numeric: return try NumericDecoding.double(from: &buffer)
        default: return Double(try Int64.decode(from: &buffer))
        }
    }
}

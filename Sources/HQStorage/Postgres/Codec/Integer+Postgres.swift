/// Reads any PostgreSQL integer column (int2, int4, int8, oid) as a 64-bit value.
private func decodeAnyInteger(_ buffer: inout PostgresDecodingBuffer) throws -> Int64 {
    switch buffer.typeOID {
    case OID.int2: Int64(try buffer.readInteger(as: Int16.self))
    case OID.int4: Int64(try buffer.readInteger(as: Int32.self))
    case OID.int8: try buffer.readInteger(as: Int64.self)
    case OID.oid: Int64(try buffer.readInteger(as: UInt32.self))
    default: throw buffer.typeMismatch(Int64.self)
    }
}

/// Narrows a decoded integer, failing instead of trapping when it does not fit.
private func narrow<T: FixedWidthInteger>(_ value: Int64, _: T.Type) throws -> T {
    guard let result = T(exactly: value) else {
        throw PostgresError(.decoding, message: "integer column out of range for \(T.self)")
    }
    return result
}

extension Int16: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresDataType { .int2 }
    public func encode(into buffer: inout PostgresEncodingBuffer) { buffer.writeInteger(self) }
    public static func decode(from buffer: inout PostgresDecodingBuffer) throws -> Int16 {
        try narrow(decodeAnyInteger(&buffer), Int16.self)
    }
}

extension Int32: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresDataType { .int4 }
    public func encode(into buffer: inout PostgresEncodingBuffer) { buffer.writeInteger(self) }
    public static func decode(from buffer: inout PostgresDecodingBuffer) throws -> Int32 {
        try narrow(decodeAnyInteger(&buffer), Int32.self)
    }
}

extension Int64: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresDataType { .int8 }
    public func encode(into buffer: inout PostgresEncodingBuffer) { buffer.writeInteger(self) }
    public static func decode(from buffer: inout PostgresDecodingBuffer) throws -> Int64 {
        try decodeAnyInteger(&buffer)
    }
}

/// `Int` is sent as `int8` and reads any integer column.
extension Int: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresDataType { .int8 }
    public func encode(into buffer: inout PostgresEncodingBuffer) { buffer.writeInteger(Int64(self)) }
    public static func decode(from buffer: inout PostgresDecodingBuffer) throws -> Int {
        try narrow(decodeAnyInteger(&buffer), Int.self)
    }
}

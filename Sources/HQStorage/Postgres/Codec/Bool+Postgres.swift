extension Bool: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresDataType { .bool }
    public func encode(into buffer: inout PostgresEncodingBuffer) { buffer.writeInteger(UInt8(self ? 1 : 0)) }
    public static func decode(from buffer: inout PostgresDecodingBuffer) throws -> Bool {
        guard buffer.typeOID == OID.bool else { throw buffer.typeMismatch(Bool.self) }
        return try buffer.readInteger(as: UInt8.self) != 0
    }
}

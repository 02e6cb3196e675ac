public import Foundation

extension UUID: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresDataType { .uuid }
    public func encode(into buffer: inout PostgresEncodingBuffer) {
        withUnsafeBytes(of: uuid) { buffer.writeBytes($0) }
    }
    public static func decode(from buffer: inout PostgresDecodingBuffer) throws -> UUID {
        guard buffer.typeOID == OID.uuid else { throw buffer.typeMismatch(UUID.self) }
        return try buffer.withBytes(16) { raw in
            var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: raw) }
            return UUID(uuid: value)
        }
    }
}

extension UUID: PostgresArrayElement {
    public static var elementOID: UInt32 { OID.uuid }
    public static var arrayType: PostgresDataType { .uuidArray }
}

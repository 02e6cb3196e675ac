public import Foundation

/// `Data` is sent and read as `bytea`.
extension Data: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresDataType { .bytea }
    public func encode(into buffer: inout PostgresEncodingBuffer) { buffer.writeBytes(self) }
    public static func decode(from buffer: inout PostgresDecodingBuffer) throws -> Data {
        guard buffer.typeOID == OID.bytea else { throw buffer.typeMismatch(Data.self) }
        return try buffer.withBytes(buffer.readableBytes) { Data($0) }
    }
}

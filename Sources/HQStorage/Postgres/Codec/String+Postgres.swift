/// `String` is sent as `text` (cast in SQL for other types: `$1::my_enum`). It reads every
/// text-like column: text, varchar, char, name, json, jsonb (as JSON text), xml, unknown, and
/// user-defined types (enums, citext), whose binary form is their label text.
extension String: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresDataType { .text }
    public func encode(into buffer: inout PostgresEncodingBuffer) { buffer.writeString(self) }
    public static func decode(from buffer: inout PostgresDecodingBuffer) throws -> String {
        switch buffer.typeOID {
        case OID.text, OID.varchar, OID.bpchar, OID.name, OID.json, OID.xml, OID.unknown:
            return buffer.readRemainingString()
        case OID.jsonb:
            return try PostgresJSONB.decode(from: &buffer).text
        case let oid where oid >= OID.firstUserDefined:
            return buffer.readRemainingString()
        default:
            throw buffer.typeMismatch(String.self)
        }
    }
}

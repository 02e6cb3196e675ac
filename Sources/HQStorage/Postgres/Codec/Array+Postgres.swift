/// A type that can be the element of a one-dimensional PostgreSQL array parameter or column.
public protocol PostgresArrayElement: PostgresEncodable, PostgresDecodable {
    /// The fixed OID of the element type (written into the array header).
    static var elementOID: UInt32 { get }
    /// The array type, e.g. `text[]` for `text`.
    static var arrayType: PostgresDataType { get }
}

extension String: PostgresArrayElement {
    public static var elementOID: UInt32 { OID.text }
    public static var arrayType: PostgresDataType { .textArray }
}
extension Int: PostgresArrayElement {
    public static var elementOID: UInt32 { OID.int8 }
    public static var arrayType: PostgresDataType { .int8Array }
}
extension Int64: PostgresArrayElement {
    public static var elementOID: UInt32 { OID.int8 }
    public static var arrayType: PostgresDataType { .int8Array }
}
extension Int32: PostgresArrayElement {
    public static var elementOID: UInt32 { OID.int4 }
    public static var arrayType: PostgresDataType { .int4Array }
}
extension Int16: PostgresArrayElement {
    public static var elementOID: UInt32 { OID.int2 }
    public static var arrayType: PostgresDataType { .int2Array }
}
extension Double: PostgresArrayElement {
    public static var elementOID: UInt32 { OID.float8 }
    public static var arrayType: PostgresDataType { .float8Array }
}
extension Float: PostgresArrayElement {
    public static var elementOID: UInt32 { OID.float4 }
    public static var arrayType: PostgresDataType { .float4Array }
}
extension Bool: PostgresArrayElement {
    public static var elementOID: UInt32 { OID.bool }
    public static var arrayType: PostgresDataType { .boolArray }
}

/// Arrays are sent and read in the binary array format: ndim, has-null flag, element OID, then per
/// dimension (length, lower bound 1), then each element as a length-prefixed value (-1 for NULL).
/// Reading accepts zero- and one-dimensional arrays without NULL elements.
extension Array: PostgresEncodable where Element: PostgresArrayElement {
    public static var postgresType: PostgresDataType { Element.arrayType }

    public func encode(into buffer: inout PostgresEncodingBuffer) throws {
        buffer.writeInteger(Int32(isEmpty ? 0 : 1))
        buffer.writeInteger(Int32(0))
        buffer.writeInteger(Element.elementOID)
        guard !isEmpty else { return }
        buffer.writeInteger(Int32(count))
        buffer.writeInteger(Int32(1))
        for element in self {
            guard !element.isPostgresNull else {
                buffer.writeInteger(Int32(-1))
                continue
            }
            let lengthAt = buffer.reserveInt32()
            let start = buffer.bytes.count
            try element.encode(into: &buffer)
            buffer.patchInt32(Int32(buffer.bytes.count - start), at: lengthAt)
        }
    }
}

extension Array: PostgresDecodable where Element: PostgresArrayElement {
    public static func decode(from buffer: inout PostgresDecodingBuffer) throws -> [Element] {
        let dimensions = try buffer.readInteger(as: Int32.self)
        _ = try buffer.readInteger(as: Int32.self)  // has-null flag: NULL elements are rejected below
        let elementOID = try buffer.readInteger(as: UInt32.self)
        if dimensions == 0 { return [] }
        guard dimensions == 1 else {
            throw PostgresError(.decoding, message: "cannot decode a \(dimensions)-dimensional array as \(Self.self)")
        }
        let count = Int(try buffer.readInteger(as: Int32.self))
        _ = try buffer.readInteger(as: Int32.self)  // lower bound
        var result: [Element] = []
        result.reserveCapacity(count)
        for _ in 0..<count {
            let length = Int(try buffer.readInteger(as: Int32.self))
            guard length >= 0 else {
                throw PostgresError(.decoding, message: "NULL element in array decoded as \(Self.self)")
            }
            let element = try buffer.withBytes(length) { raw in
                var elementBuffer = PostgresDecodingBuffer(bytes: raw, typeOID: elementOID)
                return try Element.decode(from: &elementBuffer)
            }
            result.append(element)
        }
        return result
    }
}

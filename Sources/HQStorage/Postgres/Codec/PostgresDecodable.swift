/// A Swift type that can be read from a result column in binary format.
///
/// `Optional` conforms when its wrapped type does and decodes SQL NULL as `nil`; a non-optional type
/// reading NULL throws a ``PostgresError`` of kind `decoding`.
public protocol PostgresDecodable: Sendable {
    /// Decodes one non-NULL value; `buffer.typeOID` tells the column's type.
    /// - Throws: ``PostgresError`` of kind `decoding` for an unsupported type or malformed bytes.
    static func decode(from buffer: inout PostgresDecodingBuffer) throws -> Self
    /// The value for SQL NULL. Defaults to throwing.
    static func decodeNull() throws -> Self
}

extension PostgresDecodable {
    public static func decodeNull() throws -> Self {
        throw PostgresError(.decoding, message: "unexpected NULL for \(Self.self); decode an Optional")
    }
}

/// A read cursor over one binary value. Only valid inside ``PostgresDecodable/decode(from:)``: it
/// points into a result that the caller keeps alive.
public struct PostgresDecodingBuffer {
    /// The column's type OID.
    public let typeOID: UInt32
    let bytes: UnsafeRawBufferPointer
    var position = 0

    /// Wraps bytes for decoding; the bytes must outlive the buffer.
    public init(bytes: UnsafeRawBufferPointer, typeOID: UInt32) {
        self.bytes = bytes
        self.typeOID = typeOID
    }

    /// Bytes not read yet.
    public var readableBytes: Int { bytes.count - position }

    /// Reads a big-endian integer.
    public mutating func readInteger<T: FixedWidthInteger>(as _: T.Type = T.self) throws -> T {
        let size = MemoryLayout<T>.size
        guard readableBytes >= size else { throw Self.truncated(T.self) }
        var value: T = 0
        withUnsafeMutableBytes(of: &value) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[position..<position + size]))
        }
        position += size
        return T(bigEndian: value)
    }

    /// Reads a big-endian IEEE-754 single.
    public mutating func readFloat() throws -> Float { Float(bitPattern: try readInteger(as: UInt32.self)) }

    /// Reads a big-endian IEEE-754 double.
    public mutating func readDouble() throws -> Double { Double(bitPattern: try readInteger(as: UInt64.self)) }

    /// Reads `count` raw bytes.
    public mutating func readBytes(_ count: Int) throws -> [UInt8] {
        guard count >= 0, readableBytes >= count else { throw Self.truncated([UInt8].self) }
        defer { position += count }
        return Array(bytes[position..<position + count])
    }

    /// Reads the rest as UTF-8 text.
    public mutating func readRemainingString() -> String {
        defer { position = bytes.count }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[position...]), as: UTF8.self)
    }

    /// Calls `body` with the next `count` bytes, without copying.
    public mutating func withBytes<R>(_ count: Int, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        guard count >= 0, readableBytes >= count else { throw Self.truncated(UnsafeRawBufferPointer.self) }
        defer { position += count }
        return try body(UnsafeRawBufferPointer(rebasing: bytes[position..<position + count]))
    }

    /// An error saying the column's type cannot be decoded as `type`.
    public func typeMismatch<T>(_ type: T.Type) -> PostgresError {
        PostgresError(.decoding, message: "cannot decode a column of type oid \(typeOID) as \(T.self)")
    }

    static func truncated<T>(_ type: T.Type) -> PostgresError {
        PostgresError(.decoding, message: "value too short while decoding \(T.self)")
    }
}

/// A cursor over protobuf wire-format bytes: just enough of the encoding (varints, 64/32-bit and
/// length-delimited fields) to walk an ONNX `ModelProto` without a protobuf library.
///
/// Every read is bounds-checked against the message it walks: a truncated or hostile file fails with
/// `ProtobufReader.Malformed` instead of reading past the mapping.
struct ProtobufReader {
    /// The wire format was violated at `offset` (an absolute byte position in the file).
    struct Malformed: Error {
        let offset: Int
        let why: String
    }

    /// One field's key and value; `bytes` is set for length-delimited fields, `varint` for varints and
    /// fixed-width fields (their raw bits).
    struct Field {
        let number: Int
        let wireType: Int
        let varint: UInt64
        let bytes: UnsafeRawBufferPointer?
    }

    private let buffer: UnsafeRawBufferPointer
    private let base: Int
    private var position = 0

    /// A reader over `buffer`; `base` is the buffer's offset in the file, for error messages.
    init(_ buffer: UnsafeRawBufferPointer, base: Int = 0) {
        self.buffer = buffer
        self.base = base
    }

    /// The next field, or nil at the end of the message.
    mutating func next() throws(Malformed) -> Field? {
        guard position < buffer.count else { return nil }
        let key = try readVarint()
        let number = Int(key >> 3)
        let wireType = Int(key & 7)
        guard number > 0 else { throw Malformed(offset: base + position, why: "field number 0") }
        switch wireType {
        case 0:
            return Field(number: number, wireType: 0, varint: try readVarint(), bytes: nil)
        case 1:
            return Field(number: number, wireType: 1, varint: try readFixed(8), bytes: nil)
        case 5:
            return Field(number: number, wireType: 5, varint: try readFixed(4), bytes: nil)
        case 2:
            let length = try readVarint()
            guard length <= UInt64(buffer.count - position) else {
                throw Malformed(offset: base + position, why: "length \(length) runs past the end of the message")
            }
            let start = position
            position += Int(length)
            return Field(
                number: number, wireType: 2, varint: 0,
                bytes: UnsafeRawBufferPointer(rebasing: buffer[start..<position]))
        default:
            throw Malformed(offset: base + position, why: "unsupported wire type \(wireType)")
        }
    }

    /// The absolute file offset of a sub-buffer of this reader's buffer (for nested readers' errors).
    func offset(of bytes: UnsafeRawBufferPointer) -> Int {
        guard let start = bytes.baseAddress, let origin = buffer.baseAddress else { return base }
        return base + (start - origin)
    }

    private mutating func readVarint() throws(Malformed) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while position < buffer.count {
            let byte = buffer[position]
            position += 1
            guard shift < 64 else { break }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        throw Malformed(offset: base + position, why: "truncated or overlong varint")
    }

    private mutating func readFixed(_ width: Int) throws(Malformed) -> UInt64 {
        guard buffer.count - position >= width else {
            throw Malformed(offset: base + position, why: "truncated fixed field")
        }
        var value: UInt64 = 0
        for k in 0..<width { value |= UInt64(buffer[position + k]) << (8 * UInt64(k)) }
        position += width
        return value
    }

    /// The varints of a packed repeated field (or of one unpacked element, passed as a varint field).
    static func varints(_ field: Field, base: Int) throws(Malformed) -> [UInt64] {
        guard let bytes = field.bytes else { return [field.varint] }
        var reader = ProtobufReader(bytes, base: base)
        var values: [UInt64] = []
        while reader.position < bytes.count { values.append(try reader.readVarint()) }
        return values
    }
}

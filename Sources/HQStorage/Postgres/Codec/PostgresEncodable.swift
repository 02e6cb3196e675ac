/// A Swift value that can be sent to PostgreSQL as a bind parameter or a binary COPY field.
///
/// Conformers write the type's binary wire format (what the type's `recv` function reads), without
/// a length prefix. `Optional` conforms when its wrapped type does, and sends NULL for `nil`.
///
/// ```swift
/// struct Slug: PostgresEncodable {
///     var value: String
///     static var postgresType: PostgresDataType { .text }
///     func encode(into buffer: inout PostgresEncodingBuffer) throws { buffer.writeString(value) }
/// }
/// ```
public protocol PostgresEncodable: Sendable {
    /// The parameter's type, told to the server when a statement is prepared.
    static var postgresType: PostgresDataType { get }
    /// True for SQL NULL; `encode(into:)` is then not called. Defaults to false.
    var isPostgresNull: Bool { get }
    /// Appends the binary representation.
    /// - Throws: ``PostgresError`` of kind `encoding` when the value cannot be represented.
    func encode(into buffer: inout PostgresEncodingBuffer) throws
}

extension PostgresEncodable {
    public var isPostgresNull: Bool { false }
}

/// A growable byte buffer that values write their big-endian binary representation into.
public struct PostgresEncodingBuffer: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]

    /// Creates an empty buffer, reserving `capacity` bytes.
    public init(capacity: Int = 0) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Appends an integer in network byte order.
    public mutating func writeInteger<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends an IEEE-754 single in network byte order.
    public mutating func writeFloat(_ value: Float) { writeInteger(value.bitPattern) }

    /// Appends an IEEE-754 double in network byte order.
    public mutating func writeDouble(_ value: Double) { writeInteger(value.bitPattern) }

    /// Appends raw bytes.
    public mutating func writeBytes(_ data: some Sequence<UInt8>) { bytes.append(contentsOf: data) }

    /// Appends a string's UTF-8 bytes (no terminator).
    public mutating func writeString(_ string: String) { bytes.append(contentsOf: string.utf8) }

    /// Writes a placeholder Int32, returning its position for ``patchInt32(_:at:)``.
    mutating func reserveInt32() -> Int {
        let position = bytes.count
        writeInteger(Int32(0))
        return position
    }

    /// Overwrites a previously reserved Int32 (used for length prefixes).
    mutating func patchInt32(_ value: Int32, at position: Int) {
        let be = UInt32(bitPattern: value).bigEndian
        withUnsafeBytes(of: be) { raw in
            for i in 0..<4 { bytes[position + i] = raw[i] }
        }
    }
}

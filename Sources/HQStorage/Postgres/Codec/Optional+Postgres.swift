extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public static var postgresType: PostgresDataType { Wrapped.postgresType }
    public var isPostgresNull: Bool { self == nil || self!.isPostgresNull }
    public func encode(into buffer: inout PostgresEncodingBuffer) throws {
        try self?.encode(into: &buffer)
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public static func decode(from buffer: inout PostgresDecodingBuffer) throws -> Wrapped? {
        try Wrapped.decode(from: &buffer)
    }
    public static func decodeNull() throws -> Wrapped? { nil }
}

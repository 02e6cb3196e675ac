/// A PostgreSQL type as used for bind parameters: either a built-in with a fixed OID, or a type
/// known by name (extension types like pgvector's `vector`, or enums) whose OID each connection looks
/// up in `pg_type` once and caches.
public struct PostgresDataType: Sendable, Hashable, CustomStringConvertible {
    enum Storage: Sendable, Hashable {
        case oid(UInt32)
        case named(String)
    }
    let storage: Storage

    /// A type with a fixed OID (see `pg_type.oid`).
    public init(oid: UInt32) { storage = .oid(oid) }
    /// A type looked up by name on each connection (`to_regtype(name)`, so `search_path` applies).
    public init(name: String) { storage = .named(name) }

    /// The fixed OID, or nil for a type looked up by name.
    public var oid: UInt32? {
        if case .oid(let oid) = storage { return oid }
        return nil
    }

    public var description: String {
        switch storage {
        case .oid(let oid): "oid \(oid)"
        case .named(let name): name
        }
    }

    public static let bool = PostgresDataType(oid: 16)
    public static let bytea = PostgresDataType(oid: 17)
    public static let name = PostgresDataType(oid: 19)
    public static let int8 = PostgresDataType(oid: 20)
    public static let int2 = PostgresDataType(oid: 21)
    public static let int4 = PostgresDataType(oid: 23)
    public static let text = PostgresDataType(oid: 25)
    public static let oidType = PostgresDataType(oid: 26)
    public static let json = PostgresDataType(oid: 114)
    public static let float4 = PostgresDataType(oid: 700)
    public static let float8 = PostgresDataType(oid: 701)
    public static let unknown = PostgresDataType(oid: 705)
    public static let boolArray = PostgresDataType(oid: 1000)
    public static let byteaArray = PostgresDataType(oid: 1001)
    public static let int2Array = PostgresDataType(oid: 1005)
    public static let int4Array = PostgresDataType(oid: 1007)
    public static let textArray = PostgresDataType(oid: 1009)
    public static let int8Array = PostgresDataType(oid: 1016)
    public static let float4Array = PostgresDataType(oid: 1021)
    public static let float8Array = PostgresDataType(oid: 1022)
    public static let bpchar = PostgresDataType(oid: 1042)
    public static let varchar = PostgresDataType(oid: 1043)
    public static let timestamp = PostgresDataType(oid: 1114)
    public static let timestamptz = PostgresDataType(oid: 1184)
    public static let timestamptzArray = PostgresDataType(oid: 1185)
    public static let numeric = PostgresDataType(oid: 1700)
    public static let uuid = PostgresDataType(oid: 2950)
    public static let uuidArray = PostgresDataType(oid: 2951)
    public static let jsonb = PostgresDataType(oid: 3802)
    public static let jsonbArray = PostgresDataType(oid: 3807)
    /// pgvector `vector` (float4 elements).
    public static let vector = PostgresDataType(name: "vector")
    /// pgvector `halfvec` (float16 elements).
    public static let halfvec = PostgresDataType(name: "halfvec")
    /// pgvector `sparsevec`.
    public static let sparsevec = PostgresDataType(name: "sparsevec")
}

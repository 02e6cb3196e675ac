import CPostgres

/// Owns one `PGresult`, cleared on deinit.
///
/// `@unchecked Sendable`: libpq never mutates a `PGresult` after returning it ("PGresult objects are
/// normally read-only after creation, and so can be passed around freely between threads"), and this
/// type only exposes reads, so sharing it across threads is safe.
final class ResultHandle: @unchecked Sendable {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) { self.pointer = pointer }

    deinit { PQclear(pointer) }

    var rowCount: Int { Int(PQntuples(pointer)) }
    var columnCount: Int { Int(PQnfields(pointer)) }

    func columnName(_ column: Int) -> String { String(cString: PQfname(pointer, Int32(column))) }
    func columnType(_ column: Int) -> UInt32 { UInt32(PQftype(pointer, Int32(column))) }

    /// The rows affected as reported in the command tag (`INSERT 0 5` → 5), or 0.
    var affectedRows: Int { Int(String(cString: PQcmdTuples(pointer))) ?? 0 }

    /// The command tag, e.g. `COMMIT` or `ROLLBACK`.
    var commandTag: String { String(cString: PQcmdStatus(pointer)) }

    func isNull(row: Int, column: Int) -> Bool { PQgetisnull(pointer, Int32(row), Int32(column)) == 1 }

    /// The raw bytes of a non-NULL value; valid while `self` is alive.
    func bytes(row: Int, column: Int) -> UnsafeRawBufferPointer {
        let length = Int(PQgetlength(pointer, Int32(row), Int32(column)))
        guard let start = PQgetvalue(pointer, Int32(row), Int32(column)) else {
            return UnsafeRawBufferPointer(start: nil, count: 0)
        }
        return UnsafeRawBufferPointer(start: start, count: length)
    }
}

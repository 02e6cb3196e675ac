import CPostgres
import Foundation

/// Turning libpq results into rows or classified errors. Queue-confined.
extension ConnectionHandle {
    /// Wraps a result, throwing for error statuses. A result left in a COPY state (a COPY statement
    /// sent through `query`) is ended so the connection stays usable.
    func rows(from pointer: OpaquePointer?) throws -> PostgresRows {
        guard let pointer else { throw failure(from: nil) }
        return try rows(from: ResultHandle(pointer))
    }

    func rows(from result: ResultHandle) throws -> PostgresRows {
        switch PQresultStatus(result.pointer) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PostgresRows(result: result)
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            abandonCopy()
            throw PostgresError(.protocolViolation, message: "COPY is only supported through copy(into:columns:)")
        default:
            throw failure(from: result)
        }
    }

    private func abandonCopy() {
        guard let connection else { return }
        _ = PQputCopyEnd(connection, "COPY is not supported here")
        var buffer: UnsafeMutablePointer<CChar>?
        while PQgetCopyData(connection, &buffer, 0) > 0 { PQfreemem(buffer) }
        while let next = PQgetResult(connection) { PQclear(next) }
    }

    /// Builds the error for a failed result (or a missing one), classifying connection loss.
    func failure(from result: ResultHandle?) -> PostgresError {
        func field(_ code: UInt8) -> String? {
            guard let result, let value = PQresultErrorField(result.pointer, Int32(code)) else { return nil }
            return String(cString: value)
        }
        let libpqMessage = connection.map { String(cString: PQerrorMessage($0)) } ?? "connection closed"
        let message = field(UInt8(ascii: "M")) ?? libpqMessage.trimmingCharacters(in: .whitespacesAndNewlines)
        let sqlState = field(UInt8(ascii: "C"))
        let lost = connection.map { PQstatus($0) != CONNECTION_OK } ?? true
        if lost {
            return PostgresError(.connectionLost, sqlState: sqlState ?? "08006", message: "connection lost: \(message)")
        }
        if result == nil {
            return PostgresError(.protocolViolation, sqlState: sqlState, message: message)
        }
        return PostgresError(
            .server, sqlState: sqlState, message: message, detail: field(UInt8(ascii: "D")),
            hint: field(UInt8(ascii: "H")))
    }
}

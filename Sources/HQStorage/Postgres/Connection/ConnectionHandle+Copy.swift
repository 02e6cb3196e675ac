import CPostgres

/// Binary COPY in. Queue-confined.
extension ConnectionHandle {
    /// Sends a binary COPY payload after starting `copySQL`; returns the rows copied.
    func copyInOnQueue(_ copySQL: String, payload: [UInt8]) throws -> Int {
        let connection = try requireConnection()
        guard let started = PQexec(connection, copySQL) else { throw failure(from: nil) }
        let start = ResultHandle(started)
        guard PQresultStatus(started) == PGRES_COPY_IN else {
            _ = try rows(from: start)
            throw PostgresError(.protocolViolation, message: "COPY did not enter copy-in mode")
        }
        var sent = true
        payload.withUnsafeBytes { raw in
            var offset = 0
            // Chunks keep libpq's output buffer from doubling the payload in memory.
            while offset < raw.count, sent {
                let length = min(1 << 20, raw.count - offset)
                let chunk = raw.baseAddress!.advanced(by: offset).assumingMemoryBound(to: CChar.self)
                sent = PQputCopyData(connection, chunk, Int32(length)) == 1
                offset += length
            }
        }
        _ = PQputCopyEnd(connection, sent ? nil : "client failed to send COPY data")
        var outcome: Result<Int, PostgresError>?
        while let next = PQgetResult(connection) {
            let result = ResultHandle(next)
            guard outcome == nil else { continue }
            outcome =
                PQresultStatus(next) == PGRES_COMMAND_OK
                ? .success(result.affectedRows) : .failure(failure(from: result))
        }
        guard let outcome else { throw failure(from: nil) }
        return try outcome.get()
    }
}

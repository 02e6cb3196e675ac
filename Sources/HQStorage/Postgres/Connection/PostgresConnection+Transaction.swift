extension PostgresConnection {
    /// Runs `body` in a transaction: commits when it returns, rolls back when it throws (including
    /// `CancellationError`). Called inside another transaction on the same connection, it uses a
    /// savepoint, so the inner block can fail alone.
    ///
    /// ```swift
    /// let count = try await conn.transaction { tx in
    ///     try await tx.execute("DELETE FROM chunks WHERE source_id = \(id)")
    ///     return try await tx.copy(into: "chunks", columns: ["source_id", "embedding"]) { … }
    /// }
    /// ```
    /// - Parameter body: work on this same connection (passed in for readability).
    /// - Returns: what `body` returns.
    /// - Throws: the error from `body`, or a ``PostgresError`` from BEGIN/COMMIT. If `body` swallowed
    ///   a server error, the server turns COMMIT into a rollback, reported as SQLSTATE 25P02.
    public func transaction<R>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> R
    ) async throws -> R {
        let savepoint: String? = handle.sessionStatus == .inTransaction ? "hq_savepoint" : nil
        let begin = savepoint.map { "SAVEPOINT \($0)" } ?? "BEGIN"
        _ = try await handle.run { try $0.executeSimpleOnQueue(begin) }
        let result: R
        do {
            result = try await body(self)
        } catch {
            // Roll back even when the task is cancelled: the session must not stay in the transaction.
            let rollback = savepoint.map { "ROLLBACK TO SAVEPOINT \($0); RELEASE SAVEPOINT \($0)" } ?? "ROLLBACK"
            _ = try? await handle.run(cancellable: false) { try $0.executeSimpleOnQueue(rollback) }
            throw error
        }
        let commit = savepoint.map { "RELEASE SAVEPOINT \($0)" } ?? "COMMIT"
        let tag = try await handle.run(cancellable: false) { handle -> String in
            let rows = try handle.executeSimpleOnQueue(commit)
            return rows.result?.commandTag ?? ""
        }
        if tag == "ROLLBACK" {
            throw PostgresError(
                .server, sqlState: "25P02",
                message: "the transaction had failed and was rolled back instead of committed")
        }
        return result
    }
}

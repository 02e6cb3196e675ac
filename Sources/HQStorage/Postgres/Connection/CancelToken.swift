import CPostgres

/// Owns one `PGcancel` (what `PQcancel` needs to interrupt a session's running statement), freed
/// on deinit.
///
/// `@unchecked Sendable`: the `PGcancel` is never mutated after `PQgetCancel`, and libpq documents
/// `PQcancel` as safe to call from any thread (even a signal handler) while the connection is in
/// use elsewhere.
final class CancelToken: @unchecked Sendable {
    private let pointer: OpaquePointer

    /// Captures the cancel key of `connection`'s current session, or nil if libpq cannot.
    init?(connection: OpaquePointer) {
        guard let pointer = PQgetCancel(connection) else { return nil }
        self.pointer = pointer
    }

    deinit { PQfreeCancel(pointer) }

    /// Asks the server to cancel the session's running statement. Opens a short separate
    /// connection, so it blocks: call it off the cooperative pool.
    /// - Returns: whether the request was delivered (the statement may have finished anyway).
    func cancel() -> Bool {
        var message = [CChar](repeating: 0, count: 256)
        return PQcancel(pointer, &message, Int32(message.count)) == 1
    }
}

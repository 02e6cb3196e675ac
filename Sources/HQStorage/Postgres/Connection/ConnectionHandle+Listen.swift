import CPostgres
import Foundation

/// LISTEN state, socket polling and liveness checks. Queue-confined.
extension ConnectionHandle {
    /// Whether the connection is still usable, without a round trip when nothing arrived while idle.
    ///
    /// A server that terminates a session (restart, `pg_terminate_backend`) sends a FATAL error and
    /// closes the socket. `PQconsumeInput` only notices the close on the read after the message, so
    /// when unsolicited data arrived, wait briefly for that end-of-file before trusting the session.
    func checkAliveOnQueue() -> Bool {
        guard let connection, PQstatus(connection) == CONNECTION_OK else { return false }
        var timeout: Int32 = 0
        for _ in 0..<3 {
            guard let readable = try? Self.waitReadable(PQsocket(connection), timeoutMilliseconds: timeout) else {
                return false
            }
            guard readable else { break }
            guard PQconsumeInput(connection) == 1 else { return false }
            _ = PQisBusy(connection)  // parses what arrived, so a FATAL error is processed
            _ = drainNotifications(connection)
            timeout = 20
        }
        return PQstatus(connection) == CONNECTION_OK
    }

    func listenOnQueue(_ channel: String) throws -> [PostgresNotification] {
        let connection = try requireConnection()
        try executeSimpleOnQueue("LISTEN \(PostgresQuery.quoteIdentifier(channel))")
        listenedChannels.insert(channel)
        return drainNotifications(connection)
    }

    func unlistenOnQueue(_ channel: String) throws -> [PostgresNotification] {
        let connection = try requireConnection()
        try executeSimpleOnQueue("UNLISTEN \(PostgresQuery.quoteIdentifier(channel))")
        listenedChannels.remove(channel)
        return drainNotifications(connection)
    }

    /// Waits up to `timeoutMilliseconds` for the socket, then returns the notifications received.
    /// - Throws: ``PostgresError`` of kind `connectionLost` when the connection dropped.
    func waitForNotificationsOnQueue(timeoutMilliseconds: Int32) throws -> [PostgresNotification] {
        let connection = try requireConnection()
        guard PQstatus(connection) == CONNECTION_OK else { throw failure(from: nil) }
        if try Self.waitReadable(PQsocket(connection), timeoutMilliseconds: timeoutMilliseconds) {
            guard PQconsumeInput(connection) == 1 else { throw failure(from: nil) }
        }
        return drainNotifications(connection)
    }

    func drainNotifications(_ connection: OpaquePointer) -> [PostgresNotification] {
        var received: [PostgresNotification] = []
        while let notify = PQnotifies(connection) {
            let value = notify.pointee
            received.append(
                PostgresNotification(
                    channel: String(cString: value.relname), payload: String(cString: value.extra),
                    pid: Int(value.be_pid)))
            PQfreemem(notify)
        }
        return received
    }

    static func waitReadable(_ socket: Int32, timeoutMilliseconds: Int32) throws -> Bool {
        guard socket >= 0 else {
            throw PostgresError(.connectionLost, sqlState: "08006", message: "connection has no socket")
        }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, timeoutMilliseconds)
        if ready < 0 && errno != EINTR {
            throw PostgresError(.connectionLost, sqlState: "08006", message: "poll failed: errno \(errno)")
        }
        return ready > 0
    }
}

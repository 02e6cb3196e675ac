import CPostgres
import Dispatch
import Foundation
import Logging

/// Owns one libpq connection (`PGconn`) and the serial queue all its blocking calls run on.
///
/// `@unchecked Sendable` invariant: the `PGconn` and every property marked *queue-confined* are only
/// touched by work running on `queue` (one job at a time), so no two threads use the connection at
/// once, as libpq requires. The `PGcancel` object and the status snapshot are the exceptions,
/// guarded by `lock`, because cancellation and pool health checks come from other threads.
/// Blocking libpq calls therefore never run on Swift's cooperative thread pool.
final class ConnectionHandle: @unchecked Sendable {
    /// What the pool needs to know about a connection between uses.
    enum SessionStatus: Sendable { case idle, inTransaction, broken, closed }

    let logger: Logger
    private let configuration: PostgresConfiguration
    private let queue: DispatchQueue
    private let notices: NoticeSink

    // Queue-confined.
    private var connection: OpaquePointer?
    private var statements: StatementCache
    private var typeOIDs: [String: UInt32] = [:]
    private var listenedChannels: Set<String> = []

    // Guarded by `lock`.
    private let lock = NSLock()
    private var cancelObject: OpaquePointer?
    private var operationInFlight = false
    private var status: SessionStatus = .closed
    private var closeRequested = false

    private init(configuration: PostgresConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.queue = DispatchQueue(label: "hq.postgres.connection")
        self.notices = NoticeSink(logger: logger)
        self.statements = StatementCache(capacity: max(1, configuration.preparedStatementCacheSize))
    }

    deinit {
        if let cancelObject { PQfreeCancel(cancelObject) }
        if let connection { PQfinish(connection) }
    }

    /// Opens a connection on a new queue.
    static func connect(_ configuration: PostgresConfiguration, logger: Logger) async throws -> ConnectionHandle {
        let handle = ConnectionHandle(configuration: configuration, logger: logger)
        try await handle.run(cancellable: false) { try $0.openOnQueue() }
        return handle
    }

    // MARK: Bridging to async

    /// Runs `work` on the connection's queue and resumes the caller with its result. When
    /// `cancellable`, a cancelled task fails fast before starting and sends `PQcancel` while running.
    func run<T: Sendable>(
        cancellable: Bool = true, _ work: @escaping @Sendable (ConnectionHandle) throws -> T
    ) async throws -> T {
        if cancellable { try Task.checkCancellation() }
        let operation = { () async throws -> T in
            try await withCheckedThrowingContinuation { continuation in
                self.queue.async {
                    self.setInFlight(true)
                    let result = Result { try work(self) }
                    self.setInFlight(false)
                    self.recordStatus()
                    continuation.resume(with: result)
                }
            }
        }
        guard cancellable else { return try await operation() }
        return try await withTaskCancellationHandler(operation: operation, onCancel: { self.requestCancel() })
    }

    /// Enqueues fire-and-forget work (the listener's polling loop).
    func schedule(_ work: @escaping @Sendable (ConnectionHandle) -> Void) {
        queue.async { work(self) }
    }

    /// The session state after the last operation, for the pool.
    var sessionStatus: SessionStatus { lock.withLock { status } }

    /// Marks the handle as closing so long-running loops (the listener) stop.
    func requestClose() { lock.withLock { closeRequested = true } }
    var isCloseRequested: Bool { lock.withLock { closeRequested } }

    private func setInFlight(_ value: Bool) { lock.withLock { operationInFlight = value } }

    private func recordStatus() {
        let current: SessionStatus
        if let connection {
            if PQstatus(connection) != CONNECTION_OK {
                current = .broken
            } else {
                switch PQtransactionStatus(connection) {
                case PQTRANS_IDLE: current = .idle
                case PQTRANS_INTRANS, PQTRANS_INERROR: current = .inTransaction
                default: current = .broken
                }
            }
        } else {
            current = .closed
        }
        lock.withLock { status = current }
    }

    /// Asks the server to cancel the running statement. `PQcancel` is documented thread-safe and
    /// opens its own short connection, so it runs off the connection's queue (which is blocked in
    /// the statement) and off the cooperative pool.
    private func requestCancel() {
        DispatchQueue.global().async {
            self.lock.withLock {
                guard self.operationInFlight, let cancelObject = self.cancelObject else { return }
                var message = [CChar](repeating: 0, count: 256)
                if PQcancel(cancelObject, &message, Int32(message.count)) == 0 {
                    self.logger.debug("postgres cancel request failed")
                }
            }
        }
    }

    // MARK: Queue-confined operations

    private func requireConnection() throws -> OpaquePointer {
        guard let connection else { throw PostgresError(.connectionClosed, message: "the connection is closed") }
        return connection
    }

    private func openOnQueue() throws {
        // Keyword order matters: later entries override earlier ones, so the fallbacks come first
        // and whatever the connection string (expanded from `dbname`) sets wins.
        let keywords = ["connect_timeout", "fallback_application_name", "dbname"]
        let values = [String(configuration.connectTimeout), configuration.applicationName, configuration.connectionString]
        let connection = withCStringArray(keywords) { keys in
            withCStringArray(values) { values in PQconnectdbParams(keys, values, 1) }
        }
        guard let connection else {
            throw PostgresError(.connectionFailed, message: "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(connection)).trimmingCharacters(in: .whitespacesAndNewlines)
            PQfinish(connection)
            throw PostgresError(.connectionFailed, sqlState: "08001", message: message)
        }
        PQsetNoticeProcessor(connection, noticeProcessor, Unmanaged.passUnretained(notices).toOpaque())
        self.connection = connection
        refreshCancelObject()
        logger.debug("postgres connected", metadata: ["pid": "\(PQbackendPID(connection))"])
    }

    private func refreshCancelObject() {
        let fresh = connection.flatMap { PQgetCancel($0) }
        lock.withLock {
            if let cancelObject { PQfreeCancel(cancelObject) }
            cancelObject = fresh
        }
    }

    func closeOnQueue() {
        lock.withLock {
            if let cancelObject { PQfreeCancel(cancelObject) }
            cancelObject = nil
        }
        if let connection { PQfinish(connection) }
        connection = nil
    }

    /// Re-establishes the session after a loss (`PQreset`), re-issuing LISTENs. Prepared statements
    /// and looked-up type OIDs belonged to the old session and are forgotten.
    func reconnectOnQueue() -> Bool {
        statements.removeAll()
        typeOIDs.removeAll()
        guard let connection else { return false }
        PQreset(connection)
        guard PQstatus(connection) == CONNECTION_OK else { return false }
        refreshCancelObject()
        for channel in listenedChannels {
            guard (try? executeSimpleOnQueue("LISTEN \(PostgresQuery.quoteIdentifier(channel))")) != nil else { return false }
        }
        return true
    }

    /// The backend process id, or 0 when closed.
    var backendPIDOnQueue: Int { connection.map { Int(PQbackendPID($0)) } ?? 0 }

    /// Runs one parameterised statement through the prepared-statement cache.
    func executeOnQueue(_ query: PostgresQuery) throws -> PostgresRows {
        let connection = try requireConnection()
        let parameters = try encodeBindings(query.bindings)
        let key = StatementCache.key(sql: query.sql, types: parameters.types)
        var retried = false
        while true {
            let name = try preparedStatement(for: key, sql: query.sql, types: parameters.types)
            let result = parameters.withPointers { values, lengths, formats in
                PQexecPrepared(connection, name, Int32(parameters.types.count), values, lengths, formats, 1)
            }
            do {
                return try rows(from: result)
            } catch let error as PostgresError where error.sqlState == "0A000" && error.message.contains("cached plan") {
                // The table changed shape under a cached plan (e.g. a migration); prepare afresh once.
                statements.remove(key)
                _ = try? executeSimpleOnQueue("DEALLOCATE \(name)")
                guard !retried, PQtransactionStatus(connection) == PQTRANS_IDLE else { throw error }
                retried = true
            }
        }
    }

    /// Runs SQL through the simple query protocol: several statements, no parameters.
    @discardableResult
    func executeSimpleOnQueue(_ sql: String) throws -> PostgresRows {
        let connection = try requireConnection()
        return try rows(from: PQexec(connection, sql))
    }

    /// Runs a script and forgets cached type OIDs, since scripts create and drop extensions and types.
    func executeScriptOnQueue(_ sql: String) throws {
        defer { typeOIDs.removeAll() }
        try executeSimpleOnQueue(sql)
    }

    private func preparedStatement(for key: String, sql: String, types: [UInt32]) throws -> String {
        if let name = statements.name(for: key) { return name }
        let connection = try requireConnection()
        let (name, evicted) = statements.insert(key)
        if let evicted { _ = try? executeSimpleOnQueue("DEALLOCATE \(evicted)") }
        do {
            _ = try rows(from: PQprepare(connection, name, sql, Int32(types.count), types))
        } catch {
            statements.remove(key)
            throw error
        }
        return name
    }

    private func encodeBindings(_ bindings: [any PostgresEncodable]) throws -> EncodedParameters {
        var parameters = EncodedParameters()
        for (position, binding) in bindings.enumerated() {
            parameters.types.append(try resolve(type(of: binding).postgresType))
            guard !binding.isPostgresNull else {
                parameters.ranges.append(nil)
                continue
            }
            let start = parameters.buffer.bytes.count
            do {
                try binding.encode(into: &parameters.buffer)
            } catch var error as PostgresError {
                error.message += " (parameter $\(position + 1))"
                throw error
            }
            parameters.ranges.append(start..<parameters.buffer.bytes.count)
        }
        return parameters
    }

    /// The OID for a parameter type, looking up named (extension) types once per session.
    func resolve(_ type: PostgresDataType) throws -> UInt32 {
        switch type.storage {
        case .oid(let oid):
            return oid
        case .named(let name):
            if let oid = typeOIDs[name] { return oid }
            let connection = try requireConnection()
            let result = name.withCString { value in
                withUnsafePointer(to: value) { values in
                    PQexecParams(connection, "SELECT to_regtype($1)::oid", 1, nil, values, nil, nil, 1)
                }
            }
            let rows = try rows(from: result)
            guard let oid = try rows.first?.decode(Int64?.self, column: 0) else {
                throw PostgresError(.encoding, message: "type \(name) does not exist in this database (is its extension installed?)")
            }
            typeOIDs[name] = UInt32(oid)
            return UInt32(oid)
        }
    }

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
            outcome = PQresultStatus(next) == PGRES_COMMAND_OK ? .success(result.affectedRows) : .failure(failure(from: result))
        }
        guard let outcome else { throw failure(from: nil) }
        return try outcome.get()
    }

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

    // MARK: LISTEN

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

    private func drainNotifications(_ connection: OpaquePointer) -> [PostgresNotification] {
        var received: [PostgresNotification] = []
        while let notify = PQnotifies(connection) {
            let value = notify.pointee
            received.append(PostgresNotification(
                channel: String(cString: value.relname), payload: String(cString: value.extra), pid: Int(value.be_pid)))
            PQfreemem(notify)
        }
        return received
    }

    private static func waitReadable(_ socket: Int32, timeoutMilliseconds: Int32) throws -> Bool {
        guard socket >= 0 else { throw PostgresError(.connectionLost, sqlState: "08006", message: "connection has no socket") }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, timeoutMilliseconds)
        if ready < 0 && errno != EINTR {
            throw PostgresError(.connectionLost, sqlState: "08006", message: "poll failed: errno \(errno)")
        }
        return ready > 0
    }

    // MARK: Results and errors

    /// Wraps a result, throwing for error statuses. A result left in a COPY state (a COPY statement
    /// sent through `query`) is ended so the connection stays usable.
    private func rows(from pointer: OpaquePointer?) throws -> PostgresRows {
        guard let pointer else { throw failure(from: nil) }
        return try rows(from: ResultHandle(pointer))
    }

    private func rows(from result: ResultHandle) throws -> PostgresRows {
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
    private func failure(from result: ResultHandle?) -> PostgresError {
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
        return PostgresError(.server, sqlState: sqlState, message: message, detail: field(UInt8(ascii: "D")), hint: field(UInt8(ascii: "H")))
    }
}

/// Routes server notices (e.g. "extension already exists, skipping") to the logger at debug level
/// instead of libpq's default, stderr.
private final class NoticeSink: Sendable {
    let logger: Logger
    init(logger: Logger) { self.logger = logger }
}

private let noticeProcessor: PQnoticeProcessor = { context, message in
    guard let context, let message else { return }
    let sink = Unmanaged<NoticeSink>.fromOpaque(context).takeUnretainedValue()
    sink.logger.debug("postgres notice", metadata: ["notice": "\(Redaction.redact(String(cString: message)))"])
}

/// Calls `body` with a C array of C strings that lives for the call.
private func withCStringArray<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let duplicates = strings.map { strdup($0) }
    defer { duplicates.forEach { free($0) } }
    return body(duplicates.map { UnsafePointer($0) } + [nil])
}

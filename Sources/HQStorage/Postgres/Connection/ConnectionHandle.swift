import CPostgres
import Dispatch
import Foundation
import Logging
import Synchronization

/// Owns one libpq connection (`PGconn`) and the serial queue all its blocking calls run on.
///
/// `@unchecked Sendable` invariant: the `PGconn` and every property marked *queue-confined* are only
/// touched by work running on `queue` (one job at a time), so no two threads use the connection at
/// once, as libpq requires. The cancel token and the status snapshot are the exceptions, guarded
/// by `lock`, because cancellation and pool health checks come from other threads.
/// Blocking libpq calls therefore never run on Swift's cooperative thread pool.
final class ConnectionHandle: @unchecked Sendable {
    /// What the pool needs to know about a connection between uses.
    enum SessionStatus: Sendable { case idle, inTransaction, broken, closed }

    let logger: Logger
    let configuration: PostgresConfiguration
    private let queue: DispatchQueue
    private let notices: NoticeSink

    // Queue-confined: touched only by work on `queue` (the `…OnQueue` methods, here and in the
    // extensions).
    var connection: OpaquePointer?
    var statements: StatementCache
    var typeOIDs: [String: UInt32] = [:]
    var listenedChannels: Set<String> = []

    // Guarded by `lock`.
    private let lock = NSLock()
    private var cancelToken: CancelToken?
    private var operationInFlight = false
    /// Counts operations started, so a cancel keeps aiming at the operation it was meant for.
    private var operationNumber = 0
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
        // A cancel that arrives while the work waits in the queue (or before it is sent) finds nothing running
        // to `PQcancel`: the flag makes the work fail instead of starting, as the server does for a running one.
        let cancelled = Mutex(false)
        let operation = { () async throws -> T in
            try await withCheckedThrowingContinuation { continuation in
                self.queue.async {
                    // Checking the flag and marking the operation in flight under one lock closes the window in
                    // which a cancel would find neither: `requestCancel` reads the in-flight state under the same
                    // lock after setting the flag, so it either sees this operation running or this check sees it.
                    let proceed = self.lock.withLock { () -> Bool in
                        if cancellable && cancelled.withLock({ $0 }) { return false }
                        self.operationInFlight = true
                        self.operationNumber += 1
                        return true
                    }
                    guard proceed else {
                        continuation.resume(
                            throwing: PostgresError(
                                .server, sqlState: "57014",
                                message: "canceling statement due to user request (before it was sent)"))
                        return
                    }
                    let result = Result { try work(self) }
                    self.setInFlight(false)
                    self.recordStatus()
                    continuation.resume(with: result)
                }
            }
        }
        guard cancellable else { return try await operation() }
        return try await withTaskCancellationHandler(
            operation: operation,
            onCancel: {
                cancelled.withLock { $0 = true }
                self.requestCancel()
            })
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

    private func setInFlight(_ value: Bool) {
        lock.withLock {
            operationInFlight = value
            if value { operationNumber += 1 }
        }
    }

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

    /// Asks the server to cancel the running statement. `PQcancel` opens its own short connection,
    /// so it runs on a global queue: off the connection's queue (busy with the statement) and off
    /// the cooperative pool, without holding the lock.
    /// Sends `PQcancel` for the operation in flight, again while that same operation still runs (every 250 ms for
    /// the first 10 s, then every second): a cancel that reaches the server before the statement does is ignored,
    /// and on a loaded machine a cancel connection can fail, so one request alone can miss. It stops as soon as the
    /// operation ends, however it ends.
    ///
    /// The loop runs on a thread of its own, not on a Dispatch global queue: it sleeps between attempts, and under
    /// load those queues' limited workers can all be busy (blocking libpq calls, other such loops), which delayed the
    /// first cancel past the statement's end.
    private func requestCancel() {
        Thread.detachNewThread {
            guard let target = self.lock.withLock({ self.operationInFlight ? self.operationNumber : nil }) else {
                return
            }
            var attempt = 0
            while true {
                let token = self.lock.withLock {
                    self.operationInFlight && self.operationNumber == target ? self.cancelToken : nil
                }
                guard let token else { return }
                if !token.cancel() { self.logger.debug("postgres cancel request failed") }
                attempt += 1
                Thread.sleep(forTimeInterval: attempt < 40 ? 0.25 : 1)
            }
        }
    }

    // MARK: Queue-confined operations

    func requireConnection() throws -> OpaquePointer {
        guard let connection else { throw PostgresError(.connectionClosed, message: "the connection is closed") }
        return connection
    }

    private func openOnQueue() throws {
        // Keyword order matters: later entries override earlier ones, so the fallbacks come first
        // and whatever the connection string (expanded from `dbname`) sets wins.
        let keywords = ["connect_timeout", "fallback_application_name", "dbname"]
        let values = [
            String(configuration.connectTimeout), configuration.applicationName, configuration.connectionString,
        ]
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
        do {
            try configureSessionOnQueue()
        } catch {
            closeOnQueue()
            throw error
        }
        refreshCancelToken()
        logger.debug("postgres connected", metadata: ["pid": "\(PQbackendPID(connection))"])
    }

    /// Applies the configuration's session settings (`statement_timeout`) to a fresh session, as a bound parameter.
    private func configureSessionOnQueue() throws {
        guard let milliseconds = configuration.statementTimeoutMilliseconds else { return }
        let value = String(max(0, milliseconds))
        _ = try executeOnQueue("SELECT pg_catalog.set_config('statement_timeout', \(value), false)")
    }

    private func refreshCancelToken() {
        let fresh = connection.flatMap { CancelToken(connection: $0) }
        lock.withLock { cancelToken = fresh }
    }

    func closeOnQueue() {
        lock.withLock { cancelToken = nil }
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
        guard (try? configureSessionOnQueue()) != nil else { return false }
        refreshCancelToken()
        for channel in listenedChannels {
            guard (try? executeSimpleOnQueue("LISTEN \(PostgresQuery.quoteIdentifier(channel))")) != nil else {
                return false
            }
        }
        return true
    }

    /// The backend process id, or 0 when closed.
    var backendPIDOnQueue: Int { connection.map { Int(PQbackendPID($0)) } ?? 0 }

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
    defer { for pointer in duplicates { free(pointer) } }
    return body(duplicates.map { UnsafePointer($0) } + [nil])
}

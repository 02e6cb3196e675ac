/// The pool's bookkeeping: idle connections, open slots and FIFO waiters. An actor so the counts
/// stay consistent; connecting and checking happen outside it.
actor PoolState {
    /// What a lease receives: an idle connection, or a slot to open a new one in.
    enum Grant: Sendable {
        case existing(PostgresConnection)
        case slot
    }

    private struct Waiter {
        let id: Int
        let continuation: CheckedContinuation<Grant, any Error>
    }

    private let maxConnections: Int
    /// Connections open or being opened (leased + idle + connecting).
    private var openSlots = 0
    private var idle: [PostgresConnection] = []
    private var waiters: [Waiter] = []
    private var nextWaiterID = 0
    private var closed = false

    init(maxConnections: Int) { self.maxConnections = maxConnections }

    /// Takes an idle connection or a free slot, or waits for one in FIFO order.
    func acquire() async throws -> Grant {
        guard !closed else { throw PostgresError(.poolClosed, message: "the pool is closed") }
        if let connection = idle.popLast() { return .existing(connection) }
        if openSlots < maxConnections {
            openSlots += 1
            return .slot
        }
        let id = nextWaiterID
        nextWaiterID += 1
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                waiters.append(Waiter(id: id, continuation: continuation))
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    /// Returns a healthy connection: to the first waiter, else to the idle list. Returns the
    /// connection back if the pool is closed, for the caller to close.
    func giveBack(_ connection: PostgresConnection) -> PostgresConnection? {
        if closed {
            openSlots -= 1
            return connection
        }
        if !waiters.isEmpty {
            waiters.removeFirst().continuation.resume(returning: .existing(connection))
        } else {
            idle.append(connection)
        }
        return nil
    }

    /// Frees a slot whose connection was closed or never opened; a waiter inherits it.
    func releaseSlot() {
        if !closed, !waiters.isEmpty {
            waiters.removeFirst().continuation.resume(returning: .slot)
        } else {
            openSlots -= 1
        }
    }

    /// Marks the pool closed, fails waiters, and hands back the idle connections to close.
    func close() -> [PostgresConnection] {
        closed = true
        for waiter in waiters {
            waiter.continuation.resume(throwing: PostgresError(.poolClosed, message: "the pool is closed"))
        }
        waiters.removeAll()
        let toClose = idle
        openSlots -= idle.count
        idle.removeAll()
        return toClose
    }

    private func cancelWaiter(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }
}

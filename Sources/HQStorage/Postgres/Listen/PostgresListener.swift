import Foundation
public import Logging

/// Receives `NOTIFY` messages on a dedicated connection and delivers them as an async sequence.
///
/// The connection's queue runs a polling loop (`poll` on the libpq socket with a short timeout, so
/// `listen`/`unlisten` calls interleave with it). If the connection drops, the listener reconnects
/// with backoff and re-issues its `LISTEN`s, then calls `onReconnect`; notifications sent while it
/// was disconnected are lost, so consumers should rescan their work there. With `reconnect: false`
/// the sequence instead finishes with the ``PostgresError``.
///
/// ```swift
/// let listener = try await PostgresListener.connect(config, channels: ["hq_sources"], logger: logger)
/// for try await note in listener.notifications { print(note.channel, note.payload) }
/// ```
public final class PostgresListener: Sendable {
    /// The notifications, in arrival order. Single consumer; buffered without bound. Finishes after
    /// ``close()``, or with an error when the connection is lost and reconnecting is off.
    public let notifications: AsyncThrowingStream<PostgresNotification, any Error>
    private let continuation: AsyncThrowingStream<PostgresNotification, any Error>.Continuation
    private let handle: ConnectionHandle
    private let reconnect: Bool
    private let onReconnect: (@Sendable () -> Void)?

    /// How long one poll waits before checking for commands and shutdown.
    private static let pollMilliseconds: Int32 = 100
    private static let maxBackoffMilliseconds = 5_000

    private init(handle: ConnectionHandle, reconnect: Bool, onReconnect: (@Sendable () -> Void)?) {
        (notifications, continuation) = AsyncThrowingStream.makeStream(of: PostgresNotification.self)
        self.handle = handle
        self.reconnect = reconnect
        self.onReconnect = onReconnect
    }

    /// Connects, listens on `channels`, and starts delivering notifications.
    /// - Parameters:
    ///   - configuration: where to connect (a direct connection; transaction poolers drop LISTEN).
    ///   - channels: channel names to listen on (quoted, so case-sensitive).
    ///   - reconnect: reconnect after connection loss instead of finishing the sequence.
    ///   - logger: receives connection events.
    ///   - onReconnect: called on the listener's queue after each successful reconnect.
    /// - Throws: ``PostgresError`` when connecting or `LISTEN` fails.
    public static func connect(
        _ configuration: PostgresConfiguration, channels: [String], reconnect: Bool = true,
        logger: Logger, onReconnect: (@Sendable () -> Void)? = nil
    ) async throws -> PostgresListener {
        let handle = try await ConnectionHandle.connect(configuration, logger: logger)
        let listener = PostgresListener(handle: handle, reconnect: reconnect, onReconnect: onReconnect)
        for channel in channels { try await listener.listen(channel) }
        listener.continuation.onTermination = { [weak listener] _ in listener?.handle.requestClose() }
        listener.scheduleNextPoll(failures: 0)
        return listener
    }

    /// Starts listening on another channel.
    public func listen(_ channel: String) async throws {
        let pending = try await handle.run { try $0.listenOnQueue(channel) }
        for element in pending { continuation.yield(element) }
    }

    /// Stops listening on a channel.
    public func unlisten(_ channel: String) async throws {
        let pending = try await handle.run { try $0.unlistenOnQueue(channel) }
        for element in pending { continuation.yield(element) }
    }

    /// Stops the loop, closes the connection and finishes ``notifications``.
    public func close() async {
        handle.requestClose()
        _ = try? await handle.run(cancellable: false) { $0.closeOnQueue() }
        continuation.finish()
    }

    /// One turn of the loop runs on the connection's queue; re-enqueuing (instead of looping in
    /// place) lets `listen`/`unlisten`/`close` jobs run between turns.
    private func scheduleNextPoll(failures: Int) {
        handle.schedule { [self] handle in
            guard !handle.isCloseRequested else {
                handle.closeOnQueue()
                continuation.finish()
                return
            }
            do {
                let received = try handle.waitForNotificationsOnQueue(timeoutMilliseconds: Self.pollMilliseconds)
                for element in received { continuation.yield(element) }
                scheduleNextPoll(failures: 0)
            } catch {
                recover(from: error, failures: failures, handle: handle)
            }
        }
    }

    private func recover(from error: any Error, failures: Int, handle: ConnectionHandle) {
        guard reconnect else {
            handle.closeOnQueue()
            continuation.finish(throwing: error)
            return
        }
        if failures == 0 { handle.logger.warning("postgres listener lost its connection; reconnecting") }
        // Back off (in short sleeps so close() is not held up) before each new attempt.
        let backoff = min(Self.maxBackoffMilliseconds, 100 << min(failures, 6))
        var slept = 0
        while slept < backoff, !handle.isCloseRequested {
            usleep(50_000)
            slept += 50
        }
        if !handle.isCloseRequested, handle.reconnectOnQueue() {
            handle.logger.info("postgres listener reconnected")
            onReconnect?()
            scheduleNextPoll(failures: 0)
        } else {
            scheduleNextPoll(failures: failures + 1)
        }
    }
}

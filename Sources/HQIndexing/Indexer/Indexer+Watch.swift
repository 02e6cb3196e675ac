import Foundation
public import HQStorage
import Logging

extension Indexer {
    /// Follows changes until the task is cancelled: drains, then waits for a `NOTIFY hq_index`, the next due retry,
    /// or the reconciliation poll (``IndexerConfiguration/pollSeconds``, catching notifications missed while
    /// disconnected), and drains again.
    ///
    /// Cancel the task for a graceful shutdown (`hq index --watch` does on SIGINT/SIGTERM): the write in flight
    /// completes and leases not yet written are released for other workers.
    /// - Parameter configuration: where to `LISTEN` (a direct connection, not a transaction pooler); nil polls only.
    /// - Throws: ``IndexingError`` `.modelMismatch`; ``PostgresError`` when the database is unreachable at start.
    public func watch(listeningWith configuration: PostgresConfiguration?) async throws {
        try await checkModel()
        let wake = WakeSignal()
        var listener: PostgresListener?
        if let configuration {
            listener = try await PostgresListener.connect(
                configuration, channels: ["hq_index"], logger: logger, onReconnect: { Task { await wake.signal() } })
        }
        let forward = Task { [listener] in
            guard let listener else { return }
            do {
                for try await _ in listener.notifications { await wake.signal() }
            } catch {
                // The periodic poll covers a lost listener.
            }
        }
        defer { forward.cancel() }
        while !Task.isCancelled {
            do {
                let summary = try await drain()
                if summary.sources > 0 {
                    logger.info(
                        "indexed",
                        metadata: [
                            "sources": "\(summary.sources)", "chunks": "\(summary.chunks)",
                            "failed": "\(summary.failed)",
                        ])
                }
            } catch is CancellationError {
                break
            } catch let error as IndexingError {
                await listener?.close()
                throw error
            } catch {
                logger.warning(
                    "indexing pass failed; retrying after the poll interval", metadata: ["error": "\(error)"])
            }
            if Task.isCancelled { break }
            var wait = self.configuration.pollSeconds
            if let due = try? await queue.secondsUntilNextDue() { wait = min(wait, max(0.2, due + 0.05)) }
            await wake.wait(seconds: wait)
        }
        await listener?.close()
    }
}

/// Wakes the watcher: a notification, a reconnect, a timeout or cancellation ends one ``wait(seconds:)``.
/// A signal while nobody waits is remembered (one pass covers any number of notifications).
actor WakeSignal {
    private var pending = false
    private var waiter: CheckedContinuation<Void, Never>?
    private var generation = 0

    func signal() {
        if let waiter {
            self.waiter = nil
            waiter.resume()
        } else {
            pending = true
        }
    }

    func wait(seconds: Double) async {
        if pending || Task.isCancelled {
            pending = false
            return
        }
        generation += 1
        let mine = generation
        let timer = Task { [weak self] in
            try? await Task.sleep(for: .seconds(seconds))
            await self?.timeout(mine)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { waiter = $0 }
        } onCancel: {
            Task { await self.timeout(mine) }
        }
        timer.cancel()
    }

    private func timeout(_ which: Int) {
        guard which == generation, let waiter else { return }
        self.waiter = nil
        waiter.resume()
    }
}

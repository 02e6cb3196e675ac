import Foundation
import HQEmbedding
public import HQStorage
import Logging

extension Indexer {
    /// Follows changes until the task is cancelled: drains, then waits for a `NOTIFY hq_index`, the next due retry,
    /// or the reconciliation poll (``IndexerConfiguration/pollSeconds``, catching notifications missed while
    /// disconnected), and drains again.
    ///
    /// Two lanes follow the queue side by side, so an edit never waits for bulk work (`hq reindex`, a model change)
    /// this process took on: the edits lane leases only edits, in batches of ``IndexerConfiguration/editBatchSize``,
    /// whose embedding the native embedder runs ahead of the bulk lane's (``BulkEmbedding``); the bulk lane leases
    /// bulk work, and edits that waited longer than 2 s, in batches of ``IndexerConfiguration/batchSize``.
    ///
    /// Cancel the task for a graceful shutdown (`hq index --watch` does on SIGINT/SIGTERM): the writes in flight
    /// complete and leases not yet written are released for other workers.
    /// - Parameter configuration: where to `LISTEN` (a direct connection, not a transaction pooler); nil polls only.
    /// - Throws: ``IndexingError`` `.modelMismatch`; ``PostgresError`` when the database is unreachable at start.
    public func watch(listeningWith configuration: PostgresConfiguration?) async throws {
        let models = try await workspaceModels()
        let current = try following(models)
        if let next = models.next, current.configuration.nextEmbedder?.modelID != next {
            logger.notice(
                "a model change is in progress but this process cannot load the next model; its vectors of unchanged chunks are kept",
                metadata: ["next": "\(next)"])
        }
        try await current.checkModel()
        let lanes = [current.lane(.edits), current.lane(.bulk, editGraceSeconds: 2)]
        let wakes = lanes.map { _ in WakeSignal() }
        let wakeAll = { @Sendable in for wake in wakes { await wake.signal() } }
        var listener: PostgresListener?
        if let configuration {
            do {
                listener = try await PostgresListener.connect(
                    configuration, channels: ["hq_index"], logger: logger, onReconnect: { Task { await wakeAll() } })
            } catch is CancellationError {
                return  // stopped while it began to listen: nothing is leased yet, a graceful end
            }
        }
        let forward = Task { [listener] in
            guard let listener else { return }
            do {
                for try await _ in listener.notifications { await wakeAll() }
            } catch {
                // The periodic poll covers a lost listener.
            }
        }
        defer { forward.cancel() }
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (lane, wake) in zip(lanes, wakes) {
                    group.addTask(priority: lane.configuration.lane == .edits ? .high : .utility) {
                        try await lane.follow(wake: wake)
                    }
                }
                // A lane ends only by an error or cancellation; either ends the other.
                defer { group.cancelAll() }
                try await group.next()
            }
        } catch {
            await listener?.close()
            throw error
        }
        await listener?.close()
    }

    /// One lane of ``watch(listeningWith:)``: drain, wait, drain again until cancelled.
    private func follow(wake: WakeSignal) async throws {
        var current = self
        while !Task.isCancelled {
            do {
                current = try await current.following(workspaceModels())
                let summary = try await current.drain()
                if summary.sources > 0 {
                    logger.info(
                        "indexed",
                        metadata: [
                            "lane": "\(configuration.lane.rawValue)", "sources": "\(summary.sources)",
                            "chunks": "\(summary.chunks)", "failed": "\(summary.failed)",
                        ])
                }
            } catch is CancellationError {
                return
            } catch let error as IndexingError {
                // A promotion between following and writing: the next pass follows it, if this process can.
                if error.code == .modelMismatch, self.configuration.embedderForModel != nil,
                    let models = try? await workspaceModels(), models.live != current.embedder.modelID,
                    (try? current.following(models)) != nil
                {
                    logger.info(
                        "the live model changed during a pass; following it", metadata: ["live": "\(models.live)"])
                    continue
                }
                throw error
            } catch {
                logger.warning(
                    "indexing pass failed; retrying after the poll interval", metadata: ["error": "\(error)"])
            }
            if Task.isCancelled { return }
            var wait = self.configuration.pollSeconds
            if let due = try? await queue.secondsUntilNextDue() { wait = min(wait, max(0.2, due + 0.05)) }
            await wake.wait(seconds: wait)
        }
    }
}

extension Indexer {
    /// The workspace's live model and the next one (a model change in progress).
    func workspaceModels() async throws -> (live: String?, next: String?) {
        let rows = try await pool.query("SELECT embedding_model, embedding_model_next FROM public.workspace LIMIT 1")
        guard let row = rows.first else { return (nil, nil) }
        return (try row.decode(String?.self, column: 0), try row.decode(String?.self, column: 1))
    }

    /// This indexer, or one like it that embeds with the workspace's live model and, during a model change, the next
    /// one too (loaded through ``IndexerConfiguration/embedderForModel``).
    /// - Throws: ``IndexingError`` `.modelMismatch` when the live model is one this process cannot load.
    func following(_ models: (live: String?, next: String?)) throws -> Indexer {
        let loaded = [embedder] + (configuration.nextEmbedder.map { [$0] } ?? [])
        let resolve = configuration.embedderForModel
        func load(_ id: String) -> (any Embedder)? {
            loaded.first { $0.modelID == id } ?? resolve?(id)
        }
        var live = embedder
        if let id = models.live, id != embedder.modelID {
            guard let embedder = load(id) else {
                throw IndexingError(
                    .modelMismatch,
                    "the workspace's live model is \(id) but this indexer embeds with \(self.embedder.modelID) and cannot load \(id); restart it with that model"
                )
            }
            live = embedder
        }
        var next: (any Embedder)?
        if let id = models.next, id != live.modelID {
            next = load(id)
            if next == nil, configuration.nextEmbedder?.modelID != id {
                // Every pass asks again (the model may become loadable); said once at notice level by watch().
                logger.debug(
                    "a model change is in progress but this process cannot load the next model; its vectors of unchanged chunks are kept",
                    metadata: ["next": "\(id)"])
            }
        }
        guard live.modelID != embedder.modelID || next?.modelID != configuration.nextEmbedder?.modelID else {
            return self
        }
        var settings = configuration
        settings.nextEmbedder = next
        logger.info(
            "following the workspace's models",
            metadata: ["live": "\(live.modelID)", "next": "\(next?.modelID ?? "-")"])
        return Indexer(pool: pool, embedder: live, configuration: settings, logger: logger)
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

import Foundation

/// Runs blocking work (starting the embedded cluster, loading model weights, waiting for a child process) on a
/// thread of its own, so that it never occupies one of the cooperative pool's threads (two on a small machine).
///
/// Blocking a cooperative thread is not only slow: once every such thread waits, no task can run, including the
/// ones the blocked work waits for (an in-process server's handler, a lock holder's next step).
public enum BlockingWork {
    /// Runs `body` on a new thread and returns its result.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try body() })
            }
            thread.name = "hq-blocking"
            thread.start()
        }
    }
}

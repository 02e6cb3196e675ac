import Foundation

/// Runs blocking work (starting the embedded cluster, loading model weights) on a thread of its own, so
/// that it never occupies one of the cooperative pool's threads (two on a small machine).
enum BlockingWork {
    /// Runs `body` on a new thread and returns its result.
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try body() })
            }
            thread.name = "hq-blocking"
            thread.start()
        }
    }
}

import HQStorage
import Logging
import ServiceLifecycle
import Synchronization

/// A connection pool as a `Service`: it runs until the group shuts down gracefully, then closes the pool. Listed
/// before the services that use it, it is shut down after them (a `ServiceGroup` stops services in reverse order),
/// so requests and writes in progress finish on open connections.
struct PoolService: Service {
    let pool: PostgresPool

    func run() async throws {
        try? await gracefulShutdown()
        await pool.close()
    }
}

/// One long operation (a watch loop, a drain, a model switch) as a `Service` that SIGINT/SIGTERM cancel: the
/// operation sees cancellation and releases what it holds (the write in flight finishes, leases are returned).
final class OperationService<Output: Sendable>: Service, Sendable {
    private let operation: @Sendable () async throws -> Output
    private let outcome = Mutex<Result<Output, any Error>?>(nil)

    init(_ operation: @escaping @Sendable () async throws -> Output) {
        self.operation = operation
    }

    func run() async throws {
        do {
            let output = try await cancelWhenGracefulShutdown { try await self.operation() }
            outcome.withLock { $0 = .success(output) }
        } catch {
            outcome.withLock { $0 = .failure(error) }
        }
    }

    /// What the operation returned or threw (a `CancellationError` when the group shut down before it ran).
    func result() throws -> Output {
        try (outcome.withLock { $0 } ?? .failure(CancellationError())).get()
    }
}

/// Runs operations in a `ServiceGroup` that SIGINT and SIGTERM shut down gracefully.
enum SignalCancellation {
    /// Runs `operation` (with `pools` closed after it ends); SIGINT/SIGTERM cancel it.
    static func run<T: Sendable>(
        pools: [PostgresPool] = [], logger: Logger = Logger(label: "hq"),
        _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let service = OperationService(operation)
        let services =
            pools.map { ServiceGroupConfiguration.ServiceConfiguration(service: PoolService(pool: $0)) } + [
                // The operation's end, success or failure, ends the group; its outcome is read below.
                ServiceGroupConfiguration.ServiceConfiguration(
                    service: service, successTerminationBehavior: .gracefullyShutdownGroup,
                    failureTerminationBehavior: .gracefullyShutdownGroup)
            ]
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        return try service.result()
    }
}

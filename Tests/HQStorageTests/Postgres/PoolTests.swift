import Foundation
import HQStorage
import HQTestSupport
import Synchronization
import Testing

extension PostgresIntegration {
    @Suite struct Pool {
        private func makePool(_ applicationName: String, size: Int) async throws -> PostgresPool {
            PostgresPool(
                configuration: try await TestDatabase.configuration(applicationName: applicationName),
                maxConnections: size, logger: TestDatabase.logger)
        }

        @Test("50 concurrent tasks share a pool of 4 connections")
        func concurrency() async throws {
            let name = uniqueTableName("hq-pool")
            let pool = try await makePool(name, size: 4)
            let results = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                for index in 0..<50 {
                    group.addTask {
                        let rows = try await pool.query("SELECT \(index)::int8 * 2, pg_sleep(0.02)::text")
                        return (index, try rows[0].decode(Int.self, column: 0))
                    }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            #expect(results.count == 50)
            #expect(results.allSatisfy { $0.value == $0.key * 2 })
            let open = try await backendCount(applicationName: name)
            #expect(open >= 1 && open <= 4)
            await pool.close()
            // Backends exit asynchronously after the client's Terminate message.
            var remaining = try await backendCount(applicationName: name)
            for _ in 0..<50 where remaining > 0 {
                try await Task.sleep(for: .milliseconds(100))
                remaining = try await backendCount(applicationName: name)
            }
            #expect(remaining == 0)
        }

        @Test("a task waiting for a connection can be cancelled")
        func waiterCancellation() async throws {
            let pool = try await makePool(uniqueTableName("hq-pool"), size: 1)
            let held = Mutex(false)
            let holder = Task {
                try await pool.withConnection {
                    held.withLock { $0 = true }
                    return try await $0.query("SELECT pg_sleep(1)")
                }
            }
            // The holder must own the only connection before the waiter asks (a busy machine may start it late).
            while !held.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
            let waiter = Task { try await pool.query("SELECT 1") }
            try await Task.sleep(for: .milliseconds(100))
            waiter.cancel()
            await #expect(throws: CancellationError.self) { try await waiter.value }
            _ = try await holder.value
            #expect(try scalar(Int.self, await pool.query("SELECT 1")) == 1)
            await pool.close()
            await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        }

        @Test("connections killed while idle are replaced on the next lease")
        func idleConnectionsKilled() async throws {
            let name = uniqueTableName("hq-pool")
            let pool = try await makePool(name, size: 2)
            #expect(try scalar(Int.self, await pool.query("SELECT 1")) == 1)
            #expect(try await terminateBackends(applicationName: name) >= 1)
            for _ in 0..<5 { #expect(try scalar(Int.self, await pool.query("SELECT 2")) == 2) }
            await pool.close()
        }

        @Test("a statement whose connection drops reports connection loss; the pool recovers")
        func connectionDropsMidStatement() async throws {
            let name = uniqueTableName("hq-pool")
            let pool = try await makePool(name, size: 2)
            let running = Task { try await pool.query("SELECT pg_sleep(10)") }
            try await waitUntilSleeping(applicationName: name)
            try await terminateBackends(applicationName: name)
            let error = await #expect(throws: PostgresError.self) { try await running.value }
            #expect(error?.isConnectionLost == true)
            #expect(error?.sqlState?.hasPrefix("08") == true || error?.sqlState == "57P01")
            #expect(try scalar(Int.self, await pool.query("SELECT 3")) == 3)
            await pool.close()
        }

        @Test("a connection returned inside an open transaction is rolled back before reuse")
        func leftoverTransaction() async throws {
            let name = uniqueTableName("hq-pool")
            let pool = try await makePool(name, size: 1)
            struct Oops: Error {}
            await #expect(throws: Oops.self) {
                try await pool.withConnection { (connection: PostgresConnection) async throws in
                    try await connection.execute(script: "BEGIN")
                    throw Oops()
                }
            }
            // Outside a transaction every statement gets its own transaction id.
            let first = try scalar(String.self, await pool.query("SELECT pg_current_xact_id()::text"))
            let second = try scalar(String.self, await pool.query("SELECT pg_current_xact_id()::text"))
            #expect(first != second)
            await pool.close()
        }
    }

    @Suite struct ServerRestart {
        @Test(
            "after a server restart, a direct connection reports the loss and the pool carries on",
            .enabled(if: TestDatabase.canRestartServer))
        func restart() async throws {
            let configuration = try await TestDatabase.isolatedConfiguration(applicationName: "hq-restart")
            let pool = PostgresPool(configuration: configuration, maxConnections: 3, logger: TestDatabase.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 { group.addTask { _ = try await pool.query("SELECT pg_sleep(0.05)::text") } }
                try await group.waitForAll()
            }
            let direct = try await PostgresConnection.connect(configuration, logger: TestDatabase.logger)
            #expect(try scalar(Int.self, await direct.query("SELECT 1")) == 1)

            try await TestDatabase.restartIsolatedServer()

            let error = await #expect(throws: PostgresError.self) { try await direct.query("SELECT 1") }
            #expect(error?.isConnectionLost == true)
            #expect(direct.isClosed)
            for value in 0..<6 {
                #expect(try scalar(Int.self, await pool.query("SELECT \(value)::int8")) == value)
            }
            await direct.close()
            await pool.close()
        }
    }
}

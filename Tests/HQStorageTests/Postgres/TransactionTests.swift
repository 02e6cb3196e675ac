import HQStorage
import HQTestSupport
import Testing

extension PostgresIntegration {
    @Suite struct Transactions {
        private struct Abort: Error {}

        private func count(_ table: String, _ connection: PostgresConnection) async throws -> Int {
            try scalar(Int.self, await connection.query("SELECT count(*) FROM \(identifier: table)"))
        }

        @Test("a transaction commits when the body returns")
        func commits() async throws {
            let table = uniqueTableName("tx_commit")
            try await withTestConnection(applicationName: table) { (connection: PostgresConnection) async throws in
                try await connection.execute(script: "CREATE TABLE \(table) (id int)")
                let result = try await connection.transaction { (tx: PostgresConnection) async throws in
                    try await tx.execute("INSERT INTO \(identifier: table) VALUES (\(1)), (\(2))")
                }
                #expect(result == 2)
                #expect(try await count(table, connection) == 2)
            }
        }

        @Test("a transaction rolls back when the body throws, and on a server error")
        func rollsBack() async throws {
            let table = uniqueTableName("tx_rollback")
            try await withTestConnection { (connection: PostgresConnection) async throws in
                try await connection.execute(script: "CREATE TABLE \(table) (id int PRIMARY KEY)")
                await #expect(throws: Abort.self) {
                    try await connection.transaction { (tx: PostgresConnection) async throws in
                        try await tx.execute("INSERT INTO \(identifier: table) VALUES (\(1))")
                        throw Abort()
                    }
                }
                let error = await #expect(throws: PostgresError.self) {
                    try await connection.transaction { (tx: PostgresConnection) async throws in
                        try await tx.execute("INSERT INTO \(identifier: table) VALUES (\(2))")
                        try await tx.execute("INSERT INTO \(identifier: table) VALUES (\(2))")
                    }
                }
                #expect(error?.sqlState == "23505")
                #expect(try await count(table, connection) == 0)
            }
        }

        @Test("a nested transaction is a savepoint that can fail alone")
        func nestedSavepoint() async throws {
            let table = uniqueTableName("tx_nested")
            try await withTestConnection(applicationName: table) { (connection: PostgresConnection) async throws in
                try await connection.execute(script: "CREATE TABLE \(table) (id int)")
                try await connection.transaction { (tx: PostgresConnection) async throws in
                    try await tx.execute("INSERT INTO \(identifier: table) VALUES (\(1))")
                    await #expect(throws: Abort.self) {
                        try await tx.transaction { (inner: PostgresConnection) async throws in
                            try await inner.execute("INSERT INTO \(identifier: table) VALUES (\(2))")
                            throw Abort()
                        }
                    }
                }
                #expect(
                    try scalar([Int32].self, await connection.query("SELECT array_agg(id) FROM \(identifier: table)"))
                        == [1])
            }
        }

        @Test("a swallowed server error makes COMMIT fail instead of silently rolling back")
        func swallowedErrorIsReported() async throws {
            let table = uniqueTableName("tx_swallow")
            try await withTestConnection(applicationName: table) { (connection: PostgresConnection) async throws in
                try await connection.execute(script: "CREATE TABLE \(table) (id int)")
                let error = await #expect(throws: PostgresError.self) {
                    try await connection.transaction { (tx: PostgresConnection) async throws in
                        try await tx.execute("INSERT INTO \(identifier: table) VALUES (\(1))")
                        _ = try? await tx.query("SELECT * FROM no_such_table_tx")
                    }
                }
                #expect(error?.sqlState == "25P02")
                #expect(try await count(table, connection) == 0)
            }
        }

        @Test("cancelling the task rolls the transaction back")
        func cancellationRollsBack() async throws {
            let table = uniqueTableName("tx_cancel")
            try await withTestConnection(applicationName: table) { (connection: PostgresConnection) async throws in
                try await connection.execute(script: "CREATE TABLE \(table) (id int)")
                let task = Task {
                    try await connection.transaction { (tx: PostgresConnection) async throws in
                        try await tx.execute("INSERT INTO \(identifier: table) VALUES (\(1))")
                        _ = try await tx.query("SELECT pg_sleep(10)")
                    }
                }
                try await waitUntilSleeping(applicationName: table)
                task.cancel()
                _ = await task.result
                #expect(try await count(table, connection) == 0)
                #expect(!connection.isClosed)
            }
        }
    }
}

import Foundation
import HQStorage
import HQTestSupport
import Testing

extension PostgresIntegration {
    @Suite struct Queries {
        @Test("a SQL injection attempt passed as a parameter is stored literally")
        func injectionIsStoredLiterally() async throws {
            let table = uniqueTableName("injection")
            let attack = "x'); DROP TABLE \(table); --"
            try await withTestConnection { (connection: PostgresConnection) async throws in
                try await connection.execute(script: "CREATE TABLE \(table) (id serial PRIMARY KEY, name text)")
                try await connection.execute("INSERT INTO \(identifier: table) (name) VALUES (\(attack))")
                let stored = try scalar(String.self, await connection.query("SELECT name FROM \(identifier: table)"))
                #expect(stored == attack)
                let count = try scalar(
                    Int.self, await connection.query("SELECT count(*) FROM \(identifier: table) WHERE name = \(attack)")
                )
                #expect(count == 1)
            }
        }

        @Test("interpolation produces $n placeholders and never splices values")
        func interpolationBuildsPlaceholders() {
            let name = "Robert'); --"
            let query: PostgresQuery = "SELECT * FROM \(identifier: "odd \"table\"") WHERE a = \(name) AND b = \(42)"
            #expect(query.sql == "SELECT * FROM \"odd \"\"table\"\"\" WHERE a = $1 AND b = $2")
            #expect(query.bindings.count == 2)
            #expect(!query.description.contains("Robert"))
        }

        @Test("statements with run-time SQL take explicit bindings")
        func unsafeSQLWithBindings() async throws {
            try await withTestConnection { (connection: PostgresConnection) async throws in
                let query = PostgresQuery(unsafeSQL: "SELECT $1::int8 + $2::int8", bindings: [40, 2])
                #expect(try scalar(Int.self, await connection.query(query)) == 42)
            }
        }

        @Test("prepared statements are reused with new values and survive cache eviction")
        func preparedStatementCache() async throws {
            var configuration = try await TestDatabase.configuration()
            configuration.preparedStatementCacheSize = 2
            let connection = try await PostgresConnection.connect(configuration, logger: TestDatabase.logger)
            for round in 0..<3 {
                for offset in 0..<4 {
                    let sql = PostgresQuery(unsafeSQL: "SELECT $1::int8 + \(offset)", bindings: [round])
                    #expect(try scalar(Int.self, await connection.query(sql)) == round + offset)
                }
            }
            let prepared = try scalar(Int.self, await connection.query("SELECT count(*) FROM pg_prepared_statements"))
            #expect(prepared <= 2)
            await connection.close()
        }

        @Test("a cached plan is re-prepared after the table changes shape")
        func cachedPlanAfterAlterTable() async throws {
            let table = uniqueTableName("reshape")
            try await withTestConnection { (connection: PostgresConnection) async throws in
                try await connection.execute(script: "CREATE TABLE \(table) (a int); INSERT INTO \(table) VALUES (1)")
                let query: PostgresQuery = "SELECT * FROM \(identifier: table)"
                #expect(try await connection.query(query).columnNames == ["a"])
                try await connection.execute(script: "ALTER TABLE \(table) ADD COLUMN b text DEFAULT 'x'")
                #expect(try await connection.query(query).columnNames == ["a", "b"])
            }
        }

        @Test("a multi-statement script runs through the simple protocol; affected rows are reported")
        func scriptAndAffectedRows() async throws {
            let table = uniqueTableName("script")
            try await withTestConnection { (connection: PostgresConnection) async throws in
                try await connection.execute(
                    script: """
                        CREATE TABLE \(table) (id int PRIMARY KEY);
                        INSERT INTO \(table) SELECT generate_series(1, 10);
                        CREATE EXTENSION IF NOT EXISTS vector;
                        """)
                #expect(try await connection.execute("DELETE FROM \(identifier: table) WHERE id > \(7)") == 3)
                #expect(try await connection.query("SELECT id FROM \(identifier: table) ORDER BY id").count == 7)
            }
        }

        @Test("cancelling the task cancels the running statement on the server")
        func cancellation() async throws {
            let name = uniqueTableName("hq-cancel")
            try await withTestConnection(applicationName: name) { (connection: PostgresConnection) async throws in
                let task = Task { try await connection.query("SELECT pg_sleep(10)") }
                try await waitUntilSleeping(applicationName: name)
                task.cancel()
                let error = await #expect(throws: PostgresError.self) { try await task.value }
                // 57014 is query_canceled: a pg_sleep that ran to its end would have returned a row instead.
                #expect(error?.sqlState == "57014")
                // The connection stays usable.
                #expect(try scalar(Int.self, await connection.query("SELECT 1")) == 1)
            }
        }
    }
}

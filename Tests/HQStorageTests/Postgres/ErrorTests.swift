import Foundation
import HQStorage
import HQTestSupport
import Testing

extension PostgresIntegration {
    @Suite struct Errors {
        @Test(
            "a bad statement reports its SQLSTATE",
            arguments: [
                ("SELECT * FROM no_such_table_anywhere", "42P01"),
                ("SELEC 1", "42601"),
                ("SELECT no_such_column FROM pg_class", "42703"),
                ("SELECT 1/0", "22012"),
            ])
        func sqlState(sql: String, expected: String) async throws {
            try await withTestConnection { (connection: PostgresConnection) async throws in
                let error = await #expect(throws: PostgresError.self) {
                    try await connection.query(PostgresQuery(unsafeSQL: sql))
                }
                #expect(error?.kind == .server)
                #expect(error?.sqlState == expected)
                #expect(error?.isConnectionLost == false)
                // The failed statement leaves the session usable.
                #expect(try scalar(Int.self, await connection.query("SELECT 1")) == 1)
            }
        }

        @Test("a unique violation is 23505, with the key in detail but never in the description")
        func uniqueViolation() async throws {
            let table = uniqueTableName("unique")
            let secretKey = "alice@example.com"
            try await withTestConnection { (connection: PostgresConnection) async throws in
                try await connection.execute(script: "CREATE TABLE \(table) (email text UNIQUE)")
                try await connection.execute("INSERT INTO \(identifier: table) VALUES (\(secretKey))")
                let error = await #expect(throws: PostgresError.self) {
                    try await connection.execute("INSERT INTO \(identifier: table) VALUES (\(secretKey))")
                }
                #expect(error?.sqlState == "23505")
                #expect(error?.detail?.contains(secretKey) == true)
                #expect(error.map { String(describing: $0).contains(secretKey) } == false)
                #expect(error.map { "\($0)".contains("23505") } == true)
            }
        }

        @Test("a value echoed by a data error stays out of the description")
        func dataErrorHidesValue() async throws {
            try await withTestConnection { (connection: PostgresConnection) async throws in
                let error = await #expect(throws: PostgresError.self) {
                    try await connection.query("SELECT \("not-a-number password=hunter22")::int")
                }
                #expect(error?.sqlState == "22P02")
                #expect(error.map { "\($0)".contains("not-a-number") } == false)
                #expect(error.map { String(reflecting: $0).contains("not-a-number") } == true)
                #expect(error.map { String(reflecting: $0).contains("hunter22") } == false)
            }
        }

        @Test(
            "passwords in a connection string never appear in connection errors",
            arguments: [
                "postgresql://hq:Sup3rSecretPW@127.0.0.1:1/postgres",
                "host=127.0.0.1 port=1 user=hq password=Sup3rSecretPW dbname=postgres",
                "host=127.0.0.1 port=1 user=hq password='Sup3rSecretPW' dbname=postgres",
                "postgresql://hq@127.0.0.1:1/postgres?password=Sup3rSecretPW",
                // libpq quotes the whole URI in this parse error, so redaction has to do the work.
                "postgresql://hq:Sup3rSecretPW@127.0.0.1:1/post gres",
            ])
        func passwordRedaction(connectionString: String) async throws {
            let error = await #expect(throws: PostgresError.self) {
                try await PostgresConnection.connect(
                    PostgresConfiguration(connectionString, connectTimeout: 2), logger: TestDatabase.logger)
            }
            #expect(error?.kind == .connectionFailed)
            for text in [error.map { "\($0)" }, error.map { String(reflecting: $0) }, error?.message] {
                #expect(text?.contains("Sup3rSecretPW") == false)
            }
        }

        @Test("a wrong database name fails with a connection error naming the problem")
        func unknownDatabase() async throws {
            let url = try await TestDatabase.url()
            let bad =
                URLComponents(string: url).map { components -> String in
                    var components = components
                    components.path = "/hq_no_such_database"
                    return components.string!
                } ?? url + " dbname=hq_no_such_database"
            let error = await #expect(throws: PostgresError.self) {
                try await PostgresConnection.connect(PostgresConfiguration(bad), logger: TestDatabase.logger)
            }
            #expect(error?.kind == .connectionFailed)
            #expect(error?.message.contains("hq_no_such_database") == true)
        }
    }
}

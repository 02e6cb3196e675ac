import Foundation
import HQStorage
import HQTestSupport
import Testing

extension PostgresIntegration {
    /// Every supported type goes to the server as a binary parameter and comes back unchanged.
    @Suite struct CodecRoundTrip {
        /// Sends `value` cast to `sqlType` and decodes the echo.
        private func echo<T: PostgresEncodable & PostgresDecodable>(
            _ value: T, as sqlType: String, on connection: PostgresConnection
        ) async throws -> T {
            try scalar(T.self, try await connection.query("SELECT \(value)::\(unescaped: sqlType)"))
        }

        @Test(
            "text round-trips, including unicode and quotes",
            arguments: [
                "", "plain", "héllo wörld", "日本語のテキスト", "emoji 🧠🔎", "quote ' \" \\ ;--",
                String(repeating: "x", count: 100_000),
            ])
        func text(value: String) async throws {
            try await withTestConnection { (connection: PostgresConnection) async throws in
                #expect(try await echo(value, as: "text", on: connection) == value)
            }
        }

        @Test("integers round-trip at their limits")
        func integers() async throws {
            try await withTestConnection { (connection: PostgresConnection) async throws in
                for value in [Int16.min, -1, 0, Int16.max] {
                    #expect(try await echo(value, as: "int2", on: connection) == value)
                }
                for value in [Int32.min, 0, Int32.max] {
                    #expect(try await echo(value, as: "int4", on: connection) == value)
                }
                for value in [Int64.min, 0, Int64.max] {
                    #expect(try await echo(value, as: "int8", on: connection) == value)
                }
                #expect(try await echo(42, as: "int8", on: connection) == 42)
                // Narrower columns widen into Int.
                #expect(try scalar(Int.self, await connection.query("SELECT 7::int2")) == 7)
                #expect(try scalar(Int.self, await connection.query("SELECT 2147483647::int4")) == 2_147_483_647)
            }
        }

        @Test("floats, doubles and numeric")
        func floatingPoint() async throws {
            try await withTestConnection { (connection: PostgresConnection) async throws in
                for value: Float in [0, -1.5, .pi, .greatestFiniteMagnitude, .infinity] {
                    #expect(try await echo(value, as: "float4", on: connection) == value)
                }
                for value: Double in [0, -2.25, .pi, 1e300, -.infinity] {
                    #expect(try await echo(value, as: "float8", on: connection) == value)
                }
                #expect(try await echo(Float.nan, as: "float4", on: connection).isNaN)
                let numeric = try scalar(Double.self, await connection.query("SELECT 12345.678::numeric"))
                #expect(abs(numeric - 12345.678) < 1e-9)
                let small = try scalar(Double.self, await connection.query("SELECT -0.000123::numeric"))
                #expect(abs(small + 0.000123) < 1e-15)
            }
        }

        @Test("bool, uuid, bytea and timestamptz")
        func scalars() async throws {
            try await withTestConnection { (connection: PostgresConnection) async throws in
                #expect(try await echo(true, as: "bool", on: connection) == true)
                #expect(try await echo(false, as: "bool", on: connection) == false)
                let id = UUID()
                #expect(try await echo(id, as: "uuid", on: connection) == id)
                let textForm = try scalar(String.self, await connection.query("SELECT \(id)::text"))
                #expect(textForm == id.uuidString.lowercased())
                for bytes in [Data(), Data(0...255)] {
                    #expect(try await echo(bytes, as: "bytea", on: connection) == bytes)
                }
                let now = Date()
                let echoed = try await echo(now, as: "timestamptz", on: connection)
                #expect(abs(echoed.timeIntervalSince(now)) < 1e-6)
                let fixed = try scalar(
                    Date.self, await connection.query("SELECT '2024-02-29 12:34:56.789012+00'::timestamptz"))
                #expect(abs(fixed.timeIntervalSince1970 - 1_709_210_096.789012) < 1e-6)
                #expect(try await echo(Date.distantFuture, as: "timestamptz", on: connection) != Date.distantPast)
            }
        }

        @Test("text[] and other arrays, including empty ones")
        func arrays() async throws {
            try await withTestConnection { (connection: PostgresConnection) async throws in
                for value in [[], ["a"], ["ü", "", "日本", "with,comma", "{braces}"]] as [[String]] {
                    #expect(try await echo(value, as: "text[]", on: connection) == value)
                }
                #expect(try await echo([1, 2, 3] as [Int], as: "int8[]", on: connection) == [1, 2, 3])
                #expect(try await echo([] as [Int32], as: "int4[]", on: connection) == [])
                #expect(try await echo([0.5, -1] as [Double], as: "float8[]", on: connection) == [0.5, -1])
                let ids = [UUID(), UUID()]
                #expect(try await echo(ids, as: "uuid[]", on: connection) == ids)
                let length = try scalar(Int.self, await connection.query("SELECT cardinality(\(["x", "y"]))"))
                #expect(length == 2)
            }
        }

        @Test("jsonb carries Codable values")
        func jsonb() async throws {
            struct Meta: Codable, Equatable {
                var title: String
                var tags: [String]
                var score: Double
            }
            let meta = Meta(title: "Ünïcode \"quoted\"", tags: ["a", "b"], score: 0.25)
            try await withTestConnection { (connection: PostgresConnection) async throws in
                let echoed = try await echo(try PostgresJSONB(encoding: meta), as: "jsonb", on: connection)
                #expect(try echoed.decode(Meta.self) == meta)
                let field = try scalar(
                    String.self,
                    await connection.query("SELECT \(try PostgresJSONB(encoding: meta))::jsonb ->> 'title'"))
                #expect(field == meta.title)
                // A jsonb column also reads as its JSON text.
                let text = try scalar(String.self, await connection.query("SELECT '{\"k\": [1, 2]}'::jsonb"))
                #expect(text == "{\"k\": [1, 2]}")
            }
        }

        @Test("NULL becomes nil for optionals and an error for non-optionals")
        func nulls() async throws {
            try await withTestConnection { (connection: PostgresConnection) async throws in
                #expect(try await echo(Int?.none, as: "int8", on: connection) == nil)
                #expect(try await echo(String?.none, as: "text", on: connection) == nil)
                #expect(try await echo(UUID?.none, as: "uuid", on: connection) == nil)
                #expect(try await echo(PostgresVector?.none, as: "vector", on: connection) == nil)
                #expect(try await echo(Optional("set"), as: "text", on: connection) == "set")
                let rows = try await connection.query("SELECT NULL::text")
                #expect(rows[0].isNull(column: 0))
                let error = #expect(throws: PostgresError.self) { try rows[0].decode(String.self, column: 0) }
                #expect(error?.kind == .decoding)
            }
        }

        @Test("384-d vector round-trips exactly and matches pgvector's text form")
        func vector() async throws {
            let values = pseudoRandomFloats(count: 384, seed: 7)
            try await withTestConnection { (connection: PostgresConnection) async throws in
                #expect(try await echo(PostgresVector(values), as: "vector", on: connection).values == values)
                let text = try scalar(
                    String.self, await connection.query("SELECT \(PostgresVector([1, 2.5, -3]))::vector::text"))
                #expect(text == "[1,2.5,-3]")
                let dims = try scalar(Int.self, await connection.query("SELECT vector_dims(\(PostgresVector(values)))"))
                #expect(dims == 384)
            }
        }

        @Test("384-d halfvec round-trips within half precision")
        func halfvec() async throws {
            let values = pseudoRandomFloats(count: 384, seed: 11)
            try await withTestConnection { (connection: PostgresConnection) async throws in
                let echoed = try await echo(PostgresHalfVector(values), as: "halfvec", on: connection).values
                #expect(echoed.count == 384)
                for (sent, received) in zip(values, echoed) {
                    #expect(abs(sent - received) <= max(abs(sent) * 0x1p-11, 0x1p-24))
                }
                let text = try scalar(
                    String.self, await connection.query("SELECT \(PostgresHalfVector([1, 0.5, -2]))::halfvec::text"))
                #expect(text == "[1,0.5,-2]")
            }
        }

        @Test("sparsevec uses 0-based indices on the wire and 1-based in text")
        func sparsevec() async throws {
            let sparse = PostgresSparseVector(dimensions: 5, indices: [0, 2], values: [1.5, 2])
            try await withTestConnection { (connection: PostgresConnection) async throws in
                #expect(try await echo(sparse, as: "sparsevec", on: connection) == sparse)
                let text = try scalar(String.self, await connection.query("SELECT \(sparse)::sparsevec::text"))
                #expect(text == "{1:1.5,3:2}/5")
                let parsed = try scalar(
                    PostgresSparseVector.self, await connection.query("SELECT '{2:0.5,30000:1}/30000'::sparsevec"))
                #expect(parsed == PostgresSparseVector(dimensions: 30_000, indices: [1, 29_999], values: [0.5, 1]))
                let empty = PostgresSparseVector(dimensions: 3, indices: [], values: [])
                #expect(try await echo(empty, as: "sparsevec", on: connection) == empty)
            }
        }

        @Test("rows decode by name and as tuples; mismatches are decoding errors")
        func rowAccess() async throws {
            try await withTestConnection { (connection: PostgresConnection) async throws in
                let rows = try await connection.query(
                    "SELECT 1::int4 AS \"Count\", 'x'::text AS label, NULL::uuid AS id")
                #expect(rows.columnNames == ["Count", "label", "id"])
                #expect(try rows[0].decode(Int.self, column: "Count") == 1)
                let (count, label, id) = try rows[0].decode((Int32, String, UUID?).self)
                #expect(count == 1 && label == "x" && id == nil)
                #expect(throws: PostgresError.self) { try rows[0].decode(UUID.self, column: "label") }
                #expect(throws: PostgresError.self) { try rows[0].decode(Int.self, column: "missing") }
                #expect(throws: PostgresError.self) { try rows[0].decode(Int.self, column: 9) }
            }
        }
    }
}

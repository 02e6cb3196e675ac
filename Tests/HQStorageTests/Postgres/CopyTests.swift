import Foundation
import HQStorage
import HQTestSupport
import Testing

extension PostgresIntegration {
    @Suite struct BinaryCopy {
        @Test("10,000 rows with 384-d vectors arrive intact through binary COPY")
        func tenThousandRows() async throws {
            let table = uniqueTableName("copy_vectors")
            let rowCount = 10_000
            let vectors = (0..<rowCount).map { pseudoRandomFloats(count: 384, seed: UInt64($0 + 1)) }
            try await withTestConnection { (connection: PostgresConnection) async throws in
                try await connection.execute(
                    script: """
                        CREATE TABLE \(table) (id uuid PRIMARY KEY, n int8 NOT NULL, label text, tags text[], embedding vector(384) NOT NULL)
                        """)
                let ids = (0..<rowCount).map { _ in UUID() }
                let copied = try await connection.copy(into: table, columns: ["id", "n", "label", "tags", "embedding"])
                { writer in
                    for index in 0..<rowCount {
                        let label: String? = index % 10 == 0 ? nil : "row \(index) ü"
                        try writer.append(ids[index], index, label, ["t\(index % 3)"], PostgresVector(vectors[index]))
                    }
                }
                #expect(copied == rowCount)

                let summary = try await connection.query(
                    """
                    SELECT count(*), sum(n), count(label), sum((embedding::real[])[1]::float8), sum((embedding::real[])[384]::float8)
                    FROM \(identifier: table)
                    """)
                let (count, sum, labelled, firstSum, lastSum) = try summary[0].decode(
                    (Int, Double, Int, Double, Double).self)
                #expect(count == rowCount)
                #expect(sum == Double(rowCount * (rowCount - 1) / 2))
                #expect(labelled == rowCount - rowCount / 10)
                let expectedFirst = vectors.reduce(0.0) { $0 + Double($1[0]) }
                let expectedLast = vectors.reduce(0.0) { $0 + Double($1[383]) }
                #expect(abs(firstSum - expectedFirst) < 1e-6 * Double(rowCount))
                #expect(abs(lastSum - expectedLast) < 1e-6 * Double(rowCount))

                let sample = try await connection.query(
                    "SELECT embedding, tags, label FROM \(identifier: table) WHERE id = \(ids[4321])")
                #expect(try sample[0].decode(PostgresVector.self, column: 0).values == vectors[4321])
                #expect(try sample[0].decode([String].self, column: 1) == ["t\(4321 % 3)"])
                #expect(try sample[0].decode(String?.self, column: 2) == "row 4321 ü")
            }
        }

        @Test("a row with the wrong number of values is rejected before anything is sent")
        func wrongColumnCount() async throws {
            let table = uniqueTableName("copy_count")
            try await withTestConnection { (connection: PostgresConnection) async throws in
                try await connection.execute(script: "CREATE TABLE \(table) (a int8, b text)")
                let error = await #expect(throws: PostgresError.self) {
                    try await connection.copy(into: table, columns: ["a", "b"]) { writer in try writer.append(1) }
                }
                #expect(error?.kind == .encoding)
            }
        }

        @Test("a constraint violation inside COPY reports its SQLSTATE and leaves the connection usable")
        func serverRejectsRow() async throws {
            let table = uniqueTableName("copy_unique")
            try await withTestConnection { (connection: PostgresConnection) async throws in
                try await connection.execute(
                    script: "CREATE TABLE \(table) (a int8 PRIMARY KEY, v halfvec(3), s sparsevec(10))")
                let error = await #expect(throws: PostgresError.self) {
                    try await connection.copy(into: table, columns: ["a", "v", "s"]) { writer in
                        let sparse = PostgresSparseVector(dimensions: 10, indices: [3], values: [1])
                        try writer.append(row: [1, PostgresHalfVector([1, 2, 3]), sparse])
                        try writer.append(row: [1, PostgresHalfVector([1, 2, 3]), sparse])
                    }
                }
                #expect(error?.sqlState == "23505")
                let copied = try await connection.copy(into: table, columns: ["a", "v", "s"]) { writer in
                    try writer.append(2, PostgresHalfVector([0.5, 1, 2]), PostgresSparseVector?.none)
                }
                #expect(copied == 1)
                let half = try scalar(
                    PostgresHalfVector.self, await connection.query("SELECT v FROM \(identifier: table)"))
                #expect(half.values == [0.5, 1, 2])
            }
        }
    }
}

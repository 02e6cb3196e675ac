import Foundation
import HQEmbedding
import HQIndexing
import HQStorage
import HQTestSupport
import Testing

/// Issue 9, fault (d): the database refuses a chunk-set write half way (disk full, statement timeout). The
/// transaction must roll back whole: the source's previous chunk set stays complete and searchable, the source
/// is marked for retry with the reason, the worker goes on, and the next attempt after the fault writes the new set.
@Suite("Chunk-set writes under database faults (real Postgres, real model)")
struct WriteFaultTests {
    enum Fault: String, CaseIterable, Sendable {
        /// A trigger raising SQLSTATE 53100 on the first vector row, as a full disk would during COPY.
        case diskFull
        /// A trigger sleeping in the vector COPY past the database's statement_timeout (57014).
        case statementTimeout
    }

    @Test(
        "the failed write rolls back, the old chunk set stays searchable, the retry writes the new one",
        arguments: Fault.allCases)
    func faultDuringWrite(fault: Fault) async throws {
        let url = try await TestDatabase.migratedDatabase()
        let setup = PostgresPool(
            configuration: PostgresConfiguration(url), maxConnections: 1, logger: TestDatabase.logger)
        defer { Task { await setup.close() } }
        let db = TestDB(url: url, pool: setup)
        let id = try await db.document(
            "Roast log", markdown: "# Roast log\n\nThe old roast profile peaks at 212 degrees after nine minutes.")
        try await db.document("Other", markdown: "Cupping notes: the washed Kenyan tastes of blackcurrant.")
        #expect(try await db.indexer(RealModel.embedder).drain().indexed == 2)
        let old = try await db.chunks(document: id)
        let oldVectors = try await db.scalar(
            Int64.self,
            "SELECT count(*) FROM public.knowledge_chunk_vectors WHERE source_id = (SELECT id FROM public.knowledge_sources WHERE document_id = \(id))"
        )

        // The edit the faulty write will carry, and the fault itself.
        try await setup.execute(
            """
            UPDATE public.documents SET content = to_jsonb(\("# Roast log\n\nThe new roast profile drops at 205 degrees after eleven minutes.\n\nA second paragraph about airflow.")::text)
             WHERE id = \(id)
            """)
        try await setup.withConnection {
            try await $0.execute(
                script: """
                    CREATE FUNCTION public.test_fault() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                      IF '\(fault.rawValue)' = 'diskFull' THEN
                        RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = '53100';
                      END IF;
                      PERFORM pg_sleep(2);
                      RETURN NEW;
                    END $$;
                    CREATE TRIGGER test_fault BEFORE INSERT ON public.knowledge_chunk_vectors FOR EACH ROW EXECUTE FUNCTION public.test_fault();
                    """)
        }
        // A fresh pool so the database's statement_timeout applies to the indexer's connections.
        if fault == .statementTimeout {
            // hq_test_<pid>_<n>: safe to splice
            let name = try await db.scalar(String.self, "SELECT current_database()")
            try await setup.withConnection {
                try await $0.execute(script: "ALTER DATABASE \(name) SET statement_timeout = '500ms'")
            }
        }
        let pool = PostgresPool(
            configuration: PostgresConfiguration(url), maxConnections: 3, logger: TestDatabase.logger)
        defer { Task { await pool.close() } }
        let indexer = Indexer(
            pool: pool, embedder: RealModel.embedder,
            configuration: {
                var c = IndexerConfiguration()
                c.bulkLoadThreshold = nil
                return c
            }(), logger: TestDatabase.logger)

        let faulty = try await indexer.drain()  // the worker survives the fault
        #expect(faulty.retrying == 1 && faulty.indexed == 0)
        let row = try await setup.query(
            "SELECT chunk_status, last_error, pending_since IS NOT NULL FROM public.knowledge_sources WHERE document_id = \(id)"
        )[0]
        #expect(try row.decode(String.self, column: 0) == "failed")
        let reason = try row.decode(String?.self, column: 1) ?? ""
        #expect(
            reason.contains("write failed") && reason.contains(fault == .diskFull ? "53100" : "57014"),
            "reason: \(reason)")
        #expect(try row.decode(Bool.self, column: 2), "still pending: it will be retried")

        // Rolled back whole: the old chunks and vectors, nothing of the new text, and still found by search.
        #expect(try await db.chunks(document: id).map(\.text) == old.map(\.text))
        #expect(
            try await db.scalar(
                Int64.self,
                "SELECT count(*) FROM public.knowledge_chunk_vectors WHERE source_id = (SELECT id FROM public.knowledge_sources WHERE document_id = \(id))"
            ) == oldVectors)
        let query = try await RealModel.embedder.embed(["old roast profile peak temperature"])[0]
        let hit = try await setup.query(
            "SELECT title, content FROM public.hq_search(\(literal(query))::extensions.vector, 'roast profile', 1)")
        #expect(try hit.first?.decode(String.self, column: 0) == "Roast log")
        #expect(try hit.first?.decode(String.self, column: 1).contains("212 degrees") == true)

        // The fault goes away; the retry (backoff skipped) writes the new chunk set.
        try await setup.withConnection {
            try await $0.execute(
                script: "DROP TRIGGER test_fault ON public.knowledge_chunk_vectors; DROP FUNCTION public.test_fault()")
        }
        try await setup.execute("UPDATE public.knowledge_sources SET next_attempt_at = now() WHERE document_id = \(id)")
        #expect(try await indexer.drain().indexed == 1)
        let new = try await db.chunks(document: id)
        #expect(new.contains { $0.text.contains("205 degrees") } && !new.contains { $0.text.contains("212 degrees") })
        let orphans = try await db.scalar(
            Int64.self,
            """
            SELECT count(*) FROM public.knowledge_chunks c WHERE NOT EXISTS (SELECT 1 FROM public.knowledge_chunk_vectors v WHERE v.chunk_id = c.id)
            """)
        #expect(orphans == 0)
    }
}

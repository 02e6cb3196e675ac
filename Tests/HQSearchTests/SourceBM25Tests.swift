import Foundation
import HQStorage
import HQTestSupport
import Testing

/// The lexical leg's BM25 over whole sources (migration 020): evidence spread over a source's chunks adds up, the
/// title counts, overlapping chunks count their shared text once, and the postings and statistics follow every
/// write. Chunks are written directly, as the indexer's COPY writes them, so no model is needed.
@Suite("Source-level BM25 on a real database")
struct SourceBM25Tests {
    /// A migrated database of its own and one connection to it.
    private static func withDatabase(_ body: (PostgresConnection) async throws -> Void) async throws {
        let url = try await TestDatabase.migratedDatabase()
        let db = try await PostgresConnection.connect(PostgresConfiguration(url), logger: TestDatabase.logger)
        do {
            try await body(db)
            await db.close()
        } catch {
            await db.close()
            throw error
        }
    }

    /// Inserts a document titled `title` and writes the chunks `text[range]` for `ranges` (offsets in characters,
    /// as the chunker records them) in one statement; returns the knowledge source's id.
    @discardableResult
    private static func source(_ db: PostgresConnection, _ title: String, _ text: String, _ ranges: [Range<Int>])
        async throws -> UUID
    {
        let rows = try await db.query(
            "INSERT INTO public.documents (title, content) VALUES (\(title), to_jsonb(\(text)::text)) RETURNING id")
        let document = try rows[0].decode(UUID.self, column: 0)
        let source = try await db.query("SELECT id FROM public.knowledge_sources WHERE document_id = \(document)")[0]
            .decode(UUID.self, column: 0)
        let scalars = Array(text.unicodeScalars)
        let contents = ranges.map { range in String(String.UnicodeScalarView(scalars[range])) }
        try await db.execute(
            """
            INSERT INTO public.knowledge_chunks (source_id, source_type, source_entity_id, document_id, chunk_index, content,
                                                 content_hash, char_start, char_end)
            SELECT \(source), 'document', \(document)::text, \(document), x.i - 1, x.content, md5(x.content), x.s, x.e
              FROM unnest(\(contents)::text[], \(ranges.map(\.lowerBound))::int[], \(ranges.map(\.upperBound))::int[])
                   WITH ORDINALITY AS x (content, s, e, i)
            """)
        return source
    }

    /// Whole-text ranges of consecutive chunks cut at `cuts` (no overlap).
    private static func cut(_ text: String, at cuts: [Int]) -> [Range<Int>] {
        let bounds = [0] + cuts + [text.unicodeScalars.count]
        return zip(bounds, bounds.dropFirst()).map { $0..<$1 }
    }

    /// Sources by title, best first, as hq_bm25_scores ranks them (the lexical leg of the service and the RPCs).
    private static func ranking(_ db: PostgresConnection, _ query: String) async throws -> [String] {
        try await db.query(
            """
            SELECT s.title FROM public.hq_bm25_scores(public.hq_query_terms(\(query))) b
              JOIN public.knowledge_sources s ON s.id = b.source_id
             ORDER BY b.score DESC, b.chunk_id
            """
        ).map { try $0.decode(String.self, column: 0) }
    }

    @Test(
        "query terms spread over two chunks of a source outrank one short chunk matching one term (018 ranked it first)"
    )
    func spreadEvidenceAddsUp() async throws {
        try await Self.withDatabase { db in
            let first = "Aspirin lowered the risk of a first stroke in older adults who took it daily for five years."
            let second = " Colchicine reduced the markers of inflammation in the same cohort during the twelve months."
            try await Self.source(db, "Trial report", first + second, Self.cut(first + second, at: [first.count]))
            let short = "Aspirin dosage."
            try await Self.source(db, "Dosage card", short, Self.cut(short, at: []))
            let other = "Colchicine is an old drug for gout, taken by mouth, whose side effects are mostly digestive."
            try await Self.source(db, "Gout treatment notes", other, Self.cut(other, at: []))
            for filler in [
                "Hospital parking opens at seven in the morning for staff and visitors.",
                "The library lends journals to residents for two weeks at a time.",
            ] {
                try await Self.source(db, "Notice", filler, Self.cut(filler, at: []))
            }

            #expect(try await Self.ranking(db, "aspirin colchicine").first == "Trial report")
            // The counter-example: ranked by its best chunk (018's chunk-level scores), the short card came first.
            let byBestChunk = try await db.query(
                """
                SELECT s.title FROM public.hq_bm25_chunk_scores(public.hq_query_terms('aspirin colchicine')) c
                  JOIN public.knowledge_sources s ON s.id = c.source_id
                 GROUP BY s.title ORDER BY max(c.score) DESC
                """
            ).map { try $0.decode(String.self, column: 0) }
            #expect(byBestChunk.first == "Dosage card")
            // The chunk shown for the trial is its best-matching one, one row per source.
            let rows = try await db.query(
                """
                SELECT k.chunk_index FROM public.hq_bm25_scores(public.hq_query_terms('colchicine inflammation')) b
                  JOIN public.knowledge_chunks k ON k.id = b.chunk_id
                  JOIN public.knowledge_sources s ON s.id = b.source_id WHERE s.title = 'Trial report'
                """
            ).map { try $0.decode(Int.self, column: 0) }
            #expect(rows == [1])
        }
    }

    @Test("hyphenated words are indexed as their parts, as a query spells them either way")
    func hyphenatedWords() async throws {
        try await Self.withDatabase { db in
            let terms = try await db.query("SELECT public.hq_query_terms('TNF-alpha and long-term outcome')")[0]
                .decode([String].self, column: 0)
            #expect(terms == ["alpha", "long", "outcom", "term", "tnf"])
        }
    }

    @Test("the title counts: a source matched by its title alone is found and shown with its first chunk")
    func titleCounts() async throws {
        try await Self.withDatabase { db in
            let text = "Fins grow back within weeks after amputation. The blastema forms first."
            try await Self.source(db, "Zebrafish regeneration", text, Self.cut(text, at: [46]))
            let rows = try await db.query(
                """
                SELECT k.chunk_index FROM public.hq_bm25_scores(public.hq_query_terms('zebrafish')) b
                  JOIN public.knowledge_chunks k ON k.id = b.chunk_id
                """
            ).map { try $0.decode(Int.self, column: 0) }
            #expect(rows == [0])
        }
    }

    @Test("overlap counts once; postings and statistics follow chunk writes, title edits and deletes")
    func postingsFollowWrites() async throws {
        try await Self.withDatabase { db in
            func postings(_ source: UUID) async throws -> [String: Int] {
                var terms: [String: Int] = [:]
                for row in try await db.query(
                    "SELECT term, tf FROM public.knowledge_source_terms WHERE source_id = \(source)")
                {
                    let (term, tf) = try row.decode((String, Int).self)
                    terms[term] = tf
                }
                return terms
            }
            func statisticsAreExact() async throws -> Bool {
                try await db.query(
                    """
                    SELECT (SELECT (s.source_count, s.average_length) FROM public.hq_source_lexical_stats() s)
                           IS NOT DISTINCT FROM
                           (SELECT (count(*), greatest(coalesce(sum(x.source_length)::double precision / nullif(count(*), 0), 1), 1))
                              FROM (SELECT DISTINCT source_id, source_length FROM public.knowledge_source_terms) x)
                    """)[0].decode(Bool.self, column: 0)
            }
            // "gamma" lies in both chunks (the second repeats the first's tail): it occurs once in the source.
            let text = "alpha beta gamma delta"
            let source = try await Self.source(db, "Greek letters", text, [0..<16, 11..<22])
            #expect(
                try await postings(source) == ["alpha": 1, "beta": 1, "gamma": 1, "delta": 1, "greek": 1, "letter": 1])
            let other = try await Self.source(db, "Other", "epsilon zeta", [0..<12])
            #expect(try await statisticsAreExact())

            try await db.execute("UPDATE public.knowledge_sources SET title = 'Letters' WHERE id = \(source)")
            #expect(try await postings(source)["greek"] == nil)
            #expect(try await statisticsAreExact())

            // The indexer's replace: delete the chunk set, then write the new one.
            try await db.execute("DELETE FROM public.knowledge_chunks WHERE source_id = \(source)")
            #expect(try await postings(source).isEmpty)
            #expect(try await statisticsAreExact())
            try await db.execute(
                """
                INSERT INTO public.knowledge_chunks (source_id, source_type, source_entity_id, chunk_index, content, content_hash)
                VALUES (\(source), 'document', 'x', 0, 'omega omega', 'h')
                """)
            #expect(try await postings(source) == ["omega": 2, "letter": 1])
            #expect(try await statisticsAreExact())

            try await db.execute(
                "DELETE FROM public.documents WHERE id = (SELECT document_id FROM public.knowledge_sources WHERE id = \(other))"
            )
            #expect(try await postings(other).isEmpty)
            #expect(try await statisticsAreExact())
            #expect(
                try await db.query("SELECT source_count FROM public.hq_source_lexical_stats()")[0].decode(
                    Int.self, column: 0) == 1)
        }
    }
}

import Foundation
import HQEmbedding
import HQIndexing
import HQNet
import HQStorage
import HQTestSupport
import Testing

/// Issue 9: a batch of hostile sources (committed fixtures in `Fixtures/hostile/` plus large ones generated here)
/// indexed by one real worker with the real model. Every source must end indexed, or failed with a reason in
/// `knowledge_sources`; the worker must return; the well-formed source of the same batch must be searchable; a
/// second pass must change nothing (no duplicate chunk or vector).
@Suite("Hostile corpus (real Postgres, real model)")
struct HostileCorpusTests {
    static let fixtures = TestDatabase.packageRoot + "/Tests/HQIndexingTests/Fixtures/hostile/"

    /// What a hostile source must end as.
    enum Outcome {
        /// Indexed, with this text found in a chunk (nil: any text, e.g. title only).
        case indexed(String?)
        /// Failed or retrying, with this text in `last_error`.
        case failed(String)
    }

    /// `10,000` nested blockquotes around one text node, as TipTap JSON text.
    static func deepTipTap(levels: Int, text: String) -> String {
        String(repeating: #"{"type":"blockquote","content":["#, count: levels)
            + #"{"type":"paragraph","content":[{"type":"text","text":"\#(text)"}]}"#
            + String(repeating: "]}", count: levels)
    }

    @Test("deep, giant, malformed, mistyped, binary and oversized sources end indexed or failed with a reason")
    func hostileBatch() async throws {
        let db = try await TestDB.make()
        defer { Task { await db.pool.close() } }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "hq-hostile-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        var expected: [String: Outcome] = [:]

        // The one well-formed source: must be indexed and found, whatever its batch mates do.
        try await db.document(
            "Control espresso guide",
            markdown: "# Espresso\n\nDial in the grinder until a double shot runs in 28 seconds.")
        expected["Control espresso guide"] = .indexed("double shot runs in 28 seconds")

        // Documents (jsonb). 10,000 levels as an object exceed PostgreSQL's own jsonb depth, so HQ could only hold
        // it as stringified TipTap (a jsonb string); 1,500 levels fit as an object.
        try await db.document(
            "Deep 10000 stringified",
            contentJSON: try TestDB.jsonString(Self.deepTipTap(levels: 10_000, text: "bottom of the well")))
        expected["Deep 10000 stringified"] = .indexed("bottom of the well")
        try await db.document(
            "Deep 1500 object", contentJSON: Self.deepTipTap(levels: 1_500, text: "floor of the mine"))
        expected["Deep 1500 object"] = .indexed("floor of the mine")
        // 20 MB of prose: truncated at the 8M-character cap, indexed, marked truncated.
        let sentence = "Giant document sentence number zero talks about warehouse shelving. "
        let giant = String(repeating: sentence, count: 20_000_000 / sentence.utf8.count + 1)
        try await db.document("Giant 20 MB", markdown: giant)
        expected["Giant 20 MB"] = .indexed("warehouse shelving")
        // Zip-bomb-like repetition: one 2 MB "word" with no whitespace, and 200,000 one-letter paragraphs.
        try await db.document("Repetition word", markdown: String(repeating: "ab", count: 1_000_000))
        expected["Repetition word"] = .indexed(nil)
        try await db.document("Repetition lines", markdown: String(repeating: "x\n\n", count: 200_000))
        expected["Repetition lines"] = .indexed("x")
        // A title of 30,000 words (titles are embedding context for every chunk) and one 1 MB "word".
        let hugeTitle = "Huge title " + String(repeating: "word ", count: 30_000)
        try await db.document(hugeTitle, markdown: "huge title survivor body")
        expected[hugeTitle] = .indexed("huge title survivor body")
        try await db.document(String(repeating: "t", count: 1_000_000), markdown: "one word title survivor body")
        expected[String(repeating: "t", count: 1_000_000)] = .indexed("one word title survivor body")
        try await db.document(
            "Unknown nodes",
            contentJSON: try String(contentsOfFile: Self.fixtures + "tiptap-unknown-nodes.json", encoding: .utf8))
        expected["Unknown nodes"] = .indexed("unknown survivor sentence about grinders")
        try await db.document(
            "Mismatched types",
            contentJSON: try String(contentsOfFile: Self.fixtures + "tiptap-mismatched-types.json", encoding: .utf8))
        expected["Mismatched types"] = .indexed("mismatched survivor sentence about calibration")
        // jsonb values that are not documents at all.
        for (title, json) in [
            ("Content number", "42"), ("Content array", #"[1, "two", null, {"three": 3}]"#),
            ("Content true", "true"), ("Content null string", #""null""#),
            ("Content doc number", #"{"type":"doc","content":42}"#),
            ("Content doc string", #"{"type":"doc","content":"str"}"#),
        ] {
            try await db.document(title, contentJSON: json)
            expected[title] = .indexed(nil)
        }
        // NUL and control characters smuggled through stringified JSON (jsonb itself refuses \u0000).
        let smuggled =
            #"{"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"nul\u0000inside\u0001ctl smuggled survivor"}]}]}"#
        try await db.document("Smuggled NUL", contentJSON: try TestDB.jsonString(smuggled))
        expected["Smuggled NUL"] = .indexed("smuggled survivor")
        // Malformed stringified JSON with a NUL escape and an unterminated escape at the end.
        try await db.document(
            "Malformed JSON string",
            contentJSON: try TestDB.jsonString(#"{"type":"doc","content":[{"text":"broken \u0000 json survivor"#))
        expected["Malformed JSON string"] = .indexed("json survivor")

        // Assets read from files: invalid UTF-8, NULs, binary garbage claiming text formats, unclosed HTML,
        // a file over the size cap (sparse, so cheap), a missing file, a 200,001-field CSV line.
        func asset(_ name: String, type: String, mime: String?, file: String) async throws {
            try await db.pool.execute(
                """
                INSERT INTO public.assets (name, type, mime_type, file_url) VALUES (\(name), \(type)::public.asset_type, \(mime), \(file))
                """)
        }
        try await asset(
            "invalid-utf8.md", type: "document", mime: "text/markdown", file: Self.fixtures + "invalid-utf8.md")
        expected["invalid-utf8.md"] = .indexed("invalid utf8 survivor sentence about kettles")
        try await asset("nul-bytes.txt", type: "document", mime: "text/plain", file: Self.fixtures + "nul-bytes.txt")
        expected["nul-bytes.txt"] = .indexed("nul survivor sentence about scales")
        for (name, mime) in [
            ("garbage.txt", "text/plain"), ("garbage.md", "text/markdown"), ("garbage.csv", "text/csv"),
        ] {
            try await asset(name, type: "document", mime: mime, file: Self.fixtures + name)
            expected[name] = .indexed(nil)
        }
        try await asset("garbage.pdf", type: "document", mime: "application/pdf", file: Self.fixtures + "garbage.pdf")
        expected["garbage.pdf"] = PDFTextExtractor.defaultPath() == nil ? .indexed(nil) : .failed("pdftotext exited")
        try await asset("unclosed.html", type: "document", mime: "text/html", file: Self.fixtures + "unclosed.html")
        expected["unclosed.html"] = .indexed("html survivor sentence about filters")
        let huge = scratch.appendingPathComponent("huge.txt")
        FileManager.default.createFile(atPath: huge.path, contents: nil)
        let handle = try FileHandle(forWritingTo: huge)
        try handle.truncate(atOffset: UInt64(ExtractionConfiguration().maxFileBytes) + 1)
        try handle.close()
        try await asset("huge.txt", type: "document", mime: "text/plain", file: huge.path)
        expected["huge.txt"] = .failed("exceeds the cap")
        try await asset(
            "missing.md", type: "document", mime: "text/markdown",
            file: scratch.appendingPathComponent("missing.md").path)
        expected["missing.md"] = .failed("no such file")
        let wide = scratch.appendingPathComponent("wide.csv")
        // Repeated field names, so its chunks repeat too and the real model embeds only a few distinct texts.
        try Data((String(repeating: "field,", count: 200_000) + "f199999").utf8).write(to: wide)
        try await asset("wide.csv", type: "spreadsheet", mime: "text/csv", file: wide.path)
        expected["wide.csv"] = .indexed("f199999")

        // The fixtures and the scratch folder are the allowed roots (issue 13: nothing else is read).
        let fetcher = AssetFileFetcher(
            local: try LocalFileFetcher(roots: [Self.fixtures, scratch.path]), links: LinkFetcher(client: .shared),
            storage: nil)
        let indexer = db.indexer(RealModel.embedder) {
            $0.batchSize = 64
            $0.extraction.fetcher = fetcher
        }
        let clock = ContinuousClock()
        let started = clock.now
        let first = try await indexer.drain()  // must return, not crash or throw
        let elapsed = clock.now - started
        #expect(first.sources == expected.count, "every hostile source was settled in one pass (\(elapsed))")

        let rows = try await db.pool.query(
            """
            SELECT s.title, s.chunk_status, s.last_error, s.pending_since IS NOT NULL, s.extraction_method,
                   (SELECT count(*) FROM public.knowledge_chunks c WHERE c.source_id = s.id)
              FROM public.knowledge_sources s
            """)
        #expect(rows.count == expected.count)
        for row in rows {
            let title = try row.decode(String.self, column: 0)
            let status = try row.decode(String.self, column: 1)
            let error = try row.decode(String?.self, column: 2)
            let method = try row.decode(String?.self, column: 4) ?? ""
            let chunks = try row.decode(Int64.self, column: 5)
            switch expected[title] {
            case .indexed(let needle):
                #expect(status == "indexed", "\(title): \(status) \(error ?? "")")
                #expect(chunks > 0, "\(title) has chunks")
                if let needle {
                    let hits = try await db.scalar(
                        Int64.self,
                        """
                        SELECT count(*) FROM public.knowledge_chunks c JOIN public.knowledge_sources s ON s.id = c.source_id
                         WHERE s.title = \(title) AND strpos(c.content, \(needle)) > 0
                        """)
                    #expect(hits > 0, "\(title): '\(needle)' is in a chunk")
                }
            case .failed(let reason):
                #expect(status == "failed", "\(title): \(status)")
                #expect(error?.contains(reason) == true, "\(title): reason '\(error ?? "nil")' names '\(reason)'")
                #expect(chunks == 0)
            case nil:
                Issue.record("unexpected source \(title)")
            }
            if title == "Giant 20 MB" {
                #expect(method.contains("truncated"))
                // One sentence pasted 300,000 times: identical chunks are left out, so the HNSW graph holds no sink of
                // thousands of identical points that could hide the control source from the dense leg.
                #expect(chunks <= 3, "\(chunks) chunks")
            }
        }

        // The control source is searchable through the SQL search the HQ UI calls.
        let query = try await RealModel.embedder.embed(["how long should a double espresso shot run"])[0]
        let hit = try await db.pool.query(
            "SELECT title FROM public.hq_search(\(literal(query))::extensions.vector, 'espresso shot', 1)")
        #expect(try hit.first?.decode(String.self, column: 0) == "Control espresso guide")

        // No chunk balloons past the characters its tokens allow (a 2 MB run without spaces counts as one token).
        let longest = try await db.scalar(Int32.self, "SELECT max(length(content)) FROM public.knowledge_chunks")
        #expect(longest <= 10_000, "longest chunk: \(longest) characters")

        // No duplicate chunk index, no chunk without its vector, no orphan vector.
        let before = try await Self.integrity(db)
        #expect(before.duplicates == 0 && before.chunksWithoutVector == 0 && before.orphanVectors == 0)

        // Retries come back (backoff skipped): same failures, no duplicated chunk anywhere.
        try await db.pool.execute(
            "UPDATE public.knowledge_sources SET next_attempt_at = now() WHERE pending_since IS NOT NULL")
        let second = try await indexer.drain()
        #expect(second.indexed == 0 && second.chunks == 0)
        let after = try await Self.integrity(db)
        #expect(after == before)
    }

    struct Integrity: Equatable {
        var chunks: Int64, vectors: Int64, duplicates: Int64, chunksWithoutVector: Int64, orphanVectors: Int64
    }

    static func integrity(_ db: TestDB) async throws -> Integrity {
        let row = try await db.pool.query(
            """
            SELECT (SELECT count(*) FROM public.knowledge_chunks),
                   (SELECT count(*) FROM public.knowledge_chunk_vectors),
                   (SELECT count(*) FROM (SELECT 1 FROM public.knowledge_chunks GROUP BY source_id, chunk_index HAVING count(*) > 1) d),
                   (SELECT count(*) FROM public.knowledge_chunks c WHERE NOT EXISTS
                      (SELECT 1 FROM public.knowledge_chunk_vectors v WHERE v.chunk_id = c.id)),
                   (SELECT count(*) FROM public.knowledge_chunk_vectors v WHERE NOT EXISTS
                      (SELECT 1 FROM public.knowledge_chunks c WHERE c.id = v.chunk_id))
            """)[0]
        return Integrity(
            chunks: try row.decode(Int64.self, column: 0), vectors: try row.decode(Int64.self, column: 1),
            duplicates: try row.decode(Int64.self, column: 2),
            chunksWithoutVector: try row.decode(Int64.self, column: 3),
            orphanVectors: try row.decode(Int64.self, column: 4))
    }
}

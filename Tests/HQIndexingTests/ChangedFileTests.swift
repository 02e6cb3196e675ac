import Foundation
import HQCore
import HQIndexing
import HQNet
import HQStorage
import HQTestSupport
import Testing

/// Issue 14: an asset's identity for "unchanged" includes the bytes its text came from. Before, the source hash
/// covered `file_url` and `file_size` only: a file replaced by another of the same name and size was called
/// unchanged by `hq reindex --all`, and search kept serving the old text.
@Suite("A replaced asset file is re-indexed even with the same name and size")
struct ChangedFileTests {
    @Test("same path, same size, other bytes: reindex picks it up; the same bytes stay unchanged")
    func sameSizeReplacement() async throws {
        let db = try await TestDB.make()
        defer { Task { await db.pool.close() } }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("hq-changed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("prices.txt")
        let before = "The espresso blend costs eleven euros per kilogram this spring."
        let after = "The espresso blend costs twelve euros per kilogram this summer."
        #expect(before.utf8.count == after.utf8.count)
        try Data(before.utf8).write(to: file)
        let size = before.utf8.count
        try await db.pool.execute(
            """
            INSERT INTO public.assets (name, type, mime_type, file_url, file_size)
            VALUES ('prices.txt', 'document'::public.asset_type, 'text/plain', \(file.path), \(size))
            """)
        let embedder = FakeEmbedder()
        let fetcher = AssetFileFetcher(
            local: try LocalFileFetcher(roots: [root.path]), links: LinkFetcher(client: .shared), storage: nil)
        let indexer = db.indexer(embedder) { $0.extraction.fetcher = fetcher }
        let first = try await indexer.drain()
        #expect(first.indexed == 1)
        func text() async throws -> String {
            try await db.scalar(String.self, "SELECT string_agg(content, ' ') FROM public.knowledge_chunks")
        }
        #expect(try await text().contains("eleven euros"))

        // Marked pending with nothing changed: unchanged, nothing embedded.
        _ = try await indexer.markPending(ReindexSelection())
        let embeddedBefore = embedder.texts.load(ordering: .relaxed)
        let same = try await indexer.drain()
        #expect(same.unchanged == 1 && same.indexed == 0)
        #expect(embedder.texts.load(ordering: .relaxed) == embeddedBefore)

        // The same name and size, other bytes (the file's mtime kept as it was): a change.
        let modified = try FileManager.default.attributesOfItem(atPath: file.path)[.modificationDate]
        try Data(after.utf8).write(to: file)
        if let modified {
            try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: file.path)
        }
        _ = try await indexer.markPending(ReindexSelection())
        let changed = try await indexer.drain()
        #expect(changed.indexed == 1 && changed.unchanged == 0)
        let now = try await text()
        #expect(now.contains("twelve euros") && !now.contains("eleven euros"))
    }

    @Test(
        "a re-upload that only stamps updated_at (same path and size) queues the asset; other updates cost no embedding"
    )
    func reuploadQueuesTheAsset() async throws {
        let db = try await TestDB.make()
        defer { Task { await db.pool.close() } }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("hq-reupload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("menu.txt")
        let before = "The oat flat white is on the winter menu at every cafe."
        let after = "The oat flat white is on the spring menu at every cafe."
        #expect(before.utf8.count == after.utf8.count)
        try Data(before.utf8).write(to: file)
        let rows = try await db.pool.query(
            """
            INSERT INTO public.assets (name, type, mime_type, file_url, file_size)
            VALUES ('menu.txt', 'document'::public.asset_type, 'text/plain', \(file.path), \(before.utf8.count))
            RETURNING id
            """)
        let asset = try rows[0].decode(UUID.self, column: 0)
        let embedder = FakeEmbedder()
        let fetcher = AssetFileFetcher(
            local: try LocalFileFetcher(roots: [root.path]), links: LinkFetcher(client: .shared), storage: nil)
        let indexer = db.indexer(embedder) { $0.extraction.fetcher = fetcher }
        #expect(try await indexer.drain().indexed == 1)

        // What HQ does on a re-upload under the same name: the object's bytes change, the row gets a new updated_at.
        try Data(after.utf8).write(to: file)
        try await db.pool.execute(
            "UPDATE public.assets SET updated_at = now() + interval '1 second' WHERE id = \(asset)")
        let pending = try await db.scalar(
            Bool.self, "SELECT pending_since IS NOT NULL FROM public.knowledge_sources WHERE asset_id = \(asset)")
        #expect(pending, "the re-upload did not queue the asset (before 024 only name, size and path counted)")
        let changed = try await indexer.drain()
        #expect(changed.indexed == 1)
        let text = try await db.scalar(String.self, "SELECT string_agg(content, ' ') FROM public.knowledge_chunks")
        #expect(text.contains("spring menu") && !text.contains("winter menu"))

        // Another update of the row (its meta) with the same bytes: fetched and compared, nothing embedded.
        let embedded = embedder.texts.load(ordering: .relaxed)
        try await db.pool.execute("UPDATE public.assets SET meta = '{\"note\": 1}' WHERE id = \(asset)")
        let same = try await indexer.drain()
        #expect(same.unchanged == 1 && same.indexed == 0)
        #expect(embedder.texts.load(ordering: .relaxed) == embedded)
    }

    @Test(
        "storage files are asked with If-None-Match: unchanged ones are not downloaded again, replaced ones are; weak ETags are not trusted"
    )
    func storageValidators() async throws {
        let db = try await TestDB.make()
        defer { Task { await db.pool.close() } }
        let key = "service-role-\(UUID().uuidString)"
        let id = UUID().uuidString.lowercased()
        let origin = ObjectOrigin([
            "notes.md": "The cold brew steeps for eighteen hours before it is bottled.",
            "weak.md": "The decaf beans are roasted on Tuesdays and shipped on Fridays.",
        ])
        let storage = try FaultServer { request, _ in
            origin.answer(request, prefix: "/storage/v1/object/authenticated/assets/\(id)/")
        }
        defer { storage.stop() }
        for name in ["notes.md", "weak.md"] {
            try await db.pool.execute(
                """
                INSERT INTO public.assets (name, type, mime_type, file_url, file_size)
                VALUES (\(name), 'document'::public.asset_type, 'text/markdown', \(id + "/" + name), 62)
                """)
        }
        let client = HTTPClient(logger: TestDatabase.logger)
        let fetcher = AssetFileFetcher(
            local: try LocalFileFetcher(roots: [], resolvesObjectPaths: false), links: LinkFetcher(client: client),
            storage: StorageFetcher(
                client: client, configuration: StorageFetcher.Configuration(url: storage.baseURL, key: key)))
        let embedder = FakeEmbedder()
        let indexer = db.indexer(embedder) { $0.extraction.fetcher = fetcher }
        func text() async throws -> String {
            try await db.scalar(
                String.self, "SELECT string_agg(content, ' ' ORDER BY content) FROM public.knowledge_chunks")
        }

        #expect(try await indexer.drain().indexed == 2)
        #expect(origin.downloads == ["notes.md": 1, "weak.md": 1])
        let recorded = try await db.scalar(Int64.self, "SELECT count(*) FROM public.knowledge_source_files")
        #expect(recorded == 1, "only the strong ETag is kept")

        // `hq reindex --all` on an unchanged bucket: the strong-ETag file is answered 304, the weak one downloaded.
        _ = try await indexer.markPending(ReindexSelection())
        let same = try await indexer.drain()
        #expect(same.unchanged == 2 && same.indexed == 0)
        #expect(origin.downloads == ["notes.md": 1, "weak.md": 2])
        #expect(origin.notModified == ["notes.md": 1])

        // Replaced under the same name and size: a new ETag, so the 304 is not given; downloaded and re-indexed.
        origin.replace("notes.md", with: "The cold brew steeps for twenty-two hours, then it is bottled.")
        _ = try await indexer.markPending(ReindexSelection())
        let changed = try await indexer.drain()
        #expect(changed.indexed == 1 && changed.unchanged == 1)
        #expect(origin.downloads["notes.md"] == 2)
        #expect(try await text().contains("twenty-two hours"))

        // The file unchanged but the asset renamed: the 304 says the bytes are the same, yet extraction needs them.
        try await db.pool.execute("UPDATE public.assets SET name = 'Cold brew notes' WHERE name = 'notes.md'")
        let renamed = try await indexer.drain()
        #expect(renamed.indexed == 1)
        #expect(origin.downloads["notes.md"] == 3)
        #expect(try await text().contains("twenty-two hours"))
    }
}

/// A stand-in for Supabase Storage's object route that sends an ETag with each object (strong: quoted SHA-256 of the
/// bytes; `weak.md` gets a weak one) and answers `If-None-Match` with 304 while it still matches, as Storage does.
final class ObjectOrigin: @unchecked Sendable {
    // Invariant: every property is only touched under `lock`.
    private let lock = NSLock()
    private var objects: [String: String]
    private var _downloads: [String: Int] = [:]
    private var _notModified: [String: Int] = [:]

    init(_ objects: [String: String]) { self.objects = objects }

    var downloads: [String: Int] { lock.withLock { _downloads } }
    var notModified: [String: Int] { lock.withLock { _notModified } }

    func replace(_ name: String, with text: String) { lock.withLock { objects[name] = text } }

    func answer(_ request: FaultServer.Received, prefix: String) -> FaultServer.Action {
        lock.withLock {
            guard request.path.hasPrefix(prefix), let text = objects[String(request.path.dropFirst(prefix.count))]
            else { return .json(404, #"{"statusCode":"404","error":"not_found","message":"Object not found"}"#) }
            let name = String(request.path.dropFirst(prefix.count))
            let digest = SHA256.hex(text)
            let etag = name == "weak.md" ? "W/\"\(digest)\"" : "\"\(digest)\""
            if request.headers["if-none-match"] == etag {
                _notModified[name, default: 0] += 1
                return .respond(status: 304, headers: [("ETag", etag)], body: [])
            }
            _downloads[name, default: 0] += 1
            return .respond(
                status: 200, headers: [("Content-Type", "text/markdown"), ("ETag", etag)], body: Array(text.utf8))
        }
    }
}

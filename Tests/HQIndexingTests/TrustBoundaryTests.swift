import Foundation
import HQEmbedding
import HQIndexing
import HQNet
import HQStorage
import HQTestSupport
import Logging
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 13: every `assets.file_url` is written by the HQ UI or an agent. Each test plants the attack as a row, lets
/// the real indexer (real Postgres, real model) take it, and checks both the refusal (the source failed, the reason
/// names the rule) and that the secret's text reached no chunk. Each attack succeeded on the indexer before the
/// fetchers were confined: it read any path the process could and fetched any URL.
@Suite("Trust boundary: where asset bytes may come from", .serialized)
struct TrustBoundaryTests {
    /// A scratch tree: `root/` (the allowed root, with a legitimate file) and `outside/secret.txt` beside it.
    struct Scratch {
        let base: URL
        let root: URL
        let secretFile: URL
        let secret: String

        init() throws {
            base = FileManager.default.temporaryDirectory.appendingPathComponent(
                "hq-trust-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
            root = base.appendingPathComponent("root")
            let outside = base.appendingPathComponent("outside")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
            secret = "SECRET-\(UUID().uuidString)"
            secretFile = outside.appendingPathComponent("secret.txt")
            try Data("api_key=\(secret)\n".utf8).write(to: secretFile)
            try Data("The allowed note says the grinder burrs are replaced every spring.".utf8)
                .write(to: root.appendingPathComponent("allowed.txt"))
        }

        func remove() { try? FileManager.default.removeItem(at: base) }
    }

    /// The outcome of each asset by name after one drain: status, last error, and how many chunks or source rows
    /// (text, URI, metadata, errors) contain `needle`.
    static func outcomes(_ db: TestDB, needle: String) async throws -> (
        rows: [String: (status: String, error: String?)], leaked: Int64
    ) {
        let rows = try await db.pool.query("SELECT title, chunk_status, last_error FROM public.knowledge_sources")
        var result: [String: (String, String?)] = [:]
        for row in rows {
            result[try row.decode(String.self, column: 0)] = (
                try row.decode(String.self, column: 1), try row.decode(String?.self, column: 2)
            )
        }
        let leaked = try await db.scalar(
            Int64.self,
            """
            SELECT (SELECT count(*) FROM public.knowledge_chunks
                     WHERE strpos(content, \(needle)) > 0 OR strpos(coalesce(source_uri, ''), \(needle)) > 0
                        OR strpos(meta::text, \(needle)) > 0)
                 + (SELECT count(*) FROM public.knowledge_sources
                     WHERE strpos(coalesce(last_error, '') || coalesce(extraction_error, '') || coalesce(source_uri, '')
                                  || meta::text, \(needle)) > 0)
            """)
        return (result, leaked)
    }

    static func asset(
        _ db: TestDB, _ name: String, type: String = "document", mime: String? = "text/plain", url: String
    ) async throws {
        try await db.pool.execute(
            """
            INSERT INTO public.assets (name, type, mime_type, file_url) VALUES (\(name), \(type)::public.asset_type, \(mime), \(url))
            """)
    }

    static func fetcher(
        roots: [String], policy: AddressPolicy = .publicOnly, resolver: any HostResolver = SystemHostResolver(),
        storage: StorageFetcher.Configuration? = nil, timeout: Duration = .seconds(20)
    ) throws -> AssetFileFetcher {
        let client = HTTPClient(logger: TestDatabase.logger)
        return AssetFileFetcher(
            local: try LocalFileFetcher(roots: roots, resolvesObjectPaths: storage == nil),
            links: LinkFetcher(client: client, policy: policy, resolver: resolver, timeout: timeout),
            storage: storage.map { StorageFetcher(client: client, configuration: $0, timeout: timeout) })
    }

    @Test(
        "local paths: only regular files under an allowed root are read; /proc, .., symlinks out, FIFOs, devices and escaped file:// URLs are refused"
    )
    func localAttacks() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try await TestDB.make()
        defer { Task { await db.pool.close() } }
        // The indexer's own environment holds a key: /proc/self/environ would hand it out.
        setenv("HQ_TEST_PLANTED_KEY", scratch.secret, 1)
        defer { unsetenv("HQ_TEST_PLANTED_KEY") }
        let root = scratch.root.path
        symlink(scratch.secretFile.path, root + "/innocent.txt")
        symlink("/dev/zero", root + "/zero.txt")
        symlink(scratch.base.path + "/outside", root + "/linked-dir")
        mkfifo(root + "/pipe.txt", 0o600)

        let attacks: [(name: String, url: String, rule: String)] = [
            ("proc environ", "/proc/self/environ", "outside the allowed roots"),
            ("proc environ file url", "file:///proc/self/environ", "outside the allowed roots"),
            ("absolute secret", scratch.secretFile.path, "outside the allowed roots"),
            ("dot dot", root + "/../outside/secret.txt", "outside the allowed roots"),
            ("escaped dot dot", "file://" + root + "/%2e%2e/outside/secret.txt", "outside the allowed roots"),
            (
                "escaped absolute",
                "file://" + scratch.secretFile.path.replacingOccurrences(of: "secret.txt", with: "%73ecret.txt"),
                "outside the allowed roots"
            ),
            ("symlink out", root + "/innocent.txt", "resolves outside the allowed roots"),
            ("symlinked dir", root + "/linked-dir/secret.txt", "resolves outside the allowed roots"),
            ("symlink to dev zero", root + "/zero.txt", "resolves outside the allowed roots"),
            ("dev zero", "/dev/zero", "outside the allowed roots"),
            ("fifo", root + "/pipe.txt", "not a regular file (a FIFO)"),
            ("file url other host", "file://evil.example" + root + "/allowed.txt", "may not name another host"),
            ("gopher", "gopher://127.0.0.1:70/", "scheme gopher: is not allowed"),
            ("control characters", root + "/allowed.txt\n/proc/self/environ", "control characters"),
        ]
        for attack in attacks { try await Self.asset(db, attack.name, url: attack.url) }
        try await Self.asset(db, "allowed", url: "file://" + root + "/allowed.txt")

        let indexer = db.indexer(RealModel.embedder) {
            $0.extraction.fetcher = try! Self.fetcher(roots: [root])
        }
        _ = try await indexer.drain()
        let (rows, leaked) = try await Self.outcomes(db, needle: scratch.secret)
        #expect(leaked == 0, "the secret reached no chunk")
        for attack in attacks {
            let row = rows[attack.name]
            #expect(row?.status == "failed", "\(attack.name): \(row?.status ?? "missing")")
            #expect(
                row?.error?.contains("refused") == true && row?.error?.contains(attack.rule) == true,
                "\(attack.name): '\(row?.error ?? "nil")' names '\(attack.rule)'")
            #expect(row?.error?.contains(scratch.secret) != true)
        }
        #expect(rows["allowed"]?.status == "indexed", "a file under the root is read: \(rows["allowed"]?.error ?? "")")
        let read = try await db.scalar(
            Int64.self, "SELECT count(*) FROM public.knowledge_chunks WHERE strpos(content, 'burrs are replaced') > 0")
        #expect(read > 0)
        // Refusals are final: nothing is left to retry.
        let pending = try await db.scalar(
            Int64.self, "SELECT count(*) FROM public.knowledge_sources WHERE pending_since IS NOT NULL")
        #expect(pending == 0)
    }

    @Test(
        "a root may not be / or a kernel file system; an oversized file is refused by its descriptor's size, not read")
    func rootsAndSizes() async throws {
        #expect(throws: IndexingError.self) { try LocalFileFetcher(roots: ["/"]) }
        #expect(throws: IndexingError.self) { try LocalFileFetcher(roots: ["/proc/self"]) }
        let scratch = try Scratch()
        defer { scratch.remove() }
        let big = scratch.root.appendingPathComponent("big.txt")
        FileManager.default.createFile(atPath: big.path, contents: nil)
        let handle = try FileHandle(forWritingTo: big)
        try handle.truncate(atOffset: 1 << 40)  // sparse: a terabyte that costs nothing unless read
        try handle.close()
        let fetcher = try LocalFileFetcher(roots: [scratch.root.path])
        await #expect {
            _ = try await fetcher.fetch(big.path, maxBytes: 1 << 20)
        } throws: { error in
            (error as? IndexingError)?.code == .tooLarge
        }
    }

    @Test("hq ingest's roots are kept on this machine, 0600, as real paths, once each")
    func registry() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let registry = FilesRootRegistry(home: scratch.base.path + "/home")
        #expect(registry.load().isEmpty)
        try registry.record(scratch.root.path + "/../root")
        try registry.record(scratch.root.path)
        let real = try #require(LocalFileFetcher.realPath(scratch.root.path))
        #expect(registry.load() == [real])
        var info = stat()
        #expect(stat(registry.path, &info) == 0 && info.st_mode & 0o777 == 0o600)
        #expect(throws: IndexingError.self) { try registry.record(scratch.base.path + "/missing") }
        #expect(Ingest.roots(of: [scratch.root.path + "/allowed.txt"]) == [real + "/allowed.txt"])
    }

    @Test(
        "links: loopback, metadata and mapped addresses are refused by name, by redirect and by rebinding; signed URL tokens stay out of chunks"
    )
    func linkAttacks() async throws {
        let db = try await TestDB.make()
        defer { Task { await db.pool.close() } }
        let secret = "SECRET-\(UUID().uuidString)"
        let token = "TOKEN-\(UUID().uuidString)"
        // The internal service a row must not reach: 127.0.0.1, serving a secret.
        let inner = try FaultServer { _, _ in
            .respond(status: 200, headers: [("Content-Type", "text/plain")], body: Array("inner \(secret)".utf8))
        }
        defer { inner.stop() }
        // The "public" web server (127.0.0.2, allowed below as a stand-in for a public address): one page, one
        // redirect to the inner service, one binary file.
        let web = try FaultServer(host: "127.0.0.2") { request, _ in
            switch request.path.split(separator: "?").first.map(String.init) ?? "" {
            case "/page":
                return .respond(
                    status: 200, headers: [("Content-Type", "text/html; charset=utf-8")],
                    body: Array("<p>Cupping notes: jasmine and bergamot.</p>".utf8))
            case "/hop": return .respond(status: 302, headers: [("Location", inner.baseURL + "/secret")], body: [])
            case "/hop-relative":
                return .respond(
                    status: 301, headers: [("Location", "http://[::ffff:127.0.0.1]:\(inner.port)/secret")], body: [])
            case "/binary":
                return .respond(
                    status: 200, headers: [("Content-Type", "application/octet-stream")],
                    body: Array("bin \(secret)".utf8))
            default: return .respond(status: 404, headers: [], body: [])
            }
        }
        defer { web.stop() }
        let policy = AddressPolicy(allowedRanges: [try #require(AddressPolicy.Range("127.0.0.2/32"))])
        let resolver = StaticHostResolver([
            "web.test": [try #require(IPAddress("127.0.0.2"))],
            "metadata.test": [try #require(IPAddress("169.254.169.254"))],
            "rebind.test": [try #require(IPAddress("::ffff:127.0.0.1"))],
            "split.test": [try #require(IPAddress("127.0.0.2")), try #require(IPAddress("127.0.0.1"))],
        ])
        let attacks: [(name: String, url: String, rule: String)] = [
            ("loopback literal", inner.baseURL + "/secret", "loopback address 127.0.0.1"),
            ("localhost", "http://localhost:\(inner.port)/secret", "loopback address"),
            ("redirect to loopback", "http://web.test:\(web.port)/hop", "loopback address 127.0.0.1"),
            ("redirect to mapped", "http://web.test:\(web.port)/hop-relative", "loopback address ::ffff:127.0.0.1"),
            ("metadata", "http://metadata.test/latest/meta-data/", "link-local address 169.254.169.254"),
            (
                "rebinding to mapped loopback", "http://rebind.test:\(inner.port)/secret",
                "loopback address ::ffff:127.0.0.1"
            ),
            ("one bad address of two", "http://split.test:\(inner.port)/secret", "loopback address 127.0.0.1"),
            ("binary content", "http://web.test:\(web.port)/binary", "content type application/octet-stream"),
        ]
        for attack in attacks { try await Self.asset(db, attack.name, type: "link", mime: nil, url: attack.url) }
        try await Self.asset(
            db, "signed page", type: "link", mime: "text/html",
            url: "http://user:pw-\(token)@web.test:\(web.port)/page?token=\(token)#\(token)")

        let indexer = db.indexer(RealModel.embedder) {
            $0.extraction.fetcher = try! Self.fetcher(roots: [], policy: policy, resolver: resolver)
        }
        _ = try await indexer.drain()
        let (rows, leaked) = try await Self.outcomes(db, needle: secret)
        #expect(leaked == 0, "the inner secret reached no chunk")
        #expect(inner.requestCount == 0, "no request reached the internal service")
        for attack in attacks {
            let row = rows[attack.name]
            #expect(row?.status == "failed", "\(attack.name): \(row?.status ?? "missing") \(row?.error ?? "")")
            #expect(
                row?.error?.contains(attack.rule) == true,
                "\(attack.name): '\(row?.error ?? "nil")' names '\(attack.rule)'")
        }
        #expect(rows["signed page"]?.status == "indexed", "\(rows["signed page"]?.error ?? "")")
        let tokens = try await db.scalar(
            Int64.self, "SELECT count(*) FROM public.knowledge_chunks WHERE strpos(content, \(token)) > 0")
        #expect(tokens == 0, "no signed-URL token or credential in any chunk")
        let page = try await db.scalar(
            Int64.self, "SELECT count(*) FROM public.knowledge_chunks WHERE strpos(content, 'jasmine and bergamot') > 0"
        )
        #expect(page > 0)
    }

    @Test(
        "storage objects: the REST API with the service key, 404 and 400-not-found, slow and truncated answers; the key never stored"
    )
    func storage() async throws {
        let db = try await TestDB.make()
        defer { Task { await db.pool.close() } }
        let key = "service-role-\(UUID().uuidString)"
        let id = UUID().uuidString.lowercased()
        let storage = try FaultServer { request, _ in
            guard request.headers["authorization"] == "Bearer \(key)", request.headers["apikey"] == key else {
                return .json(400, #"{"statusCode":"403","error":"Unauthorized","message":"invalid signature"}"#)
            }
            switch request.path {
            case "/storage/v1/object/authenticated/assets/\(id)/price%20list.csv":
                return .respond(
                    status: 200, headers: [("Content-Type", "text/csv")], body: Array("sku,price\nESP-1,18.50\n".utf8))
            case "/storage/v1/object/authenticated/assets/\(id)/gone.md":
                return .json(404, #"{"statusCode":"404","error":"not_found","message":"Object not found"}"#)
            case "/storage/v1/object/authenticated/assets/\(id)/old-gone.md":
                return .json(400, #"{"statusCode":"404","error":"not_found","message":"Object not found"}"#)
            case "/storage/v1/object/authenticated/assets/\(id)/slow.md":
                return .after(.seconds(20), .respond(status: 200, headers: [], body: Array("late".utf8)))
            case "/storage/v1/object/authenticated/assets/\(id)/cut.md":
                return .resetMidBody(declared: 10_000, partial: Array("partial body".utf8))
            default:
                return .json(400, #"{"statusCode":"400","error":"InvalidKey","message":"bad path"}"#)
            }
        }
        defer { storage.stop() }
        let expected: [(name: String, path: String, outcome: String)] = [
            ("price list", "\(id)/price list.csv", "indexed"),
            ("gone", "\(id)/gone.md", "not found in the bucket"),
            ("old gone", "\(id)/old-gone.md", "not found in the bucket"),
            ("slow", "\(id)/slow.md", "storage object \(id)/slow.md: timedOut"),
            ("cut", "\(id)/cut.md", "storage object \(id)/cut.md"),
            ("traversal", "\(id)/../../rest/v1/secrets", "without ., .. or empty segments"),
        ]
        for item in expected { try await Self.asset(db, item.name, type: "document", mime: nil, url: item.path) }
        let configuration = StorageFetcher.Configuration(url: storage.baseURL + "/", key: key)
        let lines = CapturingLogHandler.Lines()
        let logger = CapturingLogHandler.logger(lines)
        let client = HTTPClient(logger: logger)
        var indexerConfiguration = IndexerConfiguration()
        indexerConfiguration.bulkLoadThreshold = nil
        indexerConfiguration.extraction.fetcher = AssetFileFetcher(
            local: try LocalFileFetcher(roots: [], resolvesObjectPaths: false), links: LinkFetcher(client: client),
            storage: StorageFetcher(client: client, configuration: configuration, timeout: .seconds(2)))
        let indexer = Indexer(
            pool: db.pool, embedder: RealModel.embedder, configuration: indexerConfiguration, logger: logger)
        _ = try await indexer.drain()
        #expect(!lines.all.isEmpty, "trace-level logs were captured")
        #expect(!lines.all.contains { $0.contains(key) }, "the key is in no log line")
        let (rows, leaked) = try await Self.outcomes(db, needle: key)
        #expect(leaked == 0)
        for item in expected {
            let row = rows[item.name]
            if item.outcome == "indexed" {
                #expect(row?.status == "indexed", "\(item.name): \(row?.error ?? "")")
            } else {
                #expect(
                    row?.status != "indexed" && row?.error?.contains(item.outcome) == true,
                    "\(item.name): '\(row?.error ?? "nil")' names '\(item.outcome)'")
            }
            #expect(row?.error?.contains(key) != true, "the key is in no error")
        }
        #expect(
            !storage.received.contains { $0.path.contains("rest") || $0.path.contains("..") },
            "the traversal was never sent")
        let price = try await db.scalar(
            Int64.self, "SELECT count(*) FROM public.knowledge_chunks WHERE strpos(content, 'ESP-1') > 0")
        #expect(price > 0)
        // A wrong key: refused credentials are reported as such, and the key is not in the message.
        let wrong = StorageFetcher(
            client: HTTPClient(logger: TestDatabase.logger),
            configuration: .init(url: storage.baseURL, key: "wrong-\(key)"))
        await #expect {
            _ = try await wrong.fetch("\(id)/price list.csv", maxBytes: 1 << 20)
        } throws: { error in
            "\(error)".contains("refused the credentials") && !"\(error)".contains(key)
        }
    }
}

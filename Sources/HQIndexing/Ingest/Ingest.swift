public import Foundation
public import HQStorage
public import Logging

/// Imports files and folders into HQ: markdown becomes documents (the folder tree mirrored in `document_folders`),
/// other files become assets (text content stored, `file_url` pointing at the file, the tree mirrored in
/// `asset_folders`). Re-importing a path updates what it imported before (matched by `meta.ingest_path`), and
/// unchanged files are left alone, so nothing is re-indexed needlessly. The indexer picks the rows up through the
/// queue triggers.
public struct Ingest: Sendable {
    /// What to import as.
    public enum Mode: String, Sendable, CaseIterable {
        /// Markdown → documents, everything else → assets.
        case auto
        /// Every file → a document (text content).
        case document
        /// Every file → an asset.
        case asset
    }

    /// Import settings.
    public struct Options: Sendable {
        /// Tags added to every imported row.
        public var tags: [String] = []
        /// A root folder (path `A/B` allowed) to put everything under; nil for the top level.
        public var folder: String?
        /// Documents, assets, or by file type.
        public var mode: Mode = .auto
        /// Text content larger than this is not stored on an asset (the file is still referenced).
        public var maxContentBytes: Int = 4 << 20

        /// Defaults.
        public init() {}
    }

    /// What an import did.
    public struct Summary: Sendable, Hashable, Codable {
        /// Documents created.
        public var documentsCreated = 0
        /// Assets created.
        public var assetsCreated = 0
        /// Rows updated because their file changed.
        public var updated = 0
        /// Files already imported and unchanged.
        public var unchanged = 0
        /// Hidden or unreadable files skipped.
        public var skipped = 0
        /// Folders created.
        public var foldersCreated = 0
        /// Creates an empty summary.
        public init() {}
    }

    let pool: PostgresPool
    let logger: Logger

    /// Creates an importer.
    public init(pool: PostgresPool, logger: Logger) {
        self.pool = pool
        self.logger = logger
    }

    /// The roots of the paths `ingest` imports (record them with ``FilesRootRegistry`` so the indexer may read
    /// their files): each path's real path.
    public static func roots(of paths: [String]) -> [String] {
        paths.compactMap { LocalFileFetcher.realPath(URL(fileURLWithPath: $0).standardizedFileURL.path) }
    }

    /// Imports `paths` (files or folders, walked recursively, hidden entries skipped).
    /// - Throws: ``IndexingError`` `.notFound` for a missing path; ``PostgresError``.
    public func ingest(_ paths: [String], options: Options = .init()) async throws -> Summary {
        var summary = Summary()
        let rootFolders = options.folder.map { $0.split(separator: "/").map(String.init).filter { !$0.isEmpty } } ?? []
        var folderCache: [String: UUID] = [:]
        for path in paths {
            var isDirectory: ObjCBool = false
            let url = URL(fileURLWithPath: path).standardizedFileURL
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
                throw IndexingError(.notFound, "\(path): no such file or folder")
            }
            let files: [(URL, [String])]
            if isDirectory.boolValue {
                files = Self.walk(url)
            } else {
                files = [(url, [])]
            }
            for (file, relativeFolders) in files {
                let folders = rootFolders + relativeFolders
                let asDocument = options.mode == .document || (options.mode == .auto && Self.isMarkdown(file))
                do {
                    try await importFile(
                        file, folders: folders, asDocument: asDocument, options: options,
                        folderCache: &folderCache, summary: &summary)
                } catch let error as IndexingError {
                    logger.warning("skipped", metadata: ["file": "\(file.lastPathComponent)", "error": "\(error)"])
                    summary.skipped += 1
                }
            }
        }
        return summary
    }

    static func isMarkdown(_ url: URL) -> Bool { ["md", "markdown", "mdx"].contains(url.pathExtension.lowercased()) }

    /// Regular files below `root`, sorted, each with its folder path relative to `root`.
    static func walk(_ root: URL) -> [(URL, [String])] {
        var result: [(URL, [String])] = []
        guard
            let enumerator = FileManager.default.enumerator(
                at: root, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
        else { return [] }
        let base = root.standardizedFileURL.pathComponents
        let realRoot = LocalFileFetcher.realPath(root.path).map { [$0] } ?? []
        for case let url as URL in enumerator {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            // A symlink inside the tree that leads out of it is not imported (the indexer would refuse it too).
            guard let real = LocalFileFetcher.realPath(url.path), LocalFileFetcher.isUnder(real, realRoot) else {
                continue
            }
            let components = url.standardizedFileURL.pathComponents
            result.append((url, Array(components.dropFirst(base.count).dropLast())))
        }
        return result.sorted { $0.0.path < $1.0.path }
    }

    private func importFile(
        _ file: URL, folders: [String], asDocument: Bool, options: Options, folderCache: inout [String: UUID],
        summary: inout Summary
    ) async throws {
        // The size from the file system: a huge file is never read whole to learn it.
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: file.path),
            attributes[.type] as? FileAttributeType == .typeRegular,
            let fileSize = (attributes[.size] as? NSNumber)?.intValue
        else {
            throw IndexingError(.fileUnavailable, "\(file.lastPathComponent): not a readable regular file")
        }
        let (type, mime, textual) = Self.assetKind(file)
        var data = Data()
        if asDocument || textual {
            guard fileSize <= options.maxContentBytes || !asDocument else {
                throw IndexingError(
                    .tooLarge,
                    "\(file.lastPathComponent): \(fileSize) bytes exceeds the cap of \(options.maxContentBytes)")
            }
            if fileSize <= options.maxContentBytes {
                guard let read = FileManager.default.contents(atPath: file.path) else {
                    throw IndexingError(.fileUnavailable, "\(file.lastPathComponent): unreadable")
                }
                data = read
            }
        }
        let kind = asDocument ? "document" : "asset"
        let folderID = try await folder(folders, kind: kind, cache: &folderCache, summary: &summary)
        let ingestPath = file.path
        let meta = try PostgresJSONB(encoding: ["ingest_path": ingestPath])
        if asDocument {
            let text = Self.text(data)
            let (title, body) = Self.documentTitle(text, file: file)
            let content = try PostgresJSONB(encoding: body)
            let existing = try await pool.query(
                """
                SELECT id, content = \(content) AND title = \(title) AND folder_id IS NOT DISTINCT FROM \(folderID)
                  FROM public.documents WHERE meta->>'ingest_path' = \(ingestPath) LIMIT 1
                """)
            if let row = existing.first {
                if try row.decode(Bool?.self, column: 1) == true {
                    summary.unchanged += 1
                    return
                }
                try await pool.execute(
                    """
                    UPDATE public.documents SET title = \(title), content = \(content), folder_id = \(folderID),
                           tags = (SELECT array_agg(DISTINCT t) FROM unnest(tags || \(options.tags)) t)
                     WHERE id = \(try row.decode(UUID.self, column: 0))
                    """)
                summary.updated += 1
            } else {
                try await pool.execute(
                    """
                    INSERT INTO public.documents (title, content, folder_id, tags, meta)
                    VALUES (\(title), \(content), \(folderID), \(options.tags), \(meta))
                    """)
                summary.documentsCreated += 1
            }
            return
        }
        var content: String?
        if textual && fileSize <= options.maxContentBytes { content = Self.text(data) }
        let fileURL = file.absoluteString
        let size = Int64(fileSize)
        let existing = try await pool.query(
            """
            SELECT id, content IS NOT DISTINCT FROM \(content) AND file_size IS NOT DISTINCT FROM \(size)
                   AND folder_id IS NOT DISTINCT FROM \(folderID)
              FROM public.assets WHERE meta->>'ingest_path' = \(ingestPath) LIMIT 1
            """)
        if let row = existing.first {
            if try row.decode(Bool?.self, column: 1) == true {
                summary.unchanged += 1
                return
            }
            try await pool.execute(
                """
                UPDATE public.assets SET content = \(content), file_size = \(size), file_url = \(fileURL), folder_id = \(folderID)
                 WHERE id = \(try row.decode(UUID.self, column: 0))
                """)
            summary.updated += 1
        } else {
            try await pool.execute(
                """
                INSERT INTO public.assets (name, type, mime_type, file_url, file_size, content, folder_id, tags, meta)
                VALUES (\(file.lastPathComponent), \(type)::public.asset_type, \(mime), \(fileURL), \(size), \(content),
                        \(folderID), \(options.tags), \(meta))
                """)
            summary.assetsCreated += 1
        }
    }

    /// Finds or creates the folder chain (`document_folders` or `asset_folders`), returning the last folder's id.
    private func folder(_ names: [String], kind: String, cache: inout [String: UUID], summary: inout Summary)
        async throws -> UUID?
    {
        var parent: UUID?
        var key = kind
        for name in names {
            key += "/" + name
            if let cached = cache[key] {
                parent = cached
                continue
            }
            let found: PostgresRows
            if kind == "document" {
                found = try await pool.query(
                    "SELECT id FROM public.document_folders WHERE name = \(name) AND parent_id IS NOT DISTINCT FROM \(parent) ORDER BY created_at LIMIT 1"
                )
            } else {
                found = try await pool.query(
                    "SELECT id FROM public.asset_folders WHERE name = \(name) AND parent_id IS NOT DISTINCT FROM \(parent) ORDER BY created_at LIMIT 1"
                )
            }
            if let row = found.first {
                parent = try row.decode(UUID.self, column: 0)
            } else {
                let created: PostgresRows
                if kind == "document" {
                    created = try await pool.query(
                        "INSERT INTO public.document_folders (name, parent_id) VALUES (\(name), \(parent)) RETURNING id"
                    )
                } else {
                    created = try await pool.query(
                        "INSERT INTO public.asset_folders (name, parent_id) VALUES (\(name), \(parent)) RETURNING id")
                }
                parent = try created.first?.decode(UUID.self, column: 0)
                summary.foldersCreated += 1
            }
            cache[key] = parent
        }
        return parent
    }

    /// UTF-8 text with invalid bytes replaced and NUL removed (PostgreSQL text cannot hold NUL).
    static func text(_ data: Data) -> String {
        String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\u{0}", with: "")
    }

    /// The title from a leading `# Heading` (removed from the body) or from the file name, as HQ's importer does.
    static func documentTitle(_ text: String, file: URL) -> (String, String) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if let index = lines.firstIndex(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }),
            lines[index].hasPrefix("# ")
        {
            let title = lines[index].dropFirst(2).trimmingCharacters(in: .whitespaces)
            lines.remove(at: index)
            if !title.isEmpty {
                return (title, lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
        let name = file.deletingPathExtension().lastPathComponent
            .replacingOccurrences(of: "-", with: " ").replacingOccurrences(of: "_", with: " ")
        return (
            name.split(separator: " ").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " "), text
        )
    }

    /// `assets.type`, MIME type, and whether the file's text is worth storing as content.
    static func assetKind(_ file: URL) -> (String, String, Bool) {
        switch file.pathExtension.lowercased() {
        case "md", "markdown": ("document", "text/markdown", true)
        case "txt", "text", "log": ("document", "text/plain", true)
        case "html", "htm": ("document", "text/html", true)
        case "csv": ("spreadsheet", "text/csv", true)
        case "tsv": ("spreadsheet", "text/tab-separated-values", true)
        case "json": ("document", "application/json", true)
        case "pdf": ("document", "application/pdf", false)
        case "png": ("image", "image/png", false)
        case "jpg", "jpeg": ("image", "image/jpeg", false)
        case "gif": ("image", "image/gif", false)
        case "svg": ("image", "image/svg+xml", false)
        case "webp": ("image", "image/webp", false)
        case "mp4", "mov", "webm": ("video", "video/" + file.pathExtension.lowercased(), false)
        case "mp3", "wav", "m4a", "ogg": ("audio", "audio/" + file.pathExtension.lowercased(), false)
        case "sh", "py", "js", "ts", "rb", "swift", "go", "rs", "sql", "yaml", "yml", "toml":
            ("script", "text/plain", true)
        default: ("other", "application/octet-stream", false)
        }
    }
}

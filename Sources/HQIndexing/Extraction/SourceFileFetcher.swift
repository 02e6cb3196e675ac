public import Foundation

/// Fetches the file behind an asset's `file_url` for extraction.
///
/// Implementations return nil for URLs they cannot handle (e.g. a storage object path with no storage configured):
/// the asset is then indexed by its metadata and stored content. They throw ``IndexingError`` (`fileUnavailable`,
/// `tooLarge`) when the file should be reachable but is not, so the source is retried with backoff.
public protocol SourceFileFetcher: Sendable {
    /// The bytes of `url`, at most `maxBytes`, or nil when this fetcher does not handle the URL.
    /// - Throws: ``IndexingError`` `.fileUnavailable` or `.tooLarge`.
    func fetch(_ url: String, maxBytes: Int) async throws -> Data?
}

/// Reads `file://` URLs and absolute paths (relative paths against `root` when one is set). Other schemes: nil.
public struct LocalFileFetcher: SourceFileFetcher {
    /// Folder that relative paths are resolved against; nil leaves relative paths unhandled.
    public var root: String?

    /// Creates a fetcher.
    /// - Parameter root: folder for relative paths (e.g. a local copy of the storage bucket).
    public init(root: String? = nil) { self.root = root }

    /// The local path `url` names, or nil when it is not a local file reference.
    public func localPath(_ url: String) -> String? {
        if url.hasPrefix("file://") { return URL(string: url)?.path ?? String(url.dropFirst(7)) }
        if url.hasPrefix("/") { return url }
        if url.contains("://") { return nil }
        guard let root else { return nil }
        return root + "/" + url
    }

    /// Reads the file on a dispatch queue (file I/O stays off the cooperative pool).
    public func fetch(_ url: String, maxBytes: Int) async throws -> Data? {
        guard let path = localPath(url) else { return nil }
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try Self.read(path, maxBytes: maxBytes) })
            }
        }
    }

    private static func read(_ path: String, maxBytes: Int) throws -> Data {
        let name = (path as NSString).lastPathComponent
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            throw IndexingError(.fileUnavailable, "\(name): no such file")
        }
        if let size = attributes[.size] as? Int, size > maxBytes {
            throw IndexingError(.tooLarge, "\(name): \(size) bytes exceeds the cap of \(maxBytes)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw IndexingError(.fileUnavailable, "\(name): unreadable")
        }
        return data
    }
}

/// Tries fetchers in order; the first that handles a URL answers.
public struct CompositeFileFetcher: SourceFileFetcher {
    /// The fetchers, in order of preference.
    public var fetchers: [any SourceFileFetcher]

    /// Creates a fetcher trying `fetchers` in order.
    public init(_ fetchers: [any SourceFileFetcher]) { self.fetchers = fetchers }

    /// The first non-nil answer of the fetchers.
    public func fetch(_ url: String, maxBytes: Int) async throws -> Data? {
        for fetcher in fetchers {
            if let data = try await fetcher.fetch(url, maxBytes: maxBytes) { return data }
        }
        return nil
    }
}

public import Foundation

/// Fetches the file behind an asset's `file_url` for extraction.
///
/// `file_url` is written by the HQ UI and by agents: it is hostile input. Implementations confine what they read to
/// where asset files really come from (see ``AssetFileFetcher``) and throw ``IndexingError`` `.refused` with the
/// rule that refused a reference, never with the file's text.
///
/// Implementations return nil for references they do not handle (e.g. a storage object path with no storage
/// configured): the asset is then indexed by its metadata and stored content. They throw ``IndexingError``
/// `.fileUnavailable` or `.tooLarge` when the file should be reachable but is not, so the source is retried with
/// backoff, and `.refused` when the reference may never be read (the source fails at once).
public protocol SourceFileFetcher: Sendable {
    /// The bytes of `url`, at most `maxBytes`, or nil when this fetcher does not handle the reference.
    /// - Throws: ``IndexingError`` `.fileUnavailable`, `.tooLarge` or `.refused`.
    func fetch(_ url: String, maxBytes: Int) async throws -> Data?
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

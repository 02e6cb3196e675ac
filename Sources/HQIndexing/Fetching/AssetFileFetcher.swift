public import Foundation
public import HQNet

/// The one fetcher an indexer uses for `assets.file_url`: each origin answered by its own confined fetcher.
///
/// - `http`/`https` → ``LinkFetcher`` (public addresses only unless allowed, pinned, checked per hop);
/// - storage object paths (`<asset_id>/<name>`) → ``StorageFetcher`` when `HQ_STORAGE_URL` is set, else looked up
///   under the local roots (a local copy of the bucket), else not fetched (the asset is indexed by its metadata);
/// - absolute paths and `file://` URLs → ``LocalFileFetcher``, only under the allowed roots;
/// - anything else → refused.
public struct AssetFileFetcher: SourceFileFetcher {
    /// Local files.
    public let local: LocalFileFetcher
    /// Links.
    public let links: LinkFetcher
    /// The storage bucket, when configured.
    public let storage: StorageFetcher?

    /// Creates the fetcher from its parts.
    public init(local: LocalFileFetcher, links: LinkFetcher, storage: StorageFetcher?) {
        self.local = local
        self.links = links
        self.storage = storage
    }

    /// The closed default: no local roots, public links only, no storage.
    public static func closed(client: HTTPClient = .shared) -> AssetFileFetcher {
        // An empty root list cannot fail.
        AssetFileFetcher(local: try! LocalFileFetcher(roots: []), links: LinkFetcher(client: client), storage: nil)
    }

    /// Routes `url` by origin; links and storage objects answer conditionally, local files with their bytes.
    public func fetch(_ url: String, maxBytes: Int, ifNoneMatch validator: String?) async throws -> ConditionalFetch? {
        switch FileReference(url) {
        case .link: return try await links.fetch(url, maxBytes: maxBytes, ifNoneMatch: validator)
        case .object:
            if let storage { return try await storage.fetch(url, maxBytes: maxBytes, ifNoneMatch: validator) }
            return try await local.fetch(url, maxBytes: maxBytes, ifNoneMatch: validator)
        case .local: return try await local.fetch(url, maxBytes: maxBytes, ifNoneMatch: validator)
        case .refused(let reason): throw IndexingError(.refused, reason)
        }
    }
}

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
    /// The bytes of `url`, at most `maxBytes`, or nil when this fetcher does not handle the reference. With a
    /// `validator` (an earlier answer's ``FetchedFile/validator``) the origin is asked not to send the bytes again
    /// while they still match it (`.notModified`); origins that cannot tell answer with the bytes.
    /// - Throws: ``IndexingError`` `.fileUnavailable`, `.tooLarge` or `.refused`.
    func fetch(_ url: String, maxBytes: Int, ifNoneMatch validator: String?) async throws -> ConditionalFetch?
}

extension SourceFileFetcher {
    /// The bytes of `url`, at most `maxBytes`, or nil when this fetcher does not handle the reference.
    /// - Throws: ``IndexingError`` `.fileUnavailable`, `.tooLarge` or `.refused`.
    public func fetch(_ url: String, maxBytes: Int) async throws -> Data? {
        guard case .fetched(let file) = try await fetch(url, maxBytes: maxBytes, ifNoneMatch: nil) else { return nil }
        return file.bytes
    }
}

/// A file's bytes with the origin's validator for them, when it gave one that is exact.
public struct FetchedFile: Sendable, Equatable {
    /// The bytes.
    public var bytes: Data
    /// A strong `ETag` the origin sent with them: a later request carrying it as `If-None-Match` is answered 304
    /// only while the bytes are the same. Weak validators (`W/"…"`) are never kept: they promise equivalence, not
    /// the same bytes.
    public var validator: String?

    /// Creates a fetched file.
    public init(bytes: Data, validator: String?) {
        self.bytes = bytes
        self.validator = validator
    }

    /// The strong entity tag in an `ETag` header value, or nil (absent, weak, malformed, or not plain printable ASCII
    /// of at most 200 bytes: the value goes back into a request header, so it must not carry anything else).
    public static func strongETag(_ header: String?) -> String? {
        guard let value = header?.trimmingCharacters(in: .whitespaces), value.utf8.count >= 2, value.utf8.count <= 200,
            value.hasPrefix("\""), value.hasSuffix("\""),
            value.utf8.allSatisfy({ (0x21...0x7E).contains($0) }),
            !value.dropFirst().dropLast().contains("\"")
        else { return nil }
        return value
    }
}

/// What a conditional fetch found.
public enum ConditionalFetch: Sendable, Equatable {
    /// The origin confirmed the bytes still match the validator (HTTP 304); nothing was downloaded.
    case notModified
    /// The bytes (new, or from an origin that does not answer conditional requests).
    case fetched(FetchedFile)
}

/// Tries fetchers in order; the first that handles a URL answers.
public struct CompositeFileFetcher: SourceFileFetcher {
    /// The fetchers, in order of preference.
    public var fetchers: [any SourceFileFetcher]

    /// Creates a fetcher trying `fetchers` in order.
    public init(_ fetchers: [any SourceFileFetcher]) { self.fetchers = fetchers }

    /// The first non-nil answer of the fetchers.
    public func fetch(_ url: String, maxBytes: Int, ifNoneMatch validator: String?) async throws -> ConditionalFetch? {
        for fetcher in fetchers {
            if let answer = try await fetcher.fetch(url, maxBytes: maxBytes, ifNoneMatch: validator) { return answer }
        }
        return nil
    }
}

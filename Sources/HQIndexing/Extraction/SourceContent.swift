/// The fields of a document or asset that feed its chunks (what ``ContentExtractor`` reads).
public struct SourceContent: Sendable, Hashable {
    /// `document` or `asset`.
    public var sourceType: String
    /// The document title or asset name.
    public var title: String
    /// Tags (assets list them in their metadata line).
    public var tags: [String] = []
    /// `documents.content` as PostgreSQL renders the jsonb (`"…"` for a string, `{…}` for an object), or nil.
    public var documentContent: String?
    /// `assets.type` (`document`, `image`, `link`, …).
    public var assetType: String?
    /// `assets.mime_type`.
    public var mimeType: String?
    /// `assets.description`.
    public var description: String?
    /// `assets.content`: text stored with the asset.
    public var content: String?
    /// `assets.file_url` (`knowledge_sources.source_uri`).
    public var fileURL: String?
    /// `assets.file_size`.
    public var fileSize: Int?

    /// A document's content.
    /// - Parameters:
    ///   - title: the document title.
    ///   - content: `documents.content` rendered as jsonb text, e.g. `"\"# Notes\""` or `{"type":"doc",…}`.
    public static func document(title: String, content: String?) -> SourceContent {
        SourceContent(sourceType: "document", title: title, documentContent: content)
    }

    /// An asset's content.
    public static func asset(
        name: String, type: String? = nil, mimeType: String? = nil, description: String? = nil, content: String? = nil,
        fileURL: String? = nil, fileSize: Int? = nil, tags: [String] = []
    ) -> SourceContent {
        SourceContent(
            sourceType: "asset", title: name, tags: tags, assetType: type, mimeType: mimeType, description: description,
            content: content, fileURL: fileURL, fileSize: fileSize)
    }
}

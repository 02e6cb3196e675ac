public import Foundation

/// A document or asset with its chunks (`hq show`, `hq chunks`, `GET /v1/sources/{id}`).
///
/// JSON: `{"source_id", "source_type", "entity_id", "title", "folder_path", "tags", "pinned",
/// "asset_type", "updated_at", "status", "chunk_count", "chunks": [chunk as in search]}`.
public struct SourceDetail: Sendable, Hashable, Codable {
    /// `knowledge_sources.id`.
    public var sourceID: UUID
    /// Document or asset.
    public var sourceType: SourceType
    /// The document's or asset's own id.
    public var entityID: String
    /// Title or name.
    public var title: String
    /// Folder path, nil at the root.
    public var folderPath: String?
    /// Tags.
    public var tags: [String]
    /// Pinned in HQ.
    public var pinned: Bool
    /// The asset's type (nil for documents).
    public var assetType: String?
    /// When the document/asset was last edited.
    public var updatedAt: Date?
    /// Indexing state: `pending`, `indexed` or `failed`.
    public var status: String
    /// Number of chunks indexed.
    public var chunkCount: Int
    /// Chunks in document order, or ranked against a query (`hq chunks --query`).
    public var chunks: [SearchChunk]

    enum CodingKeys: String, CodingKey {
        case sourceID = "source_id"
        case sourceType = "source_type"
        case entityID = "entity_id"
        case title
        case folderPath = "folder_path"
        case tags, pinned
        case assetType = "asset_type"
        case updatedAt = "updated_at"
        case status
        case chunkCount = "chunk_count"
        case chunks
    }

    /// Encodes every key, `null` included.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sourceID, forKey: .sourceID)
        try c.encode(sourceType, forKey: .sourceType)
        try c.encode(entityID, forKey: .entityID)
        try c.encode(title, forKey: .title)
        try c.encode(folderPath, forKey: .folderPath)
        try c.encode(tags, forKey: .tags)
        try c.encode(pinned, forKey: .pinned)
        try c.encode(assetType, forKey: .assetType)
        try c.encode(updatedAt, forKey: .updatedAt)
        try c.encode(status, forKey: .status)
        try c.encode(chunkCount, forKey: .chunkCount)
        try c.encode(chunks, forKey: .chunks)
    }
}

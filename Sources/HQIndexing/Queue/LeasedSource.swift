import Foundation
import HQCore
import HQStorage

/// A source leased from `hq_lease_sources`, with what feeds its chunks.
struct LeasedSource: Sendable {
    var id: UUID
    var sourceType: String
    var changeSeq: Int64
    var attempts: Int
    var title: String
    var tags: [String]
    var assetType: String?
    var mimeType: String?
    var sourceURI: String?
    var chunkSourceHash: String?
    var indexedModel: String?
    var documentContent: String?
    var assetDescription: String?
    var assetContent: String?
    var assetFileSize: Int?

    init(row: PostgresRow) throws {
        id = try row.decode(UUID.self, column: "id")
        sourceType = try row.decode(String.self, column: "source_type")
        changeSeq = try row.decode(Int64.self, column: "change_seq")
        attempts = Int(try row.decode(Int32.self, column: "attempts"))
        title = try row.decode(String?.self, column: "title") ?? ""
        tags = try row.decode([String]?.self, column: "tags") ?? []
        assetType = try row.decode(String?.self, column: "asset_type")
        mimeType = try row.decode(String?.self, column: "mime_type")
        sourceURI = try row.decode(String?.self, column: "source_uri")
        chunkSourceHash = try row.decode(String?.self, column: "chunk_source_hash")
        indexedModel = try row.decode(String?.self, column: "indexed_model")
        documentContent = try row.decode(PostgresJSONB?.self, column: "document_content")?.text
        assetDescription = try row.decode(String?.self, column: "asset_description")
        assetContent = try row.decode(String?.self, column: "asset_content")
        assetFileSize = try row.decode(Int64?.self, column: "asset_file_size").map(Int.init)
    }

    var content: SourceContent {
        if sourceType == "asset" {
            return .asset(
                name: title, type: assetType, mimeType: mimeType, description: assetDescription, content: assetContent,
                fileURL: sourceURI, fileSize: assetFileSize, tags: tags)
        }
        return .document(title: title, content: documentContent)
    }

    /// Hash of everything that decides the chunk set and its vectors: the content fields, the models, the chunker,
    /// and the SHA-256 of the asset's file when its text comes from the file (`fileDigest`).
    func sourceHash(models: [String], chunking: ChunkingConfiguration, maxTokens: Int, fileDigest: String? = nil)
        -> String
    {
        var hasher = SHA256()
        let c = chunking
        let parts: [String?] = [
            "hq-index-v1", models.joined(separator: ","),
            "\(c.targetTokens)/\(c.overlapTokens)/\(c.maxContextTokens)/\(maxTokens)",
            sourceType, title, assetType, mimeType, sourceURI, assetFileSize.map(String.init), documentContent,
            assetDescription, assetContent, sourceType == "asset" ? tags.joined(separator: ",") : nil,
        ]
        // The file's digest only when there is one: the hash of every other source stays what it was.
        for part in parts + (fileDigest.map { ["file:" + $0] } ?? []) {
            hasher.update(part ?? "\u{1}")
            hasher.update([0])
        }
        return hasher.finalizeHex()
    }
}

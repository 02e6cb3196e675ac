public import Foundation

/// The kind of a knowledge source.
public enum SourceType: String, Sendable, Hashable, Codable, CaseIterable {
    case document
    case asset
}

/// Restricts a search to part of the knowledge base. Every field narrows; an empty filter matches
/// everything that is not archived (archived content never matches).
///
/// ```swift
/// var filter = SearchFilter()
/// filter.tags = ["sales", "playbook"]
/// filter.tagMatch = .all
/// filter.folder = "Sales/Playbooks"   // or a folder id; includes all descendant folders
/// ```
public struct SearchFilter: Sendable, Hashable, Codable {
    /// How ``tags`` combine.
    public enum TagMatch: String, Sendable, Hashable, Codable, CaseIterable {
        /// A source matches when it has at least one of the tags.
        case any
        /// A source matches when it has every tag.
        case all
    }

    /// Tags a source must have (see ``tagMatch``).
    public var tags: [String] = []
    /// Whether a source needs any or all of ``tags``.
    public var tagMatch: TagMatch = .any
    /// Tags a source must not have.
    public var excludedTags: [String] = []
    /// A folder id (UUID) or a path such as `Sales/Playbooks`; the folder and all its descendants.
    public var folder: String?
    /// Documents only or assets only.
    public var sourceType: SourceType?
    /// Asset types (`document`, `image`, …): a source matches when its asset type is one of them.
    public var assetTypes: [String] = []
    /// Pinned sources only (`true`) or unpinned only (`false`).
    public var pinned: Bool?
    /// Sources last updated at or after this instant.
    public var updatedAfter: Date?
    /// Sources last updated before this instant.
    public var updatedBefore: Date?
    /// Specific sources: knowledge source ids or the ids of their documents/assets.
    public var sourceIDs: [UUID] = []

    /// An empty filter.
    public init() {}

    /// Whether any field narrows the search.
    public var isEmpty: Bool {
        tags.isEmpty && excludedTags.isEmpty && folder == nil && sourceType == nil && assetTypes.isEmpty
            && pinned == nil && updatedAfter == nil && updatedBefore == nil && sourceIDs.isEmpty
    }

    enum CodingKeys: String, CodingKey {
        case tags
        case tagMatch = "tag_match"
        case excludedTags = "exclude_tags"
        case folder
        case sourceType = "type"
        case assetTypes = "asset_types"
        case pinned
        case updatedAfter = "updated_after"
        case updatedBefore = "updated_before"
        case sourceIDs = "source_ids"
    }

    /// Decodes the HTTP/JSON form; every key is optional.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tags = try c.decodeIfPresent([String].self, forKey: .tags) ?? []
        tagMatch = try c.decodeIfPresent(TagMatch.self, forKey: .tagMatch) ?? .any
        excludedTags = try c.decodeIfPresent([String].self, forKey: .excludedTags) ?? []
        folder = try c.decodeIfPresent(String.self, forKey: .folder)
        sourceType = try c.decodeIfPresent(SourceType.self, forKey: .sourceType)
        assetTypes = try c.decodeIfPresent([String].self, forKey: .assetTypes) ?? []
        pinned = try c.decodeIfPresent(Bool.self, forKey: .pinned)
        updatedAfter = try c.decodeIfPresent(Date.self, forKey: .updatedAfter)
        updatedBefore = try c.decodeIfPresent(Date.self, forKey: .updatedBefore)
        sourceIDs = try c.decodeIfPresent([UUID].self, forKey: .sourceIDs) ?? []
    }
}

import HQCore
import HQSearch

/// Which part of the knowledge base an assembly searches, read from `meta.knowledge` of the template, else
/// of the contact's campaign (neither table has tag or folder columns in HQ's schema):
///
/// ```json
/// {"knowledge": {"tags": ["sales"], "tag_match": "any", "exclude_tags": ["internal"], "folder": "Sales/Playbooks"}}
/// ```
/// `folder` is a path or a folder id and includes subfolders; every key is optional. The template's scope wins
/// over the campaign's; with neither, the whole (non-archived) knowledge base is searched.
public struct KnowledgeScope: Sendable, Hashable, Codable {
    /// `template`, `campaign` or `none`.
    public var origin: String
    /// Tags a source must have (any or all of them, see ``tagMatch``).
    public var tags: [String]
    /// `any` or `all`.
    public var tagMatch: String
    /// Tags a source must not have.
    public var excludeTags: [String]
    /// A folder path or id, with subfolders.
    public var folder: String?

    enum CodingKeys: String, CodingKey {
        case origin, tags, folder
        case tagMatch = "tag_match"
        case excludeTags = "exclude_tags"
    }

    /// The empty scope (whole knowledge base).
    public init(
        origin: String = "none", tags: [String] = [], tagMatch: String = "any", excludeTags: [String] = [],
        folder: String? = nil
    ) {
        self.origin = origin
        self.tags = tags
        self.tagMatch = tagMatch
        self.excludeTags = excludeTags
        self.folder = folder
    }

    /// Decodes leniently: missing keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        origin = try c.decodeIfPresent(String.self, forKey: .origin) ?? "none"
        tags = try c.decodeIfPresent([String].self, forKey: .tags) ?? []
        tagMatch = try c.decodeIfPresent(String.self, forKey: .tagMatch) ?? "any"
        excludeTags = try c.decodeIfPresent([String].self, forKey: .excludeTags) ?? []
        folder = try c.decodeIfPresent(String.self, forKey: .folder)
    }

    /// Encodes every key, `null` folder included.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(origin, forKey: .origin)
        try c.encode(tags, forKey: .tags)
        try c.encode(tagMatch, forKey: .tagMatch)
        try c.encode(excludeTags, forKey: .excludeTags)
        try c.encode(folder, forKey: .folder)
    }

    /// The scope in a `meta` object's `knowledge` key, or nil when it has none (or an empty one).
    /// - Throws: ``DraftSetError`` `invalidRequest` when the key exists but is malformed (names the origin).
    static func parse(meta: [String: JSONValue], origin: String) throws -> KnowledgeScope? {
        guard let raw = meta["knowledge"], raw != .null else { return nil }
        guard case .object(let object) = raw else {
            throw DraftSetError(.invalidRequest, "\(origin) meta.knowledge must be an object")
        }
        func strings(_ key: String) throws -> [String] {
            guard let value = object[key], value != .null else { return [] }
            guard case .array(let items) = value, items.allSatisfy({ $0.string != nil }) else {
                throw DraftSetError(.invalidRequest, "\(origin) meta.knowledge.\(key) must be an array of strings")
            }
            return items.compactMap(\.string).map(\.trimmed).filter { !$0.isEmpty }
        }
        let match = object["tag_match"]?.string ?? "any"
        guard match == "any" || match == "all" else {
            throw DraftSetError(.invalidRequest, "\(origin) meta.knowledge.tag_match must be \"any\" or \"all\"")
        }
        let folder = object["folder"]?.string?.trimmed
        let scope = KnowledgeScope(
            origin: origin, tags: try strings("tags"), tagMatch: match, excludeTags: try strings("exclude_tags"),
            folder: folder?.isEmpty == false ? folder : nil)
        return scope.tags.isEmpty && scope.excludeTags.isEmpty && scope.folder == nil ? nil : scope
    }

    /// The search filter of this scope.
    var filter: SearchFilter {
        var filter = SearchFilter()
        filter.tags = tags
        filter.tagMatch = tagMatch == "all" ? .all : .any
        filter.excludedTags = excludeTags
        filter.folder = folder
        return filter
    }
}

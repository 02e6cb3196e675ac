public import HQCore

extension SearchRequest: FieldDecodable {
    /// The longest query accepted, in UTF-8 bytes.
    public static let maxQueryBytes = 20_000

    /// The fields of `POST /v1/search`, the `search_knowledge` tool and `hq search`.
    public static let fields: [RequestField] = [
        RequestField(
            "query", .string,
            "What you are looking for, in natural language (a question or a description works best). Empty: list "
                + "pinned, then recently updated sources.", default: .string("")),
        RequestField(
            "tags", .strings,
            "Only sources with at least one of these tags (all of them with all_tags). Tags are free-form labels, "
                + "e.g. \"sales\"; matched exactly."),
        RequestField("all_tags", .boolean, "Require every tag in tags instead of any.", default: .bool(false)),
        RequestField(
            "tag_match", .choice(["any", "all"]), "Same as all_tags: \"all\" or \"any\".", default: .string("any")),
        RequestField("exclude_tags", .strings, "Skip sources having any of these tags."),
        RequestField(
            "folder", .string,
            "Only sources in this folder and its subfolders: a path from the root like \"Sales/Playbooks\" "
                + "(case-insensitive) or a folder id (UUID)."),
        RequestField(
            "type", .choice(SourceType.allCases.map(\.rawValue)),
            "\"document\" (written in HQ) or \"asset\" (uploaded files and links)."),
        RequestField(
            "asset_types", .strings,
            "Only assets of these types: document, sop, research, image, video, audio, template, script, "
                + "spreadsheet, link, other."),
        RequestField("pinned", .boolean, "true: only sources pinned in HQ; false: only unpinned ones."),
        RequestField(
            "updated_after", .date, "Only sources last edited at or after this ISO 8601 date or time, e.g. 2025-01-31."),
        RequestField("updated_before", .date, "Only sources last edited before this ISO 8601 date or time."),
        RequestField(
            "source_ids", .uuids, "Only these sources: source_ids from earlier results, or document/asset ids."),
        RequestField(
            "limit", .integer(limitRange), "Most sources to return; 5-10 is usually enough.", default: .number(10)),
        RequestField(
            "mode", .choice(SearchMode.allCases.map(\.rawValue)),
            "hybrid (meaning + keywords, best in general), dense (meaning only) or lexical (exact keywords, e.g. codes "
                + "and names; needs no embedding model).", default: .string("hybrid")),
        RequestField(
            "chunks_per_source", .integer(chunksPerSourceRange), "Most passages per source.", default: .number(3)),
        RequestField(
            "mmr", .number(0...1),
            "Diversify the passages (maximal marginal relevance): 0 = most diverse … 1 = most relevant. Omit for plain "
                + "relevance."),
        RequestField(
            "explain", .boolean, "Add per-stage scores to every passage and stage timings (for debugging ranking).",
            default: .bool(false)),
    ]

    /// Reads a search from its wire fields, with the defaults above.
    /// - Throws: ``RequestFieldError`` naming the first bad field.
    public init(fields: RequestFields) throws(RequestFieldError) {
        try fields.rejectUnknown(Self.fields)
        var filter = SearchFilter()
        filter.tags = try fields.strings("tags")
        let allTags = try fields.bool("all_tags") ?? false
        switch (try fields.choice("tag_match", SearchFilter.TagMatch.self), allTags) {
        case (nil, let all): filter.tagMatch = all ? .all : .any
        case (.any?, false): filter.tagMatch = .any
        case (.all?, _): filter.tagMatch = .all
        case (.any?, true):
            throw RequestFieldError(field: "tag_match", problem: "\"any\" contradicts all_tags: true; pass only one")
        }
        filter.excludedTags = try fields.strings("exclude_tags")
        filter.folder = try fields.string("folder", maxBytes: 1_000).flatMap {
            $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0
        }
        filter.sourceType = try fields.choice("type", SourceType.self)
        filter.assetTypes = try fields.strings("asset_types")
        filter.pinned = try fields.bool("pinned")
        filter.updatedAfter = try fields.date("updated_after")
        filter.updatedBefore = try fields.date("updated_before")
        if let after = filter.updatedAfter, let before = filter.updatedBefore, after >= before {
            throw RequestFieldError(field: "updated_after", problem: "must be earlier than updated_before")
        }
        filter.sourceIDs = try fields.uuids("source_ids")
        self.init(
            query: try fields.string("query", maxBytes: Self.maxQueryBytes) ?? "", filter: filter,
            limit: try fields.int("limit", in: Self.limitRange) ?? 10,
            mode: try fields.choice("mode", SearchMode.self) ?? .hybrid,
            chunksPerSource: try fields.int("chunks_per_source", in: Self.chunksPerSourceRange) ?? 3,
            mmrLambda: try fields.double("mmr", in: 0...1), explain: try fields.bool("explain") ?? false)
    }

    /// Whether answering needs the embedding model (a non-blank query outside lexical mode).
    public var needsEmbedder: Bool {
        mode != .lexical && !query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
    }
}

/// One source's chunks, ranked against a query when one is given: `GET /v1/sources/{id}/chunks`, `get_chunks`,
/// `hq chunks`. Without a query (and for `GET /v1/sources/{id}`, `get_source`, `hq show`) every chunk in order.
public struct SourceChunksRequest: FieldDecodable, Hashable {
    /// The accepted ``limit``s.
    public static let limitRange = 1...50

    /// A source id, or the id of a document or asset (UUID text).
    public var id: String
    /// Rank the chunks against this; nil or blank: all chunks in order.
    public var query: String?
    /// Most chunks when ranking.
    public var limit: Int

    /// The fields of the chunks operation.
    public static let fields: [RequestField] = [
        RequestField(
            "id", .uuid, "The source_id from search results, or the id of a document or asset in HQ (UUID).",
            required: true),
        RequestField(
            "query", .string, "What you are looking for inside this source; omit to get every chunk in order."),
        RequestField(
            "limit", .integer(limitRange), "Most chunks to return when ranking against a query.", default: .number(10)),
    ]

    /// Reads the request from its wire fields.
    public init(fields: RequestFields) throws(RequestFieldError) {
        try fields.rejectUnknown(Self.fields)
        guard let id = try fields.uuid("id") else {
            throw RequestFieldError(field: "id", problem: "is required: a UUID such as a source_id from search results")
        }
        self.id = id.uuidString.lowercased()
        self.query = try fields.string("query", maxBytes: SearchRequest.maxQueryBytes)
        self.limit = try fields.int("limit", in: Self.limitRange) ?? 10
    }

    /// Whether the chunks are ranked (a non-blank query), which needs the embedding model.
    public var ranks: Bool { !(query ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
}

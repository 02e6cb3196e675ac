public import Foundation

/// A stored `draft_sets` row: HQ's columns, with each variant's evidence.
///
/// JSON (the stable schema of `hq draft-set assemble --json` and `POST /v1/draft-sets`):
/// `{"id", "contact_id", "template_id", "channel", "stage", "version", "status", "selected_variant_index",
/// "based_on_draft_set_id", "feedback_notes", "created_at", "updated_at", "meta", "variants": [DraftVariant]}`.
public struct DraftSet: Sendable, Hashable, Codable {
    /// `draft_sets.id`.
    public var id: UUID
    /// The contact the messages are for.
    public var contactID: UUID
    /// The template the variants were rendered from (nil if it was deleted since).
    public var templateID: UUID?
    /// Channel, e.g. `email`.
    public var channel: String
    /// Stage, e.g. `intro`.
    public var stage: String
    /// 1 + the highest earlier version for (contact, channel, stage).
    public var version: Int
    /// `draft`, `refining`, `approved` or `superseded`.
    public var status: String
    /// The chosen variant, 1-based (1 = A), or nil.
    public var selectedVariantIndex: Int?
    /// The set this one revises.
    public var basedOnDraftSetID: UUID?
    /// The change request this version answers (carried from the revised set).
    public var feedbackNotes: String?
    /// When the row was written.
    public var createdAt: Date
    /// When the row last changed.
    public var updatedAt: Date
    /// How the set was assembled (see ``DraftSetMeta``).
    public var meta: DraftSetMeta
    /// The variants in order (A, B, C…).
    public var variants: [DraftVariant]

    enum CodingKeys: String, CodingKey {
        case id, channel, stage, version, status, meta, variants
        case contactID = "contact_id"
        case templateID = "template_id"
        case selectedVariantIndex = "selected_variant_index"
        case basedOnDraftSetID = "based_on_draft_set_id"
        case feedbackNotes = "feedback_notes"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    /// Encodes every key, `null`s included, so clients can rely on them.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(contactID, forKey: .contactID)
        try c.encode(templateID, forKey: .templateID)
        try c.encode(channel, forKey: .channel)
        try c.encode(stage, forKey: .stage)
        try c.encode(version, forKey: .version)
        try c.encode(status, forKey: .status)
        try c.encode(selectedVariantIndex, forKey: .selectedVariantIndex)
        try c.encode(basedOnDraftSetID, forKey: .basedOnDraftSetID)
        try c.encode(feedbackNotes, forKey: .feedbackNotes)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
        try c.encode(meta, forKey: .meta)
        try c.encode(variants, forKey: .variants)
    }
}

/// One variant in HQ's shape (`index`, `body`, `subject`, `angle`, `notes`) plus how it was written and
/// the evidence it rests on.
public struct DraftVariant: Sendable, Hashable, Codable {
    /// 1-based position (1 = A), as `selected_variant_index` counts.
    public var index: Int
    /// The message body (citation markers removed when an LLM wrote it).
    public var body: String
    /// The subject line, if the template has one.
    public var subject: String?
    /// What the variant leans on, e.g. `playbook`, `company_fit`, `recent_conversation`.
    public var angle: String?
    /// Notes for the person choosing: what grounds the variant, missing fields, LLM rejections.
    public var notes: String?
    /// `template` (rendered merge fields) or `llm`.
    public var generator: String
    /// `accepted`, `rejected` (the rendered template is stored instead) or `not_configured`.
    public var llmStatus: String
    /// Why the LLM answer was rejected: `uncited`, `malformed`, `unknown_citation`, `http_status`, `unreachable`….
    public var llmRejection: String?
    /// The LLM's body with its `[E1]` markers, when accepted.
    public var citedBody: String?
    /// Evidence ids the accepted LLM body cites.
    public var citations: [String]
    /// Merge fields left as placeholders (only with `allow_missing`).
    public var missingFields: [String]
    /// The passages chosen for this variant.
    public var evidence: [Evidence]

    enum CodingKeys: String, CodingKey {
        case index, body, subject, angle, notes, generator, citations, evidence
        case llmStatus = "llm_status"
        case llmRejection = "llm_rejection"
        case citedBody = "cited_body"
        case missingFields = "missing_fields"
    }

    /// Creates a variant.
    public init(
        index: Int, body: String, subject: String?, angle: String?, notes: String?, generator: String,
        llmStatus: String,
        llmRejection: String? = nil, citedBody: String? = nil, citations: [String] = [], missingFields: [String] = [],
        evidence: [Evidence]
    ) {
        self.index = index
        self.body = body
        self.subject = subject
        self.angle = angle
        self.notes = notes
        self.generator = generator
        self.llmStatus = llmStatus
        self.llmRejection = llmRejection
        self.citedBody = citedBody
        self.citations = citations
        self.missingFields = missingFields
        self.evidence = evidence
    }

    /// Decodes variants HQ agents wrote too (only `index` and `body` are required there).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        index = try c.decode(Int.self, forKey: .index)
        body = try c.decode(String.self, forKey: .body)
        subject = try c.decodeIfPresent(String.self, forKey: .subject)
        angle = try c.decodeIfPresent(String.self, forKey: .angle)
        notes = try c.decodeIfPresent(String.self, forKey: .notes)
        generator = try c.decodeIfPresent(String.self, forKey: .generator) ?? "unknown"
        llmStatus = try c.decodeIfPresent(String.self, forKey: .llmStatus) ?? "unknown"
        llmRejection = try c.decodeIfPresent(String.self, forKey: .llmRejection)
        citedBody = try c.decodeIfPresent(String.self, forKey: .citedBody)
        citations = try c.decodeIfPresent([String].self, forKey: .citations) ?? []
        missingFields = try c.decodeIfPresent([String].self, forKey: .missingFields) ?? []
        evidence = try c.decodeIfPresent([Evidence].self, forKey: .evidence) ?? []
    }

    /// Encodes every key, `null`s included.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        try c.encode(body, forKey: .body)
        try c.encode(subject, forKey: .subject)
        try c.encode(angle, forKey: .angle)
        try c.encode(notes, forKey: .notes)
        try c.encode(generator, forKey: .generator)
        try c.encode(llmStatus, forKey: .llmStatus)
        try c.encode(llmRejection, forKey: .llmRejection)
        try c.encode(citedBody, forKey: .citedBody)
        try c.encode(citations, forKey: .citations)
        try c.encode(missingFields, forKey: .missingFields)
        try c.encode(evidence, forKey: .evidence)
    }
}

/// A passage a variant rests on: where it comes from and the quoted span.
public struct Evidence: Sendable, Hashable, Codable {
    /// The id the LLM cites, `E1`, `E2`… (unique within the set).
    public var id: String
    /// `knowledge_sources.id`.
    public var sourceID: UUID
    /// `document` or `asset`.
    public var sourceType: String
    /// The document's or asset's id.
    public var entityID: String
    /// `knowledge_chunks.id`.
    public var chunkID: UUID
    /// Title (document) or name (asset).
    public var title: String
    /// The quoted span: the chunk's sentences most relevant to the variant's queries, verbatim.
    public var quote: String
    /// Offset of the quote's first character in the source's extracted text (Unicode scalars), if known.
    public var charStart: Int?
    /// Offset just past the quote's last character.
    public var charEnd: Int?
    /// Retrieval score (0…1, relative to the best passage found).
    public var score: Double

    enum CodingKeys: String, CodingKey {
        case id, title, quote, score
        case sourceID = "source_id"
        case sourceType = "source_type"
        case entityID = "entity_id"
        case chunkID = "chunk_id"
        case charStart = "char_start"
        case charEnd = "char_end"
    }

    /// Creates an evidence item.
    public init(
        id: String, sourceID: UUID, sourceType: String, entityID: String, chunkID: UUID, title: String, quote: String,
        charStart: Int?, charEnd: Int?, score: Double
    ) {
        self.id = id
        self.sourceID = sourceID
        self.sourceType = sourceType
        self.entityID = entityID
        self.chunkID = chunkID
        self.title = title
        self.quote = quote
        self.charStart = charStart
        self.charEnd = charEnd
        self.score = score
    }

    /// Encodes every key, `null` offsets included.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(sourceID, forKey: .sourceID)
        try c.encode(sourceType, forKey: .sourceType)
        try c.encode(entityID, forKey: .entityID)
        try c.encode(chunkID, forKey: .chunkID)
        try c.encode(title, forKey: .title)
        try c.encode(quote, forKey: .quote)
        try c.encode(charStart, forKey: .charStart)
        try c.encode(charEnd, forKey: .charEnd)
        try c.encode(score, forKey: .score)
    }
}

/// `draft_sets.meta` as HQ Search writes it: how the set was assembled.
public struct DraftSetMeta: Sendable, Hashable, Codable {
    /// Always `hq-search`.
    public var assembledBy: String
    /// The retrieval queries, in the order variants lean on them.
    public var queries: [String]
    /// The knowledge scope searched: where it came from (`template`, `campaign`, `none`), tags and folder.
    public var scope: KnowledgeScope
    /// Merge fields without a value (placeholders kept; only with `allow_missing`).
    public var missingFields: [String]
    /// The LLM model when one wrote variants, else nil.
    public var llmModel: String?
    /// Variants whose LLM answer was rejected (the rendered template is stored instead).
    public var llmRejected: Int
    /// True when any variant carries a rejected LLM answer or a missing field: needs a person's look.
    public var needsReview: Bool

    enum CodingKeys: String, CodingKey {
        case queries, scope
        case assembledBy = "assembled_by"
        case missingFields = "missing_fields"
        case llmModel = "llm_model"
        case llmRejected = "llm_rejected"
        case needsReview = "needs_review"
    }

    /// Creates the meta.
    public init(
        assembledBy: String = "hq-search", queries: [String], scope: KnowledgeScope, missingFields: [String],
        llmModel: String?, llmRejected: Int, needsReview: Bool
    ) {
        self.assembledBy = assembledBy
        self.queries = queries
        self.scope = scope
        self.missingFields = missingFields
        self.llmModel = llmModel
        self.llmRejected = llmRejected
        self.needsReview = needsReview
    }

    /// Reads the meta of any row: HQ agents' rows have none of these keys.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        assembledBy = try c.decodeIfPresent(String.self, forKey: .assembledBy) ?? "unknown"
        queries = try c.decodeIfPresent([String].self, forKey: .queries) ?? []
        scope = try c.decodeIfPresent(KnowledgeScope.self, forKey: .scope) ?? KnowledgeScope()
        missingFields = try c.decodeIfPresent([String].self, forKey: .missingFields) ?? []
        llmModel = try c.decodeIfPresent(String.self, forKey: .llmModel)
        llmRejected = try c.decodeIfPresent(Int.self, forKey: .llmRejected) ?? 0
        needsReview = try c.decodeIfPresent(Bool.self, forKey: .needsReview) ?? false
    }

    /// Encodes every key, `null`s included.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(assembledBy, forKey: .assembledBy)
        try c.encode(queries, forKey: .queries)
        try c.encode(scope, forKey: .scope)
        try c.encode(missingFields, forKey: .missingFields)
        try c.encode(llmModel, forKey: .llmModel)
        try c.encode(llmRejected, forKey: .llmRejected)
        try c.encode(needsReview, forKey: .needsReview)
    }
}

public import HQCore

extension BootRequest: FieldDecodable {
    /// The fields of `GET /v1/boot/{slug}` (the slug from the path), the `boot_context` tool and `hq boot`.
    public static let fields: [RequestField] = [
        RequestField("slug", .string, "The agent's slug (agents.slug in HQ), e.g. \"scout\".", required: true),
        RequestField(
            "budget_tokens", .integer(1...maxBudgetTokens),
            "Most tokens (of the embedding model's tokenizer, close to an LLM's) for documents and related passages "
                + "together.", default: .number(Double(defaultBudgetTokens))),
        RequestField(
            "query", .string,
            "Optional: the task at hand; passages of other knowledge most relevant to it are appended while they fit "
                + "the budget."),
    ]

    /// Reads the request from its wire fields.
    public init(fields: RequestFields) throws(RequestFieldError) {
        try fields.rejectUnknown(Self.fields)
        self.init(
            slug: try fields.requiredString("slug", maxBytes: Self.maxSlugBytes),
            budgetTokens: try fields.int("budget_tokens", in: 1...Self.maxBudgetTokens) ?? Self.defaultBudgetTokens,
            query: try fields.string("query", maxBytes: Self.maxQueryBytes))
        if let problem = fieldProblem() { throw problem }
    }

    /// Whether a related search runs (a non-blank query), which needs the embedding model.
    public var needsEmbedder: Bool { trimmedQuery != nil }
}

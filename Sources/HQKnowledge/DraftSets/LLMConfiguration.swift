/// An OpenAI-compatible chat-completions endpoint that writes variants (`HQ_LLM_URL`, `HQ_LLM_MODEL`,
/// `HQ_LLM_API_KEY` in the executables).
public struct LLMConfiguration: Sendable, CustomStringConvertible {
    /// The endpoint: a full `…/chat/completions` URL, or a base URL such as `https://api.openai.com/v1`
    /// (`/chat/completions` is appended).
    public var url: String
    /// The model name sent with each request.
    public var model: String
    /// Sent as a bearer token; never logged, never in errors or stored rows.
    public var apiKey: String?
    /// Sampling temperature.
    public var temperature: Double = 0.4
    /// Longest wait for one answer.
    public var timeout: Duration = .seconds(60)
    /// Ask for a JSON object (`response_format: {"type": "json_object"}`); turn off for servers that reject it.
    public var jsonMode = true
    /// Most tokens per answer.
    public var maxTokens = 800

    /// Creates a configuration.
    public init(url: String, model: String, apiKey: String? = nil) {
        self.url = url
        self.model = model
        self.apiKey = apiKey
    }

    /// The chat-completions URL.
    public var endpoint: String {
        // A query (e.g. Azure's `?api-version=`) stays at the end.
        let parts = url.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var base = String(parts[0])
        while base.hasSuffix("/") { base.removeLast() }
        if !base.hasSuffix("/chat/completions") { base += "/chat/completions" }
        return parts.count > 1 ? base + "?" + parts[1] : base
    }

    /// Endpoint and model; whether a key is set, never the key.
    public var description: String { "\(endpoint) model=\(model) key=\(apiKey == nil ? "none" : "set")" }
}

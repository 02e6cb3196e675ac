import Foundation

/// The wire protocol an embedding service speaks.
///
/// | provider | endpoint | request | response |
/// |---|---|---|---|
/// | ``openAI`` | `POST /v1/embeddings` | `{"model","input":[…],"encoding_format":"float"}` | `{"data":[{"index","embedding"}]}` |
/// | ``ollama`` | `POST /api/embed` | `{"model","input":[…]}` | `{"embeddings":[[…]]}` |
/// | ``tei`` | `POST /embed` | `{"inputs":[…],"truncate":true}` | `[[…]]` |
/// | ``hq`` | `POST /embed` | `{"input": text}` (one text per request) | `{"embedding","model","dimensions"}` |
public struct HTTPEmbeddingProvider: Hashable, Sendable, CustomStringConvertible {
    enum Kind: String, CaseIterable {
        case openAI = "openai"
        case ollama, tei, hq
    }
    let kind: Kind
    private init(_ kind: Kind) { self.kind = kind }

    /// OpenAI-compatible services: OpenAI, vLLM, llama.cpp server, LM Studio, `hq serve`.
    public static let openAI = HTTPEmbeddingProvider(.openAI)
    /// Ollama's batch endpoint.
    public static let ollama = HTTPEmbeddingProvider(.ollama)
    /// Hugging Face Text Embeddings Inference.
    public static let tei = HTTPEmbeddingProvider(.tei)
    /// HQ's own embedder shape (one text per request).
    public static let hq = HTTPEmbeddingProvider(.hq)

    /// Every provider, for help texts.
    public static let all: [HTTPEmbeddingProvider] = Kind.allCases.map(HTTPEmbeddingProvider.init)

    /// Parses a provider name: `openai` (also `openai-compatible`, `vllm`, `llamacpp`, `lmstudio`), `ollama`,
    /// `tei`, `hq`; case-insensitive. Returns nil for anything else.
    public init?(name: String) {
        switch name.lowercased().trimmingCharacters(in: .whitespaces) {
        case "openai", "openai-compatible", "vllm", "llamacpp", "llama.cpp", "lmstudio": self = .openAI
        case "ollama": self = .ollama
        case "tei", "text-embeddings-inference": self = .tei
        case "hq": self = .hq
        default: return nil
        }
    }

    /// The provider's name, e.g. `openai`.
    public var description: String { kind.rawValue }

    /// The endpoint path appended to a base URL.
    var defaultPath: String {
        switch kind {
        case .openAI: "/v1/embeddings"
        case .ollama: "/api/embed"
        case .tei, .hq: "/embed"
        }
    }

    /// True when the provider accepts several texts per request.
    var acceptsBatches: Bool { kind != .hq }

    /// The full endpoint for a configured URL: used as is when it already names the endpoint, otherwise the
    /// provider's path is appended (`http://host:11434` → `http://host:11434/api/embed`,
    /// `https://api.openai.com/v1` → `https://api.openai.com/v1/embeddings`).
    func endpoint(for url: String) -> String {
        var base = url
        while base.hasSuffix("/") { base.removeLast() }
        let last = defaultPath.split(separator: "/").last.map(String.init) ?? ""
        if let pathStart = base.range(of: "://").map({ base[$0.upperBound...] }),
            let slash = pathStart.firstIndex(of: "/")
        {
            let path = String(pathStart[slash...])
            if path.hasSuffix("/" + last) { return base }
            if kind == .openAI && path.hasSuffix("/v1") { return base + "/embeddings" }
        }
        return base + defaultPath
    }
}

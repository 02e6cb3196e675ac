public import HQCore

/// The texts of one embedding request, checked the same way by every front that takes them (`POST /v1/embeddings`,
/// `POST /embed`, `hq embed`): at least one text, none empty, at most ``maxInputs``.
public struct EmbedRequest: Sendable, Hashable {
    /// Texts per request when the caller sets no other bound (`hq serve --max-inputs` overrides it for HTTP).
    public static let defaultMaxInputs = 512

    /// The texts, in order.
    public let texts: [String]

    /// Checks `texts`.
    /// - Parameter maxInputs: the most texts accepted; nil for no bound (a local command reading a file).
    /// - Throws: ``RequestFieldError`` on `input`: empty, too many texts, or an empty text (named by index).
    public init(texts: [String], maxInputs: Int? = defaultMaxInputs) throws(RequestFieldError) {
        guard !texts.isEmpty else { throw RequestFieldError(field: "input", problem: "must not be empty") }
        if let maxInputs, texts.count > maxInputs {
            throw RequestFieldError(
                field: "input", problem: "has \(texts.count) texts; at most \(maxInputs) per request")
        }
        if let empty = texts.firstIndex(where: \.isEmpty) {
            throw texts.count == 1
                ? RequestFieldError(field: "input", problem: "must not be empty")
                : RequestFieldError(field: "input[\(empty)]", problem: "is empty")
        }
        self.texts = texts
    }
}

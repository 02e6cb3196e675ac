public import Foundation

/// The one JSON encoding of search answers, shared by `hq … --json` and the HTTP routes so both print
/// the same bytes for the same answer.
public enum SearchJSON {
    /// Sorted keys, ISO 8601 dates, unescaped slashes.
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    /// The matching decoder (ISO 8601 dates).
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

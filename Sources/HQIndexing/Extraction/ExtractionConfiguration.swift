/// Caps and helpers for extraction.
public struct ExtractionConfiguration: Sendable {
    /// The most characters (Unicode scalars) of extracted text kept per source; the rest is dropped (and logged).
    public var maxTextCharacters: Int = 8_000_000
    /// The most bytes fetched for an asset's file.
    public var maxFileBytes: Int = 64 << 20
    /// Fetches `file_url`s (default: local files only; `hq` adds http/https).
    public var fetcher: any SourceFileFetcher = LocalFileFetcher()
    /// The `pdftotext` executable (poppler-utils); nil or missing means PDFs are indexed by metadata.
    public var pdftotextPath: String? = PDFTextExtractor.defaultPath()
    /// Seconds `pdftotext` may run per file.
    public var pdfTimeoutSeconds: Double = 60

    /// Creates the default configuration.
    public init() {}
}

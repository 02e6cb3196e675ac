/// Caps and helpers for extraction.
public struct ExtractionConfiguration: Sendable {
    /// The most characters (Unicode scalars) of extracted text kept per source; the rest is dropped (and logged).
    public var maxTextCharacters: Int = 8_000_000
    /// The most bytes fetched for an asset's file.
    public var maxFileBytes: Int = 64 << 20
    /// The most bytes of a text extractor's output (`pdftotext`) read per file; the rest is dropped (`+truncated`).
    public var maxExtractedBytes: Int = 32 << 20
    /// Fetches `file_url`s. The default is closed: no local roots, public http(s) links only, no storage; `hq`
    /// builds one from `--files-root`, `HQ_FILES_ROOTS`, the roots `hq ingest` recorded and `HQ_STORAGE_*`.
    public var fetcher: any SourceFileFetcher = AssetFileFetcher.closed()
    /// The `pdftotext` executable (poppler-utils); nil or missing means PDFs are indexed by metadata.
    public var pdftotextPath: String? = PDFTextExtractor.defaultPath()
    /// Seconds `pdftotext` may run per file.
    public var pdfTimeoutSeconds: Double = 60

    /// Creates the default configuration.
    public init() {}
}

public import Foundation
import HQCore

/// Turns a document or asset into ``ExtractedText``: TipTap JSON (object or stringified in a jsonb string),
/// markdown, plain text; assets by type and MIME (text, markdown, HTML, CSV/TSV, JSON, code, PDF through
/// `pdftotext`, metadata for media and links).
///
/// Never fails on content: malformed JSON falls back to its string values, invalid UTF-8 is replaced, NUL and
/// control characters are dropped. It throws only when an asset's file should be reachable and is not.
public struct ContentExtractor: Sendable {
    /// Caps, fetcher and `pdftotext`.
    public var configuration: ExtractionConfiguration

    /// Creates an extractor.
    public init(configuration: ExtractionConfiguration = .init()) { self.configuration = configuration }

    /// The bytes of an asset's file when extraction reads them (a fetchable format and no stored text), else nil:
    /// the indexer hashes them, so a file replaced under the same name and size is never taken for unchanged.
    /// - Throws: ``IndexingError`` `.fileUnavailable`/`.tooLarge`/`.refused` from the fetcher.
    public func fileBytes(_ source: SourceContent) async throws -> Data? {
        guard case .fetched(let file) = try await file(source, ifNoneMatch: nil) else { return nil }
        return file.bytes
    }

    /// ``fileBytes(_:)`` asked conditionally: `.notModified` when the origin confirms the bytes still match
    /// `validator`, nil when extraction reads no file for `source`.
    /// - Throws: as ``fileBytes(_:)``.
    public func file(_ source: SourceContent, ifNoneMatch validator: String?) async throws -> ConditionalFetch? {
        guard source.sourceType == "asset", (source.content ?? "").isEmpty, let url = source.fileURL, !url.isEmpty,
            Self.format(of: source).isFetchable
        else { return nil }
        return try await configuration.fetcher.fetch(url, maxBytes: configuration.maxFileBytes, ifNoneMatch: validator)
    }

    /// Extracts the readable text of `source` with its structure.
    /// - Parameter file: the asset's file as ``fileBytes(_:)`` read it (nil: read it here when needed).
    /// - Throws: ``IndexingError`` `.fileUnavailable`/`.tooLarge`/`.extractionFailed` for an asset's file.
    public func extract(_ source: SourceContent, file: Data? = nil) async throws -> ExtractedText {
        var builder = TextBuilder(maxScalars: configuration.maxTextCharacters)
        var method: String
        if source.sourceType == "asset" {
            method = try await extractAsset(source, file: file, into: &builder)
        } else {
            method = Self.extractDocument(source.documentContent, into: &builder)
        }
        if builder.blocks.isEmpty {
            // An empty source is still findable by its title.
            builder.block(source.title, kind: .paragraph)
            method += "+title"
        }
        if builder.truncated { method += "+truncated" }
        return builder.finish(method: method)
    }

    /// documents.content in every form HQ stores: a jsonb string of TipTap JSON, markdown or plain text, or an object.
    static func extractDocument(_ jsonb: String?, into builder: inout TextBuilder) -> String {
        guard var text = jsonb?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty, text != "null" else {
            return "empty"
        }
        if text.hasPrefix("\"") {
            guard let decoded = decodeJSONString(text) else { return plain(JSONExtractor.strings(in: text), &builder) }
            text = decoded
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard trimmed.hasPrefix("{") || trimmed.hasPrefix("[") else {
                MarkdownExtractor.extract(text, into: &builder)
                return "markdown"
            }
        }
        return structured(text, into: &builder)
    }

    /// JSON text: TipTap when it is a doc, else generic JSON; unparsable (malformed, too deep) → its string values.
    static func structured(_ text: String, into builder: inout TextBuilder) -> String {
        guard let value = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) else {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.hasPrefix("{") || trimmed.hasPrefix("[") {
                return plain(JSONExtractor.strings(in: text), &builder)
            }
            MarkdownExtractor.extract(text, into: &builder)
            return "markdown"
        }
        if TipTapNode.isTipTap(value) {
            TipTapExtractor.extract(value, into: &builder)
            return "tiptap"
        }
        if let string = value as? String {
            MarkdownExtractor.extract(string, into: &builder)
            return "markdown"
        }
        JSONExtractor.extract(value, into: &builder)
        return "json"
    }

    private static func plain(_ strings: [String], _ builder: inout TextBuilder) -> String {
        for string in strings { builder.block(string, kind: .paragraph) }
        return "json-strings"
    }

    private static func decodeJSONString(_ text: String) -> String? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) as? String
    }

    // MARK: Assets

    private func readFile(_ source: SourceContent, given file: Data?) async throws -> Data? {
        if let file { return file }
        return try await fileBytes(source)
    }

    static func format(of source: SourceContent) -> AssetFormat {
        AssetFormat.detect(
            type: source.assetType, mime: source.mimeType,
            name: source.fileURL.map(FileReference.display) ?? source.title)
    }

    private func extractAsset(_ source: SourceContent, file: Data?, into builder: inout TextBuilder) async throws
        -> String
    {
        if let description = source.description { builder.block(description, kind: .paragraph) }
        let format = Self.format(of: source)
        var method = "asset-metadata"
        if let content = source.content, !content.isEmpty {
            method = "asset-" + format.parse(content, into: &builder)
        } else if let data = try await readFile(source, given: file) {
            if format == .pdf {
                method = try await extractPDF(data, into: &builder)
            } else {
                method = "file-" + format.parse(String(decoding: data, as: UTF8.self), into: &builder)
            }
        }
        var meta = ["Type: \(source.assetType ?? "other")"]
        if let mime = source.mimeType { meta.append("MIME: \(mime)") }
        // The reference as displayed: a signed URL's token or a URL's credentials never reach chunk text.
        if let url = source.fileURL, !url.isEmpty { meta.append("File: \(FileReference.display(url))") }
        if !source.tags.isEmpty { meta.append("Tags: \(source.tags.joined(separator: ", "))") }
        builder.resetSections()
        builder.block(meta.joined(separator: " · "), kind: .metadata)
        return method
    }

    private func extractPDF(_ data: Data, into builder: inout TextBuilder) async throws -> String {
        guard let executable = configuration.pdftotextPath else { return "asset-metadata(no-pdftotext)" }
        let (pages, truncated) = try await PDFTextExtractor.pages(
            of: data, executable: executable, timeout: configuration.pdfTimeoutSeconds,
            maxOutputBytes: configuration.maxExtractedBytes)
        for (number, page) in pages.enumerated() {
            builder.page = number + 1
            for paragraph in page.components(separatedBy: "\n\n") {
                builder.block(paragraph, kind: .paragraph)
            }
        }
        builder.page = nil
        // Output cut at the cap: say so in the method (`+truncated`), like text cut at the character cap.
        if truncated { builder.truncated = true }
        return "pdftotext"
    }
}

/// How an asset's text is laid out, from its type, MIME type and file extension.
enum AssetFormat: Equatable {
    case text, markdown, html, csv, tsv, json, code, pdf, media

    static func detect(type: String?, mime: String?, name: String) -> AssetFormat {
        let mime = (mime ?? "").lowercased()
        let ext =
            name.split(separator: "?").first.map {
                ($0 as Substring).split(separator: ".").last.map { $0.lowercased() } ?? ""
            } ?? ""
        switch mime {
        case "text/markdown", "text/x-markdown": return .markdown
        case "text/html", "application/xhtml+xml": return .html
        case "text/csv", "application/csv": return .csv
        case "text/tab-separated-values": return .tsv
        case "application/json", "application/ld+json": return .json
        case "application/pdf": return .pdf
        default: break
        }
        switch ext {
        case "md", "markdown", "mdx": return .markdown
        case "html", "htm", "xhtml": return .html
        case "csv": return .csv
        case "tsv", "tab": return .tsv
        case "json", "jsonl", "ndjson": return .json
        case "pdf": return .pdf
        case "swift", "py", "js", "mjs", "ts", "tsx", "jsx", "sh", "bash", "zsh", "rb", "go", "rs", "java", "kt", "c",
            "h",
            "cc", "cpp", "hpp", "cs", "php", "sql", "yaml", "yml", "toml", "ini", "lua", "r", "pl", "scala", "css",
            "xml":
            return .code
        case "txt", "text", "log", "rst", "org": return .text
        default: break
        }
        if mime.hasPrefix("text/x-") || mime.hasSuffix("javascript") || mime.hasSuffix("x-sh") || mime.hasSuffix("yaml")
        {
            return .code
        }
        if mime.hasPrefix("text/") { return .text }
        // A link asset's URL is a web page unless its MIME type or extension said otherwise above.
        if type == "link" && !mime.hasPrefix("image/") && !mime.hasPrefix("video/") && !mime.hasPrefix("audio/") {
            return .html
        }
        if ["image", "video", "audio"].contains(type ?? "") || mime.hasPrefix("image/") || mime.hasPrefix("video/")
            || mime.hasPrefix("audio/")
        {
            return .media
        }
        if type == "script" { return .code }
        if type == "spreadsheet" { return .csv }
        return mime.isEmpty && ext.isEmpty ? .text : (mime.isEmpty ? .text : .media)
    }

    var isFetchable: Bool { self != .media }

    /// Parses `text` into `builder`; returns the method name.
    func parse(_ text: String, into builder: inout TextBuilder) -> String {
        switch self {
        case .markdown, .text:
            MarkdownExtractor.extract(text, into: &builder)
            return self == .text ? "text" : "markdown"
        case .html:
            HTMLExtractor.extract(text, into: &builder)
            return "html"
        case .csv:
            DelimitedExtractor.extract(text, separator: ",", into: &builder)
            return "csv"
        case .tsv:
            DelimitedExtractor.extract(text, separator: "\t", into: &builder)
            return "tsv"
        case .json:
            if let value = try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) {
                JSONExtractor.extract(value, into: &builder)
                return "json"
            }
            for line in JSONExtractor.strings(in: text) { builder.block(line, kind: .paragraph) }
            return "json-strings"
        case .code:
            for part in text.components(separatedBy: "\n\n") { builder.block(part, kind: .code) }
            return "code"
        case .pdf, .media:
            builder.block(text, kind: .paragraph)
            return "text"
        }
    }
}

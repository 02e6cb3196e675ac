import Foundation
import HQIndexing
import HQNet
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Extraction")
struct ExtractionTests {
    let extractor = ContentExtractor()

    static let tiptap = """
        {"type":"doc","content":[
          {"type":"heading","attrs":{"level":1},"content":[{"type":"text","text":"Onboarding"}]},
          {"type":"paragraph","content":[{"type":"text","text":"Welcome "},{"type":"text","marks":[{"type":"bold"}],"text":"aboard"},{"type":"text","text":"."}]},
          {"type":"heading","attrs":{"level":2},"content":[{"type":"text","text":"Checklist"}]},
          {"type":"taskList","content":[{"type":"taskItem","attrs":{"checked":true},"content":[{"type":"paragraph","content":[{"type":"text","text":"Laptop"}]}]},
                                        {"type":"taskItem","attrs":{"checked":false},"content":[{"type":"paragraph","content":[{"type":"text","text":"Badge"}]}]}]},
          {"type":"orderedList","attrs":{"start":1},"content":[{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"Read the SOP"}]}]}]},
          {"type":"blockquote","content":[{"type":"paragraph","content":[{"type":"text","text":"Ask early."}]}]},
          {"type":"codeBlock","attrs":{"language":"sh"},"content":[{"type":"text","text":"make setup\\nmake test"}]},
          {"type":"horizontalRule"},
          {"type":"image","attrs":{"src":"x.png","alt":"Office map"}},
          {"type":"table","content":[{"type":"tableRow","content":[{"type":"tableCell","content":[{"type":"paragraph","content":[{"type":"text","text":"Mon"}]}]},{"type":"tableCell","content":[{"type":"paragraph","content":[{"type":"text","text":"Intro"}]}]}]}]},
          {"type":"mysteryNode","content":[{"type":"text","text":"still counted"}]},
          {"type":"paragraph","content":[{"type":"text","text":"Line one"},{"type":"hardBreak"},{"type":"text","marks":[{"type":"link","attrs":{"href":"https://x"}}],"text":"link text"}]}
        ]}
        """

    @Test("TipTap JSON as an object and stringified in a jsonb string give the same structured text")
    func tiptapForms() async throws {
        let object = try await extractor.extract(.document(title: "T", content: Self.tiptap))
        let stringified = try await extractor.extract(.document(title: "T", content: try jsonString(Self.tiptap)))
        #expect(object.text == stringified.text)
        #expect(object.method == "tiptap")
        for expected in [
            "Onboarding", "Welcome aboard.", "[x] Laptop", "[ ] Badge", "1. Read the SOP", "Ask early.",
            "make setup\nmake test", "Image: Office map", "Mon | Intro", "still counted", "Line one link text",
        ] {
            #expect(object.text.contains(expected), "missing \(expected)")
        }
        let laptop = try #require(object.blocks.first { object.slice($0.range).contains("Laptop") })
        #expect(laptop.sectionPath == ["Onboarding", "Checklist"])
        #expect(object.text.contains("[x] Laptop\n[ ] Badge"))  // list items on their own lines
    }

    @Test("markdown and plain-text strings, empty content, and a jsonb object that is not TipTap")
    func stringForms() async throws {
        let markdown = try await extractor.extract(
            .document(
                title: "Doc",
                content: try jsonString(
                    """
                    # Pricing
                    Our **list** price is [$49](https://x).

                    ## Discounts
                    - 10% for annual
                    - 20% for nonprofits

                    | Plan | Price |
                    |------|-------|
                    | Pro  | 49    |
                    """)))
        #expect(markdown.method == "markdown")
        #expect(markdown.text.contains("Our list price is $49."))
        #expect(markdown.text.contains("10% for annual\n20% for nonprofits"))
        #expect(markdown.text.contains("Pro | 49"))
        #expect(markdown.blocks.last?.sectionPath == ["Pricing", "Discounts"])

        let plain = try await extractor.extract(.document(title: "Doc", content: try jsonString("just a note")))
        #expect(plain.text == "just a note")

        let empty = try await extractor.extract(.document(title: "Fresh page", content: "\"\""))
        #expect(empty.text == "Fresh page")  // findable by title
        let null = try await extractor.extract(.document(title: "Nothing", content: nil))
        #expect(null.text == "Nothing")

        let json = try await extractor.extract(
            .document(title: "Cfg", content: #"{"owner":"Ana","limits":{"seats":5}}"#))
        #expect(json.text.contains("owner: Ana"))
        #expect(json.text.contains("limits.seats: 5"))
    }

    @Test("JSON nested 1,000 deep neither crashes nor loses its text")
    func deepJSON() async throws {
        let deep =
            String(repeating: #"{"type":"blockquote","content":["#, count: 1_000)
            + #"{"type":"text","text":"deep treasure"}"# + String(repeating: "]}", count: 1_000)
        let doc = #"{"type":"doc","content":["# + deep + "]}"
        let text = try await extractor.extract(.document(title: "Deep", content: doc))
        #expect(text.text.contains("deep treasure"))
        let asAsset = try await extractor.extract(.asset(name: "deep.json", mimeType: "application/json", content: doc))
        #expect(asAsset.text.contains("deep treasure"))
    }

    @Test("assets by type: HTML, CSV, TSV, code, media metadata")
    func assets() async throws {
        let html = try await extractor.extract(
            .asset(
                name: "page.html", mimeType: "text/html",
                content: """
                    <html><head><title>x</title><style>p{}</style><script>var a=1;</script></head><body>
                    <h1>Returns</h1><p>Items can be returned within <b>30&nbsp;days</b> &amp; refunded.</p>
                    <ul><li>Keep the receipt</li><li>Unused items only</li></ul>
                    <table><tr><th>Region</th><th>Window</th></tr><tr><td>EU</td><td>30 days</td></tr></table></body></html>
                    """))
        #expect(html.text.contains("Items can be returned within 30 days & refunded."))
        #expect(html.text.contains("Keep the receipt\nUnused items only"))
        #expect(html.text.contains("EU | 30 days"))
        #expect(!html.text.contains("var a"))
        #expect(html.blocks.first { html.slice($0.range).contains("Items") }?.sectionPath == ["Returns"])

        let csv = try await extractor.extract(
            .asset(
                name: "prices.csv", type: "spreadsheet",
                content: "sku,name,price\nA1,\"Widget, large\",10\nB2,Gadget,20\n"))
        #expect(csv.text.contains("A1 | Widget, large | 10"))
        #expect(
            csv.blocks.first { csv.slice($0.range).hasPrefix("B2") }?.sectionPath == ["Columns: sku | name | price"])

        let tsv = try await extractor.extract(.asset(name: "t.tsv", content: "a\tb\n1\t2\n"))
        #expect(tsv.text.contains("1 | 2"))

        let code = try await extractor.extract(
            .asset(name: "deploy.sh", type: "script", content: "#!/bin/sh\nset -e\n\nmake release\n"))
        #expect(code.text.contains("make release"))

        let image = try await extractor.extract(
            .asset(
                name: "logo.png", type: "image", mimeType: "image/png", description: "Company logo, blue",
                fileURL: "https://cdn.example/logo.png", tags: ["brand"]))
        #expect(image.text.contains("Company logo, blue"))
        #expect(image.text.contains("Type: image"))
        #expect(image.text.contains("Tags: brand"))
    }

    @Test("invalid UTF-8 and NUL bytes in an asset file become clean text")
    func invalidBytes() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hq-idx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("notes.txt")
        try Data([0x48, 0x69, 0x00, 0x20, 0xFF, 0xFE, 0x20, 0x6F, 0x6B, 0xC3, 0x28]).write(to: file)
        let text = try await Self.extractor(roots: [directory.path]).extract(
            .asset(name: "notes.txt", mimeType: "text/plain", fileURL: file.absoluteString))
        #expect(!text.text.unicodeScalars.contains("\u{0}"))
        #expect(text.text.hasPrefix("Hi"))
        #expect(text.text.contains("ok"))
        let inline = try await extractor.extract(.asset(name: "x.txt", content: "a\u{0}b\u{1}c"))
        #expect(inline.text.hasPrefix("abc"))
    }

    @Test("PDF through pdftotext when available")
    func pdf() async throws {
        guard let tool = PDFTextExtractor.defaultPath() else { return }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hq-pdf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("memo.pdf")
        try Self.minimalPDF("Quarterly revenue grew twelve percent").write(to: file)
        _ = tool
        let text = try await Self.extractor(roots: [directory.path]).extract(
            .asset(name: "memo.pdf", type: "document", mimeType: "application/pdf", fileURL: file.path))
        #expect(text.method == "pdftotext")
        #expect(text.text.contains("Quarterly revenue grew twelve percent"))
        #expect(text.blocks.first?.page == 1)
    }

    /// An extractor that may read files under `roots` (the default reads none).
    static func extractor(roots: [String]) throws -> ContentExtractor {
        var configuration = ExtractionConfiguration()
        configuration.fetcher = AssetFileFetcher(
            local: try LocalFileFetcher(roots: roots), links: LinkFetcher(client: .shared), storage: nil)
        return ContentExtractor(configuration: configuration)
    }

    @Test("pdftotext output past the cap is cut, marked truncated, and the child sees none of our keys")
    func pdfCaps() async throws {
        guard PDFTextExtractor.defaultPath() != nil else { return }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hq-pdf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("long.pdf")
        try Self.minimalPDF(String(repeating: "Roast profile notes ", count: 20)).write(to: file)
        var extractor = try Self.extractor(roots: [directory.path])
        extractor.configuration.maxExtractedBytes = 64
        let text = try await extractor.extract(
            .asset(name: "long.pdf", type: "document", mimeType: "application/pdf", fileURL: file.path))
        #expect(text.method.contains("truncated"))
        #expect(text.text.utf8.count <= 200)

        // A stand-in extractor that prints its environment: our keys must not be in it.
        let secret = "SECRET-\(UUID().uuidString)"
        setenv("HQ_LLM_API_KEY", secret, 1)
        defer { unsetenv("HQ_LLM_API_KEY") }
        let script = directory.appendingPathComponent("print-env")
        try Data("#!/bin/sh\nenv\n".utf8).write(to: script)
        chmod(script.path, 0o755)
        extractor.configuration.maxExtractedBytes = 1 << 20
        extractor.configuration.pdftotextPath = script.path
        let printed = try await extractor.extract(
            .asset(name: "long.pdf", type: "document", mimeType: "application/pdf", fileURL: file.path))
        #expect(printed.text.contains("PATH="), "the stand-in ran")
        #expect(!printed.text.contains(secret))
    }

    /// A one-page PDF showing `line` in Helvetica, with a correct xref table.
    static func minimalPDF(_ line: String) -> Data {
        let stream = "BT /F1 12 Tf 72 720 Td (\(line)) Tj ET"
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
            "<< /Length \(stream.utf8.count) >>\nstream\n\(stream)\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
        var pdf = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (i, object) in objects.enumerated() {
            offsets.append(pdf.utf8.count)
            pdf += "\(i + 1) 0 obj\n\(object)\nendobj\n"
        }
        let xref = pdf.utf8.count
        pdf += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { pdf += String(format: "%010d 00000 n \n", offset) }
        pdf += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return Data(pdf.utf8)
    }
}

func jsonString(_ text: String) throws -> String {
    String(decoding: try JSONEncoder().encode(text), as: UTF8.self)
}

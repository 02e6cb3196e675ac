/// Readable text extracted from a source, with its structure.
///
/// `text` is what chunk offsets (`char_start`/`char_end`, in Unicode scalars as PostgreSQL counts characters) point
/// into; `blocks` are its paragraphs, headings, list items, table rows and code blocks in order, each with the
/// section path (the headings above it) and its range in `text`.
public struct ExtractedText: Sendable, Hashable {
    /// One structural unit of the text.
    public struct Block: Sendable, Hashable {
        /// What kind of unit a block is; decides where the chunker may cut.
        public enum Kind: Sendable, Hashable {
            /// A heading of the given level (1 = top).
            case heading(Int)
            /// Running text: split at sentences when too long.
            case paragraph
            /// One list item (or task item) line.
            case listItem
            /// One table or spreadsheet row.
            case tableRow
            /// Code or preformatted text: split at lines when too long.
            case code
            /// Metadata lines (asset type, URL, tags).
            case metadata
        }
        /// The kind of unit.
        public var kind: Kind
        /// Headings above the block, outermost first (a heading's own path includes itself).
        public var sectionPath: [String]
        /// Range in ``ExtractedText/text``, in Unicode scalars.
        public var range: Range<Int>
        /// 1-based page for paginated sources (PDF), else nil.
        public var page: Int?
    }

    /// The extracted text: blocks separated by blank lines (list items and table rows by single newlines).
    public let text: String
    /// The blocks in text order.
    public let blocks: [Block]
    /// How the text was obtained, e.g. `tiptap`, `markdown`, `html`, `pdftotext` (stored as `extraction_method`).
    public let method: String
    /// The text as Unicode scalars (for slicing by offsets).
    let scalars: [Unicode.Scalar]

    init(scalars: [Unicode.Scalar], blocks: [Block], method: String) {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        self.text = String(view)
        self.scalars = scalars
        self.blocks = blocks
        self.method = method
    }

    /// The text of `range` (in scalars).
    public func slice(_ range: Range<Int>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[range])
        return String(view)
    }

    /// True when no block has any text.
    public var isEmpty: Bool { blocks.isEmpty }
}

/// Accumulates blocks into an ``ExtractedText``: cleans text (NUL and control characters, runs of spaces), keeps the
/// heading stack for section paths, and tracks scalar offsets.
struct TextBuilder {
    private(set) var scalars: [Unicode.Scalar] = []
    private(set) var blocks: [ExtractedText.Block] = []
    private var headings: [(level: Int, title: String)] = []
    private var lastWasLine = false
    let maxScalars: Int
    var truncated = false
    var page: Int?

    init(maxScalars: Int) { self.maxScalars = maxScalars }

    var sectionPath: [String] { headings.map(\.title) }

    /// Adds a heading and makes it the section of what follows.
    mutating func heading(_ raw: String, level: Int) {
        let title = Self.clean(raw, keepNewlines: false)
        guard !title.isEmpty else { return }
        let level = max(1, level)
        while let last = headings.last, last.level >= level { headings.removeLast() }
        headings.append((level, String(title.unicodeScalars.prefix(200))))
        append(title, kind: .heading(level), line: false)
    }

    /// Adds a block of the given kind; list items and table rows are separated by single newlines.
    mutating func block(_ raw: String, kind: ExtractedText.Block.Kind) {
        let keep = kind == .code || kind == .metadata
        let text = Self.clean(raw, keepNewlines: keep)
        guard !text.isEmpty else { return }
        let line = kind == .listItem || kind == .tableRow || kind == .metadata
        append(text, kind: kind, line: line)
    }

    /// Forgets the section stack (e.g. at a page break of unrelated content).
    mutating func resetSections() { headings.removeAll() }

    private mutating func append(_ text: String, kind: ExtractedText.Block.Kind, line: Bool) {
        guard !truncated else { return }
        if !scalars.isEmpty {
            scalars.append("\n")
            if !(line && lastWasLine) { scalars.append("\n") }
        }
        let start = scalars.count
        var added = 0
        for scalar in text.unicodeScalars {
            if scalars.count >= maxScalars {
                truncated = true
                break
            }
            scalars.append(scalar)
            added += 1
        }
        if added == 0 {
            while let last = scalars.last, last == "\n" { scalars.removeLast() }
            return
        }
        blocks.append(.init(kind: kind, sectionPath: sectionPath, range: start..<scalars.count, page: page))
        lastWasLine = line
    }

    func finish(method: String) -> ExtractedText {
        ExtractedText(scalars: scalars, blocks: blocks, method: method)
    }

    /// Removes NUL and other control characters, turns tabs/NBSP into spaces, collapses runs of spaces, trims.
    /// With `keepNewlines`, line breaks survive (code); otherwise they become spaces.
    static func clean(_ raw: String, keepNewlines: Bool) -> String {
        var out = String.UnicodeScalarView()
        var pendingSpace = false
        var pendingNewlines = 0
        for scalar in raw.unicodeScalars {
            switch scalar.value {
            case 0x0A where keepNewlines:
                pendingNewlines += 1
                pendingSpace = false
            case 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0xA0, 0x2028, 0x2029, 0x3000, 0xFEFF:
                if keepNewlines && scalar.value == 0x09 {
                    pendingSpace = true
                    continue
                }
                if !out.isEmpty { pendingSpace = true }
            case 0x00...0x1F, 0x7F, 0xFFFE, 0xFFFF:
                continue
            default:
                if !out.isEmpty {
                    if pendingNewlines > 0 {
                        out.append(contentsOf: repeatElement("\n", count: min(pendingNewlines, 2)))
                    } else if pendingSpace {
                        out.append(" ")
                    }
                }
                pendingSpace = false
                pendingNewlines = 0
                out.append(scalar)
            }
        }
        return String(out)
    }
}

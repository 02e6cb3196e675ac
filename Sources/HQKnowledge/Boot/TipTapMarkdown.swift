import Foundation
import HQCore

/// TipTap/ProseMirror JSON (`{"type":"doc","content":[…]}`, HQ-SCHEMA §9.1) as readable CommonMark/GFM.
///
/// Follows HQ's own "Download as Markdown" where that is good markdown (top-level blocks separated by a blank
/// line, `#`×level headings, `- ` / `1. ` / `- [x] ` items, `> ` quotes, fenced code with its language, `---`,
/// `![alt](src)`, marks as `**` `*` `` ` `` `~~` `[text](href)`, underline dropped) and goes further where HQ's
/// export loses structure: nested lists are indented under their item, ordered lists keep `attrs.start`, hard
/// breaks are real markdown line breaks, tables become GFM tables, mentions `@label`, fences and code spans
/// grow when the code itself holds backticks. Text is not escaped (HQ's markdown importer stores markdown
/// syntax as paragraph text, which then reads as markdown again). The tree is read by HQCore's ``TipTapNode`` (the
/// one TipTap walker; the indexer renders the same nodes as search text), so unknown node types degrade to their
/// text, malformed nodes are skipped, deep nesting keeps its text, and it never fails.
///
/// ```swift
/// TipTapMarkdown.render(tipTapJSON: #"{"type":"doc","content":[{"type":"heading","attrs":{"level":2},"content":[{"type":"text","text":"Hi"}]}]}"#)
/// // "## Hi"
/// ```
/// - Complexity: O(n) in the size of the document.
public enum TipTapMarkdown {
    /// The markdown of TipTap JSON text; nil when `tipTapJSON` is not a JSON object.
    public static func render(tipTapJSON: String) -> String? {
        guard let value = try? JSONSerialization.jsonObject(with: Data(tipTapJSON.utf8)), value is [String: Any] else {
            return nil
        }
        return render(node: value)
    }

    /// The markdown of a parsed TipTap node (usually the `doc`).
    static func render(node: Any) -> String {
        render(TipTapNode.blocks(of: node))
    }

    /// The markdown of read TipTap blocks, separated by blank lines.
    static func render(_ blocks: [TipTapNode]) -> String {
        blocks.flatMap(markdown).joined(separator: "\n\n")
    }

    // MARK: Blocks

    /// The markdown blocks a node contributes (a `doc` contributes its children's; an empty block none).
    static func markdown(_ node: TipTapNode) -> [String] {
        let block: String
        switch node {
        case .doc(let children):
            return children.flatMap(markdown)
        case .paragraph(let content):
            block = inline(content)
        case .heading(let level, let content):
            block =
                String(repeating: "#", count: level) + " " + inline(content).replacingOccurrences(of: "  \n", with: " ")
        case .list(let kind, let start, let items):
            block = list(kind, start: start, items: items)
        case .item:
            block = list(.bullet, start: 1, items: [node])
        case .blockquote(let children):
            let inner = children.flatMap(markdown).joined(separator: "\n\n")
            block = prefixLines(inner, first: "> ", rest: "> ", blank: ">")
        case .codeBlock(let language, let code):
            block = codeBlock(code, language: language)
        case .horizontalRule:
            block = "---"
        case .image(let image):
            block = self.image(image)
        case .table(let rows):
            block = table(rows)
        }
        return block.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? [] : [block]
    }

    /// A list with its items one per line; an item's further blocks (nested lists, more paragraphs) are indented
    /// under its text by the marker's width.
    static func list(_ kind: TipTapListKind, start: Int, items: [TipTapNode]) -> String {
        var number = start
        var lines: [String] = []
        for case .item(let checked, let children) in items {
            var marker = kind == .ordered ? "\(number). " : "- "
            if let checked { marker += checked ? "[x] " : "[ ] " }
            number += 1
            let indent = String(repeating: " ", count: kind == .ordered ? marker.count : 2)
            var parts: [(text: String, isList: Bool)] = []
            for child in children {
                let isList = if case .list = child { true } else { false }
                for text in markdown(child) { parts.append((text, isList)) }
            }
            var body = ""
            for (i, part) in parts.enumerated() {
                // Lists stay tight under their item; a second paragraph needs a blank line to stay in the item.
                if i > 0 { body += part.isList || parts[i - 1].isList ? "\n" : "\n\n" }
                body += part.text
            }
            lines.append(prefixLines(body, first: marker.trimmingTrailingSpaceIfEmpty(body), rest: indent, blank: ""))
        }
        return lines.joined(separator: "\n")
    }

    static func codeBlock(_ code: String, language: String?) -> String {
        let fence = String(repeating: "`", count: max(3, longestRun(of: "`", in: code) + 1))
        let lang = (language ?? "").trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(
            of: "`", with: "")
        let body = code.hasSuffix("\n") ? String(code.dropLast()) : code
        return fence + lang + "\n" + body + "\n" + fence
    }

    static func image(_ image: TipTapImage) -> String {
        let alt = image.alt.replacingOccurrences(of: "]", with: "\\]")
        var target = destination(image.src)
        if !image.title.isEmpty { target += " \"" + image.title.replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        return "![\(alt)](\(target))"
    }

    /// A GFM table; the first row is the header (GFM requires one). Cells keep their inline marks; a cell's
    /// several blocks are joined with `<br>`; pipes are escaped.
    static func table(_ rows: [[TipTapCell]]) -> String {
        let grid = rows.map { row in
            row.flatMap { cell in
                let text = cell.blocks.flatMap(markdown).joined(separator: "<br>")
                    .replacingOccurrences(of: "  \n", with: "<br>")
                    .replacingOccurrences(of: "\n", with: "<br>")
                    .replacingOccurrences(of: "|", with: "\\|")
                return [text] + repeatElement("", count: cell.colspan - 1)
            }
        }
        let columns = grid.map(\.count).max() ?? 0
        guard columns > 0 else { return "" }
        func line(_ cells: [String]) -> String {
            let padded = cells + repeatElement("", count: columns - cells.count)
            return "| " + padded.joined(separator: " | ") + " |"
        }
        var out = [line(grid[0]), "|" + String(repeating: " --- |", count: columns)]
        out.append(contentsOf: grid.dropFirst().map(line))
        return out.joined(separator: "\n")
    }

    // MARK: Inline

    /// Inline nodes as markdown: runs of text with equal marks are merged, then wrapped once.
    static func inline(_ nodes: [TipTapInline]) -> String {
        var out = ""
        var run = ""
        var runMarks: [TipTapMark] = []
        func flush() {
            out += wrap(run, marks: runMarks)
            run = ""
        }
        for node in nodes {
            switch node {
            case .text(let text, let marks):
                if marks != runMarks {
                    flush()
                    runMarks = marks
                }
                run += text
            case .hardBreak:
                flush()
                out += "  \n"
            case .mention:
                flush()
                out += TipTapInline.plainText([node])
            case .image(let image):
                flush()
                out += self.image(image)
            case .group(let children):
                flush()
                out += inline(children)
            }
        }
        flush()
        return out
    }

    /// `text` wrapped in its marks; surrounding spaces stay outside the delimiters (`** x**` is not bold).
    static func wrap(_ text: String, marks: [TipTapMark]) -> String {
        guard !marks.isEmpty, !text.isEmpty else { return text }
        let leading = text.prefix(while: { $0 == " " || $0 == "\t" })
        let trailing = String(text.reversed().prefix(while: { $0 == " " || $0 == "\t" }))
        guard leading.count < text.count else { return text }
        var core = String(text.dropFirst(leading.count).dropLast(trailing.count))
        for mark in marks {
            switch mark {
            case .code:
                let ticks = String(repeating: "`", count: longestRun(of: "`", in: core) + 1)
                let pad = core.hasPrefix("`") || core.hasSuffix("`") ? " " : ""
                core = ticks + pad + core + pad + ticks
            case .strike: core = "~~" + core + "~~"
            case .italic: core = "*" + core + "*"
            case .bold: core = "**" + core + "**"
            case .link(let href): core = "[" + core + "](" + destination(href) + ")"
            }
        }
        return String(leading) + core + trailing
    }

    // MARK: Text helpers

    /// A link destination that survives spaces and parentheses.
    static func destination(_ url: String) -> String {
        url.contains(where: { $0 == " " || $0 == "(" || $0 == ")" }) ? "<" + url + ">" : url
    }

    static func longestRun(of character: Character, in text: String) -> Int {
        var longest = 0
        var current = 0
        for c in text {
            if c == character {
                current += 1
                longest = max(longest, current)
            } else {
                current = 0
            }
        }
        return longest
    }

    /// `text` with `first` before its first line, `rest` before the others (`blank` before empty ones).
    static func prefixLines(_ text: String, first: String, rest: String, blank: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard !lines.isEmpty else { return first.trimmingCharacters(in: .whitespaces) }
        return lines.enumerated().map { index, line in
            if index == 0 { return first + line }
            return line.isEmpty ? blank : rest + line
        }.joined(separator: "\n")
    }
}

extension String {
    /// A list marker for an item with no text keeps no dangling space (`-` rather than `- `).
    fileprivate func trimmingTrailingSpaceIfEmpty(_ body: String) -> String {
        body.isEmpty ? trimmingCharacters(in: .whitespaces) : self
    }
}

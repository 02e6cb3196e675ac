import Foundation
import HQCore

/// TipTap/ProseMirror JSON (`{"type":"doc","content":[…]}`) as search text: the search renderer of HQCore's
/// ``TipTapNode`` (boot context renders the same nodes as markdown). Headings open sections; list items, task items
/// and table rows stay on their own lines; code blocks stay code; images contribute their alt text and title;
/// mentions `@label`. Never fails: the reader skips malformed nodes and keeps the text of deep nesting.
enum TipTapExtractor {
    static func extract(_ doc: Any, into builder: inout TextBuilder) {
        var renderer = Renderer(builder: builder)
        for node in TipTapNode.blocks(of: doc) { renderer.block(node) }
        builder = renderer.builder
        // HQ's legacy repair: a document of plain paragraphs holding markdown syntax is read as markdown.
        if renderer.onlyParagraphs, renderer.markdownLike >= 2 {
            var fresh = TextBuilder(maxScalars: builder.maxScalars)
            MarkdownExtractor.extract(renderer.paragraphTexts.joined(separator: "\n"), into: &fresh)
            builder = fresh
        }
    }

    private struct Renderer {
        var builder: TextBuilder
        var onlyParagraphs = true
        var markdownLike = 0
        var paragraphTexts: [String] = []

        mutating func block(_ node: TipTapNode, listPrefix: String? = nil) {
            switch node {
            case .doc(let children):
                for child in children { block(child) }
            case .heading(let level, let content):
                onlyParagraphs = false
                builder.heading(TipTapInline.plainText(content), level: level)
            case .paragraph(let content):
                let text = TipTapInline.plainText(content)
                paragraphTexts.append(text)
                if Self.looksLikeMarkdown(text) { markdownLike += 1 }
                builder.block(text, kind: .paragraph)
            case .list(let kind, let start, let items):
                onlyParagraphs = false
                for (offset, item) in items.enumerated() {
                    block(item, listPrefix: kind == .ordered ? "\(start + offset). " : nil)
                }
            case .item(let checked, let children):
                onlyParagraphs = false
                var prefix = listPrefix ?? ""
                if let checked { prefix += checked ? "[x] " : "[ ] " }
                for (index, child) in children.enumerated() {
                    if index == 0, case .paragraph(let content) = child {
                        builder.block(prefix + TipTapInline.plainText(content), kind: .listItem)
                    } else {
                        block(child)
                    }
                }
            case .blockquote(let children):
                onlyParagraphs = false
                for child in children { block(child) }
            case .codeBlock(_, let code):
                onlyParagraphs = false
                builder.block(code, kind: .code)
            case .horizontalRule:
                break
            case .image(let image):
                onlyParagraphs = false
                let alt = [image.alt, image.title].filter { !$0.isEmpty }
                if !alt.isEmpty { builder.block("Image: " + alt.joined(separator: " — "), kind: .paragraph) }
            case .table(let rows):
                onlyParagraphs = false
                for row in rows {
                    let cells = row.map { TextBuilder.clean(TipTapNode.plainText($0.blocks), keepNewlines: false) }
                    builder.block(cells.joined(separator: " | "), kind: .tableRow)
                }
            }
        }

        static func looksLikeMarkdown(_ text: String) -> Bool {
            let t = text[...]
            if t == "---" { return true }
            for prefix in ["# ", "## ", "### ", "- ", "* ", "> "] where t.hasPrefix(prefix) { return true }
            let digits = t.prefix(while: { $0.isASCII && $0.isNumber })
            return !digits.isEmpty && t.dropFirst(digits.count).hasPrefix(". ")
        }
    }
}

/// Any JSON value into `path: value` lines; object keys at the top level open sections. Also the fallback scanner
/// that pulls the string literals out of JSON too deep or malformed to parse.
enum JSONExtractor {
    static func extract(_ value: Any, into builder: inout TextBuilder) {
        var lines: [String] = []
        flatten(value, path: "", depth: 0, into: &lines)
        for line in lines { builder.block(line, kind: .listItem) }
    }

    private static func flatten(_ value: Any, path: String, depth: Int, into lines: inout [String]) {
        guard depth < 2_000, lines.count < 200_000 else { return }
        switch value {
        case let object as [String: Any]:
            for key in object.keys.sorted() {
                flatten(object[key]!, path: path.isEmpty ? key : path + "." + key, depth: depth + 1, into: &lines)
            }
        case let array as [Any]:
            for (i, element) in array.enumerated() {
                flatten(element, path: path + "[\(i)]", depth: depth + 1, into: &lines)
            }
        case let string as String:
            guard !string.isEmpty else { return }
            lines.append(path.isEmpty ? string : "\(path): \(string)")
        case is NSNull:
            return
        case let number as NSNumber:
            lines.append(path.isEmpty ? "\(number)" : "\(path): \(number)")
        default:
            return
        }
    }

    /// The decoded string values of JSON text, in order, without parsing its structure (no depth limit). Keys and
    /// the values of `type` keys (TipTap node names) are left out.
    static func strings(in text: String) -> [String] {
        JSONStringScan.values(in: text).filter { $0.key != "type" && !$0.value.isEmpty }.map(\.value)
    }
}

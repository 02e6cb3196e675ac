import Foundation

/// TipTap/ProseMirror JSON (`{"type":"doc","content":[…]}`, HQ-SCHEMA §9.1) as readable CommonMark/GFM.
///
/// Follows HQ's own "Download as Markdown" where that is good markdown (top-level blocks separated by a blank
/// line, `#`×level headings, `- ` / `1. ` / `- [x] ` items, `> ` quotes, fenced code with its language, `---`,
/// `![alt](src)`, marks as `**` `*` `` ` `` `~~` `[text](href)`, underline dropped) and goes further where HQ's
/// export loses structure: nested lists are indented under their item, ordered lists keep `attrs.start`, hard
/// breaks are real markdown line breaks, tables become GFM tables, mentions `@label`, fences and code spans
/// grow when the code itself holds backticks. Text is not escaped (HQ's markdown importer stores markdown
/// syntax as paragraph text, which then reads as markdown again). Unknown node types degrade to their text;
/// malformed nodes are skipped; it never fails.
///
/// ```swift
/// TipTapMarkdown.render(tipTapJSON: #"{"type":"doc","content":[{"type":"heading","attrs":{"level":2},"content":[{"type":"text","text":"Hi"}]}]}"#)
/// // "## Hi"
/// ```
/// - Complexity: O(n) in the size of the document.
public enum TipTapMarkdown {
    /// Nesting deeper than this is flattened to its text (keeps recursion far from the stack's limit).
    static let maxDepth = 200

    /// The markdown of TipTap JSON text; nil when `tipTapJSON` is not a JSON object.
    public static func render(tipTapJSON: String) -> String? {
        guard let value = try? JSONSerialization.jsonObject(with: Data(tipTapJSON.utf8)), value is [String: Any] else {
            return nil
        }
        return render(node: value)
    }

    /// Whether a parsed JSON value looks like a TipTap node tree.
    static func isTipTap(_ value: Any) -> Bool {
        guard let object = value as? [String: Any] else { return false }
        return (object["type"] as? String) == "doc" || (object["type"] is String && object["content"] is [Any])
    }

    /// The markdown of a parsed TipTap node (usually the `doc`).
    static func render(node: Any) -> String {
        blocks(of: node, depth: 0).joined(separator: "\n\n")
    }

    // MARK: Blocks

    /// The markdown blocks a node contributes (a `doc` or unknown container contributes its children's).
    static func blocks(of value: Any, depth: Int) -> [String] {
        guard let node = value as? [String: Any] else { return [] }
        if depth >= maxDepth {
            let text = plainText(node)
            return text.isEmpty ? [] : [text]
        }
        let type = node["type"] as? String ?? ""
        let children = node["content"] as? [Any] ?? []
        let attrs = node["attrs"] as? [String: Any] ?? [:]
        let block: String
        switch type {
        case "doc":
            return children.flatMap { blocks(of: $0, depth: depth + 1) }
        case "paragraph":
            block = inline(children, depth: depth)
        case "heading":
            let level = min(max(integer(attrs["level"]) ?? 1, 1), 6)
            let text = inline(children, depth: depth).replacingOccurrences(of: "  \n", with: " ")
            block = String(repeating: "#", count: level) + " " + text
        case "bulletList", "orderedList", "taskList":
            block = list(node, depth: depth)
        case "listItem", "taskItem":
            // An item outside a list: a one-item list of its kind.
            block = list(["type": type == "taskItem" ? "taskList" : "bulletList", "content": [node]], depth: depth)
        case "blockquote":
            let inner = children.flatMap { blocks(of: $0, depth: depth + 1) }.joined(separator: "\n\n")
            block = prefixLines(inner.isEmpty ? "" : inner, first: "> ", rest: "> ", blank: ">")
        case "codeBlock":
            block = codeBlock(rawText(children), language: attrs["language"] as? String)
        case "horizontalRule":
            block = "---"
        case "image":
            block = image(attrs)
        case "table":
            block = table(children, depth: depth)
        case "text", "hardBreak", "mention":
            block = inline([node], depth: depth)
        default:
            // Unknown: a container of blocks renders them; anything else renders as inline text.
            if children.contains(where: { !isInline($0) }) {
                return children.flatMap { blocks(of: $0, depth: depth + 1) }
            }
            block = children.isEmpty ? (node["text"] as? String ?? "") : inline(children, depth: depth)
        }
        return block.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? [] : [block]
    }

    private static func isInline(_ value: Any) -> Bool {
        switch (value as? [String: Any])?["type"] as? String {
        case "text", "hardBreak", "mention", "image", "emoji": true
        default: false
        }
    }

    /// A list with its items one per line; an item's further blocks (nested lists, more paragraphs) are indented
    /// under its text by the marker's width.
    static func list(_ node: [String: Any], depth: Int) -> String {
        let type = node["type"] as? String ?? "bulletList"
        let attrs = node["attrs"] as? [String: Any] ?? [:]
        var number = integer(attrs["start"]) ?? 1
        var lines: [String] = []
        for case let item as [String: Any] in node["content"] as? [Any] ?? [] {
            var marker: String
            switch type {
            case "orderedList": marker = "\(number). "
            default: marker = "- "
            }
            let itemAttrs = item["attrs"] as? [String: Any] ?? [:]
            if type == "taskList" || item["type"] as? String == "taskItem" {
                marker += (itemAttrs["checked"] as? Bool ?? false) ? "[x] " : "[ ] "
            }
            number += 1
            let indent = String(repeating: " ", count: type == "orderedList" ? marker.count : 2)
            var parts: [(text: String, isList: Bool)] = []
            for child in item["content"] as? [Any] ?? [] {
                let childType = (child as? [String: Any])?["type"] as? String ?? ""
                let isList = ["bulletList", "orderedList", "taskList"].contains(childType)
                for text in blocks(of: child, depth: depth + 1) { parts.append((text, isList)) }
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

    static func image(_ attrs: [String: Any]) -> String {
        let src = attrs["src"] as? String ?? ""
        let alt = (attrs["alt"] as? String ?? "").replacingOccurrences(of: "]", with: "\\]")
        var target = destination(src)
        if let title = attrs["title"] as? String, !title.isEmpty {
            target += " \"" + title.replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return "![\(alt)](\(target))"
    }

    /// A GFM table; the first row is the header (GFM requires one). Cells keep their inline marks; a cell's
    /// several blocks are joined with `<br>`; pipes are escaped.
    static func table(_ rows: [Any], depth: Int) -> String {
        var grid: [[String]] = []
        for case let row as [String: Any] in rows {
            var cells: [String] = []
            for case let cell as [String: Any] in row["content"] as? [Any] ?? [] {
                let parts = (cell["content"] as? [Any] ?? []).flatMap { blocks(of: $0, depth: depth + 2) }
                let text = parts.joined(separator: "<br>")
                    .replacingOccurrences(of: "  \n", with: "<br>")
                    .replacingOccurrences(of: "\n", with: "<br>")
                    .replacingOccurrences(of: "|", with: "\\|")
                cells.append(text)
                let span = integer((cell["attrs"] as? [String: Any])?["colspan"]) ?? 1
                if span > 1 { cells.append(contentsOf: repeatElement("", count: min(span, 100) - 1)) }
            }
            grid.append(cells)
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
    static func inline(_ nodes: [Any], depth: Int) -> String {
        var out = ""
        var run = ""
        var runMarks: [Mark] = []
        func flush() {
            out += wrap(run, marks: runMarks)
            run = ""
        }
        for case let node as [String: Any] in nodes {
            let type = node["type"] as? String ?? ""
            switch type {
            case "text":
                let marks = Mark.parse(node["marks"])
                if marks != runMarks {
                    flush()
                    runMarks = marks
                }
                run += node["text"] as? String ?? ""
            case "hardBreak":
                flush()
                out += "  \n"
            case "mention":
                flush()
                let attrs = node["attrs"] as? [String: Any] ?? [:]
                let label = (attrs["label"] as? String) ?? (attrs["id"] as? String) ?? ""
                if !label.isEmpty { out += (label.hasPrefix("@") ? "" : "@") + label }
            case "image":
                flush()
                out += image(node["attrs"] as? [String: Any] ?? [:])
            default:
                // Unknown inline node: its text, or its children's inline markdown.
                flush()
                if let text = node["text"] as? String {
                    out += text
                } else if depth < maxDepth {
                    out += inline(node["content"] as? [Any] ?? [], depth: depth + 1)
                }
            }
        }
        flush()
        return out
    }

    /// One text mark; underline and marks markdown cannot show are dropped.
    enum Mark: Equatable {
        case bold, italic, strike, code
        case link(String)

        static func parse(_ value: Any?) -> [Mark] {
            var marks: [Mark] = []
            for case let mark as [String: Any] in value as? [Any] ?? [] {
                switch mark["type"] as? String {
                case "bold", "strong": marks.append(.bold)
                case "italic", "em": marks.append(.italic)
                case "strike", "strikethrough": marks.append(.strike)
                case "code": marks.append(.code)
                case "link":
                    let href = (mark["attrs"] as? [String: Any])?["href"] as? String ?? ""
                    if !href.isEmpty { marks.append(.link(href)) }
                default: break
                }
            }
            // Code innermost, links outermost, the rest in a fixed order so equal sets compare equal.
            let rank: (Mark) -> Int = {
                switch $0 {
                case .code: 0
                case .strike: 1
                case .italic: 2
                case .bold: 3
                case .link: 4
                }
            }
            return marks.sorted { rank($0) < rank($1) }
        }
    }

    /// `text` wrapped in its marks; surrounding spaces stay outside the delimiters (`** x**` is not bold).
    static func wrap(_ text: String, marks: [Mark]) -> String {
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

    /// The text of a code block's children, hard breaks as newlines.
    static func rawText(_ nodes: [Any]) -> String {
        var out = ""
        for case let node as [String: Any] in nodes {
            switch node["type"] as? String {
            case "hardBreak": out += "\n"
            default: out += node["text"] as? String ?? plainText(node)
            }
        }
        return out
    }

    /// Every `text` value below `node`, space-separated, without recursion (for nesting past ``maxDepth``).
    static func plainText(_ node: [String: Any]) -> String {
        var parts: [String] = []
        var stack: [Any] = [node]
        while let next = stack.popLast() {
            guard let object = next as? [String: Any] else { continue }
            if let text = object["text"] as? String, !text.isEmpty { parts.append(text) }
            if let children = object["content"] as? [Any] { stack.append(contentsOf: children.reversed()) }
        }
        return parts.joined(separator: " ")
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

    static func integer(_ value: Any?) -> Int? {
        switch value {
        case let int as Int: int
        case let double as Double where double.isFinite && abs(double) < 1e9: Int(double)
        case let string as String: Int(string)
        default: nil
        }
    }
}

extension String {
    /// A list marker for an item with no text keeps no dangling space (`-` rather than `- `).
    fileprivate func trimmingTrailingSpaceIfEmpty(_ body: String) -> String {
        body.isEmpty ? trimmingCharacters(in: .whitespaces) : self
    }
}

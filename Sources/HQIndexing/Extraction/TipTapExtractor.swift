import Foundation

/// TipTap/ProseMirror JSON (`{"type":"doc","content":[…]}`) into blocks. Headings open sections; list items, task
/// items and table rows stay on their own lines; code blocks stay code; images contribute their alt text; unknown
/// nodes contribute their text children. Never fails: malformed nodes are skipped.
enum TipTapExtractor {
    static func isTipTap(_ value: Any) -> Bool {
        guard let object = value as? [String: Any] else { return false }
        return (object["type"] as? String) == "doc" || (object["content"] is [Any] && object["type"] is String)
    }

    static func extract(_ doc: Any, into builder: inout TextBuilder) {
        var walker = Walker(builder: builder)
        walker.block(doc, depth: 0)
        builder = walker.builder
        // HQ's legacy repair: a document of plain paragraphs holding markdown syntax is read as markdown.
        if walker.onlyParagraphs, walker.markdownLike >= 2 {
            var fresh = TextBuilder(maxScalars: builder.maxScalars)
            MarkdownExtractor.extract(walker.paragraphTexts.joined(separator: "\n"), into: &fresh)
            builder = fresh
        }
    }

    private struct Walker {
        var builder: TextBuilder
        var onlyParagraphs = true
        var markdownLike = 0
        var paragraphTexts: [String] = []
        static let maxDepth = 2_000

        mutating func block(_ value: Any, depth: Int, listPrefix: String? = nil) {
            guard depth < Self.maxDepth, let node = value as? [String: Any] else { return }
            let type = node["type"] as? String ?? ""
            let children = node["content"] as? [Any] ?? []
            let attrs = node["attrs"] as? [String: Any] ?? [:]
            switch type {
            case "doc":
                for child in children { block(child, depth: depth + 1) }
            case "heading":
                onlyParagraphs = false
                builder.heading(inline(children, depth: depth), level: Self.integer(attrs["level"], default: 1, in: 1...6))
            case "paragraph":
                let text = inline(children, depth: depth)
                paragraphTexts.append(text)
                if Self.looksLikeMarkdown(text) { markdownLike += 1 }
                builder.block(text, kind: .paragraph)
            case "bulletList", "orderedList", "taskList":
                onlyParagraphs = false
                var number = Self.integer(attrs["start"], default: 1, in: -1_000_000_000...1_000_000_000)
                for child in children {
                    let prefix = type == "orderedList" ? "\(number). " : nil
                    block(child, depth: depth + 1, listPrefix: prefix)
                    number += 1
                }
            case "listItem", "taskItem":
                onlyParagraphs = false
                var first = true
                var prefix = listPrefix ?? ""
                if type == "taskItem" { prefix += (attrs["checked"] as? Bool ?? false) ? "[x] " : "[ ] " }
                for child in children {
                    let childType = (child as? [String: Any])?["type"] as? String
                    if first, childType == "paragraph" {
                        let text = inline((child as? [String: Any])?["content"] as? [Any] ?? [], depth: depth + 1)
                        builder.block(prefix + text, kind: .listItem)
                    } else {
                        block(child, depth: depth + 1)
                    }
                    first = false
                }
            case "blockquote":
                onlyParagraphs = false
                for child in children { block(child, depth: depth + 1) }
            case "codeBlock":
                onlyParagraphs = false
                builder.block(rawText(children, depth: depth), kind: .code)
            case "horizontalRule":
                break
            case "image":
                onlyParagraphs = false
                let alt = [attrs["alt"] as? String, attrs["title"] as? String].compactMap { $0 }.filter { !$0.isEmpty }
                if !alt.isEmpty { builder.block("Image: " + alt.joined(separator: " — "), kind: .paragraph) }
            case "table":
                onlyParagraphs = false
                for child in children { block(child, depth: depth + 1) }
            case "tableRow":
                let cells = children.map { cell in
                    cellText((cell as? [String: Any])?["content"] as? [Any] ?? [], depth: depth + 1)
                }
                builder.block(cells.joined(separator: " | "), kind: .tableRow)
            case "text", "hardBreak":
                builder.block(inline([node], depth: depth), kind: .paragraph)
            default:
                // Unknown container: its blocks; unknown leaf: its text.
                if children.contains(where: { (($0 as? [String: Any])?["type"] as? String) != "text" }) {
                    for child in children { block(child, depth: depth + 1) }
                } else {
                    builder.block(inline(children, depth: depth), kind: .paragraph)
                }
            }
        }

        /// A numeric attribute as an Int within `range`: jsonb may hold any number there (1e308, a huge start), and
        /// converting or counting past Int's range traps.
        static func integer(_ value: Any?, default fallback: Int, in range: ClosedRange<Int>) -> Int {
            guard let number = (value as? Int).map(Double.init) ?? (value as? Double), number.isFinite else { return fallback }
            return Int(min(max(number.rounded(.down), Double(range.lowerBound)), Double(range.upperBound)))
        }

        /// The text of inline nodes; links keep their text, hard breaks become spaces.
        func inline(_ nodes: [Any], depth: Int) -> String {
            var out = ""
            collectText(nodes, depth: depth, into: &out, separator: " ")
            return out
        }

        func rawText(_ nodes: [Any], depth: Int) -> String {
            var out = ""
            collectText(nodes, depth: depth, into: &out, separator: "\n")
            return out
        }

        func cellText(_ nodes: [Any], depth: Int) -> String {
            var out = ""
            collectText(nodes, depth: depth, into: &out, separator: " ")
            return TextBuilder.clean(out, keepNewlines: false)
        }

        private func collectText(_ nodes: [Any], depth: Int, into out: inout String, separator: String) {
            guard depth < Self.maxDepth else { return }
            for case let node as [String: Any] in nodes {
                switch node["type"] as? String {
                case "text": out += node["text"] as? String ?? ""
                case "hardBreak": out += separator
                case "image":
                    if let alt = (node["attrs"] as? [String: Any])?["alt"] as? String { out += alt }
                default:
                    if !out.isEmpty, !out.hasSuffix(" ") { out += " " }
                    collectText(node["content"] as? [Any] ?? [], depth: depth + 1, into: &out, separator: separator)
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
        var result: [String] = []
        var current = String.UnicodeScalarView()
        var pending: String?
        var lastKey = ""
        var inString = false
        var escaped = false
        var iterator = text.unicodeScalars.makeIterator()
        while let scalar = iterator.next() {
            if !inString {
                if let value = pending, !(scalar == " " || scalar == "\n" || scalar == "\t" || scalar == "\r") {
                    if scalar == ":" { lastKey = value } else if lastKey != "type" { result.append(value) }
                    pending = nil
                }
                if scalar == "\"" { inString = true; current = .init() }
                continue
            }
            if escaped {
                escaped = false
                switch scalar {
                case "n": current.append("\n")
                case "t": current.append("\t")
                case "u":
                    var hex = ""
                    for _ in 0..<4 { if let h = iterator.next() { hex.unicodeScalars.append(h) } }
                    if let v = UInt32(hex, radix: 16), let s = Unicode.Scalar(v) { current.append(s) }
                default: current.append(scalar)
                }
                continue
            }
            if scalar == "\\" { escaped = true; continue }
            if scalar == "\"" {
                inString = false
                pending = String(current)
                continue
            }
            current.append(scalar)
        }
        if let value = pending, lastKey != "type" { result.append(value) }
        // JSON cut off inside a string (a truncated save) still has that string's text.
        if inString, lastKey != "type" { result.append(String(current)) }
        return result.filter { !$0.isEmpty }
    }
}

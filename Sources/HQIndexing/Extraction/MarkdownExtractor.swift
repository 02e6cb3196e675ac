import Foundation

/// Markdown (and plain text, which is markdown without syntax) into blocks: ATX headings become sections, fenced
/// code stays code, list items and table rows stay lines, paragraphs are joined lines. Inline syntax (emphasis,
/// links, images, code spans) is reduced to its text.
enum MarkdownExtractor {
    static func extract(_ source: String, into builder: inout TextBuilder) {
        var paragraph: [Substring] = []
        var fence: Substring?
        var code: [Substring] = []

        func flushParagraph() {
            guard !paragraph.isEmpty else { return }
            builder.block(inline(paragraph.joined(separator: " ")), kind: .paragraph)
            paragraph.removeAll()
        }

        var lines = source.split(separator: "\n", omittingEmptySubsequences: false)[...]
        // Front matter: kept as metadata lines.
        if lines.first?.trimmingCharacters(in: .whitespaces) == "---",
            let end = lines.dropFirst().firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "---" })
        {
            let meta = lines[lines.index(after: lines.startIndex)..<end].joined(separator: "\n")
            builder.block(meta, kind: .metadata)
            lines = lines[lines.index(after: end)...]
        }
        for rawLine in lines {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
            if let open = fence {
                if trimmed.hasPrefix(open) {
                    builder.block(code.joined(separator: "\n"), kind: .code)
                    code.removeAll()
                    fence = nil
                } else {
                    code.append(line)
                }
                continue
            }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                flushParagraph()
                fence = trimmed.prefix(3)
                continue
            }
            if trimmed.isEmpty {
                flushParagraph()
                continue
            }
            if let (level, title) = heading(trimmed) {
                flushParagraph()
                builder.heading(inline(title), level: level)
                continue
            }
            if isRule(trimmed) {
                flushParagraph()
                continue
            }
            if let item = listItem(trimmed) {
                flushParagraph()
                builder.block(inline(item), kind: .listItem)
                continue
            }
            if trimmed.hasPrefix("|") {
                flushParagraph()
                let cells = trimmed.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
                if cells.allSatisfy({ $0.allSatisfy { "-:".contains($0) } }) { continue }  // separator row
                builder.block(inline(cells.filter { !$0.isEmpty }.joined(separator: " | ")), kind: .tableRow)
                continue
            }
            if trimmed.hasPrefix(">") {
                paragraph.append(trimmed.drop(while: { $0 == ">" || $0 == " " }))
                continue
            }
            paragraph.append(trimmed)
        }
        if fence != nil { builder.block(code.joined(separator: "\n"), kind: .code) }
        flushParagraph()
    }

    static func heading(_ line: Substring) -> (Int, Substring)? {
        let hashes = line.prefix(while: { $0 == "#" }).count
        guard (1...6).contains(hashes) else { return nil }
        let rest = line.dropFirst(hashes)
        guard rest.isEmpty || rest.first == " " || rest.first == "\t" else { return nil }
        var title = rest.trimmingCharacters(in: .whitespaces)[...]
        while title.hasSuffix("#") { title = title.dropLast() }
        return (hashes, title)
    }

    static func isRule(_ line: Substring) -> Bool {
        let chars = line.filter { $0 != " " }
        guard chars.count >= 3, let first = chars.first, "-*_".contains(first) else { return false }
        return chars.allSatisfy { $0 == first }
    }

    static func listItem(_ line: Substring) -> Substring? {
        if let first = line.first, "-*+".contains(first), line.dropFirst().first == " " {
            var rest = line.dropFirst(2)
            if rest.hasPrefix("[ ] ") || rest.hasPrefix("[x] ") || rest.hasPrefix("[X] ") { rest = rest.dropFirst(4) }
            return rest
        }
        let digits = line.prefix(while: { $0.isASCII && $0.isNumber })
        if !digits.isEmpty, digits.count < 10 {
            let rest = line.dropFirst(digits.count)
            if rest.hasPrefix(". ") || rest.hasPrefix(") ") { return rest.dropFirst(2) }
        }
        return nil
    }

    /// Reduces inline markdown to text: `![alt](src)` → alt, `[text](url)` → text, emphasis and code markers dropped.
    static func inline(_ text: some StringProtocol) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var index = text.startIndex
        while index < text.endIndex {
            let char = text[index]
            if char == "!" || char == "[" {
                let open = char == "!" ? text.index(after: index) : index
                if open < text.endIndex, text[open] == "[",
                    let close = text[open...].firstIndex(of: "]"),
                    text.index(after: close) < text.endIndex, text[text.index(after: close)] == "(",
                    let paren = text[close...].firstIndex(of: ")")
                {
                    out += text[text.index(after: open)..<close]
                    index = text.index(after: paren)
                    continue
                }
            }
            if char == "*" || char == "`" || (char == "_" && isBoundary(text, index))
                || char == "~" && text[index...].hasPrefix("~~")
            {
                index = text.index(after: index)
                continue
            }
            out.append(char)
            index = text.index(after: index)
        }
        return out
    }

    private static func isBoundary(_ text: some StringProtocol, _ index: String.Index) -> Bool {
        let before = index > text.startIndex ? text[text.index(before: index)] : " "
        let afterIndex = text.index(after: index)
        let after = afterIndex < text.endIndex ? text[afterIndex] : " "
        return !(before.isLetter || before.isNumber) || !(after.isLetter || after.isNumber)
    }
}

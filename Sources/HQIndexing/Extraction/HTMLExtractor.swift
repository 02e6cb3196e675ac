/// HTML into blocks: tags stripped, `<h1>`–`<h6>` kept as section headings, block elements (p, li, tr, div, br, …)
/// as block boundaries, table cells joined with ` | `, `<script>`/`<style>`/`<head>` dropped, entities decoded.
enum HTMLExtractor {
    private static let blockTags: Set<String> = [
        "p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "blockquote", "pre", "ul", "ol",
        "dl", "dt", "dd", "table", "thead", "tbody", "br", "hr", "form", "figure", "figcaption", "address", "body",
    ]
    private static let skipTags: Set<String> = ["script", "style", "head", "noscript", "template", "svg"]

    static func extract(_ html: String, into builder: inout TextBuilder) {
        var buffer = ""
        var kind: ExtractedText.Block.Kind = .paragraph
        var headingLevel: Int?
        var skipping: String?
        var row: [String]?

        func flush() {
            let text = decodeEntities(buffer)
            buffer = ""
            if let level = headingLevel {
                builder.heading(text, level: level)
            } else {
                builder.block(text, kind: kind)
            }
        }

        var index = html.startIndex
        while index < html.endIndex {
            let char = html[index]
            guard char == "<" else {
                if skipping == nil { buffer.append(char) }
                index = html.index(after: index)
                continue
            }
            if html[index...].hasPrefix("<!--") {
                if let end = html[index...].range(of: "-->") { index = end.upperBound } else { break }
                continue
            }
            guard let close = html[index...].firstIndex(of: ">") else { break }
            let tagText = html[html.index(after: index)..<close]
            index = html.index(after: close)
            let isEnd = tagText.hasPrefix("/")
            let name = tagText.drop(while: { $0 == "/" }).prefix(while: { $0.isLetter || $0.isNumber }).lowercased()
            if let skip = skipping {
                if isEnd && name == skip { skipping = nil }
                continue
            }
            if skipTags.contains(name) && !isEnd && !tagText.hasSuffix("/") {
                skipping = name
                continue
            }
            if name.count == 2, name.first == "h", let level = Int(name.dropFirst()), (1...6).contains(level) {
                flush()
                headingLevel = isEnd ? nil : level
                continue
            }
            switch name {
            case "li":
                flush()
                kind = isEnd ? .paragraph : .listItem
            case "tr":
                flush()
                if isEnd, let cells = row {
                    builder.block(cells.filter { !$0.isEmpty }.joined(separator: " | "), kind: .tableRow)
                    row = nil
                } else if !isEnd {
                    row = []
                }
            case "td", "th":
                if isEnd, row != nil {
                    row?.append(TextBuilder.clean(decodeEntities(buffer), keepNewlines: false))
                    buffer = ""
                } else if !isEnd, row != nil {
                    buffer = ""
                }
            case "img":
                if let alt = attribute("alt", in: tagText), !alt.isEmpty { buffer += " " + decodeEntities(alt) + " " }
            default:
                if blockTags.contains(name) {
                    flush()
                    if name == "pre" { kind = isEnd ? .paragraph : .code }
                } else {
                    buffer.append(" ")  // inline tags separate words only where the source had space anyway
                    if buffer.hasSuffix("  ") { buffer.removeLast() }
                }
            }
        }
        flush()
    }

    private static func attribute(_ name: String, in tag: Substring) -> String? {
        guard let range = tag.range(of: name + "=") else { return nil }
        var rest = tag[range.upperBound...]
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
        rest = rest.dropFirst()
        return rest.firstIndex(of: quote).map { String(rest[..<$0]) }
    }

    private static let named: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "mdash": "—", "ndash": "–",
        "hellip": "…", "rsquo": "’", "lsquo": "‘", "rdquo": "”", "ldquo": "“", "copy": "©", "reg": "®", "euro": "€",
    ]

    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var out = ""
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == "&", let semi = text[index...].prefix(12).firstIndex(of: ";") {
                let entity = text[text.index(after: index)..<semi]
                var replacement: String?
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") {
                    replacement = UInt32(entity.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String($0) }
                } else if entity.hasPrefix("#") {
                    replacement = UInt32(entity.dropFirst()).flatMap(Unicode.Scalar.init).map { String($0) }
                } else {
                    replacement = named[String(entity)]
                }
                if let replacement {
                    out += replacement
                    index = text.index(after: semi)
                    continue
                }
            }
            out.append(text[index])
            index = text.index(after: index)
        }
        return out
    }
}

import Foundation

/// A TipTap/ProseMirror document (`{"type":"doc","content":[…]}`, HQ-SCHEMA §9.1) read once into typed nodes.
///
/// The one walker over HQ's rich text: the indexer renders these nodes to search text, boot context renders them to
/// markdown. Reading is where hostile input is handled, so both renderers get the same answer:
/// - malformed nodes (not objects, no `type`, `content` not a list) are skipped, never a failure;
/// - numeric attributes are clamped (`level` 1…6, `start` and `colspan` to sane ranges) whatever JSON number or
///   numeric string they hold;
/// - nesting past ``maxDepth`` becomes one paragraph of all the text beneath it (read without recursion), so a
///   renderer's recursion is bounded and no text is lost;
/// - unknown types degrade: a container of blocks to its blocks, anything else to its inline text.
///
/// ```swift
/// let doc = TipTapNode.read(parsedJSON)   // nil unless it looks like a TipTap tree
/// ```
public indirect enum TipTapNode: Sendable, Hashable {
    /// The root (or an unknown container of blocks).
    case doc([TipTapNode])
    /// A paragraph of inline content.
    case paragraph([TipTapInline])
    /// A heading, level 1…6.
    case heading(level: Int, [TipTapInline])
    /// A list; its items are ``item(checked:_:)`` nodes.
    case list(TipTapListKind, start: Int, items: [TipTapNode])
    /// A list item: its blocks; `checked` is set for a task item.
    case item(checked: Bool?, [TipTapNode])
    /// A quotation of blocks.
    case blockquote([TipTapNode])
    /// Code: its text (hard breaks as newlines) and language.
    case codeBlock(language: String?, code: String)
    /// `---`.
    case horizontalRule
    /// A block image.
    case image(TipTapImage)
    /// A table: rows of cells.
    case table([[TipTapCell]])

    /// Nesting deeper than this is read as the text beneath it (keeps renderers' recursion far from the stack's limit).
    public static let maxDepth = 200

    /// Whether a parsed JSON value looks like a TipTap tree (a `doc`, or a typed node with a `content` list).
    public static func isTipTap(_ value: Any) -> Bool {
        guard let object = value as? [String: Any] else { return false }
        return (object["type"] as? String) == "doc" || (object["type"] is String && object["content"] is [Any])
    }

    /// The blocks of a parsed TipTap value (usually the `doc`); empty when nothing in it is readable.
    public static func blocks(of value: Any) -> [TipTapNode] {
        let blocks = Reader.blocks(value, depth: 0)
        if blocks.count == 1, case .doc(let children) = blocks[0] { return children }
        return blocks
    }
}

/// The kinds of list.
public enum TipTapListKind: Sendable, Hashable {
    case bullet, ordered, task
}

/// An image's attributes.
public struct TipTapImage: Sendable, Hashable {
    public var src: String
    public var alt: String
    public var title: String
}

/// A table cell: its blocks, and how many columns it spans (1…100).
public struct TipTapCell: Sendable, Hashable {
    public var blocks: [TipTapNode]
    public var colspan: Int
}

/// Inline content.
public indirect enum TipTapInline: Sendable, Hashable {
    /// Text with its marks (sorted: code innermost, link outermost).
    case text(String, marks: [TipTapMark])
    case hardBreak
    /// `@label` (the label, else the id).
    case mention(String)
    case image(TipTapImage)
    /// An unknown inline node with children: their inline content.
    case group([TipTapInline])

    /// The plain text: text as written, hard breaks as `hardBreak`, mentions `@label`, images their alt text.
    public static func plainText(_ inlines: [TipTapInline], hardBreak: String = " ") -> String {
        var out = ""
        for inline in inlines {
            switch inline {
            case .text(let text, _): out += text
            case .hardBreak: out += hardBreak
            case .mention(let label): out += label.hasPrefix("@") ? label : "@" + label
            case .image(let image): out += image.alt
            case .group(let children): out += plainText(children, hardBreak: hardBreak)
            }
        }
        return out
    }
}

/// A text mark markdown can show (underline and unknown marks are dropped when read).
public enum TipTapMark: Sendable, Hashable {
    case code, strike, italic, bold
    case link(String)

    /// Code innermost, links outermost, the rest in a fixed order so equal sets compare equal.
    var rank: Int {
        switch self {
        case .code: 0
        case .strike: 1
        case .italic: 2
        case .bold: 3
        case .link: 4
        }
    }
}

extension TipTapNode {
    /// The text of `blocks` in reading order, blocks separated by `separator`.
    public static func plainText(_ blocks: [TipTapNode], separator: String = " ") -> String {
        var parts: [String] = []
        func collect(_ node: TipTapNode) {
            switch node {
            case .doc(let children), .blockquote(let children), .item(_, let children): children.forEach(collect)
            case .list(_, _, let items): items.forEach(collect)
            case .paragraph(let inline), .heading(_, let inline): parts.append(TipTapInline.plainText(inline))
            case .codeBlock(_, let code): parts.append(code)
            case .horizontalRule: break
            case .image(let image): parts.append(image.alt)
            case .table(let rows):
                for cell in rows.joined() { cell.blocks.forEach(collect) }
            }
        }
        blocks.forEach(collect)
        return parts.filter { !$0.isEmpty }.joined(separator: separator)
    }
}

/// Reads parsed JSON (`JSONSerialization` values) into nodes.
private enum Reader {
    static func blocks(_ value: Any, depth: Int) -> [TipTapNode] {
        guard let node = value as? [String: Any] else { return [] }
        if depth >= TipTapNode.maxDepth {
            let text = flattened(node)
            return text.isEmpty ? [] : [.paragraph([.text(text, marks: [])])]
        }
        let type = node["type"] as? String ?? ""
        let children = node["content"] as? [Any] ?? []
        let attrs = node["attrs"] as? [String: Any] ?? [:]
        func childBlocks() -> [TipTapNode] { children.flatMap { blocks($0, depth: depth + 1) } }
        switch type {
        case "doc":
            return [.doc(childBlocks())]
        case "paragraph":
            return [.paragraph(inlines(children, depth: depth + 1))]
        case "heading":
            return [
                .heading(level: integer(attrs["level"], default: 1, in: 1...6), inlines(children, depth: depth + 1))
            ]
        case "bulletList", "orderedList", "taskList":
            let kind: TipTapListKind = type == "orderedList" ? .ordered : type == "taskList" ? .task : .bullet
            let items = children.compactMap { item($0, inTaskList: kind == .task, depth: depth + 1) }
            return [
                .list(kind, start: integer(attrs["start"], default: 1, in: -999_999_999...999_999_999), items: items)
            ]
        case "listItem", "taskItem":
            // An item outside a list: a one-item list of its kind.
            let kind: TipTapListKind = type == "taskItem" ? .task : .bullet
            return item(node, inTaskList: false, depth: depth).map { [.list(kind, start: 1, items: [$0])] } ?? []
        case "blockquote":
            return [.blockquote(childBlocks())]
        case "codeBlock":
            let language = (attrs["language"] as? String).flatMap { $0.isEmpty ? nil : $0 }
            return [.codeBlock(language: language, code: codeText(children))]
        case "horizontalRule":
            return [.horizontalRule]
        case "image":
            return [.image(image(attrs))]
        case "table":
            return [.table(children.compactMap { row($0, depth: depth + 1) })]
        case "tableRow":
            return row(node, depth: depth).map { [.table([$0])] } ?? []
        case "text", "hardBreak", "mention":
            return [.paragraph(inlines([node], depth: depth))]
        default:
            // Unknown: a container of blocks reads as its blocks; anything else as inline text.
            if children.contains(where: { !isInline($0) }) { return childBlocks() }
            if children.isEmpty {
                guard let text = node["text"] as? String, !text.isEmpty else { return [] }
                return [.paragraph([.text(text, marks: [])])]
            }
            return [.paragraph(inlines(children, depth: depth + 1))]
        }
    }

    /// A list's child as an item; a child that is not an item is an item holding that child.
    static func item(_ value: Any, inTaskList: Bool, depth: Int) -> TipTapNode? {
        guard let node = value as? [String: Any] else { return nil }
        let type = node["type"] as? String
        guard type == "listItem" || type == "taskItem" else {
            let inner = blocks(node, depth: depth + 1)
            return inner.isEmpty ? nil : .item(checked: inTaskList ? false : nil, inner)
        }
        let attrs = node["attrs"] as? [String: Any] ?? [:]
        let checked: Bool? = inTaskList || type == "taskItem" ? (attrs["checked"] as? Bool ?? false) : nil
        let content = (node["content"] as? [Any] ?? []).flatMap { blocks($0, depth: depth + 1) }
        return .item(checked: checked, content)
    }

    static func row(_ value: Any, depth: Int) -> [TipTapCell]? {
        guard let row = value as? [String: Any], let cells = row["content"] as? [Any] else { return nil }
        return cells.compactMap { value in
            guard let cell = value as? [String: Any] else { return nil }
            let content = (cell["content"] as? [Any] ?? []).flatMap { blocks($0, depth: depth + 2) }
            let span = integer((cell["attrs"] as? [String: Any])?["colspan"], default: 1, in: 1...100)
            return TipTapCell(blocks: content, colspan: span)
        }
    }

    static func inlines(_ nodes: [Any], depth: Int) -> [TipTapInline] {
        var out: [TipTapInline] = []
        for case let node as [String: Any] in nodes {
            switch node["type"] as? String ?? "" {
            case "text":
                out.append(.text(node["text"] as? String ?? "", marks: marks(node["marks"])))
            case "hardBreak":
                out.append(.hardBreak)
            case "mention":
                let attrs = node["attrs"] as? [String: Any] ?? [:]
                let label = (attrs["label"] as? String) ?? (attrs["id"] as? String) ?? ""
                if !label.isEmpty { out.append(.mention(label)) }
            case "image":
                out.append(.image(image(node["attrs"] as? [String: Any] ?? [:])))
            default:
                // Unknown inline node: its text, or its children's inline content.
                if let text = node["text"] as? String {
                    out.append(.text(text, marks: []))
                } else if depth < TipTapNode.maxDepth {
                    out.append(.group(inlines(node["content"] as? [Any] ?? [], depth: depth + 1)))
                } else {
                    out.append(.text(flattened(node), marks: []))
                }
            }
        }
        return out
    }

    static func marks(_ value: Any?) -> [TipTapMark] {
        var marks: [TipTapMark] = []
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
        return marks.sorted { $0.rank < $1.rank }
    }

    static func image(_ attrs: [String: Any]) -> TipTapImage {
        TipTapImage(
            src: attrs["src"] as? String ?? "", alt: attrs["alt"] as? String ?? "",
            title: attrs["title"] as? String ?? "")
    }

    static func isInline(_ value: Any) -> Bool {
        switch (value as? [String: Any])?["type"] as? String {
        case "text", "hardBreak", "mention", "image", "emoji": true
        default: false
        }
    }

    /// A code block's text: hard breaks as newlines, anything else its text.
    static func codeText(_ nodes: [Any]) -> String {
        var out = ""
        for case let node as [String: Any] in nodes {
            switch node["type"] as? String {
            case "hardBreak": out += "\n"
            default: out += node["text"] as? String ?? flattened(node)
            }
        }
        return out
    }

    /// Every `text` value below `node`, space-separated, without recursion.
    static func flattened(_ node: [String: Any]) -> String {
        var parts: [String] = []
        var stack: [Any] = [node]
        while let next = stack.popLast() {
            guard let object = next as? [String: Any] else { continue }
            if let text = object["text"] as? String, !text.isEmpty { parts.append(text) }
            if let children = object["content"] as? [Any] { stack.append(contentsOf: children.reversed()) }
        }
        return parts.joined(separator: " ")
    }

    /// A numeric attribute (JSON integer, float or numeric string) as an Int within `range`: jsonb may hold any
    /// number there (1e308, NaN as text), and converting past Int's range traps.
    static func integer(_ value: Any?, default fallback: Int, in range: ClosedRange<Int>) -> Int {
        let number: Double? =
            switch value {
            case let int as Int: Double(int)
            case let double as Double: double
            case let string as String: Double(string.trimmingCharacters(in: .whitespaces))
            default: nil
            }
        guard let number, number.isFinite else { return fallback }
        return Int(min(max(number.rounded(.down), Double(range.lowerBound)), Double(range.upperBound)))
    }
}

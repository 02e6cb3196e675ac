import Foundation
import HQCore
import HQIndexing
import HQKnowledge
import Testing

/// TipTap JSON → markdown for every node type HQ's editor writes (HQ-SCHEMA §9.1), plus tables, mentions and
/// unknown or malformed nodes.
@Suite("TipTap rich text as markdown")
struct TipTapMarkdownTests {
    /// A doc of `blocks` (JSON text of block nodes), rendered.
    static func render(_ blocks: String...) -> String? {
        TipTapMarkdown.render(tipTapJSON: #"{"type":"doc","content":["# + blocks.joined(separator: ",") + "]}")
    }

    static func text(_ text: String, _ marks: String = "") -> String {
        let escaped = text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
        return marks.isEmpty
            ? #"{"type":"text","text":"\#(escaped)"}"# : #"{"type":"text","text":"\#(escaped)","marks":[\#(marks)]}"#
    }

    static func paragraph(_ inline: String...) -> String {
        #"{"type":"paragraph","content":["# + inline.joined(separator: ",") + "]}"
    }

    static func item(_ blocks: String...) -> String {
        #"{"type":"listItem","content":["# + blocks.joined(separator: ",") + "]}"
    }

    static func task(_ checked: Bool, _ blocks: String...) -> String {
        #"{"type":"taskItem","attrs":{"checked":\#(checked)},"content":["# + blocks.joined(separator: ",") + "]}"
    }

    static func list(_ type: String, attrs: String = "", _ items: String...) -> String {
        #"{"type":"\#(type)"\#(attrs.isEmpty ? "" : ",\"attrs\":" + attrs),"content":["# + items.joined(separator: ",")
            + "]}"
    }

    @Test("headings keep their level (1–6, clamped) and blocks are separated by a blank line")
    func headings() {
        #expect(
            Self.render(
                #"{"type":"heading","attrs":{"level":1},"content":[\#(Self.text("One"))]}"#,
                #"{"type":"heading","attrs":{"level":3},"content":[\#(Self.text("Three"))]}"#,
                #"{"type":"heading","attrs":{"level":9},"content":[\#(Self.text("Deep"))]}"#,
                #"{"type":"heading","content":[\#(Self.text("Default"))]}"#,
                Self.paragraph(Self.text("Body.")))
                == "# One\n\n### Three\n\n###### Deep\n\n# Default\n\nBody.")
    }

    @Test("marks: bold, italic, code, strike, link; underline dropped; spaces stay outside the delimiters")
    func marks() {
        let doc = Self.render(
            Self.paragraph(
                Self.text("plain "), Self.text("bold", #"{"type":"bold"}"#), Self.text(" "),
                Self.text("italic", #"{"type":"italic"}"#), Self.text(" "), Self.text("code", #"{"type":"code"}"#),
                Self.text(" "), Self.text("gone", #"{"type":"strike"}"#), Self.text(" "),
                Self.text("link", #"{"type":"link","attrs":{"href":"https://x.test/a","target":"_blank"}}"#),
                Self.text(" under", #"{"type":"underline"}"#),
                Self.text(" both ", #"{"type":"bold"},{"type":"italic"}"#),
                Self.text("end")))
        #expect(doc == "plain **bold** *italic* `code` ~~gone~~ [link](https://x.test/a) under ***both*** end")
    }

    @Test("adjacent text with the same marks is one span; code with backticks gets a longer fence")
    func spans() {
        #expect(
            Self.render(Self.paragraph(Self.text("a", #"{"type":"bold"}"#), Self.text("b", #"{"type":"bold"}"#)))
                == "**ab**")
        #expect(Self.render(Self.paragraph(Self.text("x `y` z", #"{"type":"code"}"#))) == "``x `y` z``")
        #expect(
            Self.render(
                Self.paragraph(
                    Self.text("bold link", #"{"type":"bold"},{"type":"link","attrs":{"href":"https://a.test/b c"}}"#)))
                == "[**bold link**](<https://a.test/b c>)")
    }

    @Test("bullet lists, nested lists indented under their item")
    func bulletLists() {
        let doc = Self.render(
            Self.list(
                "bulletList", Self.item(Self.paragraph(Self.text("a"))),
                Self.item(
                    Self.paragraph(Self.text("b")), Self.list("bulletList", Self.item(Self.paragraph(Self.text("c"))))))
        )
        #expect(doc == "- a\n- b\n  - c")
    }

    @Test("ordered lists keep their start; nested content aligns with the item text")
    func orderedLists() {
        let doc = Self.render(
            Self.list(
                "orderedList", attrs: #"{"start":3}"#, Self.item(Self.paragraph(Self.text("x"))),
                Self.item(Self.paragraph(Self.text("y")), Self.paragraph(Self.text("more")))))
        #expect(doc == "3. x\n4. y\n\n   more")
        #expect(Self.render(Self.list("orderedList", Self.item(Self.paragraph(Self.text("one"))))) == "1. one")
    }

    @Test("task lists with checked and open items, nested")
    func taskLists() {
        let doc = Self.render(
            Self.list(
                "taskList", Self.task(true, Self.paragraph(Self.text("done"))),
                Self.task(
                    false, Self.paragraph(Self.text("todo")),
                    Self.list("taskList", Self.task(false, Self.paragraph(Self.text("sub")))))))
        #expect(doc == "- [x] done\n- [ ] todo\n  - [ ] sub")
    }

    @Test("blockquotes prefix every line, blank lines included")
    func blockquotes() {
        let doc = Self.render(
            #"{"type":"blockquote","content":[\#(Self.paragraph(Self.text("one"))),\#(Self.paragraph(Self.text("two")))]}"#
        )
        #expect(doc == "> one\n>\n> two")
    }

    @Test("code blocks are fenced with their language; a fence inside the code lengthens the fence")
    func codeBlocks() {
        #expect(
            Self.render(
                #"{"type":"codeBlock","attrs":{"language":"swift"},"content":[\#(Self.text("let a = 1\nprint(a)"))]}"#)
                == "```swift\nlet a = 1\nprint(a)\n```")
        #expect(
            Self.render(#"{"type":"codeBlock","attrs":{"language":null},"content":[\#(Self.text("x"))]}"#)
                == "```\nx\n```")
        #expect(
            Self.render(#"{"type":"codeBlock","content":[\#(Self.text("```\ninner\n```"))]}"#)
                == "````\n```\ninner\n```\n````")
    }

    @Test("horizontal rules, hard breaks, images")
    func leaves() {
        #expect(
            Self.render(
                Self.paragraph(Self.text("line1"), #"{"type":"hardBreak"}"#, Self.text("line2")),
                #"{"type":"horizontalRule"}"#,
                #"{"type":"image","attrs":{"src":"https://x.test/i.png","alt":"Logo","title":"The logo"}}"#,
                #"{"type":"image","attrs":{"src":"https://x.test/j.png","alt":null,"title":null}}"#)
                == "line1  \nline2\n\n---\n\n![Logo](https://x.test/i.png \"The logo\")\n\n![](https://x.test/j.png)")
    }

    @Test("tables become GFM tables: first row as header, short rows padded, pipes escaped, marks kept")
    func tables() {
        func cell(_ type: String, _ text: String, _ marks: String = "") -> String {
            #"{"type":"\#(type)","content":[\#(Self.paragraph(Self.text(text, marks)))]}"#
        }
        let doc = Self.render(
            #"{"type":"table","content":[{"type":"tableRow","content":[\#(cell("tableHeader", "Name")),\#(cell("tableHeader", "Role"))]},"#
                + #"{"type":"tableRow","content":[\#(cell("tableCell", "Ada")),\#(cell("tableCell", "a|b", #"{"type":"bold"}"#))]},"#
                + #"{"type":"tableRow","content":[\#(cell("tableCell", "Bob"))]}]}"#)
        #expect(doc == "| Name | Role |\n| --- | --- |\n| Ada | **a\\|b** |\n| Bob |  |")
    }

    @Test("mentions render as @label (else @id)")
    func mentions() {
        #expect(
            Self.render(
                Self.paragraph(
                    Self.text("ping "), #"{"type":"mention","attrs":{"id":"u1","label":"scout"}}"#, Self.text(" and "),
                    #"{"type":"mention","attrs":{"id":"closer"}}"#))
                == "ping @scout and @closer")
    }

    @Test("unknown node types degrade to their text; malformed nodes are skipped, never a crash")
    func unknownAndMalformed() {
        #expect(
            Self.render(
                #"{"type":"callout","attrs":{"emoji":"!"},"content":[\#(Self.paragraph(Self.text("inside")))]}"#,
                #"{"type":"details","content":[\#(Self.text("summary text"))]}"#,
                Self.paragraph(
                    Self.text("a "), ##"{"type":"hashtag","text":"#tag"}"##,
                    #"{"type":"wrapper","content":[\#(Self.text("deep"))]}"#),
                #"{"type":"paragraph","content":"oops"}"#, "42", #""loose""#, #"{"content":[]}"#,
                #"{"type":"emptyThing"}"#,
                #"{"type":"heading","attrs":{"level":"2"},"content":[\#(Self.text("String level"))]}"#)
                == "inside\n\nsummary text\n\na #tagdeep\n\n## String level")
        #expect(TipTapMarkdown.render(tipTapJSON: "not json") == nil)
        #expect(TipTapMarkdown.render(tipTapJSON: "[1,2]") == nil)
        #expect(TipTapMarkdown.render(tipTapJSON: #"{"type":"doc"}"#) == "")
    }

    @Test("nesting deeper than the renderer recurses keeps its text")
    func deepNesting() throws {
        var node = Self.paragraph(Self.text("bottom"))
        for _ in 0..<220 { node = #"{"type":"blockquote","content":[\#(node)]}"# }
        let doc = try #require(Self.render(node))
        #expect(doc.contains("bottom"))
    }
}

/// `documents.content` in each form HQ stores (HQ-SCHEMA §9.1) as markdown.
@Suite("documents.content forms as markdown")
struct DocumentMarkdownTests {
    static let tipTap =
        #"{"type":"doc","content":[{"type":"heading","attrs":{"level":2},"content":[{"type":"text","text":"Hi"}]}]}"#

    static func jsonString(_ text: String) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: [text]), as: UTF8.self).dropFirst().dropLast()
            .description
    }

    @Test("TipTap JSON stringified into a jsonb string (what the UI writes)")
    func stringifiedTipTap() throws {
        #expect(DocumentMarkdown.render(contentJSONB: try Self.jsonString(Self.tipTap)) == "## Hi")
    }

    @Test("a TipTap jsonb object")
    func object() {
        #expect(DocumentMarkdown.render(contentJSONB: Self.tipTap) == "## Hi")
    }

    @Test("markdown and plain text strings (agent scripts) stay as written, trimmed of blank lines")
    func markdownString() throws {
        #expect(
            DocumentMarkdown.render(contentJSONB: try Self.jsonString("\n# Notes\n\n- a\n  - b\n\n"))
                == "# Notes\n\n- a\n  - b")
        #expect(
            DocumentMarkdown.render(contentJSONB: try Self.jsonString("<p>Some <b>HTML</b></p>"))
                == "<p>Some <b>HTML</b></p>")
        #expect(DocumentMarkdown.render(contentJSONB: try Self.jsonString("{not json")) == "{not json")
    }

    @Test("empty forms: SQL NULL, JSON null, the empty string of a new UI document")
    func empty() {
        #expect(DocumentMarkdown.render(contentJSONB: nil) == "")
        #expect(DocumentMarkdown.render(contentJSONB: "null") == "")
        #expect(DocumentMarkdown.render(contentJSONB: #""""#) == "")
    }

    @Test("TipTap nested deeper than the JSON parser allows keeps its text")
    func tooDeep() throws {
        var node = #"{"type":"paragraph","content":[{"type":"text","text":"bottom \"quoted\" \u00e9"}]}"#
        for _ in 0..<2_000 { node = #"{"type":"blockquote","content":[\#(node)]}"# }
        let doc = #"{"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"top"}]},\#(node)]}"#
        #expect(DocumentMarkdown.render(contentJSONB: doc) == "top\n\nbottom \"quoted\" é")
        #expect(
            DocumentMarkdown.render(contentJSONB: try DocumentMarkdownTests.jsonString(doc))
                == "top\n\nbottom \"quoted\" é")
    }

    @Test("other JSON is kept as a json code block")
    func otherJSON() {
        let markdown = DocumentMarkdown.render(contentJSONB: #"{"foo": 1}"#)
        #expect(markdown.hasPrefix("```json\n") && markdown.hasSuffix("\n```") && markdown.contains("\"foo\""))
    }

    @Test("HQ's legacy documents of markdown-looking paragraphs read as markdown")
    func legacyParagraphs() {
        let doc =
            ##"{"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"# Title"}]},"##
            + #"{"type":"paragraph","content":[{"type":"text","text":"- item"}]}]}"#
        #expect(DocumentMarkdown.render(contentJSONB: doc) == "# Title\n\n- item")
    }
}

/// Close matches for a mistyped agent slug.
@Suite("Slug suggestions")
struct SlugSuggestionsTests {
    static let slugs = ["scout", "closer", "researcher", "research-lead", "ops", "writer"]

    @Test(
        "typos within a small edit distance", arguments: [("scot", "scout"), ("closr", "closer"), ("wrtier", "writer")])
    func typos(typed: String, expected: String) {
        #expect(SlugSuggestions.closest(to: typed, among: Self.slugs).first == expected)
    }

    @Test("prefixes match, closest first")
    func prefixes() {
        #expect(SlugSuggestions.closest(to: "research", among: Self.slugs) == ["researcher", "research-lead"])
    }

    @Test("case is ignored; nothing close gives nothing")
    func caseAndNothing() {
        #expect(SlugSuggestions.closest(to: "SCOUT", among: Self.slugs).first == "scout")
        #expect(SlugSuggestions.closest(to: "zzzzzzzz", among: Self.slugs).isEmpty)
        #expect(SlugSuggestions.closest(to: "x", among: []).isEmpty)
    }

    @Test(
        "edit distance",
        arguments: [("kitten", "sitting", 3), ("", "abc", 3), ("same", "same", 0), ("flaw", "lawn", 2)])
    func levenshtein(a: String, b: String, distance: Int) {
        #expect(SlugSuggestions.levenshtein(Array(a), Array(b)) == distance)
    }
}

/// One reader of TipTap (HQCore's `TipTapNode`) under both renderers: what boot context shows an agent and what
/// the indexer makes searchable come from the same nodes.
@Suite("One TipTap reader, two renderers")
struct TipTapReaderTests {
    /// A hostile document: absurd numeric attributes, a mention, an unknown container, 230 levels of nesting (past
    /// the reader's 200, within what the JSON parser accepts).
    static var hostile: String {
        var deep = #"{"type":"paragraph","content":[{"type":"text","text":"bedrock"}]}"#
        for _ in 0..<230 { deep = #"{"type":"blockquote","content":[\#(deep)]}"# }
        return #"""
            {"type":"doc","content":[
              {"type":"heading","attrs":{"level":1e308},"content":[{"type":"text","text":"Huge level"}]},
              {"type":"orderedList","attrs":{"start":"-5e20"},"content":[{"type":"listItem","content":[{"type":"paragraph","content":[{"type":"text","text":"first step"}]}]}]},
              {"type":"paragraph","content":[{"type":"text","text":"ask "},{"type":"mention","attrs":{"id":"u1","label":"scout"}},{"type":"text","text":" today"}]},
              {"type":"table","content":[{"type":"tableRow","content":[{"type":"tableCell","attrs":{"colspan":"NaN"},"content":[{"type":"paragraph","content":[{"type":"text","text":"cell"}]}]}]}]},
              {"type":"callout","content":[{"type":"paragraph","content":[{"type":"text","text":"inside callout"}]}]},
              \#(deep)
            ]}
            """#
    }

    static func words(_ text: String) -> Set<String> {
        Set(
            text.lowercased().split(whereSeparator: { !$0.isLetter && $0 != "@" }).map(String.init).filter {
                $0.count > 1
            })
    }

    @Test("attributes are clamped once: level 1e308 is 6, a start of -5e20 is the lowest, colspan NaN is 1")
    func clampedAttributes() throws {
        let value = try JSONSerialization.jsonObject(with: Data(Self.hostile.utf8))
        let blocks = TipTapNode.blocks(of: value)
        guard case .heading(let level, _) = blocks.first else {
            Issue.record("no heading first: \(blocks)")
            return
        }
        #expect(level == 6)
        guard case .list(.ordered, let start, _) = blocks[1] else {
            Issue.record("no list second")
            return
        }
        #expect(start == -999_999_999)
        guard case .table(let rows) = blocks[3] else {
            Issue.record("no table fourth")
            return
        }
        #expect(rows.first?.first?.colspan == 1)
    }

    @Test("markdown and search text hold the same words, the mention and the text 230 levels down included")
    func renderersAgree() async throws {
        let markdown = DocumentMarkdown.render(contentJSONB: Self.hostile)
        let search = try await ContentExtractor().extract(.document(title: "", content: Self.hostile)).text
        for word in ["@scout", "bedrock", "callout", "cell", "step"] {
            #expect(Self.words(markdown).contains(word), "markdown lacks \(word)")
            // Before the one reader, the indexer dropped mentions: a person named in a document was not searchable.
            #expect(Self.words(search).contains(word), "search text lacks \(word)")
        }
        #expect(
            Self.words(search).subtracting(Self.words(markdown)).isEmpty,
            "\(Self.words(search).subtracting(Self.words(markdown)))")
    }

    @Test("JSON too deep or cut off: string values with their keys, escapes decoded, the cut-off string kept")
    func scanWithoutParsing() {
        let values = JSONStringScan.values(
            in: #"{"type": "doc", "content": [{"text" : "a\"b\u00e9", "n": 1, "tags": ["x", "y"]}, {"text": "cut off"#)
        #expect(values.map(\.key) == ["type", "text", nil, nil, "text"])
        #expect(values.map(\.value) == ["doc", "a\"bé", "x", "y", "cut off"])
    }
}

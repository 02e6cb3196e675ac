extension BootContext {
    /// The whole context as one markdown text, what `hq boot` prints and `GET /v1/boot/{slug}?format=markdown` serves.
    ///
    /// A one-line HTML comment naming the agent and the token use, then each document's section (`# title`, body)
    /// in load order; then, when any did not fit, `# Not loaded (over the token budget)` listing each by title, id
    /// and size; then, with a query, `# Related knowledge` and its passages (`## title › section`). Sections are
    /// separated by blank lines. Only the documents and passages count against the budget, not this framing.
    public var markdown: String {
        var parts: [String] = []
        var summary = "Boot context for \(BootService.oneLine(agent.name, placeholder: agent.slug)) (\(agent.slug)): "
        summary +=
            "\(usedTokens) of \(budgetTokens) tokens, \(documents.count) document\(documents.count == 1 ? "" : "s")"
        if !omitted.isEmpty { summary += ", \(omitted.count) not loaded" }
        if !related.isEmpty { summary += ", \(related.count) related passage\(related.count == 1 ? "" : "s")" }
        parts.append("<!-- " + summary.replacingOccurrences(of: "--", with: "- -") + " -->")
        parts.append(contentsOf: documents.map(\.markdown))
        if !omitted.isEmpty {
            var list = "# Not loaded (over the token budget)\n"
            for document in omitted {
                list +=
                    "\n- \(BootService.oneLine(document.title, placeholder: "(untitled)")) — id `\(document.id)`, \(document.tokens) tokens"
            }
            parts.append(list)
        }
        if !related.isEmpty {
            parts.append("# Related knowledge")
            parts.append(contentsOf: related.map(\.markdown))
        }
        return parts.joined(separator: "\n\n") + "\n"
    }
}

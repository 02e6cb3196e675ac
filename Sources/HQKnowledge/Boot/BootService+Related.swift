import HQSearch

extension BootService {
    /// Passages of other knowledge relevant to `query`, best first, that fit in `budget` (which they use up).
    ///
    /// Searches hybrid over everything not archived; drops the documents in `excluding` (already loaded whole).
    /// A passage that does not fit is skipped and a smaller one after it may still fit.
    func relatedPassages(query: String, excluding: Set<String>, sources: Int, budget: inout Int) async throws
        -> [RelatedPassage]
    {
        // Ask for enough sources that dropping the loaded boot documents still leaves `sources` of them.
        let request = SearchRequest(query: query, limit: min(100, sources + excluding.count), chunksPerSource: 3)
        let response: SearchResponse
        do {
            response = try await search.search(request)
        } catch let error as SearchError where error.code == .invalidRequest {
            throw BootError(.invalidRequest, error.context)
        }
        var candidates: [(result: SearchResult, chunk: SearchChunk)] = []
        for result in response.results
        where !(result.sourceType == .document && excluding.contains(result.entityID.lowercased())) {
            for chunk in result.chunks { candidates.append((result, chunk)) }
            if Set(candidates.map { $0.result.sourceID }).count >= sources { break }
        }
        // Best first across sources; ties keep the search's order.
        let ranked = candidates.enumerated().sorted {
            $0.element.chunk.score != $1.element.chunk.score
                ? $0.element.chunk.score > $1.element.chunk.score : $0.offset < $1.offset
        }.map(\.element)

        var passages: [RelatedPassage] = []
        for (result, chunk) in ranked where budget > 0 {
            var heading = "## " + Self.oneLine(result.title, placeholder: "(untitled)")
            if !chunk.sectionPath.isEmpty {
                heading += " › " + chunk.sectionPath.map { Self.oneLine($0, placeholder: "…") }.joined(separator: " › ")
            }
            let markdown = heading + "\n\n" + chunk.content
            let tokens = counter.tokenCount(of: markdown, limit: .max)
            guard tokens <= budget else { continue }
            budget -= tokens
            passages.append(
                RelatedPassage(
                    sourceID: result.sourceID.uuidString.lowercased(), sourceType: result.sourceType.rawValue,
                    id: result.entityID.lowercased(), title: result.title, folderPath: result.folderPath,
                    sectionPath: chunk.sectionPath, chunkID: chunk.chunkID.uuidString.lowercased(), score: chunk.score,
                    tokens: tokens, markdown: markdown))
        }
        return passages
    }
}

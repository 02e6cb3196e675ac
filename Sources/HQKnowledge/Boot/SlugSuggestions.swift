/// Close matches for a mistyped agent slug: prefix matches and slugs within a small edit distance.
public enum SlugSuggestions {
    /// The slugs of `candidates` closest to `slug`, best first.
    ///
    /// A candidate qualifies when one of the two (case-insensitively) starts with or contains the other, or when
    /// their Levenshtein distance is at most a third of the longer one's length (at least 2). Ordered by distance,
    /// prefix matches first on ties, then alphabetically.
    /// - Complexity: O(c · m · n) for c candidates of length m and a slug of length n.
    public static func closest(to slug: String, among candidates: [String], limit: Int = 5) -> [String] {
        let wanted = Array(slug.lowercased())
        guard !wanted.isEmpty else { return Array(candidates.sorted().prefix(limit)) }
        var scored: [(slug: String, distance: Int, prefix: Bool)] = []
        for candidate in Set(candidates) {
            let lower = candidate.lowercased()
            let other = Array(lower)
            let prefix = lower.hasPrefix(String(wanted)) || String(wanted).hasPrefix(lower)
            let contains = lower.contains(String(wanted)) || (other.count >= 3 && String(wanted).contains(lower))
            let distance = levenshtein(wanted, other)
            let threshold = max(2, max(wanted.count, other.count) / 3)
            if prefix || contains || distance <= threshold {
                scored.append((candidate, distance, prefix))
            }
        }
        scored.sort {
            if $0.distance != $1.distance { return $0.distance < $1.distance }
            if $0.prefix != $1.prefix { return $0.prefix }
            return $0.slug < $1.slug
        }
        return scored.prefix(max(0, limit)).map(\.slug)
    }

    /// The edit distance (insertions, deletions, substitutions) between two strings.
    /// - Complexity: O(m · n) time, O(n) memory.
    public static func levenshtein(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

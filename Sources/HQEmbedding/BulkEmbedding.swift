/// Marks embedding work as bulk (re-indexing backlogs), so that interactive work overtakes it.
///
/// The native embedder runs a waiting non-bulk job (a search query, an edit being indexed) before the next slice of a
/// bulk job, and cuts bulk jobs into small batches so that wait stays short. Task priorities cannot say this: a task
/// group's children, and a task whose value is awaited, are escalated to their awaiter's priority.
///
/// ```swift
/// let vectors = try await BulkEmbedding.$isActive.withValue(true) { try await embedder.embed(texts) }
/// ```
public enum BulkEmbedding {
    /// True inside `BulkEmbedding.$isActive.withValue(true) { … }` and the child tasks it starts.
    @TaskLocal public static var isActive = false
}

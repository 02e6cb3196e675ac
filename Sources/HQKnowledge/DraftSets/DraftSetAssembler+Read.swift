public import Foundation
import HQStorage

extension DraftSetAssembler {
    /// Reads a stored draft set (any writer's: variants without HQ Search's keys decode with defaults).
    /// - Throws: ``DraftSetError`` `draftSetNotFound`; `PostgresError`; `DecodingError` for variants that are not
    ///   objects with `index` and `body`.
    public func draftSet(id: UUID) async throws -> DraftSet {
        let rows = try await pool.query(
            """
            SELECT id, contact_id, template_id, channel, stage, version, status, selected_variant_index,
                   based_on_draft_set_id, feedback_notes, created_at, updated_at, meta::text, variants::text
              FROM public.draft_sets WHERE id = \(id)
            """)
        guard let row = rows.first else {
            throw DraftSetError(.draftSetNotFound, "no draft set \(DraftSetStore.text(id))")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return DraftSet(
            id: try row.decode(UUID.self, column: 0), contactID: try row.decode(UUID.self, column: 1),
            templateID: try row.decode(UUID?.self, column: 2), channel: try row.decode(String.self, column: 3),
            stage: try row.decode(String.self, column: 4), version: try row.decode(Int.self, column: 5),
            status: try row.decode(String.self, column: 6), selectedVariantIndex: try row.decode(Int?.self, column: 7),
            basedOnDraftSetID: try row.decode(UUID?.self, column: 8),
            feedbackNotes: try row.decode(String?.self, column: 9),
            createdAt: try row.decode(Date.self, column: 10), updatedAt: try row.decode(Date.self, column: 11),
            meta: try decoder.decode(DraftSetMeta.self, from: Data(try row.decode(String.self, column: 12).utf8)),
            variants: try decoder.decode([DraftVariant].self, from: Data(try row.decode(String.self, column: 13).utf8)))
    }
}

import Foundation
import HQStorage

/// A draft set ready to be written.
struct DraftSetDraft: Sendable {
    var context: AssemblyContext
    var variants: [DraftVariant]
    var meta: DraftSetMeta
    var actorType: DraftSetActor
    var actorAgentID: UUID?
}

extension DraftSetStore {
    /// Writes the set atomically: under a transaction advisory lock on (contact, channel, stage) it takes
    /// version = latest + 1, inserts the row, marks the revised set and every other `draft`/`refining` set of the
    /// key `superseded`, and writes one `audit_log` row per change. A unique violation (a writer that does not
    /// take the lock, e.g. an HQ agent inserting directly) is retried with the next version.
    /// - Throws: ``DraftSetError`` `conflict` when the revised set was approved or superseded meanwhile; `PostgresError`.
    func write(_ draft: DraftSetDraft) async throws -> DraftSet {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await writeOnce(draft)
            } catch let error as PostgresError where error.sqlState == "23505" && attempt < 5 {
                continue
            }
        }
    }

    private func writeOnce(_ draft: DraftSetDraft) async throws -> DraftSet {
        let context = draft.context
        let variants = try PostgresJSONB(encoding: draft.variants, encoder: Self.encoder)
        let meta = try PostgresJSONB(encoding: draft.meta, encoder: Self.encoder)
        let actor = draft.actorType.rawValue
        let key = "hq.draft_sets|\(Self.text(context.contactID))|\(context.channel)|\(context.stage)"
        return try await pool.transaction { tx in
            _ = try await tx.query("SELECT pg_advisory_xact_lock(hashtextextended(\(key), 0))")
            if let revision = context.revision {
                let rows = try await tx.query(
                    "SELECT status, version FROM public.draft_sets WHERE id = \(revision.id) FOR UPDATE")
                guard let row = rows.first else {
                    throw DraftSetError(.draftSetNotFound, "no draft set \(Self.text(revision.id))")
                }
                try Self.checkRevisable(
                    AssemblyContext.Revision(
                        id: revision.id, status: try row.decode(String.self, column: 0),
                        version: try row.decode(Int.self, column: 1)))
            }
            let version = try await tx.query(
                """
                SELECT coalesce(max(version), 0) + 1 FROM public.draft_sets
                 WHERE contact_id = \(context.contactID) AND channel = \(context.channel) AND stage = \(context.stage)
                """
            )[0].decode(Int.self, column: 0)
            let inserted = try await tx.query(
                """
                INSERT INTO public.draft_sets
                       (contact_id, template_id, channel, stage, version, variants, based_on_draft_set_id, feedback_notes, status, meta)
                VALUES (\(context.contactID), \(context.template.id), \(context.channel), \(context.stage), \(version), \(variants),
                        \(context.revision?.id), \(context.feedback), 'draft', \(meta))
                RETURNING id, created_at, updated_at
                """)[0]
            let id = try inserted.decode(UUID.self, column: 0)
            let created = DraftSet(
                id: id, contactID: context.contactID, templateID: context.template.id, channel: context.channel,
                stage: context.stage, version: version, status: "draft", selectedVariantIndex: nil,
                basedOnDraftSetID: context.revision?.id, feedbackNotes: context.feedback,
                createdAt: try inserted.decode(Date.self, column: 1),
                updatedAt: try inserted.decode(Date.self, column: 2),
                meta: draft.meta, variants: draft.variants)
            let changes = try PostgresJSONB(
                encoding: AuditCreated(
                    version: version, channel: context.channel, stage: context.stage, templateID: context.template.id,
                    basedOnDraftSetID: context.revision?.id, variants: draft.variants.count),
                encoder: Self.encoder)
            let auditMeta = try PostgresJSONB(
                encoding: AuditMeta(
                    missingFields: draft.meta.missingFields, llmModel: draft.meta.llmModel,
                    llmRejected: draft.meta.llmRejected,
                    needsReview: draft.meta.needsReview),
                encoder: Self.encoder)
            let summary =
                "Assembled draft set v\(version) (\(context.channel) / \(context.stage)) with \(draft.variants.count) variants"
            try await tx.execute(
                """
                INSERT INTO public.audit_log (actor_type, actor_agent_id, module, entity_type, entity_id, action, summary, changes, meta)
                VALUES (\(actor)::public.actor_type, \(draft.actorAgentID), 'crm', 'draft_set', \(id), 'created', \(summary),
                        \(changes), \(auditMeta))
                """)
            // The new version is current: earlier open versions of the key (the revised one among them) are superseded.
            let superseded = try await tx.query(
                """
                WITH old AS (
                  SELECT id, status, version FROM public.draft_sets
                   WHERE contact_id = \(context.contactID) AND channel = \(context.channel) AND stage = \(context.stage)
                     AND id <> \(id) AND status IN ('draft', 'refining')
                   FOR UPDATE)
                UPDATE public.draft_sets d SET status = 'superseded' FROM old WHERE d.id = old.id
                RETURNING d.id, old.status, old.version
                """)
            for row in superseded {
                let oldID = try row.decode(UUID.self, column: 0)
                let change = try PostgresJSONB(
                    encoding: AuditStatusChange(
                        status: .init(from: try row.decode(String.self, column: 1), to: "superseded"), supersededBy: id,
                        supersededByVersion: version),
                    encoder: Self.encoder)
                let text = "Draft set v\(try row.decode(Int.self, column: 2)) superseded by v\(version)"
                try await tx.execute(
                    """
                    INSERT INTO public.audit_log (actor_type, actor_agent_id, module, entity_type, entity_id, action, summary, changes)
                    VALUES (\(actor)::public.actor_type, \(draft.actorAgentID), 'crm', 'draft_set', \(oldID), 'status_changed',
                            \(text), \(change))
                    """)
            }
            return created
        }
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}

private struct AuditCreated: Encodable {
    var version: Int
    var channel: String
    var stage: String
    var templateID: UUID?
    var basedOnDraftSetID: UUID?
    var variants: Int

    enum CodingKeys: String, CodingKey {
        case version, channel, stage, variants
        case templateID = "template_id"
        case basedOnDraftSetID = "based_on_draft_set_id"
    }
}

private struct AuditMeta: Encodable {
    var source = "hq-search"
    var missingFields: [String]
    var llmModel: String?
    var llmRejected: Int
    var needsReview: Bool

    enum CodingKeys: String, CodingKey {
        case source
        case missingFields = "missing_fields"
        case llmModel = "llm_model"
        case llmRejected = "llm_rejected"
        case needsReview = "needs_review"
    }
}

private struct AuditStatusChange: Encodable {
    struct Change: Encodable {
        var from: String
        var to: String
    }
    var status: Change
    var supersededBy: UUID
    var supersededByVersion: Int

    enum CodingKeys: String, CodingKey {
        case status
        case supersededBy = "superseded_by"
        case supersededByVersion = "superseded_by_version"
    }
}

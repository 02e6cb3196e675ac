import Foundation
import HQCore
import HQStorage

/// Reads what an assembly needs from HQ's tables (parameterised SQL only).
struct DraftSetStore: Sendable {
    let pool: PostgresPool

    /// Resolves the request against the database: revised set, contact, organizations, interactions, template,
    /// campaign, knowledge scope, agent.
    /// - Throws: ``DraftSetError`` (not found, conflict, invalid request), `PostgresError`.
    func loadContext(for request: DraftSetRequest) async throws -> AssemblyContext {
        var contactID = request.contactID
        var channel = request.channel?.trimmed
        var stage = request.stage?.trimmed
        var templateID = request.templateID
        var revision: AssemblyContext.Revision?
        if let reviseID = request.reviseDraftSetID {
            let rows = try await pool.query(
                """
                SELECT id, contact_id, channel, stage, template_id, status, version, feedback_notes
                  FROM public.draft_sets WHERE id = \(reviseID)
                """)
            guard let row = rows.first else {
                throw DraftSetError(.draftSetNotFound, "no draft set \(Self.text(reviseID))")
            }
            let setContact = try row.decode(UUID.self, column: 1)
            let setChannel = try row.decode(String.self, column: 2)
            let setStage = try row.decode(String.self, column: 3)
            if let contactID, contactID != setContact {
                throw DraftSetError(.invalidRequest, "the draft set to revise belongs to another contact")
            }
            if let channel, channel != setChannel {
                throw DraftSetError(.invalidRequest, "the draft set to revise is for channel \(setChannel)")
            }
            if let stage, stage != setStage {
                throw DraftSetError(.invalidRequest, "the draft set to revise is for stage \(setStage)")
            }
            contactID = setContact
            channel = setChannel
            stage = setStage
            if templateID == nil { templateID = try row.decode(UUID?.self, column: 4) }
            revision = AssemblyContext.Revision(
                id: reviseID, status: try row.decode(String.self, column: 5),
                version: try row.decode(Int.self, column: 6),
                feedbackNotes: try row.decode(String?.self, column: 7))
            try Self.checkRevisable(revision!)
        }
        guard let contactID, let channel, let stage else {
            throw DraftSetError(.invalidRequest, "contact, channel and stage are required")
        }
        if let agent = request.actorAgentID {
            let found = try await pool.query("SELECT 1 FROM public.agents WHERE id = \(agent)")
            guard !found.isEmpty else { throw DraftSetError(.agentNotFound, "no agent \(Self.text(agent))") }
        }

        let contactRows = try await pool.query(
            "SELECT to_jsonb(c)::text, c.campaign_id, c.archived_at IS NOT NULL FROM public.contacts c WHERE c.id = \(contactID)"
        )
        guard let contactRow = contactRows.first else {
            throw DraftSetError(.contactNotFound, "no contact \(Self.text(contactID))")
        }
        guard try !contactRow.decode(Bool.self, column: 2) else {
            throw DraftSetError(.contactNotFound, "contact \(Self.text(contactID)) is archived")
        }
        let contact = try Self.object(contactRow.decode(String.self, column: 0))
        let campaignID = try contactRow.decode(UUID?.self, column: 1)

        let organizations = try await pool.query(
            """
            SELECT to_jsonb(o)::text, l.role
              FROM public.contact_organizations l JOIN public.organizations o ON o.id = l.org_id
             WHERE l.contact_id = \(contactID) AND o.archived_at IS NULL
             ORDER BY coalesce(l.is_current, true) DESC, l.started_at DESC NULLS LAST, l.created_at DESC
            """
        ).map {
            (row: try Self.object($0.decode(String.self, column: 0)), role: try $0.decode(String?.self, column: 1))
        }

        let interactions = try await pool.query(
            """
            SELECT type, direction, channel, subject, summary, next_action, occurred_at
              FROM public.interactions WHERE contact_id = \(contactID)
             ORDER BY occurred_at DESC, created_at DESC LIMIT 5
            """
        ).map {
            AssemblyContext.Interaction(
                type: try $0.decode(String.self, column: 0), direction: try $0.decode(String?.self, column: 1),
                channel: try $0.decode(String?.self, column: 2), subject: try $0.decode(String?.self, column: 3),
                summary: try $0.decode(String?.self, column: 4), nextAction: try $0.decode(String?.self, column: 5),
                occurredAt: try $0.decode(Date.self, column: 6))
        }

        var campaign: [String: JSONValue]?
        if let campaignID {
            let rows = try await pool.query(
                "SELECT to_jsonb(c)::text FROM public.campaigns c WHERE c.id = \(campaignID)")
            campaign = try rows.first.map { try Self.object($0.decode(String.self, column: 0)) }
        }

        let template = try await loadTemplate(id: templateID, channel: channel, stage: stage)
        var scope = KnowledgeScope()
        if let own = try KnowledgeScope.parse(meta: template.row["meta"]?.object ?? [:], origin: "template") {
            scope = own
        } else if let campaign,
            let inherited = try KnowledgeScope.parse(meta: campaign["meta"]?.object ?? [:], origin: "campaign")
        {
            scope = inherited
        }
        let feedback = request.feedbackNotes?.nilIfBlank ?? revision?.feedbackNotes?.nilIfBlank
        return AssemblyContext(
            contactID: contactID, channel: channel, stage: stage, contact: contact, organizations: organizations,
            interactions: interactions, campaign: campaign, template: template, scope: scope, revision: revision,
            feedback: feedback)
    }

    /// The given template, else the active template for channel and stage (an exact match on both beats a
    /// template that leaves one open; then the most recently updated).
    private func loadTemplate(id: UUID?, channel: String, stage: String) async throws -> AssemblyContext.Template {
        if let id {
            let rows = try await pool.query("SELECT id, to_jsonb(t)::text FROM public.templates t WHERE t.id = \(id)")
            guard let row = rows.first else { throw DraftSetError(.templateNotFound, "no template \(Self.text(id))") }
            return AssemblyContext.Template(id: id, row: try Self.object(row.decode(String.self, column: 1)))
        }
        let rows = try await pool.query(
            """
            SELECT t.id, to_jsonb(t)::text FROM public.templates t
             WHERE t.is_active
               AND (t.channel IS NULL OR btrim(t.channel) = '' OR lower(btrim(t.channel)) = lower(\(channel)))
               AND (t.stage IS NULL OR btrim(t.stage) = '' OR lower(btrim(t.stage)) = lower(\(stage)))
             ORDER BY (coalesce(btrim(t.channel), '') <> '')::int + (coalesce(btrim(t.stage), '') <> '')::int DESC,
                      t.updated_at DESC, t.id
             LIMIT 1
            """)
        guard let row = rows.first else {
            throw DraftSetError(.noTemplate, "no active template for channel \(channel) and stage \(stage)")
        }
        return AssemblyContext.Template(
            id: try row.decode(UUID.self, column: 0), row: try Self.object(row.decode(String.self, column: 1)))
    }

    static func checkRevisable(_ revision: AssemblyContext.Revision) throws {
        guard revision.status == "draft" || revision.status == "refining" else {
            throw DraftSetError(
                .conflict,
                "draft set \(text(revision.id)) is \(revision.status); only draft or refining sets can be revised")
        }
    }

    static func object(_ json: String) throws -> [String: JSONValue] {
        guard case .object(let object)? = JSONValue(json: json) else {
            throw DraftSetError(.invalidRequest, "a row could not be read as JSON")
        }
        return object
    }

    static func text(_ id: UUID) -> String { id.uuidString.lowercased() }
}

import Foundation
import HQKnowledge
import HQStorage
import HQTestSupport
import Testing

/// Assembly against the real database, the real indexer and model (no LLM).
@Suite("Draft-set assembly (real Postgres, real model)")
struct DraftSetAssemblyTests {
    @Test("renders every merge-field source and stores HQ's variant shape with distinct evidence")
    func rendersAndGrounds() async throws {
        let fixture = try await DraftSetFixture.shared.value
        let contact = try await fixture.makeContact()
        let set = try await fixture.assembler().assemble(
            DraftSetRequest(contactID: contact, channel: "email", stage: "intro"))
        #expect(set.version == 1)
        #expect(set.status == "draft")
        #expect(set.templateID == fixture.templates["Intro email"])
        #expect(set.variants.map(\.index) == [1, 2, 3])
        let variant = try #require(set.variants.first)
        #expect(variant.subject == "Coffee for Analytical Engines")
        #expect(
            variant.body.hasPrefix(
                "Hi Ada,\n\nAs Head of Operations at Analytical Engines Ltd (https://engines.example), you look after 12 people."
            ))
        #expect(variant.body.contains("Your favourite bean is Yirgacheffe"))
        #expect(!variant.body.contains("{{"))
        #expect(variant.generator == "template" && variant.llmStatus == "not_configured")
        #expect(set.meta.scope.origin == "template" && set.meta.scope.tags == ["sales"])
        #expect(!set.meta.needsReview)

        let evidence = set.variants.flatMap(\.evidence)
        #expect(set.variants.allSatisfy { !$0.evidence.isEmpty }, "every variant is grounded")
        #expect(Set(evidence.map(\.chunkID)).count == evidence.count, "no passage is shared between variants")
        #expect(Set(evidence.map(\.id)).count == evidence.count)
        #expect(!evidence.contains { $0.title == "Roastery fire safety" }, "the template's tag scope holds")
        #expect(Set(set.variants.map(\.angle)).count == set.variants.count, "each variant leans on its own query")
        // Quoted spans are verbatim at their offsets in the chunk (offsets count characters of the extracted text).
        for item in evidence {
            let start = try #require(item.charStart)
            let end = try #require(item.charEnd)
            #expect(!item.quote.isEmpty && end - start == item.quote.unicodeScalars.count)
            let rows = try await fixture.pool.query(
                """
                SELECT substr(c.content, (\(start) - c.char_start + 1)::int, (\(end - start))::int), s.title
                  FROM public.knowledge_chunks c JOIN public.knowledge_sources s ON s.id = c.source_id
                 WHERE c.id = \(item.chunkID) AND s.id = \(item.sourceID)
                """)
            #expect(try rows.first?.decode(String.self, column: 0) == item.quote)
            #expect(try rows.first?.decode(String.self, column: 1) == item.title)
        }

        // The stored row reads back identically (and in HQ's column shape).
        let stored = try await fixture.assembler().draftSet(id: set.id)
        #expect(stored == set)
        let raw = try await fixture.pool.query(
            "SELECT jsonb_typeof(variants), variants->0->>'index', variants->0 ? 'body', variants->0->'evidence'->0 ? 'quote' FROM public.draft_sets WHERE id = \(set.id)"
        )[0]
        #expect(try raw.decode(String.self, column: 0) == "array")
        #expect(try raw.decode(String.self, column: 1) == "1")
        #expect(try raw.decode(Bool.self, column: 2))
        #expect(try raw.decode(Bool.self, column: 3))
    }

    @Test("a missing merge field fails by name; --allow-missing keeps the placeholder and records it")
    func missingFields() async throws {
        let fixture = try await DraftSetFixture.shared.value
        let contact = try await fixture.makeContact(company: nil)
        let request = DraftSetRequest(contactID: contact, channel: "email", stage: "follow_up")
        let error = await #expect(throws: DraftSetError.self) { try await fixture.assembler().assemble(request) }
        #expect(error?.code == .missingMergeFields)
        #expect(error?.missingFields == ["extended.budget"])
        let none = try await fixture.pool.query("SELECT count(*) FROM public.draft_sets WHERE contact_id = \(contact)")
        #expect(try none[0].decode(Int.self, column: 0) == 0, "nothing is stored when assembly fails")

        var allowing = request
        allowing.allowMissingFields = true
        allowing.variantCount = 2
        let set = try await fixture.assembler().assemble(allowing)
        let variant = try #require(set.variants.first)
        // {{company}} fell back to the organization; the owner fallback applied; the budget stays visible.
        #expect(
            variant.body
                == "Hi Ada Lovelace, following up on your budget of {{extended.budget}} for Analytical Engines Ltd. our team will call."
        )
        #expect(variant.missingFields == ["extended.budget"])
        #expect(variant.notes?.contains("extended.budget") == true)
        #expect(set.meta.missingFields == ["extended.budget"] && set.meta.needsReview)
    }

    @Test("versions count up per contact, channel and stage; a revision carries feedback and supersedes its base")
    func revisionChain() async throws {
        let fixture = try await DraftSetFixture.shared.value
        let contact = try await fixture.makeContact()
        let assembler = fixture.assembler()
        let first = try await assembler.assemble(
            DraftSetRequest(contactID: contact, channel: "email", stage: "intro", variantCount: 2))
        // The person asks for changes in HQ's UI.
        try await fixture.pool.execute(
            "UPDATE public.draft_sets SET status = 'refining', feedback_notes = 'Mention free machine servicing' WHERE id = \(first.id)"
        )
        var revise = DraftSetRequest(
            contactID: nil, channel: nil, stage: nil, variantCount: 2, reviseDraftSetID: first.id)
        revise.actorAgentID = fixture.agentID
        let second = try await assembler.assemble(revise)
        #expect(second.version == 2)
        #expect(second.basedOnDraftSetID == first.id)
        #expect(second.feedbackNotes == "Mention free machine servicing")
        #expect(second.templateID == first.templateID)
        #expect(second.meta.queries.first == "Mention free machine servicing", "feedback drives retrieval")
        #expect(second.variants.flatMap(\.evidence).contains { $0.title == "Espresso machine care" })
        #expect(try await assembler.draftSet(id: first.id).status == "superseded")

        // A superseded set cannot be revised again (the chain stays linear).
        let again = await #expect(throws: DraftSetError.self) { try await assembler.assemble(revise) }
        #expect(again?.code == .conflict)

        // A fresh assembly for the same key is version 3 and supersedes the open version 2.
        let third = try await assembler.assemble(
            DraftSetRequest(contactID: contact, channel: "email", stage: "intro", variantCount: 1))
        #expect(third.version == 3 && third.basedOnDraftSetID == nil)
        #expect(try await assembler.draftSet(id: second.id).status == "superseded")
        // Another stage starts its own chain.
        let other = try await assembler.assemble(
            DraftSetRequest(
                contactID: contact, channel: "email", stage: "follow_up", variantCount: 1, allowMissingFields: true))
        #expect(other.version == 1)

        // Audit: one created row per set, one status_changed row per superseded set, with the agent when given.
        let audit = try await fixture.pool.query(
            """
            SELECT entity_id, action::text, actor_type::text, actor_agent_id, module, summary FROM public.audit_log
             WHERE entity_type = 'draft_set' AND entity_id = ANY (\([first.id, second.id, third.id, other.id].map(\.uuidString))::uuid[])
             ORDER BY created_at, action
            """)
        let rows: [AuditRow] = try audit.map { row in
            AuditRow(
                entity: try row.decode(UUID.self, column: 0), action: try row.decode(String.self, column: 1),
                actorType: try row.decode(String.self, column: 2), agent: try row.decode(UUID?.self, column: 3),
                module: try row.decode(String.self, column: 4))
        }
        #expect(rows.filter { $0.action == "created" }.count == 4)
        let changed: Set<UUID> = Set(rows.filter { $0.action == "status_changed" }.map(\.entity))
        #expect(changed == [first.id, second.id])
        #expect(rows.allSatisfy { $0.module == "crm" })
        let byAgent = rows.filter { $0.agent == fixture.agentID }
        #expect(byAgent.count == 2, "the revision's created + superseded rows name the agent")
        #expect(byAgent.allSatisfy { $0.actorType == "agent" })
        #expect(rows.filter { $0.agent == nil }.allSatisfy { $0.actorType == "system" })
    }

    struct AuditRow {
        var entity: UUID
        var action: String
        var actorType: String
        var agent: UUID?
        var module: String
    }

    @Test("concurrent assemblies for one key both succeed with distinct versions")
    func concurrent() async throws {
        let fixture = try await DraftSetFixture.shared.value
        let contact = try await fixture.makeContact()
        let request = DraftSetRequest(
            contactID: contact, channel: "email", stage: "intro", variantCount: 1, evidencePerVariant: 1)
        let sets = try await withThrowingTaskGroup(of: DraftSet.self) { group in
            for _ in 0..<4 { group.addTask { try await fixture.assembler().assemble(request) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(sets.map(\.version).sorted() == [1, 2, 3, 4])
        let open = try await fixture.pool.query(
            "SELECT version FROM public.draft_sets WHERE contact_id = \(contact) AND status = 'draft'")
        #expect(try open.map { try $0.decode(Int.self, column: 0) } == [4], "only the newest version stays open")
    }

    @Test("the campaign's scope applies when the template has none; template lookup falls back to open templates")
    func campaignScope() async throws {
        let fixture = try await DraftSetFixture.shared.value
        let contact = try await fixture.makeContact(campaign: true)
        let set = try await fixture.assembler().assemble(
            DraftSetRequest(contactID: contact, channel: "linkedin", stage: "intro", variantCount: 1))
        #expect(set.templateID == fixture.templates["Any channel intro"])
        #expect(set.variants[0].body == "Hello Ada Lovelace from Autumn cafés.")
        #expect(set.meta.scope.origin == "campaign")
        // Only the campaign's scope (tag ops) is searched. Its one passage (fire safety) is far from a greeting from
        // an autumn café campaign: under the relevance floor it is not cited as filler, and the set says so.
        let titles = Set(set.variants.flatMap(\.evidence).map(\.title))
        #expect(titles.isSubset(of: ["Roastery fire safety"]))
        #expect(set.meta.needsReview == titles.isEmpty)
    }

    @Test("unknown ids and bad parameters fail with codes, writing nothing", arguments: [0, 1, 2, 3, 4])
    func errors(case number: Int) async throws {
        let fixture = try await DraftSetFixture.shared.value
        let contact = try await fixture.makeContact()
        var request = DraftSetRequest(contactID: contact, channel: "email", stage: "intro")
        let expected: DraftSetError.Code
        switch number {
        case 0: (request.contactID, expected) = (UUID(), .contactNotFound)
        case 1: (request.templateID, expected) = (UUID(), .templateNotFound)
        case 2: (request.reviseDraftSetID, expected) = (UUID(), .draftSetNotFound)
        case 3: (request.actorAgentID, expected) = (UUID(), .agentNotFound)
        default: (request.variantCount, expected) = (9, .invalidRequest)
        }
        let error = await #expect(throws: DraftSetError.self) { try await fixture.assembler().assemble(request) }
        #expect(error?.code == expected)
        let stored = try await fixture.pool.query(
            "SELECT count(*) FROM public.draft_sets WHERE contact_id = \(contact)")
        #expect(try stored[0].decode(Int.self, column: 0) == 0)
    }
}

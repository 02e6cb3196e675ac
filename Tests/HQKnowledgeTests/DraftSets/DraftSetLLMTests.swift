import Foundation
import HQKnowledge
import HQTestSupport
import Synchronization
import Testing

/// Variants written by an OpenAI-compatible endpoint (a loopback stub), checked before they are stored.
@Suite("Draft-set variants written by an LLM (loopback stub)")
struct DraftSetLLMTests {
    static let key = "sk-test-SECRET-0123456789"

    func assemble(_ answer: @escaping @Sendable (String) -> String?) async throws -> (
        DraftSet, LLMStub, DraftSetFixture
    ) {
        let fixture = try await DraftSetFixture.shared.value
        let stub = try LLMStub(answer)
        let contact = try await fixture.makeContact()
        let llm = LLMConfiguration(url: stub.baseURL, model: "stub-model", apiKey: Self.key)
        let set = try await fixture.assembler(llm: llm).assemble(
            DraftSetRequest(contactID: contact, channel: "email", stage: "intro"))
        stub.stop()
        return (set, stub, fixture)
    }

    /// The stored row as JSON text, to check nothing secret leaked into it.
    func storedText(_ set: DraftSet, _ fixture: DraftSetFixture) async throws -> String {
        try await fixture.pool.query("SELECT to_jsonb(d)::text FROM public.draft_sets d WHERE id = \(set.id)")[0]
            .decode(String.self, column: 0)
    }

    @Test("a cited answer is stored as the variant, with its citations and the evidence it was given")
    func good() async throws {
        let (set, stub, fixture) = try await assemble { prompt in
            let ids = LLMStub.evidenceIDs(in: prompt)
            let cite = ids.isEmpty ? "" : " [\(ids[0])]"
            return
                #"{"subject": "A tasting box for your cafés", "body": "Hi Ada, cafés buying 20 kg a month pay 18 euros per kilogram\#(cite). Shall we talk?", "notes": "leans on pricing"}"#
        }
        #expect(stub.received.count == 3)
        let request = try #require(stub.received.first)
        #expect(request.headers["authorization"] == "Bearer \(Self.key)")
        #expect(request.json?["model"] as? String == "stub-model")
        #expect(request.prompt.contains("Hi Ada,"), "the model starts from the rendered template")
        for variant in set.variants {
            #expect(variant.generator == "llm" && variant.llmStatus == "accepted")
            #expect(variant.body == "Hi Ada, cafés buying 20 kg a month pay 18 euros per kilogram. Shall we talk?")
            #expect(variant.subject == "A tasting box for your cafés")
            #expect(variant.citations.count == 1 && variant.evidence.map(\.id).contains(variant.citations[0]))
            #expect(variant.citedBody?.contains("[\(variant.citations[0])]") == true)
        }
        // Each variant was asked with its own evidence only.
        let asked = stub.received.map { Set(LLMStub.evidenceIDs(in: $0.prompt)) }
        #expect(Set(asked) == Set(set.variants.map { Set($0.evidence.map(\.id)) }))
        #expect(set.meta.llmModel == "stub-model" && set.meta.llmRejected == 0 && !set.meta.needsReview)
        #expect(!(try await storedText(set, fixture)).contains(Self.key))
    }

    @Test("uncited, malformed and failing answers are rejected, flagged, and the rendered template stored")
    func rejected() async throws {
        let counter = Counter()
        let (set, _, fixture) = try await assemble { prompt in
            switch counter.next(prompt) {
            case 0: return #"{"body": "Hi Ada, we cut waste by 30 percent for cafés like yours. Shall we talk?"}"#
            case 1: return "Sure! Here is your email: Hi Ada..."
            default: return nil  // HTTP 500
            }
        }
        let reasons = Set(set.variants.compactMap(\.llmRejection))
        #expect(reasons == ["uncited", "malformed", "http_status_500"])
        for variant in set.variants {
            #expect(variant.llmStatus == "rejected" && variant.generator == "template")
            #expect(
                variant.body.hasPrefix("Hi Ada,\n\nAs Head of Operations"), "the rendered template is stored instead")
            #expect(variant.notes?.contains("LLM answer rejected") == true)
            #expect(variant.citations.isEmpty && variant.citedBody == nil)
        }
        #expect(set.meta.llmRejected == 3 && set.meta.needsReview)
        let audit = try await fixture.pool.query(
            "SELECT meta->>'llm_rejected', meta->>'needs_review' FROM public.audit_log WHERE entity_id = \(set.id) AND action = 'created'"
        )
        #expect(try audit[0].decode(String.self, column: 0) == "3")
        #expect(try audit[0].decode(String.self, column: 1) == "true")
        #expect(!(try await storedText(set, fixture)).contains(Self.key))
    }

    @Test("an unreachable endpoint falls back to the template without leaking the key")
    func unreachable() async throws {
        let fixture = try await DraftSetFixture.shared.value
        let contact = try await fixture.makeContact()
        let llm = LLMConfiguration(url: "http://127.0.0.1:9/v1", model: "m", apiKey: Self.key)
        #expect(!llm.description.contains(Self.key))
        let set = try await fixture.assembler(llm: llm).assemble(
            DraftSetRequest(contactID: contact, channel: "email", stage: "intro", variantCount: 1))
        #expect(set.variants[0].llmRejection == "unreachable")
        #expect(!(try await storedText(set, fixture)).contains(Self.key))
    }
}

extension DraftSetLLMTests {
    @Test("the API key never appears in any log line, at trace level, whatever the endpoint answers")
    func keyNeverLogged() async throws {
        let fixture = try await DraftSetFixture.shared.value
        let lines = CapturingLogHandler.Lines()
        let counter = Counter()
        let stub = try LLMStub { prompt in
            switch counter.next(prompt) {
            case 0: return nil
            case 1: return "no json, key \(Self.key)?"
            default: return #"{"body": "Fresh beans [E1]."}"#
            }
        }
        defer { stub.stop() }
        let contact = try await fixture.makeContact()
        for url in [stub.baseURL, "http://127.0.0.1:9/v1?api-key=\(Self.key)"] {
            let assembler = DraftSetAssembler(
                pool: fixture.pool, search: fixture.search,
                llm: LLMConfiguration(url: url, model: "m", apiKey: Self.key),
                logger: CapturingLogHandler.logger(lines))
            _ = try await assembler.assemble(DraftSetRequest(contactID: contact, channel: "email", stage: "intro"))
        }
        #expect(lines.all.contains { $0.contains("llm") }, "the failures were logged")
        #expect(!lines.all.contains { $0.contains(Self.key) })
    }
}

/// Hands out 0, 1, 2… to concurrent callers, one number per distinct prompt.
final class Counter: Sendable {
    private let state = Mutex<[String: Int]>([:])
    func next(_ prompt: String) -> Int {
        state.withLock { seen in
            if let number = seen[prompt] { return number }
            seen[prompt] = seen.count
            return seen.count - 1
        }
    }
}

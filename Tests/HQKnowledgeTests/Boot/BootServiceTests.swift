import Foundation
import HQIndexing
import HQKnowledge
import HQSearch
import HQTestSupport
import Testing

/// Boot context assembly against the real database and the real model's tokenizer.
@Suite("Boot context (real PostgreSQL, real tokenizer)")
struct BootServiceTests {
    func context(_ slug: String = "scout", budget: Int = 100_000, query: String? = nil) async throws -> BootContext {
        try await BootFixture.shared.value.service.context(BootRequest(slug: slug, budgetTokens: budget, query: query))
    }

    @Test("pinned first, then boot:<slug> before boot:all, then most recently updated, then id")
    func order() async throws {
        let fixture = try await BootFixture.shared.value
        let boot = try await context()
        #expect(boot.documents.map(\.title) == BootFixture.scoutOrder)
        #expect(boot.omitted.isEmpty)
        let ties = boot.documents.filter { $0.title == "Tie" }.map(\.id)
        #expect(ties == [fixture.ids["Tie A"]!, fixture.ids["Tie B"]!].sorted())
        #expect(boot.documents.first { $0.title == "Scout and all" }?.scope == .agent)
        #expect(boot.documents.first { $0.title == "Team directory" }?.scope == .all)
        #expect(boot.documents.first?.pinned == true)
        #expect(boot.agent.slug == "scout" && boot.agent.name == "Scout")
        // Another agent gets boot:all and its own, not scout's.
        let closer = try await context("closer")
        #expect(closer.documents.map(\.title).contains("Closer playbook"))
        #expect(!closer.documents.map(\.title).contains("Scout handbook"))
        #expect(closer.documents.map(\.title).contains("Company values"))
    }

    @Test("archived documents and look-alike tags never load")
    func archivedExcluded() async throws {
        let fixture = try await BootFixture.shared.value
        let boot = try await context()
        let all = Set(boot.documents.map(\.id) + boot.omitted.map(\.id))
        #expect(!all.contains(fixture.ids["Archived boot doc"]!))
        #expect(!all.contains(fixture.ids["Bootstrapping notes"]!))
        #expect(!all.contains(fixture.ids["Closer playbook"]!))
    }

    @Test("documents are markdown (TipTap converted, not JSON), sections start with the title")
    func markdown() async throws {
        let boot = try await context()
        let handbook = try #require(boot.documents.first { $0.title == "Scout handbook" })
        #expect(handbook.markdown.hasPrefix("# Scout handbook\n\n## Duties\n\nFind **qualified** leads"))
        #expect(handbook.markdown.contains("- [x] read the values\n- [ ] ping @closer"))
        #expect(handbook.markdown.contains("```sql\nSELECT * FROM contacts;\n```"))
        #expect(!handbook.markdown.contains("\"type\""))
        #expect(boot.documents.first { $0.title == "Style guide" }?.markdown == "# Style guide")
        #expect(
            boot.documents.first { $0.title == "Team directory" }?.markdown
                == "# Team directory\n\n- Scout finds leads\n- Closer closes")
        #expect(boot.markdown.hasPrefix("<!-- Boot context for Scout (scout): "))
        #expect(boot.markdown.contains("\n\n# Company values\n\nWe are **honest** and kind.\n\n# Huge manual\n\n"))
    }

    @Test("tokens are the model tokenizer's count of each section; used_tokens is their sum")
    func tokens() async throws {
        let fixture = try await BootFixture.shared.value
        let boot = try await context()
        for document in boot.documents {
            #expect(document.tokens == fixture.embedder.tokenizer.tokenCount(of: document.markdown, limit: .max))
            #expect(document.tokens > 0)
        }
        #expect(boot.usedTokens == boot.documents.map(\.tokens).reduce(0, +))
        #expect(boot.budgetTokens == 100_000)
    }

    @Test("a document over the budget is listed with its size, and smaller later ones still load")
    func overflow() async throws {
        let full = try await context()
        let huge = try #require(full.documents.first { $0.title == "Huge manual" })
        let budget = full.usedTokens - huge.tokens + huge.tokens / 2
        let boot = try await context(budget: budget)
        #expect(boot.omitted.map(\.id) == [huge.id])
        #expect(boot.omitted.first?.tokens == huge.tokens)
        #expect(boot.omitted.first?.reason == .overBudget)
        #expect(boot.documents.map(\.id) == full.documents.map(\.id).filter { $0 != huge.id })
        #expect(boot.usedTokens <= budget)
        #expect(
            boot.markdown.contains(
                "# Not loaded (over the token budget)\n\n- Huge manual — id `\(huge.id)`, \(huge.tokens) tokens"))
    }

    @Test(
        "no document is ever dropped silently, whatever the budget", arguments: [1, 10, 50, 200, 1_000, 5_000, 8_000])
    func neverDropped(budget: Int) async throws {
        let full = try await context()
        let boot = try await context(budget: budget)
        #expect(boot.usedTokens <= budget)
        #expect(boot.usedTokens == boot.documents.map(\.tokens).reduce(0, +))
        // Included and omitted, merged back in load order, are exactly all boot documents.
        let included = Set(boot.documents.map(\.id))
        let omitted = Set(boot.omitted.map(\.id))
        #expect(included.isDisjoint(with: omitted))
        #expect(included.union(omitted) == Set(full.documents.map(\.id)))
        #expect(boot.documents.map(\.id) == full.documents.map(\.id).filter(included.contains))
        #expect(boot.omitted.map(\.id) == full.documents.map(\.id).filter(omitted.contains))
        for document in boot.omitted { #expect(document.tokens > 0) }
    }

    @Test("an unknown slug is an error listing close slugs; case differences resolve")
    func unknownSlug() async throws {
        let error = try await #require(throws: BootError.self) { try await context("scot") }
        #expect(error.code == .unknownAgent)
        #expect(error.suggestions.first == "scout")
        #expect(error.description.contains("did you mean: scout"))
        let research = try await #require(throws: BootError.self) { try await context("research") }
        #expect(research.suggestions == ["research-lead"])
        let far = try await #require(throws: BootError.self) { try await context("zzzzzzzzzz") }
        #expect(far.suggestions.isEmpty)
        #expect(try await context("SCOUT").agent.slug == "scout")
    }

    @Test("bad parameters are invalid requests", arguments: [0, -5, 1_000_001])
    func badBudget(budget: Int) async throws {
        let error = try await #require(throws: BootError.self) { try await context(budget: budget) }
        #expect(error.code == .invalidRequest)
    }

    @Test("--query appends the most relevant other knowledge that fits, never the loaded boot documents")
    func relatedKnowledge() async throws {
        let fixture = try await BootFixture.shared.value
        let boot = try await context(query: "what discount do we offer when a customer renews?")
        #expect(boot.query == "what discount do we offer when a customer renews?")
        let first = try #require(boot.related.first)
        #expect(first.title == "Renewal pricing playbook")
        #expect(first.id == fixture.ids["Renewal pricing playbook"])
        #expect(first.markdown.hasPrefix("## Renewal pricing playbook"))
        let loaded = Set(boot.documents.map(\.id))
        for passage in boot.related {
            #expect(!loaded.contains(passage.id))
            #expect(passage.tokens == fixture.embedder.tokenizer.tokenCount(of: passage.markdown, limit: .max))
        }
        let documentTokens = boot.documents.map(\.tokens).reduce(0, +)
        let relatedTokens = boot.related.map(\.tokens).reduce(0, +)
        #expect(boot.usedTokens == documentTokens + relatedTokens)
        #expect(boot.usedTokens <= boot.budgetTokens)
        #expect(boot.markdown.contains("\n\n# Related knowledge\n\n## Renewal pricing playbook"))
        // The boot documents come first and are the same as without a query.
        #expect(boot.documents == (try await context()).documents)
    }

    @Test("related knowledge only fills what the boot documents leave")
    func relatedWithinBudget() async throws {
        let full = try await context()
        let exact = try await context(budget: full.usedTokens, query: "renewal discount")
        #expect(exact.documents.count == full.documents.count)
        #expect(exact.related.isEmpty)
        let roomy = try await context(budget: full.usedTokens + 60, query: "renewal discount")
        #expect(roomy.usedTokens <= full.usedTokens + 60)
        #expect(roomy.related.allSatisfy { $0.tokens <= 60 })
    }
}

import HQKnowledge
import Testing

@Suite struct HQKnowledgeModuleTests {
    @Test func moduleLinks() {
        #expect(String(describing: HQKnowledge.self) == "HQKnowledge")
    }
}

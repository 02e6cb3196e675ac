import HQKnowledge
import Testing

@Suite("LLM answer checks")
struct LLMAnswerCheckTests {
    let ids: Set<String> = ["E1", "E2"]

    @Test("a cited JSON answer is accepted; markers are stripped from the body and kept in cited_body")
    func accepted() throws {
        let content =
            #"{"subject": "Coffee [E1]", "body": "Hi Ada. Wholesale is 18 euros per kilogram [E1]. We service machines for free. [E2]", "notes": "pricing"}"#
        guard case .accepted(let answer) = LLMAnswerCheck.check(content, evidenceIDs: ids) else {
            Issue.record("rejected")
            return
        }
        #expect(answer.body == "Hi Ada. Wholesale is 18 euros per kilogram. We service machines for free.")
        #expect(answer.subject == "Coffee")
        #expect(answer.citations == ["E1", "E2"])
        #expect(answer.citedBody.contains("[E1]"))
    }

    @Test("fenced JSON is read; grouped citations count")
    func fenced() {
        let content = "```json\n{\"body\": \"Cafés save 30 percent [E1, E2].\"}\n```"
        guard case .accepted(let answer) = LLMAnswerCheck.check(content, evidenceIDs: ids) else {
            Issue.record("rejected")
            return
        }
        #expect(answer.citations == ["E1", "E2"])
    }

    @Test(
        "bad answers are rejected with a reason",
        arguments: [
            ("not json at all", "malformed"),
            (#"{"subject": "x"}"#, "malformed"),
            (#"{"body": "   "}"#, "malformed"),
            (#"{"body": "We are great and you will love us."}"#, "uncited"),
            (#"{"body": "Prices are good [E7]."}"#, "unknown_citation"),
            (#"{"body": "Our beans are fresh [E1]. You save 40 percent in 2 weeks."}"#, "uncited_claim"),
            (#"{"body": "Hi {{name}}, our beans are fresh [E1]."}"#, "unfilled_placeholder"),
        ])
    func rejected(content: String, reason: String) {
        #expect(LLMAnswerCheck.check(content, evidenceIDs: ids) == .rejected(reason))
    }

    @Test("placeholders the template kept open may stay")
    func openPlaceholders() {
        let verdict = LLMAnswerCheck.check(
            #"{"body": "Your budget of {{extended.budget}} fits [E1]."}"#, evidenceIDs: ids,
            openPlaceholders: ["{{extended.budget}}"])
        guard case .accepted = verdict else {
            Issue.record("rejected: \(verdict)")
            return
        }
    }

    @Test(
        "the endpoint is the chat-completions URL, whatever form the base takes",
        arguments: [
            ("https://api.example/v1", "https://api.example/v1/chat/completions"),
            ("https://api.example/v1/", "https://api.example/v1/chat/completions"),
            ("http://h/v1/chat/completions", "http://h/v1/chat/completions"),
            (
                "https://az.example/openai/deployments/d?api-version=2024",
                "https://az.example/openai/deployments/d/chat/completions?api-version=2024"
            ),
        ])
    func endpoint(url: String, expected: String) {
        #expect(LLMConfiguration(url: url, model: "m").endpoint == expected)
    }
}

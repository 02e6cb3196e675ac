import Foundation
import HQCore
import HQNet
import Logging

/// What one variant's writer gets: the rendered template and the evidence pack.
struct VariantBrief: Sendable {
    var channel: String
    var stage: String
    var angle: String
    var contactSummary: String
    var renderedSubject: String?
    var renderedBody: String
    var evidence: [Evidence]
    var feedback: String?
    var openPlaceholders: Set<String>
}

/// Writes a variant with an OpenAI-compatible chat-completions endpoint over ``HTTPClient`` (libcurl), and
/// checks the answer with ``LLMAnswerCheck``.
struct ChatCompletionsWriter: Sendable {
    let configuration: LLMConfiguration
    let client: HTTPClient
    let logger: Logger

    /// The checked answer, or the reason it was rejected (`unreachable`, `http_status_<code>`, `malformed`,
    /// `uncited`…). Never throws: a failing LLM falls back to the rendered template.
    func write(_ brief: VariantBrief) async -> LLMAnswerCheck.Verdict {
        let payload: Data
        do {
            payload = try JSONEncoder().encode(requestBody(brief))
        } catch {
            return .rejected("malformed")
        }
        var request = HTTPClientRequest(url: configuration.endpoint, method: .post)
        request.setJSONBody(payload)
        request.bearerToken = configuration.apiKey
        request.timeout = configuration.timeout
        request.maxResponseBytes = 4 << 20
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request)
        } catch {
            // The code only: details could name the URL, which may carry a key in its query.
            logger.warning("llm request failed", metadata: ["code": "\(error.code)"])
            return .rejected("unreachable")
        }
        guard response.isSuccess else {
            logger.warning("llm answered an error status", metadata: ["status": "\(response.status)"])
            return .rejected("http_status_\(response.status)")
        }
        guard let answer = JSONValue(json: String(decoding: response.body, as: UTF8.self)),
            case .array(let choices)? = answer["choices"], let content = choices.first?["message"]?["content"]?.string
        else { return .rejected("malformed") }
        let verdict = LLMAnswerCheck.check(
            content, evidenceIDs: Set(brief.evidence.map(\.id)), openPlaceholders: brief.openPlaceholders)
        if case .rejected(let reason) = verdict {
            logger.info("llm answer rejected", metadata: ["reason": "\(reason)"])
        }
        return verdict
    }

    struct Message: Encodable {
        var role: String
        var content: String
    }

    struct RequestBody: Encodable {
        struct Format: Encodable { var type = "json_object" }
        var model: String
        var messages: [Message]
        var temperature: Double
        var maxTokens: Int
        var responseFormat: Format?

        enum CodingKeys: String, CodingKey {
            case model, messages, temperature
            case maxTokens = "max_tokens"
            case responseFormat = "response_format"
        }
    }

    func requestBody(_ brief: VariantBrief) -> RequestBody {
        RequestBody(
            model: configuration.model,
            messages: [
                Message(role: "system", content: Self.systemPrompt),
                Message(role: "user", content: Self.userPrompt(brief)),
            ],
            temperature: configuration.temperature, maxTokens: configuration.maxTokens,
            responseFormat: configuration.jsonMode ? .init() : nil)
    }

    static let systemPrompt = """
        You write one outreach message for a person at a company, starting from a draft rendered from their template.
        Rules:
        - Keep the draft's intent, greeting and call to action; adapt it to the angle given.
        - Every factual claim (figures, prices, percentages, dates, customer results, product facts) must come from \
        the evidence and be followed by the id of the evidence it rests on in brackets, e.g. [E1] or [E1, E2]. \
        Cite only ids from the evidence list. Do not invent facts.
        - Keep any {{placeholder}} that appears in the draft exactly as written.
        - Answer with a JSON object only: {"subject": string or null, "body": string, "notes": string}. \
        "notes" says in one sentence which evidence the message leans on and why.
        """

    static func userPrompt(_ brief: VariantBrief) -> String {
        var text =
            "Channel: \(brief.channel)\nStage: \(brief.stage)\nAngle: \(brief.angle.replacingOccurrences(of: "_", with: " "))\n"
        text += "Recipient: \(brief.contactSummary)\n"
        if let feedback = brief.feedback { text += "Feedback on the previous version (address it):\n\(feedback)\n" }
        text +=
            "\nDraft subject: \(brief.renderedSubject ?? "(none)")\nDraft body:\n\(brief.renderedBody)\n\nEvidence:\n"
        if brief.evidence.isEmpty { text += "(none: make no factual claims and cite nothing)\n" }
        for item in brief.evidence { text += "[\(item.id)] \(item.title): \"\(item.quote)\"\n" }
        return text
    }
}

import Foundation
import HQKnowledge
import HQNet
import HQServer
import HQTestSupport
import Testing

/// `POST /v1/draft-sets` and `GET /v1/draft-sets/{id}` over a real `hq serve` on loopback.
@Suite("Draft sets over HTTP (hq serve on loopback)")
struct DraftSetHTTPTests {
    func withServer(apiKey: String? = nil, _ body: (String, DraftSetFixture) async throws -> Void) async throws {
        let fixture = try await DraftSetFixture.shared.value
        try await Fixtures.withServer(embedder: fixture.embedder, database: fixture.pool, apiKey: apiKey) {
            try await body($0, fixture)
        }
    }

    func post(_ url: String, _ object: [String: Any], token: String? = nil) async throws -> (Int, [String: Any]) {
        let response = try await HTTPClient.shared.postJSON(
            url + "/v1/draft-sets", json: try JSONSerialization.data(withJSONObject: object), bearerToken: token)
        return (response.status, (try? JSONSerialization.jsonObject(with: response.body) as? [String: Any]) ?? [:])
    }

    @Test("POST assembles and stores a set (201, the stored row); GET reads it back; the audit row names the agent")
    func endToEnd() async throws {
        try await withServer(apiKey: "server-key") { base, fixture in
            let contact = try await fixture.makeContact()
            let body: [String: Any] = [
                "contact_id": contact.uuidString, "channel": "email", "stage": "intro", "variants": 2,
                "actor_agent_id": fixture.agentID.uuidString,
            ]
            let (unauthorized, _) = try await post(base, body)
            #expect(unauthorized == 401)
            let (status, json) = try await post(base, body, token: "server-key")
            #expect(status == 201)
            let variants = try #require(json["variants"] as? [[String: Any]])
            #expect(variants.count == 2 && json["version"] as? Int == 1 && json["status"] as? String == "draft")
            #expect((variants[0]["evidence"] as? [[String: Any]])?.isEmpty == false)
            #expect(variants[0]["index"] as? Int == 1)
            let id = try #require(json["id"] as? String)
            var get = HTTPClientRequest(url: base + "/v1/draft-sets/\(id)")
            get.bearerToken = "server-key"
            let read = try await HTTPClient.shared.execute(get)
            #expect(read.status == 200)
            let again = try #require(try JSONSerialization.jsonObject(with: read.body) as? NSDictionary)
            #expect(again == json as NSDictionary)
            let audit = try await fixture.pool.query(
                "SELECT actor_type::text, actor_agent_id FROM public.audit_log WHERE entity_id = \(UUID(uuidString: id)!)"
            )
            #expect(try audit[0].decode(String.self, column: 0) == "agent")
            #expect(try audit[0].decode(UUID?.self, column: 1) == fixture.agentID)
            var spec = HTTPClientRequest(url: base + "/openapi.json")
            spec.bearerToken = "server-key"
            let openAPI = try await HTTPClient.shared.execute(spec)
            let paths =
                (try JSONSerialization.jsonObject(with: openAPI.body) as? [String: Any])?["paths"] as? [String: Any]
            #expect(paths?["/v1/draft-sets"] != nil && paths?["/v1/draft-sets/{id}"] != nil)
        }
    }

    @Test("bad parameters 400, unknown contact/template/draft set 404, missing merge fields 422")
    func errors() async throws {
        try await withServer { base, fixture in
            let contact = try await fixture.makeContact(company: nil).uuidString
            let cases: [([String: Any], Int, String)] = [
                (["contact_id": "nope", "channel": "email", "stage": "intro"], 400, "contact_id"),
                (["contact_id": contact, "channel": "email"], 400, "stage"),
                (["contact_id": contact, "channel": "email", "stage": "intro", "variants": 0], 400, "variants"),
                (["contact_id": contact, "channel": "email", "stage": "intro", "colour": "red"], 400, "colour"),
                (
                    ["contact_id": contact, "channel": "email", "stage": "intro", "actor_type": "robot"], 400,
                    "actor_type"
                ),
                (["contact_id": UUID().uuidString, "channel": "email", "stage": "intro"], 404, "contact"),
                (
                    ["contact_id": contact, "channel": "email", "stage": "intro", "template_id": UUID().uuidString],
                    404, "template"
                ),
                (["revise_draft_set_id": UUID().uuidString], 404, "draft set"),
                (["contact_id": contact, "channel": "fax", "stage": "nope"], 404, "no active template"),
                (["contact_id": contact, "channel": "email", "stage": "follow_up"], 422, "extended.budget"),
            ]
            for (body, expected, word) in cases {
                let (status, json) = try await post(base, body)
                #expect(status == expected, "\(body)")
                let message = (json["error"] as? [String: Any])?["message"] as? String ?? ""
                #expect(message.contains(word), "\(message)")
            }
            let missing = try await HTTPClient.shared.get(base + "/v1/draft-sets/\(UUID().uuidString)")
            #expect(missing.status == 404)
        }
    }

    @Test("variants and evidence_per_variant at their documented ends: min and max 201, one past 400 naming the field")
    func rangeEnds() async throws {
        try await withServer { base, fixture in
            let contact = try await fixture.makeContact().uuidString
            let cases: [(String, Int, Bool)] = [
                ("variants", 1, true), ("variants", 5, true), ("variants", 0, false), ("variants", 6, false),
                ("evidence_per_variant", 0, true), ("evidence_per_variant", 8, true),
                ("evidence_per_variant", -1, false), ("evidence_per_variant", 9, false),
            ]
            for (field, value, accepted) in cases {
                let (status, json) = try await post(
                    base, ["contact_id": contact, "channel": "email", "stage": "intro", field: value])
                #expect(status == (accepted ? 201 : 400), "\(field)=\(value)")
                if !accepted {
                    // The library's message may spell the field with spaces ("evidence per variant"); match either.
                    let message = ((json["error"] as? [String: Any])?["message"] as? String ?? "").lowercased()
                    let spaced = field.replacingOccurrences(of: "_", with: " ")
                    #expect(message.replacingOccurrences(of: "_", with: " ").contains(spaced), "\(field): \(message)")
                } else if field == "variants" {
                    #expect((json["variants"] as? [Any])?.count == value)
                }
            }
        }
    }

    @Test("a cross-site form POST (text/plain, form-encoded, multipart) gets 415 and writes nothing")
    func crossSiteFormWritesNothing() async throws {
        try await withServer { base, fixture in
            let contact = try await fixture.makeContact()
            let body = #"{"contact_id":"\#(contact.uuidString)","channel":"email","stage":"intro"}"#
            func count() async throws -> Int {
                try await fixture.pool.query(
                    "SELECT count(*)::bigint FROM public.draft_sets WHERE contact_id = \(contact)")[0].decode(
                        Int.self, column: 0)
            }
            for type in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=b"] {
                var request = HTTPClientRequest(url: base + "/v1/draft-sets", method: .post)
                request.body = Data(body.utf8)
                request.headers.append((name: "Content-Type", value: type))
                let response = try await HTTPClient.shared.execute(request)
                #expect(response.status == 415, "\(type)")
                let json = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
                #expect((json?["error"] as? [String: Any])?["code"] as? String == "unsupported_media_type")
            }
            #expect(try await count() == 0, "nothing was written")
            // The same body as JSON is the one way in.
            let (status, _) = try await post(
                base, try JSONSerialization.jsonObject(with: Data(body.utf8)) as! [String: Any])
            #expect(status == 201)
            #expect(try await count() == 1)
        }
    }

    @Test("without a database the route answers 503 JSON")
    func noDatabase() async throws {
        let fixture = try await DraftSetFixture.shared.value
        var configuration = ServerConfiguration()
        configuration.port = 0
        let server = ServerContext(
            configuration: configuration, embedder: fixture.embedder, logger: TestDatabase.logger)
        let running = try await ServerApplication.start(server: server)
        defer { Task { await running.shutdown() } }
        let (status, json) = try await post(
            running.baseURL, ["contact_id": UUID().uuidString, "channel": "email", "stage": "intro"])
        #expect(status == 503)
        #expect((json["error"] as? [String: Any])?["code"] as? String == "database_unavailable")
    }
}

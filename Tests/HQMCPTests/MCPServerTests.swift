import Foundation
import HQSearch
import HQTestSupport
import MCP
import Testing

@Suite("hq mcp over stdio: a real client, the built executable, a real database and model", .serialized)
struct MCPServerTests {
    let fixture: KnowledgeFixture

    init() async throws { fixture = try await KnowledgeFixture.shared.value }

    @Test("the handshake names the server, explains HQ, and lists the tools with object schemas")
    func handshakeAndTools() async throws {
        let session = try await MCPSession.start(databaseURL: fixture.url)
        #expect(session.initialize.serverInfo.name == "hq")
        #expect(session.initialize.capabilities.tools != nil)
        #expect(session.initialize.instructions?.contains("search_knowledge") == true)

        let client = session.client
        let (tools, _) = try await withTimeout { try await client.listTools() }
        #expect(
            tools.map(\.name) == ["search_knowledge", "get_source", "get_chunks", "boot_context", "assemble_draft_set"])
        for tool in tools {
            let schema = try #require(tool.inputSchema.objectValue, "\(tool.name): schema is not a JSON object")
            #expect(schema["type"] == "object")
            #expect(schema["properties"]?.objectValue?.isEmpty == false, "\(tool.name) has no properties")
            #expect((tool.description ?? "").count > 200, "\(tool.name) needs a description an agent can act on")
            #expect(tool.annotations.readOnlyHint == (tool.name != "assemble_draft_set"))
        }
        let search = try #require(
            tools.first { $0.name == "search_knowledge" }?.inputSchema.objectValue?["properties"]?.objectValue)
        for name in ["query", "tags", "all_tags", "exclude_tags", "folder", "type", "asset_types", "limit", "mode"] {
            #expect(search[name] != nil, "search_knowledge lacks \(name)")
        }
        #expect(await session.stop() == 0)
    }

    @Test("every integer range in the read-only tools' schemas works at its ends; one past is a tool error naming it")
    func schemaRangeEnds() async throws {
        let session = try await MCPSession.start(databaseURL: fixture.url)
        let client = session.client
        let (tools, _) = try await withTimeout { try await client.listTools() }
        let base: [String: [String: Value]] = [
            "search_knowledge": ["query": .string("roaster fire")], "get_chunks": ["query": .string("roaster")],
            "boot_context": ["slug": .string("roaster")],
        ]
        var checked = 0
        for tool in tools where base[tool.name] != nil {
            var arguments = base[tool.name]!
            if tool.name == "get_chunks" {
                let (texts, _) = try await session.call("search_knowledge", ["query": "roaster fire", "limit": 1])
                let answer = try SearchJSON.decoder().decode(
                    SearchResponse.self, from: Data(try #require(texts.last).utf8))
                arguments["id"] = .string(try #require(answer.results.first).sourceID.uuidString)
            }
            let properties = try #require(tool.inputSchema.objectValue?["properties"]?.objectValue)
            for (name, schema) in properties {
                guard let object = schema.objectValue, object["type"] == "integer",
                    let minimum = object["minimum"]?.intValue, let maximum = object["maximum"]?.intValue
                else { continue }
                for (value, accepted) in [(minimum, true), (maximum, true), (minimum - 1, false), (maximum + 1, false)]
                {
                    var call = arguments
                    call[name] = .int(value)
                    let (texts, isError) = try await session.call(tool.name, call)
                    #expect(isError == !accepted, "\(tool.name) \(name)=\(value): \(texts)")
                    if !accepted { #expect(texts.joined().contains(name), "\(tool.name): \(texts)") }
                    checked += 1
                }
            }
        }
        #expect(checked >= 16, "limit, chunks_per_source, get_chunks limit, budget_tokens")
        #expect(await session.stop() == 0)
    }

    @Test("search_knowledge finds the document and answers what hq search --json prints")
    func searchKnowledge() async throws {
        let session = try await MCPSession.start(databaseURL: fixture.url)
        let query = "what do we do if the roaster catches fire"
        let (texts, isError) = try await session.call("search_knowledge", ["query": .string(query), "limit": 5])
        #expect(!isError)
        #expect(texts.count == 2)
        #expect(texts.first?.contains("Roaster fire procedure") == true)
        var answer = try SearchJSON.decoder().decode(SearchResponse.self, from: Data(try #require(texts.last).utf8))
        #expect(answer.results.first?.title == "Roaster fire procedure")
        #expect(answer.results.first?.chunks.isEmpty == false)

        var environment = ProcessInfo.processInfo.environment
        environment["HQ_DATABASE_URL"] = fixture.url
        environment["HQ_MODEL_DIR"] = KnowledgeFixture.modelDirectory
        let printed = try await runProgram(
            MCPSession.executable, ["search", query, "--limit", "5", "--json"], environment: environment)
        var cli = try SearchJSON.decoder().decode(SearchResponse.self, from: printed)
        answer.timingMilliseconds = 0
        cli.timingMilliseconds = 0
        #expect(answer == cli)

        let filtered = try await session.call(
            "search_knowledge", ["query": "discount", "folder": "sales", "tags": ["pricing"], "mode": "lexical"])
        let inSales = try SearchJSON.decoder().decode(
            SearchResponse.self, from: Data(try #require(filtered.texts.last).utf8))
        #expect(inSales.results.map(\.title) == ["Wholesale pricing"])
        #expect(await session.stop() == 0)
    }

    @Test("get_source and get_chunks return the source with its chunks, by source id or document id")
    func sourceAndChunks() async throws {
        let session = try await MCPSession.start(databaseURL: fixture.url)
        let documentID = try #require(fixture.ids["Roaster fire procedure"])
        let whole = try await session.call("get_source", ["id": .string(documentID)])
        #expect(!whole.isError)
        let detail = try SearchJSON.decoder().decode(SourceDetail.self, from: Data(try #require(whole.texts.last).utf8))
        #expect(detail.title == "Roaster fire procedure")
        #expect(detail.entityID == documentID)
        #expect(detail.folderPath == "Operations/Safety")
        #expect(detail.status == "indexed")
        #expect(!detail.chunks.isEmpty && detail.chunks.count == detail.chunkCount)
        #expect(detail.chunks.map(\.chunkIndex) == Array(0..<detail.chunkCount))

        let sourceID = detail.sourceID.uuidString.lowercased()
        let ranked = try await session.call(
            "get_chunks", ["id": .string(sourceID), "query": "call the fire service", "limit": 1])
        #expect(!ranked.isError)
        let best = try SearchJSON.decoder().decode(SourceDetail.self, from: Data(try #require(ranked.texts.last).utf8))
        #expect(best.sourceID == detail.sourceID)
        #expect(best.chunks.count == 1)
        #expect(best.chunks.first?.content.contains("fire service") == true)

        let ordered = try await session.call("get_chunks", ["id": .string(sourceID)])
        let all = try SearchJSON.decoder().decode(SourceDetail.self, from: Data(try #require(ordered.texts.last).utf8))
        #expect(all.chunks.map(\.chunkID) == detail.chunks.map(\.chunkID))
        #expect(await session.stop() == 0)
    }

    @Test("boot_context loads the agent's boot documents as markdown; an unknown slug names close ones")
    func bootContext() async throws {
        let session = try await MCPSession.start(databaseURL: fixture.url)
        let boot = try await session.call("boot_context", ["slug": "roaster", "budget_tokens": 2000])
        #expect(!boot.isError)
        let bootText = try #require(boot.texts.last)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(bootText.utf8)) as? [String: Any])
        let documents = try #require(json["documents"] as? [[String: Any]])
        // The agent's own boot document before the one for every agent.
        #expect(documents.compactMap { $0["title"] as? String } == ["Roasting log duties", "House rules"])
        #expect((documents.first?["markdown"] as? String)?.hasPrefix("# Roasting log duties") == true)
        #expect(boot.texts.first?.contains("2 documents") == true)

        let unknown = try await session.call("boot_context", ["slug": "roastr"])
        #expect(unknown.isError)
        #expect(unknown.texts.joined().contains("roaster"))
        #expect(await session.stop() == 0)
    }

    @Test("assemble_draft_set writes a version with rendered variants and evidence; a bad contact writes nothing")
    func assembleDraftSet() async throws {
        let session = try await MCPSession.start(databaseURL: fixture.url)
        let contact = try #require(fixture.ids["contact"])
        let made = try await session.call(
            "assemble_draft_set", ["contact_id": .string(contact), "channel": "email", "stage": "intro", "variants": 2])
        #expect(!made.isError, "\(made.texts)")
        let madeText = try #require(made.texts.last)
        let set = try #require(try JSONSerialization.jsonObject(with: Data(madeText.utf8)) as? [String: Any])
        #expect(set["version"] as? Int == 1)
        let variants = try #require(set["variants"] as? [[String: Any]])
        #expect(variants.count == 2)
        #expect(
            (variants.first?["body"] as? String)?.hasPrefix("Hi Ada Lovelace, as the Owner of Analytical Café") == true)
        // The variant built on the template's angle is grounded; a variant without a passage above the relevance
        // floor cites nothing and the set is marked for review instead of citing filler.
        let grounded = (variants.first?["evidence"] as? [Any]) ?? []
        #expect(grounded.count > 0)
        let ungrounded = variants.contains { (($0["evidence"] as? [Any]) ?? []).isEmpty }
        #expect((set["meta"] as? [String: Any])?["needs_review"] as? Bool == ungrounded)

        let again = try await session.call(
            "assemble_draft_set", ["contact_id": .string(contact), "channel": "email", "stage": "intro", "variants": 1])
        let againText = try #require(again.texts.last)
        let second = try JSONSerialization.jsonObject(with: Data(againText.utf8)) as? [String: Any]
        #expect(second?["version"] as? Int == 2)

        let missing = try await session.call(
            "assemble_draft_set", ["contact_id": .string(UUID().uuidString), "channel": "email", "stage": "intro"])
        #expect(missing.isError)
        #expect(missing.texts.joined().contains("Nothing was written"))
        #expect(await session.stop() == 0)
    }

    @Test("bad arguments are tool errors naming the argument, and the server keeps serving")
    func badArguments() async throws {
        let session = try await MCPSession.start(databaseURL: fixture.url)
        let cases: [(tool: String, arguments: [String: Value], mentions: String)] = [
            ("search_knowledge", ["query": "fire", "limit": 0], "'limit'"),
            ("search_knowledge", ["query": "fire", "mode": "fuzzy"], "'mode'"),
            ("search_knowledge", ["query": "fire", "tags": 7], "'tags'"),
            ("search_knowledge", ["query": "fire", "colour": "red"], "'colour'"),
            ("search_knowledge", ["query": "fire", "updated_after": "last tuesday"], "'updated_after'"),
            ("search_knowledge", ["query": "fire", "folder": "Nowhere/Else"], "folder"),
            ("get_source", [:], "'id'"),
            ("get_source", ["id": "not-a-uuid"], "'id'"),
            ("get_source", ["id": .string(UUID().uuidString)], "No source"),
            ("get_chunks", ["id": .string(UUID().uuidString), "limit": 500], "'limit'"),
            ("delete_everything", [:], "Unknown tool"),
        ]
        for item in cases {
            let (texts, isError) = try await session.call(item.tool, item.arguments)
            #expect(isError, "\(item.tool) \(item.arguments) should be a tool error")
            #expect(
                texts.joined().contains(item.mentions),
                "\(item.tool): \(texts.joined()) should mention \(item.mentions)")
        }
        let after = try await session.call("search_knowledge", ["query": "espresso dose", "limit": 1])
        #expect(!after.isError)
        #expect(after.texts.first?.contains("Espresso recipe") == true)
        #expect(await session.stop() == 0)
    }

    @Test("without a reachable database the server starts, tools say so, and it keeps running")
    func databaseDown() async throws {
        let session = try await MCPSession.start(databaseURL: "postgresql://hq@127.0.0.1:1/hq?connect_timeout=2")
        let (texts, isError) = try await session.call("search_knowledge", ["query": "fire", "mode": "lexical"])
        #expect(isError)
        #expect(texts.joined().contains("database is unreachable"))
        #expect(texts.joined().contains("HQ_DATABASE_URL"))
        let source = try await session.call("get_source", ["id": .string(UUID().uuidString)])
        #expect(source.isError)
        let client = session.client
        let (tools, _) = try await withTimeout { try await client.listTools() }
        #expect(tools.count == 5)
        #expect(await session.stop() == 0)
    }
}

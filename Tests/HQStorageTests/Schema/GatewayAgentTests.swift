import Foundation
import HQStorage
import HQTestSupport
import Testing

@Suite("Gateways: one-time registration tokens (consume_gateway_token)")
struct GatewayTokenTests {
    @Test("only the SHA-256 of a token is stored; the token works once")
    func hashedSingleUse() async throws {
        try await SchemaDatabase.withDatabase { db, _ in
            let minted = try await db.query("SELECT token, token_id FROM mint_gateway_token('Office Mac', 15)")
            let (token, tokenID) = try minted[0].decode((String, UUID).self)
            #expect(token.count == 64 && token.allSatisfy(\.isHexDigit))
            // What is stored is sha256(token) in lowercase hex, and the plaintext appears nowhere in the row.
            let stored = try await db.query(
                """
                SELECT token_hash, encode(sha256(convert_to(\(token), 'UTF8')), 'hex'),
                       position(\(token) IN t::text)::int8
                  FROM gateway_registration_tokens t WHERE id = \(tokenID)
                """)
            let (hash, expected, position) = try stored[0].decode((String, String, Int).self)
            #expect(hash == expected)
            #expect(position == 0)
            // A plaintext token cannot be stored by mistake.
            await expectServerError("23514", "token_hash_check") {
                try await db.execute(
                    "INSERT INTO gateway_registration_tokens (token_hash, expires_at) VALUES (\(token.uppercased()), now() + interval '5 minutes')"
                )
            }

            let first = try await db.query("SELECT gateway_id, gateway_slug FROM consume_gateway_token(\(token))")
            let (gatewayID, slug) = try first[0].decode((UUID, String).self)
            #expect(slug == "office-mac")
            let gateway = try await db.query(
                "SELECT label, status, meta ->> 'registered_via' FROM gateways WHERE id = \(gatewayID)")
            #expect(try gateway[0].decode((String, String, String).self) == ("Office Mac", "provisioning", "token"))
            let consumed = try await db.query(
                "SELECT consumed_at IS NOT NULL, consumed_by_gateway_id FROM gateway_registration_tokens WHERE id = \(tokenID)"
            )
            #expect(try consumed[0].decode((Bool, UUID).self) == (true, gatewayID))

            await expectServerError("28000", "token_already_used") {
                _ = try await db.query("SELECT * FROM consume_gateway_token(\(token))")
            }
            await expectServerError("28000", "invalid_token") {
                _ = try await db.query("SELECT * FROM consume_gateway_token(\(String(repeating: "0", count: 48)))")
            }
            await expectServerError("28000", "invalid_token") {
                _ = try await db.query("SELECT * FROM consume_gateway_token(NULL)")
            }
            #expect(try await db.value(Int.self, "SELECT count(*) FROM gateways") == 2)  // default + the one
        }
    }

    @Test("expiry is honoured")
    func expiry() async throws {
        try await SchemaDatabase.withDatabase { db, _ in
            let token = "ab" + String(repeating: "c", count: 46)
            try await db.execute(
                """
                INSERT INTO gateway_registration_tokens (token_hash, label, expires_at)
                VALUES (hq_token_hash(\(token)), 'late', now() - interval '1 second')
                """)
            await expectServerError("28000", "token_expired") {
                _ = try await db.query("SELECT * FROM consume_gateway_token(\(token))")
            }
            #expect(
                try await db.value(Bool.self, "SELECT consumed_at IS NULL FROM gateway_registration_tokens") == true)
        }
    }

    @Test("labels and slug hints: label fallback, collisions get -2, -3; bad hints are refused")
    func slugs() async throws {
        try await SchemaDatabase.withDatabase { db, _ in
            func mint(_ label: String?) async throws -> String {
                try await db.value(String.self, "SELECT token FROM mint_gateway_token(\(label))")
            }
            let a = try await db.query("SELECT gateway_slug FROM consume_gateway_token(\(try await mint("Box")))")
            let b = try await db.query("SELECT gateway_slug FROM consume_gateway_token(\(try await mint("Box")))")
            let c = try await db.query(
                "SELECT gateway_slug FROM consume_gateway_token(\(try await mint(nil)), ' BOX ')")
            let d = try await db.query(
                "SELECT gateway_slug FROM consume_gateway_token(\(try await mint(nil)), NULL, 'My-Host')")
            let e = try await db.query("SELECT gateway_slug FROM consume_gateway_token(\(try await mint("!!!")))")
            #expect(try a[0].decode(String.self, column: 0) == "box")
            #expect(try b[0].decode(String.self, column: 0) == "box-2")
            #expect(try c[0].decode(String.self, column: 0) == "box-3")
            #expect(try d[0].decode(String.self, column: 0) == "My-Host")
            #expect(try e[0].decode(String.self, column: 0) == "gateway")
            let token = try await mint("x")
            await expectServerError("22023", "invalid_slug_hint") {
                _ = try await db.query("SELECT * FROM consume_gateway_token(\(token), NULL, 'a b; drop')")
            }
            // The failed call consumed nothing.
            #expect(try await db.query("SELECT gateway_slug FROM consume_gateway_token(\(token))").count == 1)
        }
    }

    @Test("anon may exchange a token but not mint one")
    func anonAccess() async throws {
        try await SchemaDatabase.withDatabase { db, _ in
            let token = try await db.value(String.self, "SELECT token FROM mint_gateway_token('anon box')")
            let slug = try await db.transaction { tx in
                try await tx.execute("SET LOCAL ROLE anon")
                return try await tx.value(String.self, "SELECT gateway_slug FROM consume_gateway_token(\(token))")
            }
            #expect(slug == "anon-box")
            await expectServerError("42501") {
                try await db.transaction { tx in
                    try await tx.execute("SET LOCAL ROLE anon")
                    _ = try await tx.query("SELECT * FROM mint_gateway_token('x')")
                }
            }
        }
    }
}

@Suite("Agents: agent_reports_chain and the org-chart cycle guard")
struct ReportsChainTests {
    @Test("the chain runs from the agent up to its top manager, bounded by p_max_depth")
    func chain() async throws {
        try await SchemaDatabase.withDatabase { db, _ in
            let ceo = try await db.agent("ceo")
            let vp = try await db.agent("vp")
            let lead = try await db.agent("lead")
            let dev = try await db.agent("dev")
            try await db.execute("UPDATE agents SET reports_to_id = \(ceo) WHERE id = \(vp)")
            try await db.execute("UPDATE agents SET reports_to_id = \(vp) WHERE id = \(lead)")
            try await db.execute("UPDATE agents SET reports_to_id = \(lead) WHERE id = \(dev)")
            let rows = try await db.query("SELECT depth, agent_id, slug, name FROM agent_reports_chain(\(dev))")
            let chain = try rows.map { try $0.decode((Int32, UUID, String, String).self) }
            #expect(chain.map(\.0) == [0, 1, 2, 3])
            #expect(chain.map(\.1) == [dev, lead, vp, ceo])
            #expect(chain.map(\.2) == ["dev", "lead", "vp", "ceo"])
            #expect(try await db.query("SELECT * FROM agent_reports_chain(\(dev), 1)").count == 2)
            #expect(try await db.query("SELECT * FROM agent_reports_chain(\(UUID()))").isEmpty)
        }
    }

    @Test("a reports_to_id that would close a cycle is refused")
    func cycles() async throws {
        try await SchemaDatabase.withDatabase { db, _ in
            let a = try await db.agent("a")
            let b = try await db.agent("b")
            let c = try await db.agent("c")
            try await db.execute("UPDATE agents SET reports_to_id = \(b) WHERE id = \(a)")
            try await db.execute("UPDATE agents SET reports_to_id = \(c) WHERE id = \(b)")
            await expectServerError("23514", "reporting cycle") {
                try await db.execute("UPDATE agents SET reports_to_id = \(a) WHERE id = \(c)")
            }
            await expectServerError("23514") {
                try await db.execute("UPDATE agents SET reports_to_id = \(b) WHERE id = \(b)")
            }
            // Moving within the tree is fine: c reports to nobody, a moves under c.
            try await db.execute("UPDATE agents SET reports_to_id = \(c) WHERE id = \(a)")
            #expect(try await db.query("SELECT * FROM agent_reports_chain(\(a))").count == 2)
            #expect(try await db.value(Bool.self, "SELECT reports_to_id IS NULL FROM agents WHERE id = \(c)"))
        }
    }
}

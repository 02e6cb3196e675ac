import Foundation
import HQStorage
import HQTestSupport
import Testing

@Suite("complete_setup(): the first-run wizard")
struct SetupWizardTests {
    private static let stages = """
        [{"stage_key":"lead","label":"Lead","color":"#6b7280","is_default":true},
         {"stage_key":"qualified","label":"Qualified","color":"#3b82f6"},
         {"stage_key":"won","label":"Won","color":"#22c55e","is_terminal":true}]
        """
    private static let fields = """
        [{"field_key":"deal_value","field_type":"number","label":"Deal value"},
         {"field_key":"source","field_type":"select","label":"Source","options":["inbound","outbound"],"description":""}]
        """
    private static let streams = """
        [{"name":"Operations","color":"#6b7280","type":"functional","sort_order":0},
         {"name":"Marketing","color":"#3b82f6","type":"functional","sort_order":1},
         {"name":"Side project","type":"custom","description":""}]
        """

    @Test("initialises the workspace and seeds stages, fields and streams once")
    func firstRun() async throws {
        try await SchemaDatabase.withDatabase { db, _ in
            try await db.execute(
                """
                SELECT complete_setup('Acme HQ', 'acme', '', 'Ada Lovelace', 'Ada', 'Europe/London',
                                      \(Self.stages)::jsonb, \(Self.fields)::jsonb, \(Self.streams)::jsonb)
                """)
            let ws = try await db.query(
                """
                SELECT name, slug, description IS NULL, owner_name, owner_preferred_name, owner_timezone, initialized
                  FROM workspace
                """)
            let w = try ws[0].decode((String, String, Bool, String, String, String, Bool).self)
            #expect((w.0, w.1, w.2) == ("Acme HQ", "acme", true))
            #expect((w.3, w.4, w.5, w.6) == ("Ada Lovelace", "Ada", "Europe/London", true))
            let stageRows = try await db.query(
                """
                SELECT stage_key, sort_order::int8, is_terminal, is_default FROM pipeline_stages
                 WHERE entity_type = 'contact' ORDER BY sort_order
                """
            ).map { try $0.decode((String, Int, Bool, Bool).self) }
            #expect(stageRows.map(\.0) == ["lead", "qualified", "won"])
            #expect(stageRows.map(\.2) == [false, false, true])
            #expect(stageRows.map(\.3) == [true, false, false])
            let options = try await db.value(
                String.self, "SELECT options::text FROM field_definitions WHERE field_key = 'source'")
            #expect(options == "[\"inbound\", \"outbound\"]")
            #expect(
                try await db.value(
                    Bool.self,
                    "SELECT options IS NULL AND is_active AND NOT required FROM field_definitions WHERE field_key = 'deal_value'"
                ))
            let streamRows = try await db.query("SELECT name, type::text, color FROM streams ORDER BY sort_order").map {
                (
                    $0.isNull(column: 2) ? nil : try $0.decode(String.self, column: 2),
                    try $0.decode(String.self, column: 0), try $0.decode(String.self, column: 1)
                )
            }
            #expect(streamRows.map(\.1) == ["Operations", "Marketing", "Side project"])
            #expect(streamRows.map(\.2) == ["functional", "functional", "custom"])
            #expect(streamRows[2].0 == nil)  // absent colour stays NULL, as in HQ

            // A second call (double submit, stray call) changes nothing: the streams and their tasks stay.
            let stream = try await db.value(UUID.self, "SELECT id FROM streams WHERE name = 'Operations'")
            let task = try await db.value(
                UUID.self, "INSERT INTO tasks (title, stream_id) VALUES ('t', \(stream)) RETURNING id")
            try await db.execute("SELECT complete_setup('Other', NULL, NULL, NULL, NULL, 'UTC', '[]', '[]', '[]')")
            #expect(try await db.value(String.self, "SELECT name FROM workspace") == "Acme HQ")
            #expect(try await db.value(Int.self, "SELECT count(*) FROM streams") == 3)
            #expect(try await db.value(UUID.self, "SELECT stream_id FROM tasks WHERE id = \(task)") == stream)
        }
    }

    @Test("bad input is refused; anon cannot run it")
    func validation() async throws {
        try await SchemaDatabase.withDatabase { db, _ in
            await expectServerError("22023", "unknown time zone") {
                try await db.execute(
                    "SELECT complete_setup('x', NULL, NULL, NULL, NULL, 'Nowhere/City', '[]', '[]', '[]')")
            }
            await expectServerError("22023", "JSON arrays") {
                try await db.execute("SELECT complete_setup('x', NULL, NULL, NULL, NULL, 'UTC', '{}', '[]', '[]')")
            }
            await expectServerError("22P02") {  // invalid stream_type
                try await db.execute(
                    "SELECT complete_setup('x', NULL, NULL, NULL, NULL, 'UTC', '[]', '[]', '[{\"name\":\"a\",\"type\":\"nope\"}]')"
                )
            }
            await expectServerError("42501") {
                try await db.transaction { tx in
                    try await tx.execute("SET LOCAL ROLE anon")
                    try await tx.execute("SELECT complete_setup('x', NULL, NULL, NULL, NULL, 'UTC', '[]', '[]', '[]')")
                }
            }
            #expect(try await db.value(Bool.self, "SELECT NOT initialized FROM workspace"))
            // Blank name → 'HQ', blank slug → NULL.
            try await db.execute("SELECT complete_setup('  ', ' ', NULL, NULL, NULL, '', NULL, NULL, NULL)")
            let ws = try await db.query("SELECT name, slug IS NULL, owner_timezone IS NULL, initialized FROM workspace")
            #expect(try ws[0].decode((String, Bool, Bool, Bool).self) == ("HQ", true, true, true))
        }
    }
}

@Suite("RLS, realtime publication, storage bucket (016 over every table)")
struct AccessTests {
    static let hqTables = [
        "workspace", "pipeline_stages", "field_definitions", "tags", "campaigns", "contacts", "organizations",
        "contact_organizations", "templates", "gateways", "gateway_registration_tokens", "agents", "interactions",
        "streams", "tasks", "task_series", "comments", "task_attachments", "asset_folders", "assets",
        "document_folders", "documents", "knowledge_sources", "knowledge_chunks", "draft_sets", "audit_log",
        "notifications", "agent_inbox_items", "automation_rules", "agent_commands", "agent_usage", "agent_budgets",
    ]

    static let engineTables = [
        "knowledge_chunk_vectors", "knowledge_chunk_terms", "knowledge_lexical_stats", "knowledge_source_terms",
        "knowledge_source_lexical_stats",
    ]

    @Test("plain PostgreSQL: every HQ table has RLS and its policies; no publication or storage needed")
    func plain() async throws {
        try await SchemaDatabase.withDatabase { db, _ in
            #expect(Self.hqTables.count == 32)
            let rows = try await db.query(
                """
                SELECT c.relname, c.relrowsecurity,
                       EXISTS (SELECT 1 FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname
                                 AND 'authenticated' = ANY (p.roles) AND p.cmd = 'ALL')
                  FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY (\(Self.hqTables))
                """
            ).map { try $0.decode((String, Bool, Bool).self) }
            #expect(rows.count == 32)
            #expect(rows.filter { !$0.1 }.map(\.0) == [])
            #expect(rows.filter { !$0.2 }.map(\.0) == [])
            // The engine's own tables (vectors, the BM25 index and its statistics) are guarded the same way.
            let engine = try await db.query(
                """
                SELECT c.relname FROM pg_class c
                 WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY (\(Self.engineTables))
                   AND c.relrowsecurity
                   AND EXISTS (SELECT 1 FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname
                                 AND 'authenticated' = ANY (p.roles) AND p.cmd = 'ALL')
                 ORDER BY 1
                """
            ).map { try $0.decode(String.self, column: 0) }
            #expect(engine == Self.engineTables.sorted())
            await expectServerError("42501") {
                try await db.transaction { tx in
                    try await tx.execute("SET LOCAL ROLE anon")
                    _ = try await tx.query("SELECT * FROM knowledge_chunk_terms")
                }
            }
            #expect(
                try await db.value(
                    String.self,
                    "SELECT policyname FROM pg_policies WHERE tablename = 'gateway_registration_tokens' AND 'authenticated' = ANY (roles)"
                ) == "gateway_registration_tokens_all")
            #expect(
                try await db.value(Int.self, "SELECT count(*) FROM pg_publication WHERE pubname = 'supabase_realtime'")
                    == 0)
            // authenticated sees rows through the policy; anon sees none (RLS, no anon policy, no grant).
            try await db.execute("INSERT INTO streams (name) VALUES ('s')")
            let seen = try await db.transaction { tx in
                try await tx.execute("SET LOCAL ROLE authenticated")
                return try await tx.value(Int.self, "SELECT count(*) FROM streams")
            }
            #expect(seen == 1)
            await expectServerError("42501") {
                try await db.transaction { tx in
                    try await tx.execute("SET LOCAL ROLE anon")
                    _ = try await tx.query("SELECT * FROM agent_commands")
                }
            }
        }
    }

    @Test("with Supabase stand-ins: publication membership as HQ's, REPLICA IDENTITY, the assets bucket")
    func supabase() async throws {
        // A fresh database that has the publication and a storage schema before the migrations run.
        let url = try await TestDatabase.freshDatabase()
        let db = try await PostgresConnection.connect(PostgresConfiguration(url), logger: TestDatabase.logger)
        do {
            try await db.execute(
                script: """
                    CREATE PUBLICATION supabase_realtime;
                    CREATE SCHEMA storage;
                    CREATE TABLE storage.buckets (id text PRIMARY KEY, name text, public boolean);
                    CREATE TABLE storage.objects (id uuid, bucket_id text, name text);
                    """)
            let set = try MigrationSet(directory: TestDatabase.packageRoot + "/db/migrations")
            try await MigrationRunner(migrations: set, logger: TestDatabase.logger).migrate(db)
            let published = Set(
                try await db.query(
                    """
                    SELECT tablename FROM pg_publication_tables WHERE pubname = 'supabase_realtime' AND schemaname = 'public'
                    """
                ).map { try $0.decode(String.self, column: 0) })
            let expected = Set(Self.hqTables).subtracting(["agent_usage", "gateway_registration_tokens"])
            #expect(published == expected)
            // FULL replica identity, except tables with a stored generated column (PG18 would refuse their updates).
            let notFull = try await db.query(
                """
                SELECT c.relname FROM pg_class c
                 WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY (\(Array(expected))) AND c.relreplident <> 'f'
                """
            ).map { try $0.decode(String.self, column: 0) }
            #expect(notFull == ["knowledge_chunks"])
            // Updates on published tables work (agent_budgets via the rollup trigger, tasks, commands).
            let agent = try await db.value(UUID.self, "INSERT INTO agents (name, slug) VALUES ('A', 'a') RETURNING id")
            try await db.execute(
                "INSERT INTO agent_usage (agent_id, run_id, provider, model, cost_total_usd) VALUES (\(agent), 'r', 'p', 'm', 1)"
            )
            try await db.execute(
                "INSERT INTO agent_usage (agent_id, run_id, provider, model, cost_total_usd) VALUES (\(agent), 'r2', 'p', 'm', 1)"
            )
            try await db.execute("INSERT INTO tasks (title, assignee_agent_id) VALUES ('t', \(agent))")
            try await db.execute("UPDATE tasks SET status = 'done'")
            #expect(
                try await db.value(Int.self, "SELECT count(*) FROM storage.buckets WHERE id = 'assets' AND NOT public")
                    == 1)
            #expect(
                try await db.value(
                    Int.self, "SELECT count(*) FROM pg_policies WHERE schemaname = 'storage' AND tablename = 'objects'")
                    == 4)
            await db.close()
            await SchemaDatabase.drop(url)
        } catch {
            await db.close()
            await SchemaDatabase.drop(url)
            throw error
        }
    }
}

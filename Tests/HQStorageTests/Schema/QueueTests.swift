import Foundation
import HQStorage
import HQTestSupport
import Testing

/// Runs `workers` concurrent sessions that each call `lease` until it returns nil; returns every id leased.
private func leaseConcurrently(
    url: String, workers: Int, _ lease: @escaping @Sendable (PostgresConnection) async throws -> UUID?
) async throws -> [UUID] {
    let pool = PostgresPool(
        configuration: PostgresConfiguration(url), maxConnections: workers, logger: TestDatabase.logger)
    do {
        let ids = try await leaseAll(pool: pool, workers: workers, lease)
        await pool.close()
        return ids
    } catch {
        await pool.close()
        throw error
    }
}

private func leaseAll(
    pool: PostgresPool, workers: Int, _ lease: @escaping @Sendable (PostgresConnection) async throws -> UUID?
) async throws -> [UUID] {
    try await withThrowingTaskGroup(of: [UUID].self) { group in
        for _ in 0..<workers {
            group.addTask {
                try await pool.withConnection { connection in
                    var mine: [UUID] = []
                    while let id = try await lease(connection) { mine.append(id) }
                    return mine
                }
            }
        }
        var all: [UUID] = []
        for try await ids in group { all += ids }
        return all
    }
}

@Suite("Agent inbox queue: lease_inbox_item / complete_inbox_item / fail_inbox_item")
struct InboxQueueTests {
    @Test("concurrent sessions never lease the same item; each item is leased exactly once")
    func concurrentLeasing() async throws {
        try await SchemaDatabase.withDatabase { db, url in
            let agent = try await db.agent("worker")
            try await db.execute(
                """
                INSERT INTO agent_inbox_items (agent_id, agent_slug, event_type, dedup_key, created_at)
                SELECT \(agent), 'worker', 'task_assignment', 'k' || g, now() - make_interval(secs => 100 - g)
                  FROM generate_series(1, 60) g
                """)
            let leased = try await leaseConcurrently(url: url, workers: 6) { connection in
                let rows = try await connection.query("SELECT id FROM lease_inbox_item(\(agent), 60)")
                return try rows.first?.decode(UUID.self, column: 0)
            }
            #expect(leased.count == 60)
            #expect(Set(leased).count == 60)
            let counts = try await db.query(
                "SELECT count(*) FILTER (WHERE status = 'leased' AND attempt_count = 1)::int8 FROM agent_inbox_items")
            #expect(try counts[0].decode(Int.self, column: 0) == 60)
        }
    }

    @Test("oldest first, other agents' items untouched, expired leases come back with the attempt counted")
    func expiryAndOrder() async throws {
        try await SchemaDatabase.withDatabase { db, _ in
            let a = try await db.agent("a")
            let b = try await db.agent("b")
            try await db.execute(
                """
                INSERT INTO agent_inbox_items (agent_id, agent_slug, event_type, dedup_key, created_at) VALUES
                  (\(a), 'a', 'task_assignment', 'new', now()),
                  (\(a), 'a', 'task_assignment', 'old', now() - interval '1 hour'),
                  (\(b), 'b', 'task_assignment', 'other', now() - interval '2 hours')
                """)
            let first = try await db.query(
                "SELECT dedup_key, attempt_count::int8, status::text FROM lease_inbox_item(\(a), 30)")
            #expect(try first[0].decode((String, Int, String).self) == ("old", 1, "leased"))
            let second = try await db.value(String.self, "SELECT dedup_key FROM lease_inbox_item(\(a), 30)")
            #expect(second == "new")
            #expect(try await db.query("SELECT * FROM lease_inbox_item(\(a), 30)").isEmpty)
            // The lease of 'old' runs out: it comes back, attempt 2.
            try await db.execute(
                "UPDATE agent_inbox_items SET leased_until = now() - interval '1 second' WHERE dedup_key = 'old'")
            let again = try await db.query("SELECT dedup_key, attempt_count::int8 FROM lease_inbox_item(\(a), 30)")
            #expect(try again[0].decode((String, Int).self) == ("old", 2))
            #expect(
                try await db.value(String.self, "SELECT status::text FROM agent_inbox_items WHERE dedup_key = 'other'")
                    == "pending")
        }
    }

    @Test("fail retries until max_attempts, then dead-letters with the reason; done and dead_letter never lease")
    func failAndDeadLetter() async throws {
        try await SchemaDatabase.withDatabase { db, _ in
            let a = try await db.agent("a")
            let item = try await db.value(
                UUID.self,
                """
                INSERT INTO agent_inbox_items (agent_id, agent_slug, event_type, dedup_key)
                VALUES (\(a), 'a', 'task_assignment', 'x') RETURNING id
                """)
            for attempt in 1...3 {
                let leased = try await db.value(UUID.self, "SELECT id FROM lease_inbox_item(\(a))")
                #expect(leased == item)
                try await db.execute("SELECT fail_inbox_item(\(item), \("boom \(attempt)"))")
                let state = try await db.query(
                    """
                    SELECT status::text, attempt_count::int8, context ->> 'last_failure_reason', failed_at IS NOT NULL
                      FROM agent_inbox_items WHERE id = \(item)
                    """)
                let (status, count, reason, failed) = try state[0].decode((String, Int, String, Bool).self)
                #expect(status == (attempt < 3 ? "failed" : "dead_letter"))
                #expect(count == attempt)
                #expect(reason == "boom \(attempt)")
                #expect(failed)
            }
            #expect(try await db.query("SELECT * FROM lease_inbox_item(\(a))").isEmpty)
            // A late fail/complete does not resurrect or re-open it... complete is the worker's final word though.
            try await db.execute("SELECT fail_inbox_item(\(item), 'again')")
            #expect(
                try await db.value(String.self, "SELECT status::text FROM agent_inbox_items WHERE id = \(item)")
                    == "dead_letter")

            // Without a reason the key is JSON null.
            let other = try await db.value(
                UUID.self,
                """
                INSERT INTO agent_inbox_items (agent_id, agent_slug, event_type, dedup_key)
                VALUES (\(a), 'a', 'task_assignment', 'y') RETURNING id
                """)
            _ = try await db.query("SELECT * FROM lease_inbox_item(\(a))")
            try await db.execute("SELECT fail_inbox_item(\(other))")
            #expect(
                try await db.value(
                    String.self,
                    "SELECT jsonb_typeof(context -> 'last_failure_reason') FROM agent_inbox_items WHERE id = \(other)")
                    == "null")
            _ = try await db.query("SELECT * FROM lease_inbox_item(\(a))")
            try await db.execute("SELECT complete_inbox_item(\(other))")
            let done = try await db.query(
                "SELECT status::text, completed_at IS NOT NULL, leased_until IS NULL FROM agent_inbox_items WHERE id = \(other)"
            )
            #expect(try done[0].decode((String, Bool, Bool).self) == ("done", true, true))
            try await db.execute("SELECT fail_inbox_item(\(other), 'late')")
            #expect(
                try await db.value(String.self, "SELECT status::text FROM agent_inbox_items WHERE id = \(other)")
                    == "done")
            #expect(try await db.query("SELECT * FROM lease_inbox_item(\(a))").isEmpty)
        }
    }

    @Test("a last lease that expires without an answer dead-letters the item instead of leaving it leased")
    func expiredLastLease() async throws {
        try await SchemaDatabase.withDatabase { db, _ in
            let a = try await db.agent("a")
            try await db.execute(
                """
                INSERT INTO agent_inbox_items (agent_id, agent_slug, event_type, dedup_key, max_attempts)
                VALUES (\(a), 'a', 'task_assignment', 'z', 1)
                """)
            _ = try await db.query("SELECT * FROM lease_inbox_item(\(a), 30)")
            try await db.execute("UPDATE agent_inbox_items SET leased_until = now() - interval '1 second'")
            #expect(try await db.query("SELECT * FROM lease_inbox_item(\(a), 30)").isEmpty)
            let row = try await db.query(
                "SELECT status::text, context ->> 'last_failure_reason' FROM agent_inbox_items")
            #expect(try row[0].decode((String, String).self) == ("dead_letter", "lease expired"))
        }
    }

    @Test("dedup_key is unique")
    func dedup() async throws {
        try await SchemaDatabase.withDatabase { db, _ in
            let a = try await db.agent("a")
            try await db.execute(
                "INSERT INTO agent_inbox_items (agent_id, agent_slug, event_type, dedup_key) VALUES (\(a), 'a', 'contact_created', 'same')"
            )
            await expectServerError("23505", "uq_inbox_dedup") {
                try await db.execute(
                    "INSERT INTO agent_inbox_items (agent_id, agent_slug, event_type, dedup_key) VALUES (\(a), 'a', 'contact_created', 'same')"
                )
            }
        }
    }
}

@Suite("Command queue: lease_command / start_command / complete_command / fail_command")
struct CommandQueueTests {
    @Test("concurrent gateways never lease the same command; gateway scoping")
    func concurrentLeasing() async throws {
        try await SchemaDatabase.withDatabase { db, url in
            try await db.execute("INSERT INTO gateways (slug, label) VALUES ('g1', 'G1'), ('g2', 'G2')")
            try await db.execute(
                """
                INSERT INTO agent_commands (gateway_id, action, created_at)
                SELECT (SELECT id FROM gateways WHERE slug = 'g1'), 'update', now() - make_interval(secs => 100 - g)
                  FROM generate_series(1, 40) g
                """)
            try await db.execute(
                "INSERT INTO agent_commands (gateway_id, action) SELECT id, 'restart_gateway' FROM gateways WHERE slug = 'g2'"
            )
            try await db.execute("INSERT INTO agent_commands (gateway_id, action) VALUES (NULL, 'update_all')")
            let leased = try await leaseConcurrently(url: url, workers: 5) { connection in
                let rows = try await connection.query("SELECT id FROM lease_command(60, 'g1')")
                return try rows.first?.decode(UUID.self, column: 0)
            }
            #expect(leased.count == 41)  // 40 for g1 + the one for any gateway
            #expect(Set(leased).count == 41)
            // An unknown gateway sees only NULL-gateway commands (none left); g2's command stays for g2.
            #expect(try await db.query("SELECT * FROM lease_command(60, 'nope')").isEmpty)
            let g2 = try await db.value(String.self, "SELECT action::text FROM lease_command(60, 'g2')")
            #expect(g2 == "restart_gateway")
        }
    }

    @Test("expired leases come back with the attempt counted; attempts are bounded; lifecycle")
    func lifecycle() async throws {
        try await SchemaDatabase.withDatabase { db, _ in
            let id = try await db.value(
                UUID.self, "INSERT INTO agent_commands (action, payload) VALUES ('provision', '{\"x\":1}') RETURNING id"
            )
            await expectServerError("55000", "command_not_leased") {
                try await db.execute("SELECT start_command(\(id))")
            }
            for attempt in 1...3 {
                let row = try await db.query("SELECT id, attempt_count::int8, status::text FROM lease_command(30)")
                #expect(try row[0].decode((UUID, Int, String).self) == (id, attempt, "leased"))
                #expect(try await db.query("SELECT * FROM lease_command(30)").isEmpty)
                try await db.execute("UPDATE agent_commands SET leased_until = now() - interval '1 second'")
            }
            // Third lease expired: no attempts left → failed, visibly.
            #expect(try await db.query("SELECT * FROM lease_command(30)").isEmpty)
            let failed = try await db.query("SELECT status::text, error_message FROM agent_commands WHERE id = \(id)")
            #expect(try failed[0].decode((String, String).self) == ("failed", "lease expired after 3 attempts"))

            let ok = try await db.value(
                UUID.self, "INSERT INTO agent_commands (action) VALUES ('list_models') RETURNING id")
            _ = try await db.query("SELECT * FROM lease_command()")
            try await db.execute("SELECT start_command(\(ok))")
            try await db.execute("SELECT start_command(\(ok))")  // idempotent while running
            try await db.execute("UPDATE agent_commands SET leased_until = now() - interval '1 hour' WHERE id = \(ok)")
            #expect(try await db.query("SELECT * FROM lease_command()").isEmpty)  // running is never re-leased
            try await db.execute("SELECT complete_command(\(ok), 0, 'out')")
            let done = try await db.query(
                "SELECT status::text, exit_code, stdout, stderr IS NULL, completed_at IS NOT NULL FROM agent_commands WHERE id = \(ok)"
            )
            #expect(
                try done[0].decode((String, Int32, String, Bool, Bool).self) == ("done", Int32(0), "out", true, true))
            try await db.execute("SELECT fail_command(\(ok), 1, NULL, 'err', 'late')")
            #expect(
                try await db.value(String.self, "SELECT status::text FROM agent_commands WHERE id = \(ok)") == "done")

            let bad = try await db.value(
                UUID.self, "INSERT INTO agent_commands (action) VALUES ('auth_list') RETURNING id")
            _ = try await db.query("SELECT * FROM lease_command()")
            try await db.execute("SELECT start_command(\(bad))")
            try await db.execute("SELECT fail_command(\(bad), 2, 'o', 'e', 'no auth')")
            let row = try await db.query(
                "SELECT status::text, exit_code, stderr, error_message, failed_at IS NOT NULL FROM agent_commands WHERE id = \(bad)"
            )
            #expect(
                try row[0].decode((String, Int32, String, String, Bool).self) == (
                    "failed", Int32(2), "e", "no auth", true
                ))
        }
    }

    @Test("dedup_key allows one active command per key")
    func dedup() async throws {
        try await SchemaDatabase.withDatabase { db, _ in
            let id = try await db.value(
                UUID.self, "INSERT INTO agent_commands (action, dedup_key) VALUES ('update', 'upd:a') RETURNING id")
            await expectServerError("23505", "agent_commands_active_dedup_key") {
                try await db.execute("INSERT INTO agent_commands (action, dedup_key) VALUES ('update', 'upd:a')")
            }
            _ = try await db.query("SELECT * FROM lease_command()")
            try await db.execute("SELECT complete_command(\(id), 0)")
            try await db.execute("INSERT INTO agent_commands (action, dedup_key) VALUES ('update', 'upd:a')")
        }
    }
}

import Foundation
import HQStorage
import HQTestSupport
import Testing

@Suite("Usage budgets: agent_usage rollup into agent_budgets, budget notifications")
struct BudgetTests {
    private func usage(
        _ db: PostgresConnection, _ agent: UUID, _ run: String, cost: Double?, tokens: Int = 100,
        at: String = "now()"
    ) async throws {
        let costSQL = cost.map { "\($0)" } ?? "NULL"
        try await db.execute(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO agent_usage (agent_id, run_id, provider, model, cost_total_usd, total_tokens, occurred_at)
                    VALUES ($1, $2, 'anthropic', 'claude', \(costSQL), \(tokens), \(at))
                    """, bindings: [agent, run]))
    }

    private func budget(_ db: PostgresConnection, _ agent: UUID) async throws -> (String, Double, Int, Int, Int) {
        let rows = try await db.query(
            """
            SELECT status::text, current_period_spend_usd::float8, current_period_tokens::int8,
                   current_period_metered_calls::int8, current_period_unmetered_calls::int8
              FROM agent_budgets WHERE agent_id = \(agent)
            """)
        return try rows[0].decode((String, Double, Int, Int, Int).self)
    }

    private func notices(_ db: PostgresConnection, _ agent: UUID) async throws -> [String] {
        try await db.query(
            """
            SELECT type || '|' || title || '|' || body || '|' || (meta ->> 'period_start')
              FROM notifications WHERE entity_type = 'agent_budget' AND entity_id = \(agent) ORDER BY created_at, type
            """
        ).map { try $0.decode(String.self, column: 0) }
    }

    @Test("spend rolls up; crossing the warning and the limit notifies once per period")
    func rollupAndNotifications() async throws {
        try await SchemaDatabase.withDatabase { db, _ in
            try await db.execute("UPDATE workspace SET default_agent_budget_usd = 10, owner_timezone = 'UTC'")
            let agent = try await db.agent("writer", name: "Writer")
            try await usage(db, agent, "r1", cost: 5)
            #expect(try await budget(db, agent) == ("ok", 5, 100, 1, 0))
            #expect(try await notices(db, agent).isEmpty)
            let period = try await db.value(
                String.self, "SELECT to_char(date_trunc('month', now() AT TIME ZONE 'UTC'), 'YYYY-MM-DD')")
            #expect(
                try await db.value(
                    String.self, "SELECT current_period_start::text FROM agent_budgets WHERE agent_id = \(agent)")
                    == period)

            try await usage(db, agent, "r2", cost: 3.5)
            #expect(try await budget(db, agent).0 == "warned")
            #expect(
                try await notices(db, agent) == [
                    "budget.warned|Agent Writer near monthly budget|Spent $8.50 of $10.00|\(period)"
                ])

            try await usage(db, agent, "r3", cost: nil, tokens: 7)  // unmetered call: counted, no spend
            #expect(try await budget(db, agent) == ("warned", 8.5, 207, 2, 1))

            try await usage(db, agent, "r4", cost: 2)
            #expect(try await budget(db, agent).0 == "exceeded")
            try await usage(db, agent, "r5", cost: 4)
            let all = try await notices(db, agent)
            #expect(all.count == 2)
            #expect(
                all.last
                    == "budget.exceeded|Agent Writer exceeded monthly budget|Stopped at $10.50 (limit $10.00)|\(period)"
            )
            #expect(
                try await db.value(
                    Bool.self,
                    "SELECT warned_at IS NOT NULL AND exceeded_at IS NOT NULL FROM agent_budgets WHERE agent_id = \(agent)"
                ))

            // Lowering spend by recompute (e.g. after deleting rows) clears the stamps; no new notification.
            try await db.execute("DELETE FROM agent_usage WHERE run_id IN ('r4', 'r5')")
            let recomputed = try await db.query(
                "SELECT status::text, current_period_spend_usd::float8, exceeded_at IS NULL FROM recompute_agent_budget(\(agent))"
            )
            #expect(try recomputed[0].decode((String, Double, Bool).self) == ("warned", 8.5, true))
            // Crossing the limit again within the period does not notify a second time.
            try await usage(db, agent, "r6", cost: 5)
            #expect(try await notices(db, agent).count == 2)

            // Idempotent ingestion: the same (run_id, provider, model, occurred_at) cannot be inserted twice.
            await expectServerError("23505", "agent_usage_idem") {
                try await db.execute(
                    """
                    INSERT INTO agent_usage (agent_id, run_id, provider, model, occurred_at)
                    SELECT agent_id, run_id, provider, model, occurred_at FROM agent_usage WHERE run_id = 'r6'
                    """)
            }
        }
    }

    @Test("a new month restarts the counters and may notify again; late rows of a past month leave it alone")
    func periods() async throws {
        try await SchemaDatabase.withDatabase { db, _ in
            try await db.execute("UPDATE workspace SET default_agent_budget_usd = 10, owner_timezone = 'Europe/Berlin'")
            let agent = try await db.agent("analyst")
            try await usage(db, agent, "a1", cost: 11, at: "now() - interval '40 days'")
            #expect(try await budget(db, agent).0 == "exceeded")
            try await usage(db, agent, "a2", cost: 9, at: "now()")
            #expect(try await budget(db, agent) == ("warned", 9, 100, 1, 0))
            #expect(
                try await db.value(Bool.self, "SELECT exceeded_at IS NULL FROM agent_budgets WHERE agent_id = \(agent)")
            )
            // Two periods, one exceeded and one warned notification, each with its own period_start.
            #expect(try await notices(db, agent).count == 2)
            #expect(
                try await db.value(
                    Int.self,
                    "SELECT count(DISTINCT meta ->> 'period_start') FROM notifications WHERE entity_id = \(agent)") == 2
            )
            // A late row from the past month is logged but does not touch the current period.
            try await usage(db, agent, "a3", cost: 50, at: "now() - interval '40 days' + interval '1 second'")
            #expect(try await budget(db, agent) == ("warned", 9, 100, 1, 0))
            #expect(try await db.value(Int.self, "SELECT count(*) FROM agent_usage WHERE agent_id = \(agent)") == 3)
        }
    }

    @Test("no limit → ok; only unmetered calls → unmetered; rows without agent are just logged")
    func statuses() async throws {
        try await SchemaDatabase.withDatabase { db, _ in
            let free = try await db.agent("free")
            try await usage(db, free, "f1", cost: 1000)
            #expect(try await budget(db, free).0 == "ok")
            let local = try await db.agent("local")
            try await db.execute("INSERT INTO agent_budgets (agent_id, monthly_limit_usd) VALUES (\(local), 5)")
            try await usage(db, local, "l1", cost: nil)
            #expect(try await budget(db, local) == ("unmetered", 0, 100, 0, 1))
            try await db.execute("INSERT INTO agent_usage (run_id, provider, model) VALUES ('orphan', 'p', 'm')")
            #expect(try await db.value(Int.self, "SELECT count(*) FROM agent_budgets") == 2)
            let daily = try await db.query("SELECT day, spend_usd::float8, tokens FROM get_agent_daily_usage(\(free))")
            #expect(daily.count == 1)
            #expect(try daily[0].decode(Double.self, column: 1) == 1000)
        }
    }
}

import Foundation
import HQStorage
import HQTestSupport
import Testing

@Suite("Recurring task series: next_occurrence, the series trigger, spawn_due_task_instances")
struct RecurringTaskTests {
    /// next_occurrence of a series defined by `columns` (SQL column list/values), from `from` (a timestamptz literal).
    private func next(_ db: PostgresConnection, _ values: String, from: String) async throws -> String? {
        let id = try await db.value(
            UUID.self,
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO task_series (title, cadence_type, interval_n, days_of_week, day_of_month, time_of_day, timezone,
                                             starts_on)
                    VALUES ('s', \(values), DATE '2020-01-01') RETURNING id
                    """))
        let rows = try await db.query(
            """
            SELECT to_char(next_occurrence(s, \(from)::timestamptz) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')
              FROM task_series s WHERE s.id = \(id)
            """)
        return rows[0].isNull(column: 0) ? nil : try rows[0].decode(String.self, column: 0)
    }

    private func check(
        _ db: PostgresConnection, _ values: String, from: String, _ expected: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let got = try await next(db, values, from: from)
        #expect(got == expected, "\(values) from \(from)", sourceLocation: sourceLocation)
    }

    @Test("next occurrence math: cadences, month ends, weekdays, DST")
    func math() async throws {
        try await SchemaDatabase.withDatabase { db, _ in
            // daily 09:00 Berlin (UTC+1 in January): before 09:00 → today, after → tomorrow.
            try await check(
                db, "'daily', 1, '{}', NULL, '09:00', 'Europe/Berlin'", from: "2027-01-14 07:00Z", "2027-01-14 08:00")
            try await check(
                db, "'daily', 1, '{}', NULL, '09:00', 'Europe/Berlin'", from: "2027-01-14 08:00Z", "2027-01-15 08:00")
            // every 3 days.
            try await check(
                db, "'every_n_days', 3, '{}', NULL, '09:00', 'UTC'", from: "2027-01-14 10:00Z", "2027-01-17 09:00")
            // DST: Berlin switches to UTC+2 on 2027-03-28, so 09:00 local becomes 07:00 UTC.
            try await check(
                db, "'daily', 1, '{}', NULL, '09:00', 'Europe/Berlin'", from: "2027-03-27 09:00Z", "2027-03-28 07:00")
            // weekdays: Friday after 09:00 → Monday.
            try await check(
                db, "'weekdays', 1, '{}', NULL, '09:00', 'UTC'", from: "2027-01-15 10:00Z", "2027-01-18 09:00")
            // weekly on Monday and Wednesday (1, 3): from Monday 10:00 → Wednesday.
            try await check(
                db, "'weekly', 1, '{1,3}', NULL, '09:00', 'UTC'", from: "2027-01-18 10:00Z", "2027-01-20 09:00")
            // weekly without days: same weekday, interval_n weeks later once today's time has passed.
            try await check(
                db, "'weekly', 2, '{}', NULL, '09:00', 'UTC'", from: "2027-01-18 10:00Z", "2027-02-01 09:00")
            // monthly: last day (-1) of February, 31st clamped to April 30th, NULL day → the 1st.
            try await check(db, "'monthly', 1, '{}', -1, '09:00', 'UTC'", from: "2027-02-10 00:00Z", "2027-02-28 09:00")
            try await check(db, "'monthly', 1, '{}', 31, '09:00', 'UTC'", from: "2027-04-02 00:00Z", "2027-04-30 09:00")
            try await check(
                db, "'monthly', 1, '{}', NULL, '09:00', 'UTC'", from: "2027-04-02 00:00Z", "2027-05-01 09:00")
            try await check(db, "'monthly', 1, '{}', 15, '09:00', 'UTC'", from: "2027-12-20 00:00Z", "2028-01-15 09:00")

            // Validation: unknown timezone, bad weekday.
            await expectServerError("22023") {
                try await db.execute(
                    "INSERT INTO task_series (title, cadence_type, timezone) VALUES ('x', 'daily', 'Mars/Olympus')")
            }
            await expectServerError("23514") {
                try await db.execute(
                    "INSERT INTO task_series (title, cadence_type, timezone, days_of_week) VALUES ('x', 'weekly', 'UTC', '{7}')"
                )
            }
        }
    }

    @Test("the series trigger schedules, pauses and honours ends_on")
    func trigger() async throws {
        try await SchemaDatabase.withDatabase { db, _ in
            let id = try await db.value(
                UUID.self,
                """
                INSERT INTO task_series (title, cadence_type, timezone, time_of_day, next_occurrence_at)
                VALUES ('standup', 'daily', 'UTC', '09:00', '2000-01-01') RETURNING id
                """)
            // On insert the caller's value is replaced by the next 09:00 UTC after now.
            let next = try await db.value(
                Bool.self,
                """
                SELECT next_occurrence_at > now() AND next_occurrence_at <= now() + interval '1 day'
                       AND to_char(next_occurrence_at AT TIME ZONE 'UTC', 'HH24:MI') = '09:00'
                  FROM task_series WHERE id = \(id)
                """)
            #expect(next)
            try await db.execute("UPDATE task_series SET is_paused = true WHERE id = \(id)")
            #expect(
                try await db.value(Bool.self, "SELECT next_occurrence_at IS NULL FROM task_series WHERE id = \(id)"))
            try await db.execute("UPDATE task_series SET is_paused = false WHERE id = \(id)")
            #expect(
                try await db.value(Bool.self, "SELECT next_occurrence_at IS NOT NULL FROM task_series WHERE id = \(id)")
            )
            // starts_on in the future: the first occurrence is that day.
            try await db.execute("UPDATE task_series SET starts_on = DATE '2031-05-06' WHERE id = \(id)")
            #expect(
                try await db.value(String.self, "SELECT next_occurrence_at::text FROM task_series WHERE id = \(id)")
                    == "2031-05-06 09:00:00+00")
            // ends_on before the next occurrence: paused.
            try await db.execute(
                "UPDATE task_series SET ends_on = DATE '2031-05-01', time_of_day = '10:00' WHERE id = \(id)")
            #expect(
                try await db.value(
                    Bool.self, "SELECT is_paused AND next_occurrence_at IS NULL FROM task_series WHERE id = \(id)"))
        }
    }

    @Test(
        "the spawner creates the due instance once, catches up, auto-skips, notifies the assignee, stops at ends_after_count"
    )
    func spawner() async throws {
        try await SchemaDatabase.withDatabase { db, _ in
            let agent = try await db.agent("ops")
            let series = try await db.value(
                UUID.self,
                """
                INSERT INTO task_series (title, cadence_type, timezone, time_of_day, assignee_agent_id, priority, tags,
                                         model_override, ends_after_count)
                VALUES ('Check backups', 'daily', 'UTC', '06:00', \(agent), 'high', '{ops}', 'sonnet', 2) RETURNING id
                """)
            // Make it three and a bit days overdue.
            try await db.execute(
                """
                UPDATE task_series SET next_occurrence_at = date_trunc('day', now()) - interval '3 days' + interval '6 hours'
                 WHERE id = \(series)
                """)
            try await db.execute("SELECT spawn_due_task_instances()")
            let tasks = try await db.query(
                """
                SELECT id, title, status::text, priority::text, tags, model_override, series_occurrence_at = due_at AND due_at = due_date,
                       series_occurrence_at <= now() AND series_occurrence_at > now() - interval '1 day'
                  FROM tasks WHERE series_id = \(series)
                """)
            #expect(tasks.count == 1)
            let (task, title, status, priority, tags, model, sameDue, latest) =
                try tasks[0].decode((UUID, String, String, String, [String], String, Bool, Bool).self)
            #expect(title == "Check backups" && status == "todo" && priority == "high" && tags == ["ops"])
            #expect(model == "sonnet" && sameDue && latest)
            let audit = try await db.query(
                "SELECT summary, (meta ->> 'catchup_skipped')::int8 FROM audit_log WHERE entity_id = \(task)")
            let (summary, skipped) = try audit[0].decode((String, Int).self)
            #expect(summary == "Recurring instance spawned: Check backups")
            #expect(skipped >= 2)
            // The assignee got an inbox item carrying the series' model override.
            #expect(
                try await db.value(
                    String.self, "SELECT context ->> 'model_override' FROM agent_inbox_items WHERE task_id = \(task)")
                    == "sonnet")
            let state = try await db.query(
                "SELECT spawned_count::int8, next_occurrence_at > now(), last_spawned_at IS NOT NULL FROM task_series WHERE id = \(series)"
            )
            #expect(try state[0].decode((Int, Bool, Bool).self) == (1, true, true))

            // Nothing is due now: a second run spawns nothing.
            try await db.execute("SELECT spawn_due_task_instances()")
            #expect(try await db.value(Int.self, "SELECT count(*) FROM tasks WHERE series_id = \(series)") == 1)

            // Due again: the open instance is auto-missed (audited), a new one spawned, and the series ends (count 2).
            try await db.execute(
                "UPDATE task_series SET next_occurrence_at = now() - interval '1 minute' WHERE id = \(series)")
            try await db.execute("SELECT spawn_due_task_instances()")
            #expect(try await db.value(String.self, "SELECT status::text FROM tasks WHERE id = \(task)") == "missed")
            #expect(
                try await db.value(
                    Int.self, "SELECT count(*) FROM audit_log WHERE entity_id = \(task) AND action = 'status_changed'")
                    == 1)
            #expect(try await db.value(Int.self, "SELECT count(*) FROM tasks WHERE series_id = \(series)") == 2)
            let end = try await db.query(
                "SELECT spawned_count::int8, is_paused, next_occurrence_at IS NULL FROM task_series WHERE id = \(series)"
            )
            #expect(try end[0].decode((Int, Bool, Bool).self) == (2, true, true))

            // recurring_tasks_debug lists the series.
            #expect(try await db.query("SELECT * FROM recurring_tasks_debug()").count == 1)
        }
    }
}

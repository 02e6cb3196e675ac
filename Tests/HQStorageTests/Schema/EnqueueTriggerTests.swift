import Foundation
import HQStorage
import HQTestSupport
import Testing

@Suite("Inbox enqueue triggers: task assignment, @mentions, contact automation")
struct EnqueueTriggerTests {
    @Test("assigning and reassigning a task enqueues items for the affected agents, deduplicated")
    func assignment() async throws {
        try await SchemaDatabase.withDatabase { db, _ in
            let a = try await db.agent("alice")
            let b = try await db.agent("bob")
            let task = try await db.value(
                UUID.self,
                """
                INSERT INTO tasks (title, priority, assignee_agent_id, model_override)
                VALUES ('Write brief', 'high', \(a), 'opus') RETURNING id
                """)
            let first = try await db.query(
                """
                SELECT agent_slug, event_type::text, summary, dedup_key, context ->> 'task_priority',
                       context ->> 'model_override', task_id
                  FROM agent_inbox_items
                """)
            #expect(first.count == 1)
            let (slug, event, summary, key, priority, model, taskID) =
                try first[0].decode((String, String, String, String, String, String, UUID).self)
            #expect(slug == "alice" && event == "task_assignment" && summary == "Task assigned: Write brief")
            #expect(key == "task_assignment:\(task.uuidString.lowercased()):\(a.uuidString.lowercased())")
            #expect(priority == "high" && model == "opus" && taskID == task)

            // Updates that do not change the assignee enqueue nothing.
            try await db.execute(
                "UPDATE tasks SET title = 'Write the brief', assignee_agent_id = \(a) WHERE id = \(task)")
            #expect(try await db.value(Int.self, "SELECT count(*) FROM agent_inbox_items") == 1)

            try await db.execute("UPDATE tasks SET assignee_agent_id = \(b) WHERE id = \(task)")
            let second = try await db.query(
                """
                SELECT event_type::text, summary, context ->> 'previous_agent_id' FROM agent_inbox_items WHERE agent_id = \(b)
                """)
            #expect(
                try second[0].decode((String, String, String).self)
                    == ("task_reassignment", "Task reassigned: Write the brief", a.uuidString.lowercased()))

            // Unassigning enqueues nothing; assigning alice again is a duplicate of her first item.
            try await db.execute("UPDATE tasks SET assignee_agent_id = NULL WHERE id = \(task)")
            try await db.execute("UPDATE tasks SET assignee_agent_id = \(a) WHERE id = \(task)")
            #expect(try await db.value(Int.self, "SELECT count(*) FROM agent_inbox_items") == 2)
            // Unknown agent ids cannot be assigned (FK), and a task without assignee enqueues nothing.
            try await db.execute("INSERT INTO tasks (title) VALUES ('nobody')")
            #expect(try await db.value(Int.self, "SELECT count(*) FROM agent_inbox_items") == 2)
        }
    }

    @Test("@mentions in a new comment enqueue one item per mentioned agent; unknown and self-mentions skipped")
    func mentions() async throws {
        try await SchemaDatabase.withDatabase { db, _ in
            let a = try await db.agent("alice")
            let b = try await db.agent("bob")
            let task = try await db.value(UUID.self, "INSERT INTO tasks (title) VALUES ('t') RETURNING id")
            let comment = try await db.value(
                UUID.self,
                """
                INSERT INTO comments (entity_type, entity_id, body, actor_type, actor_agent_id, mentions)
                VALUES ('task', \(task), 'ping @alice @alice @ghost and me @bob', 'agent', \(b),
                        ARRAY['@alice', '@alice', '@ghost', '@bob'])
                RETURNING id
                """)
            let rows = try await db.query(
                """
                SELECT agent_id, event_type::text, task_id, comment_id, summary, dedup_key, context ->> 'comment_body'
                  FROM agent_inbox_items
                """)
            #expect(rows.count == 1)
            let (agent, event, taskID, commentID, summary, key, body) =
                try rows[0].decode((UUID, String, UUID, UUID, String, String, String).self)
            #expect(agent == a && event == "task_comment_mention" && taskID == task && commentID == comment)
            #expect(summary == "@alice mentioned in comment")
            #expect(key == "comment_mention:\(comment.uuidString.lowercased()):\(a.uuidString.lowercased())")
            #expect(body.hasPrefix("ping @alice"))

            // A comment on something other than a task: no task_id. Editing mentions later enqueues nothing.
            let contact = try await db.value(UUID.self, "INSERT INTO contacts (name) VALUES ('Carol') RETURNING id")
            let other = try await db.value(
                UUID.self,
                """
                INSERT INTO comments (entity_type, entity_id, body, mentions) VALUES ('contact', \(contact), 'hi @bob', '{@bob}')
                RETURNING id
                """)
            #expect(
                try await db.value(
                    Bool.self, "SELECT task_id IS NULL FROM agent_inbox_items WHERE comment_id = \(other)"))
            try await db.execute("UPDATE comments SET mentions = '{@alice}' WHERE id = \(other)")
            #expect(try await db.value(Int.self, "SELECT count(*) FROM agent_inbox_items") == 2)
        }
    }

    @Test("contact automation rules turn inserts and updates into inbox items")
    func contactAutomation() async throws {
        try await SchemaDatabase.withDatabase { db, _ in
            let a = try await db.agent("sdr")
            try await db.execute(
                """
                INSERT INTO automation_rules (table_name, field, condition, value, target_agent_id, target_agent_slug,
                                              event_type, summary_template, created_at) VALUES
                  ('contacts', NULL, 'created', NULL, \(a), 'sdr', 'contact_created', 'New contact {name}', now() - interval '4 min'),
                  ('contacts', 'status', 'changed_to', 'qualified', \(a), 'sdr', 'contact_status_changed',
                   '{name} moved to {new_value} from {old_value}', now() - interval '3 min'),
                  ('contacts', 'status', 'changed_from', 'new', \(a), 'sdr', 'contact_status_changed', '{name} left {old_value}', now() - interval '2 min'),
                  ('contacts', 'tier', 'any_change', NULL, \(a), 'sdr', 'contact_updated', '{name} tier {old_value}->{new_value}', now() - interval '1 min'),
                  ('contacts', 'status', 'changed_to', 'won', \(a), 'sdr', 'contact_updated', 'inactive', now()),
                  ('organizations', NULL, 'created', NULL, \(a), 'sdr', 'contact_created', 'never', now())
                """)
            try await db.execute("UPDATE automation_rules SET is_active = false WHERE summary_template = 'inactive'")
            let contact = try await db.value(UUID.self, "INSERT INTO contacts (name) VALUES ('Dana') RETURNING id")
            func summaries() async throws -> [String] {
                try await db.query("SELECT summary FROM agent_inbox_items ORDER BY created_at, summary").map {
                    try $0.decode(String.self, column: 0)
                }
            }
            #expect(try await summaries() == ["New contact Dana"])
            let key = try await db.value(String.self, "SELECT dedup_key FROM agent_inbox_items")
            #expect(key.hasSuffix(":\(contact.uuidString.lowercased()):created"))

            // A change that touches no watched field: nothing (tier is NULL before and after).
            try await db.execute("UPDATE contacts SET notes = 'met at conf' WHERE id = \(contact)")
            #expect(try await summaries().count == 1)

            try await db.execute("UPDATE contacts SET status = 'qualified' WHERE id = \(contact)")
            let afterStatus = try await summaries()
            #expect(afterStatus.count == 3)
            #expect(afterStatus.contains("Dana moved to qualified from new"))
            #expect(afterStatus.contains("Dana left new"))

            try await db.execute("UPDATE contacts SET extended = '{\"tier\": \"gold\"}' WHERE id = \(contact)")
            #expect(try await summaries().contains("Dana tier ->gold"))
            let context = try await db.query(
                """
                SELECT context ->> 'field', context ->> 'condition', context ->> 'new_value', context ->> 'contact_name',
                       event_type::text, contact_id
                  FROM agent_inbox_items WHERE event_type = 'contact_updated'
                """)
            #expect(
                try context[0].decode((String, String, String, String, String, UUID).self)
                    == ("tier", "any_change", "gold", "Dana", "contact_updated", contact))

            // The inactive rule and the organizations rule never fired.
            try await db.execute("UPDATE contacts SET status = 'won' WHERE id = \(contact)")
            #expect(try await summaries().contains("inactive") == false)
            #expect(try await summaries().contains("never") == false)
        }
    }
}

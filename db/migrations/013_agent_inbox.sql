-- 013_agent_inbox: the per-agent work queue (lease / complete / fail with retries and dead-lettering), the triggers
-- that fill it (task assignment, comment @mentions) and contact automation rules (+ the contacts_automation trigger
-- that 005 leaves to this file).
--
-- Differences from HQ:
--   * lease_inbox_item dead-letters an item whose last allowed lease expired without an answer (HQ left it 'leased'
--     forever); the lease length is clamped to 1 s .. 1 day.
--   * complete_inbox_item / fail_inbox_item never move an item out of 'done'; fail keeps a bounded reason
--     (2,000 chars) and both clear the lease.
--   * Reassigning a task enqueues task_reassignment (with previous_agent_id), as HQ intended (HQ's row-IS-NOT-NULL
--     test made every reassignment a task_assignment).
--   * Contact automation evaluates rules in a fixed order (created_at, id), does not leak one rule's old/new values
--     into the next rule's context, and any_change no longer fires on every update of a field that is NULL before
--     and after (NULL -> value and value -> NULL still count as changes).
--   * Trigger functions pin search_path = ''.

CREATE TABLE IF NOT EXISTS public.agent_inbox_items (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  agent_id uuid NOT NULL REFERENCES public.agents (id) ON DELETE CASCADE,
  agent_slug text NOT NULL,
  event_type public.inbox_event_type NOT NULL,
  task_id uuid REFERENCES public.tasks (id) ON DELETE CASCADE,
  comment_id uuid REFERENCES public.comments (id) ON DELETE CASCADE,
  contact_id uuid REFERENCES public.contacts (id) ON DELETE CASCADE,
  status public.inbox_item_status NOT NULL DEFAULT 'pending',
  leased_at timestamptz,
  leased_until timestamptz,
  completed_at timestamptz,
  failed_at timestamptz,
  attempt_count integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 3,
  summary text,
  context jsonb NOT NULL DEFAULT '{}'::jsonb,
  last_wake_attempt_at timestamptz,
  last_wake_success_at timestamptz,
  dedup_key text NOT NULL,
  CONSTRAINT uq_inbox_dedup UNIQUE (dedup_key)
);
CREATE INDEX IF NOT EXISTS agent_inbox_items_agent_status_idx ON public.agent_inbox_items (agent_id, status);
CREATE INDEX IF NOT EXISTS agent_inbox_items_pending_idx ON public.agent_inbox_items (agent_id, status, created_at)
  WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS agent_inbox_items_status_idx ON public.agent_inbox_items (status);
CREATE INDEX IF NOT EXISTS agent_inbox_items_leased_until_idx ON public.agent_inbox_items (leased_until)
  WHERE status = 'leased';
CREATE INDEX IF NOT EXISTS agent_inbox_items_task_id_idx ON public.agent_inbox_items (task_id);
CREATE INDEX IF NOT EXISTS agent_inbox_items_contact_id_idx ON public.agent_inbox_items (contact_id);
CREATE INDEX IF NOT EXISTS agent_inbox_items_created_at_idx ON public.agent_inbox_items (created_at DESC);
CREATE OR REPLACE TRIGGER inbox_items_updated_at
  BEFORE UPDATE ON public.agent_inbox_items
  FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint
                  WHERE conrelid = 'public.agent_inbox_items'::regclass
                    AND conname = 'agent_inbox_items_attempts_check') THEN
    ALTER TABLE public.agent_inbox_items ADD CONSTRAINT agent_inbox_items_attempts_check
      CHECK (attempt_count >= 0 AND max_attempts >= 1);
  END IF;
END
$$;

CREATE TABLE IF NOT EXISTS public.automation_rules (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  table_name text NOT NULL,
  field text,
  condition public.automation_condition NOT NULL,
  value text,
  target_agent_id uuid NOT NULL REFERENCES public.agents (id) ON DELETE CASCADE,
  target_agent_slug text NOT NULL,
  event_type public.inbox_event_type NOT NULL,
  summary_template text NOT NULL,
  is_active boolean NOT NULL DEFAULT true,
  meta jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX IF NOT EXISTS automation_rules_table_name_idx ON public.automation_rules (table_name);
CREATE INDEX IF NOT EXISTS automation_rules_active_idx ON public.automation_rules (table_name, is_active)
  WHERE is_active = true;
CREATE INDEX IF NOT EXISTS automation_rules_target_agent_id_idx ON public.automation_rules (target_agent_id);
CREATE OR REPLACE TRIGGER automation_rules_updated_at
  BEFORE UPDATE ON public.automation_rules
  FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

-- =====================================================================================================
-- Queue RPCs
-- =====================================================================================================

-- Leases the agent's oldest item that is pending, failed (retried at once, as in HQ) or leased with an expired lease,
-- with attempts left; counts the attempt. Concurrent callers never get the same item (FOR UPDATE SKIP LOCKED).
-- Items whose last allowed lease expired become dead_letter first.
CREATE OR REPLACE FUNCTION public.lease_inbox_item(p_agent_id uuid, p_lease_seconds integer DEFAULT 120)
RETURNS SETOF public.agent_inbox_items
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  UPDATE public.agent_inbox_items i
     SET status = 'dead_letter', failed_at = now(), leased_until = NULL,
         context = i.context || jsonb_build_object('last_failure_reason',
                     coalesce(i.context -> 'last_failure_reason', to_jsonb('lease expired'::text)))
   WHERE i.id IN (SELECT x.id FROM public.agent_inbox_items x
                   WHERE x.agent_id = p_agent_id AND x.status = 'leased' AND x.leased_until < now()
                     AND x.attempt_count >= x.max_attempts
                     FOR UPDATE SKIP LOCKED);

  RETURN QUERY
  WITH picked AS (
    SELECT x.id
      FROM public.agent_inbox_items x
     WHERE x.agent_id = p_agent_id
       AND x.attempt_count < x.max_attempts
       AND (x.status IN ('pending', 'failed') OR (x.status = 'leased' AND x.leased_until < now()))
     ORDER BY x.created_at, x.id
     LIMIT 1
       FOR UPDATE SKIP LOCKED)
  UPDATE public.agent_inbox_items i
     SET status = 'leased',
         leased_at = now(),
         leased_until = now() + make_interval(secs => least(86400, greatest(1, coalesce(p_lease_seconds, 120)))),
         attempt_count = i.attempt_count + 1
    FROM picked
   WHERE i.id = picked.id
  RETURNING i.*;
END
$$;

CREATE OR REPLACE FUNCTION public.complete_inbox_item(p_item_id uuid)
RETURNS void
LANGUAGE sql
SET search_path = ''
AS $$
  UPDATE public.agent_inbox_items i
     SET status = 'done', completed_at = now(), leased_until = NULL
   WHERE i.id = p_item_id AND i.status <> 'done';
$$;

-- failed (leased again later) while attempts are left, dead_letter once they are used up.
CREATE OR REPLACE FUNCTION public.fail_inbox_item(p_item_id uuid, p_reason text DEFAULT NULL)
RETURNS void
LANGUAGE sql
SET search_path = ''
AS $$
  UPDATE public.agent_inbox_items i
     SET status = CASE WHEN i.attempt_count >= i.max_attempts THEN 'dead_letter'::public.inbox_item_status
                       ELSE 'failed'::public.inbox_item_status END,
         failed_at = now(),
         leased_until = NULL,
         context = i.context || jsonb_build_object('last_failure_reason', left(p_reason, 2000))
   WHERE i.id = p_item_id AND i.status NOT IN ('done', 'dead_letter');
$$;

-- =====================================================================================================
-- Enqueue triggers
-- =====================================================================================================

-- Task assigned (or reassigned) to an agent → inbox item for that agent.
CREATE OR REPLACE FUNCTION public.enqueue_task_assignment()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
  v_slug text;
  v_context jsonb;
  v_title text := coalesce(NEW.title, 'Untitled');
BEGIN
  IF NEW.assignee_agent_id IS NULL THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.assignee_agent_id IS NOT DISTINCT FROM NEW.assignee_agent_id THEN
    RETURN NULL;
  END IF;
  SELECT a.slug INTO v_slug FROM public.agents a WHERE a.id = NEW.assignee_agent_id;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;

  v_context := jsonb_build_object('task_title', NEW.title, 'task_status', NEW.status, 'task_priority', NEW.priority);
  IF NEW.model_override IS NOT NULL THEN
    v_context := v_context || jsonb_build_object('model_override', NEW.model_override);
  END IF;
  IF NEW.thinking_override IS NOT NULL THEN
    v_context := v_context || jsonb_build_object('thinking_override', NEW.thinking_override);
  END IF;

  IF TG_OP = 'UPDATE' AND OLD.assignee_agent_id IS NOT NULL THEN
    INSERT INTO public.agent_inbox_items (agent_id, agent_slug, event_type, task_id, summary, context, dedup_key)
    VALUES (NEW.assignee_agent_id, v_slug, 'task_reassignment', NEW.id, 'Task reassigned: ' || v_title,
            v_context || jsonb_build_object('previous_agent_id', OLD.assignee_agent_id),
            format('task_reassignment:%s:%s', NEW.id, NEW.assignee_agent_id))
    ON CONFLICT (dedup_key) DO NOTHING;
  ELSE
    INSERT INTO public.agent_inbox_items (agent_id, agent_slug, event_type, task_id, summary, context, dedup_key)
    VALUES (NEW.assignee_agent_id, v_slug, 'task_assignment', NEW.id, 'Task assigned: ' || v_title, v_context,
            format('task_assignment:%s:%s', NEW.id, NEW.assignee_agent_id))
    ON CONFLICT (dedup_key) DO NOTHING;
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER tasks_enqueue_assignment
  AFTER INSERT OR UPDATE OF assignee_agent_id ON public.tasks
  FOR EACH ROW EXECUTE FUNCTION public.enqueue_task_assignment();

-- Comment inserted with @mentions → one item per mentioned agent (unknown slugs and self-mentions skipped).
CREATE OR REPLACE FUNCTION public.enqueue_comment_mentions()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
  v_agent record;
BEGIN
  IF coalesce(cardinality(NEW.mentions), 0) = 0 THEN
    RETURN NULL;
  END IF;
  FOR v_agent IN
    SELECT DISTINCT a.id, a.slug
      FROM unnest(NEW.mentions) AS m(token)
      JOIN public.agents a ON a.slug = ltrim(m.token, '@')
     WHERE NOT (NEW.actor_type = 'agent' AND NEW.actor_agent_id IS NOT DISTINCT FROM a.id)
     ORDER BY a.slug
  LOOP
    INSERT INTO public.agent_inbox_items (agent_id, agent_slug, event_type, task_id, comment_id, summary, context,
                                          dedup_key)
    VALUES (v_agent.id, v_agent.slug, 'task_comment_mention',
            CASE WHEN NEW.entity_type = 'task' THEN NEW.entity_id END, NEW.id,
            '@' || v_agent.slug || ' mentioned in comment',
            jsonb_build_object('comment_body', left(NEW.body, 500), 'entity_type', NEW.entity_type,
                               'entity_id', NEW.entity_id, 'actor_type', NEW.actor_type,
                               'actor_agent_id', NEW.actor_agent_id),
            format('comment_mention:%s:%s', NEW.id, v_agent.id))
    ON CONFLICT (dedup_key) DO NOTHING;
  END LOOP;
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER comments_enqueue_mentions
  AFTER INSERT ON public.comments
  FOR EACH ROW EXECUTE FUNCTION public.enqueue_comment_mentions();

-- =====================================================================================================
-- Contact automation
-- =====================================================================================================

-- A contact field's value as text: status / priority / relationship_strength columns, else extended ->> field.
CREATE OR REPLACE FUNCTION public.hq_contact_field(p_contact public.contacts, p_field text)
RETURNS text
LANGUAGE sql
IMMUTABLE
SET search_path = ''
AS $$
  SELECT CASE p_field
           WHEN 'status' THEN p_contact.status
           WHEN 'priority' THEN p_contact.priority
           WHEN 'relationship_strength' THEN p_contact.relationship_strength
           ELSE p_contact.extended ->> p_field
         END;
$$;

-- AFTER INSERT OR UPDATE on contacts: active 'contacts' rules → inbox items (see HQ-SCHEMA §5.6 for the conditions,
-- dedup keys and summary placeholders {name}, {old_value}, {new_value}).
CREATE OR REPLACE FUNCTION public.process_contact_automation()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
  v_rule public.automation_rules;
  v_old text;
  v_new text;
  v_key text;
  v_summary text;
  v_name text := coalesce(NEW.name, 'Unknown');
  v_stamp text := now()::text;
BEGIN
  FOR v_rule IN
    SELECT r.* FROM public.automation_rules r
     WHERE r.table_name = 'contacts' AND r.is_active
     ORDER BY r.created_at, r.id
  LOOP
    v_old := NULL;
    v_new := NULL;
    v_key := NULL;
    IF v_rule.condition = 'created' THEN
      CONTINUE WHEN TG_OP <> 'INSERT';
      v_key := format('automation:%s:%s:created', v_rule.id, NEW.id);
      v_summary := replace(replace(v_rule.summary_template, '{name}', v_name), '{new_value}', '');
    ELSE
      CONTINUE WHEN TG_OP <> 'UPDATE' OR v_rule.field IS NULL;
      v_old := public.hq_contact_field(OLD, v_rule.field);
      v_new := public.hq_contact_field(NEW, v_rule.field);
      IF v_rule.condition = 'changed_to' THEN
        CONTINUE WHEN v_new IS NULL OR v_new IS DISTINCT FROM v_rule.value OR v_new IS NOT DISTINCT FROM v_old;
        v_key := format('automation:%s:%s:%s:%s', v_rule.id, NEW.id, v_new, v_stamp);
      ELSIF v_rule.condition = 'changed_from' THEN
        CONTINUE WHEN v_old IS NULL OR v_old IS DISTINCT FROM v_rule.value OR v_old IS NOT DISTINCT FROM v_new;
        v_key := format('automation:%s:%s:from_%s:%s', v_rule.id, NEW.id, v_old, v_stamp);
      ELSE -- any_change
        CONTINUE WHEN v_old IS NOT DISTINCT FROM v_new;
        v_key := format('automation:%s:%s:any_%s', v_rule.id, NEW.id, v_stamp);
      END IF;
      v_summary := replace(replace(replace(v_rule.summary_template, '{name}', v_name),
                                   '{new_value}', coalesce(v_new, '')), '{old_value}', coalesce(v_old, ''));
    END IF;

    INSERT INTO public.agent_inbox_items (agent_id, agent_slug, event_type, contact_id, summary, context, dedup_key)
    VALUES (v_rule.target_agent_id, v_rule.target_agent_slug, v_rule.event_type, NEW.id, v_summary,
            jsonb_build_object('rule_id', v_rule.id, 'table', 'contacts', 'field', v_rule.field,
                               'condition', v_rule.condition, 'old_value', v_old, 'new_value', v_new,
                               'contact_name', NEW.name, 'contact_status', NEW.status),
            v_key)
    ON CONFLICT (dedup_key) DO NOTHING;
  END LOOP;
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER contacts_automation
  AFTER INSERT OR UPDATE ON public.contacts
  FOR EACH ROW EXECUTE FUNCTION public.process_contact_automation();

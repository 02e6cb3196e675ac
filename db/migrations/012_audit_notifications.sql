-- 012_audit_notifications: append-only audit log and in-app notifications.
-- (The budget-notification unique index on notifications belongs to 015.)

CREATE TABLE IF NOT EXISTS public.audit_log (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  actor_type public.actor_type NOT NULL DEFAULT 'human',
  actor_agent_id uuid REFERENCES public.agents (id) ON DELETE SET NULL,
  module text NOT NULL,
  entity_type text NOT NULL,
  entity_id uuid NOT NULL,
  action public.audit_action NOT NULL,
  summary text,
  changes jsonb,
  meta jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX IF NOT EXISTS audit_log_created_at_idx ON public.audit_log (created_at DESC);
CREATE INDEX IF NOT EXISTS audit_log_module_idx ON public.audit_log (module);
CREATE INDEX IF NOT EXISTS audit_log_entity_idx ON public.audit_log (entity_type, entity_id);
CREATE INDEX IF NOT EXISTS audit_log_actor_idx ON public.audit_log (actor_type, actor_agent_id);
CREATE INDEX IF NOT EXISTS audit_log_action_idx ON public.audit_log (action);

CREATE TABLE IF NOT EXISTS public.notifications (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  type text NOT NULL,
  title text NOT NULL,
  body text,
  entity_type text,
  entity_id uuid,
  actor_type public.actor_type DEFAULT 'system',
  actor_agent_id uuid REFERENCES public.agents (id) ON DELETE SET NULL,
  is_read boolean DEFAULT false,
  read_at timestamptz,
  dismissed_at timestamptz,
  meta jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX IF NOT EXISTS notifications_unread_created_at_idx ON public.notifications (created_at DESC)
  WHERE NOT is_read;
CREATE INDEX IF NOT EXISTS notifications_type_idx ON public.notifications (type);

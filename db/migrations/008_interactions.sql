-- 008_interactions: contact interaction timeline + triggers for the last-contact date and template use counts.

CREATE TABLE IF NOT EXISTS public.interactions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  contact_id uuid NOT NULL REFERENCES public.contacts (id) ON DELETE CASCADE,
  org_id uuid REFERENCES public.organizations (id) ON DELETE SET NULL,
  type text NOT NULL,
  direction text,
  channel text,
  subject text,
  summary text,
  body text,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  next_action text,
  next_action_date timestamptz,
  template_id uuid REFERENCES public.templates (id) ON DELETE SET NULL,
  actor_type public.actor_type NOT NULL DEFAULT 'human',
  actor_agent_id uuid REFERENCES public.agents (id) ON DELETE SET NULL,
  meta jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX IF NOT EXISTS interactions_contact_id_idx ON public.interactions (contact_id);
CREATE INDEX IF NOT EXISTS interactions_occurred_at_idx ON public.interactions (occurred_at DESC);
CREATE INDEX IF NOT EXISTS interactions_type_idx ON public.interactions (type);
CREATE INDEX IF NOT EXISTS interactions_next_action_date_idx ON public.interactions (next_action_date ASC)
  WHERE next_action_date IS NOT NULL;
CREATE INDEX IF NOT EXISTS interactions_actor_idx ON public.interactions (actor_type, actor_agent_id);
CREATE INDEX IF NOT EXISTS interactions_org_id_idx ON public.interactions (org_id);

-- Moves the contact's last_contact_date forward to the interaction's occurred_at (never backwards).
CREATE OR REPLACE FUNCTION public.sync_contact_last_interaction()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  UPDATE public.contacts c
     SET last_contact_date = NEW.occurred_at
   WHERE c.id = NEW.contact_id
     AND (c.last_contact_date IS NULL OR c.last_contact_date < NEW.occurred_at);
  RETURN NULL;
END
$$;

-- Counts the use of a template by an interaction.
CREATE OR REPLACE FUNCTION public.increment_template_use()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  IF NEW.template_id IS NOT NULL THEN
    UPDATE public.templates t SET use_count = t.use_count + 1 WHERE t.id = NEW.template_id;
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER interactions_sync_contact
  AFTER INSERT ON public.interactions
  FOR EACH ROW EXECUTE FUNCTION public.sync_contact_last_interaction();
CREATE OR REPLACE TRIGGER interactions_template_use
  AFTER INSERT ON public.interactions
  FOR EACH ROW EXECUTE FUNCTION public.increment_template_use();

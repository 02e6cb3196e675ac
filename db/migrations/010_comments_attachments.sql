-- 010_comments_attachments: polymorphic comments (threaded) and task attachments (document / asset / URL).
-- The comments_enqueue_mentions trigger (and its function) belong to 013, the agent inbox.

CREATE TABLE IF NOT EXISTS public.comments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  entity_type text NOT NULL,
  entity_id uuid NOT NULL,
  parent_id uuid REFERENCES public.comments (id) ON DELETE CASCADE,
  body text NOT NULL,
  actor_type public.actor_type NOT NULL DEFAULT 'human',
  actor_agent_id uuid REFERENCES public.agents (id) ON DELETE SET NULL,
  mentions text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS comments_entity_idx ON public.comments (entity_type, entity_id);
CREATE INDEX IF NOT EXISTS comments_parent_id_idx ON public.comments (parent_id);
CREATE INDEX IF NOT EXISTS comments_actor_idx ON public.comments (actor_type, actor_agent_id);
CREATE OR REPLACE TRIGGER comments_updated_at
  BEFORE UPDATE ON public.comments
  FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TABLE IF NOT EXISTS public.task_attachments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  task_id uuid NOT NULL REFERENCES public.tasks (id) ON DELETE CASCADE,
  entity_type text NOT NULL,
  entity_id uuid,
  url text,
  label text,
  CONSTRAINT task_attachments_entity_check CHECK (
    (entity_type IN ('document', 'asset') AND entity_id IS NOT NULL AND url IS NULL)
    OR (entity_type = 'url' AND url IS NOT NULL AND entity_id IS NULL)),
  CONSTRAINT task_attachments_unique_entity UNIQUE (task_id, entity_type, entity_id)
);
CREATE INDEX IF NOT EXISTS task_attachments_task_id_idx ON public.task_attachments (task_id);
CREATE OR REPLACE TRIGGER task_attachments_updated_at
  BEFORE UPDATE ON public.task_attachments
  FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

-- Adding or removing an attachment touches the parent task's updated_at.
CREATE OR REPLACE FUNCTION public.sync_task_attachment_updated()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  UPDATE public.tasks t
     SET updated_at = now()
   WHERE t.id = CASE WHEN TG_OP = 'DELETE' THEN OLD.task_id ELSE NEW.task_id END;
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER task_attachments_sync_parent
  AFTER INSERT OR DELETE ON public.task_attachments
  FOR EACH ROW EXECUTE FUNCTION public.sync_task_attachment_updated();

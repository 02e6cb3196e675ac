-- 004_workspace: the singleton settings row, pipeline stage definitions, custom field definitions.
--
-- Additions over HQ (all additive, with defaults):
--   * the three default_* budget columns that HQ adds in 015 are created here already (015 adds them IF NOT EXISTS);
--   * search settings: embedding_model (the live model whose vectors search reads), embedding_dimensions,
--     embedding_model_next (a model whose vectors are being built beside the live ones; NULL when none).

CREATE TABLE IF NOT EXISTS public.workspace (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  name text NOT NULL DEFAULT 'HQ',
  slug text,
  description text,
  initialized boolean NOT NULL DEFAULT false,
  owner_name text,
  owner_preferred_name text,
  owner_timezone text,
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  default_agent_budget_usd numeric(10,2),
  default_soft_threshold_pct integer NOT NULL DEFAULT 80,
  default_hard_cutoff boolean NOT NULL DEFAULT true,
  embedding_model text NOT NULL DEFAULT 'sentence-transformers/all-MiniLM-L6-v2',
  embedding_dimensions integer NOT NULL DEFAULT 384,
  embedding_model_next text
);

-- Upgrade path for a workspace table created by HQ.
ALTER TABLE public.workspace ADD COLUMN IF NOT EXISTS default_agent_budget_usd numeric(10,2);
ALTER TABLE public.workspace ADD COLUMN IF NOT EXISTS default_soft_threshold_pct integer NOT NULL DEFAULT 80;
ALTER TABLE public.workspace ADD COLUMN IF NOT EXISTS default_hard_cutoff boolean NOT NULL DEFAULT true;
ALTER TABLE public.workspace ADD COLUMN IF NOT EXISTS embedding_model text NOT NULL
  DEFAULT 'sentence-transformers/all-MiniLM-L6-v2';
ALTER TABLE public.workspace ADD COLUMN IF NOT EXISTS embedding_dimensions integer NOT NULL DEFAULT 384;
ALTER TABLE public.workspace ADD COLUMN IF NOT EXISTS embedding_model_next text;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint
                  WHERE conrelid = 'public.workspace'::regclass AND conname = 'workspace_embedding_dimensions_check') THEN
    ALTER TABLE public.workspace ADD CONSTRAINT workspace_embedding_dimensions_check
      CHECK (embedding_dimensions > 0);
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint
                  WHERE conrelid = 'public.workspace'::regclass AND conname = 'workspace_embedding_model_check') THEN
    ALTER TABLE public.workspace ADD CONSTRAINT workspace_embedding_model_check
      CHECK (btrim(embedding_model) <> '' AND (embedding_model_next IS NULL OR btrim(embedding_model_next) <> ''));
  END IF;
END
$$;

-- At most one row can ever exist.
CREATE UNIQUE INDEX IF NOT EXISTS workspace_singleton ON public.workspace ((true));
CREATE UNIQUE INDEX IF NOT EXISTS workspace_slug_unique ON public.workspace (slug) WHERE slug IS NOT NULL;

CREATE OR REPLACE TRIGGER workspace_updated_at
  BEFORE UPDATE ON public.workspace
  FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

INSERT INTO public.workspace (name, initialized)
SELECT 'HQ', false
WHERE NOT EXISTS (SELECT 1 FROM public.workspace);

-- The live embedding model (what search reads); falls back to the default when the row is missing.
CREATE OR REPLACE FUNCTION public.hq_live_embedding_model()
RETURNS text
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT coalesce((SELECT w.embedding_model FROM public.workspace w LIMIT 1),
                  'sentence-transformers/all-MiniLM-L6-v2');
$$;

CREATE TABLE IF NOT EXISTS public.pipeline_stages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  entity_type text NOT NULL DEFAULT 'contact',
  stage_key text NOT NULL,
  label text NOT NULL,
  color text,
  sort_order integer DEFAULT 0,
  is_terminal boolean DEFAULT false,
  is_default boolean DEFAULT false,
  UNIQUE (entity_type, stage_key)
);
CREATE INDEX IF NOT EXISTS pipeline_stages_entity_type_sort_order_idx
  ON public.pipeline_stages (entity_type, sort_order);

CREATE TABLE IF NOT EXISTS public.field_definitions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  entity_type text NOT NULL DEFAULT 'contact',
  field_key text NOT NULL,
  field_type text NOT NULL,
  label text NOT NULL,
  field_group text,
  sort_order integer DEFAULT 0,
  required boolean DEFAULT false,
  options jsonb,
  description text,
  is_active boolean DEFAULT true,
  UNIQUE (entity_type, field_key)
);
CREATE INDEX IF NOT EXISTS field_definitions_entity_type_is_active_idx
  ON public.field_definitions (entity_type, is_active);

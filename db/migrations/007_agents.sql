-- 007_agents: agent registry, org chart (reports_to_id) and the reports-chain RPC.
--
-- gateway_id references gateways (created by 006, a later issue). The FK agents_gateway_id_fkey is added only when
-- public.gateways exists; when it is added for the first time, agents without a gateway are pointed at the
-- 'default' gateway (HQ's one-time backfill). Re-applying this file after 006 exists adds the FK then.

CREATE TABLE IF NOT EXISTS public.agents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  gateway_id uuid,
  name text NOT NULL,
  slug text NOT NULL UNIQUE,
  description text,
  avatar_url text,
  status public.agent_status NOT NULL DEFAULT 'offline',
  last_seen_at timestamptz,
  domains text[] NOT NULL DEFAULT '{}',
  capabilities text[],
  config jsonb NOT NULL DEFAULT '{}'::jsonb,
  meta jsonb NOT NULL DEFAULT '{}'::jsonb,
  model text,
  thinking text,
  reports_to_id uuid REFERENCES public.agents (id) ON DELETE SET NULL,
  CONSTRAINT agents_no_self_report CHECK (reports_to_id IS NULL OR reports_to_id <> id)
);
CREATE INDEX IF NOT EXISTS agents_gateway_id_idx ON public.agents (gateway_id);
CREATE INDEX IF NOT EXISTS agents_status_idx ON public.agents (status);
CREATE INDEX IF NOT EXISTS agents_domains_idx ON public.agents USING gin (domains);
CREATE INDEX IF NOT EXISTS agents_reports_to_id_idx ON public.agents (reports_to_id);
CREATE OR REPLACE TRIGGER agents_updated_at
  BEFORE UPDATE ON public.agents
  FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

DO $$
BEGIN
  IF to_regclass('public.gateways') IS NOT NULL
     AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint
                      WHERE conrelid = 'public.agents'::regclass AND conname = 'agents_gateway_id_fkey') THEN
    ALTER TABLE public.agents
      ADD CONSTRAINT agents_gateway_id_fkey FOREIGN KEY (gateway_id) REFERENCES public.gateways (id);
    UPDATE public.agents a
       SET gateway_id = g.id
      FROM public.gateways g
     WHERE g.slug = 'default' AND a.gateway_id IS NULL;
  END IF;
END
$$;

-- Depth 0 = the agent itself, then its manager, the manager's manager, ... up to p_max_depth.
-- Empty for an unknown agent. The depth bound also stops a cycle in reports_to_id.
CREATE OR REPLACE FUNCTION public.agent_reports_chain(p_agent_id uuid, p_max_depth integer DEFAULT 5)
RETURNS TABLE (depth integer, agent_id uuid, slug text, name text)
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  WITH RECURSIVE chain (depth, agent_id, slug, name, reports_to_id) AS (
    SELECT 0, a.id, a.slug, a.name, a.reports_to_id
      FROM public.agents a
     WHERE a.id = p_agent_id
    UNION ALL
    SELECT c.depth + 1, a.id, a.slug, a.name, a.reports_to_id
      FROM chain c
      JOIN public.agents a ON a.id = c.reports_to_id
     WHERE c.depth < p_max_depth
  )
  SELECT chain.depth, chain.agent_id, chain.slug, chain.name FROM chain ORDER BY chain.depth;
$$;

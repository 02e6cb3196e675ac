-- 014_agent_commands: command enums, the command queue consumed by gateways and its lease/start/complete/fail RPCs;
-- plus the org-chart cycle guard on agents.reports_to_id (007 has the table and agent_reports_chain; the guard lives
-- here so 007 stays as the foundation wrote it).
--
-- Differences from HQ (additive columns with defaults; names and signatures unchanged):
--   * attempt_count / max_attempts (default 3): lease_command counts attempts, and a command whose last allowed lease
--     expired before start becomes 'failed' ("lease expired after N attempts") instead of being re-leased forever.
--   * dedup_key (optional): at most one pending/leased/running command per key (partial unique index), so a
--     double-click cannot queue the same operation twice; finished commands free the key.
--   * start_command only starts a command that is leased (or already running); otherwise it raises
--     command_not_leased (55000). complete/fail never overwrite a 'done' command. Leases are cleared on finish.
--   * HQ's one-time backfill of NULL gateway_id is not repeated: on a fresh install the table is empty, and an HQ
--     database already had it applied (NULL gateway_id means "any gateway" for lease_command).
--   * agents: a trigger refuses a reports_to_id that would create a cycle (SQLSTATE 23514), serialising org-chart
--     changes with a transaction advisory lock so two concurrent updates cannot close a loop together.

DO $$
BEGIN
  IF to_regtype('public.command_action') IS NULL THEN
    CREATE TYPE public.command_action AS ENUM (
      'provision', 'approve_pairing', 'update', 'remove', 'restart_gateway', 'update_all', 'restart_dispatcher',
      'auth_set_api_key', 'auth_start', 'auth_paste', 'auth_list', 'auth_remove', 'auth_refresh', 'auth_set_default',
      'update_gateway', 'set_agent_model', 'list_models');
  END IF;
  IF to_regtype('public.command_status') IS NULL THEN
    CREATE TYPE public.command_status AS ENUM ('pending', 'leased', 'running', 'done', 'failed');
  END IF;
END
$$;
-- An older HQ type may lack later values (HQ added them with ADD VALUE); none of them is used in this file.
ALTER TYPE public.command_action ADD VALUE IF NOT EXISTS 'provision';
ALTER TYPE public.command_action ADD VALUE IF NOT EXISTS 'approve_pairing';
ALTER TYPE public.command_action ADD VALUE IF NOT EXISTS 'update';
ALTER TYPE public.command_action ADD VALUE IF NOT EXISTS 'remove';
ALTER TYPE public.command_action ADD VALUE IF NOT EXISTS 'restart_gateway';
ALTER TYPE public.command_action ADD VALUE IF NOT EXISTS 'update_all';
ALTER TYPE public.command_action ADD VALUE IF NOT EXISTS 'restart_dispatcher';
ALTER TYPE public.command_action ADD VALUE IF NOT EXISTS 'auth_set_api_key';
ALTER TYPE public.command_action ADD VALUE IF NOT EXISTS 'auth_start';
ALTER TYPE public.command_action ADD VALUE IF NOT EXISTS 'auth_paste';
ALTER TYPE public.command_action ADD VALUE IF NOT EXISTS 'auth_list';
ALTER TYPE public.command_action ADD VALUE IF NOT EXISTS 'auth_remove';
ALTER TYPE public.command_action ADD VALUE IF NOT EXISTS 'auth_refresh';
ALTER TYPE public.command_action ADD VALUE IF NOT EXISTS 'auth_set_default';
ALTER TYPE public.command_action ADD VALUE IF NOT EXISTS 'update_gateway';
ALTER TYPE public.command_action ADD VALUE IF NOT EXISTS 'set_agent_model';
ALTER TYPE public.command_action ADD VALUE IF NOT EXISTS 'list_models';

CREATE TABLE IF NOT EXISTS public.agent_commands (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  gateway_id uuid REFERENCES public.gateways (id),
  agent_id uuid REFERENCES public.agents (id) ON DELETE SET NULL,
  agent_slug text,
  action public.command_action NOT NULL,
  payload jsonb NOT NULL DEFAULT '{}'::jsonb,
  status public.command_status NOT NULL DEFAULT 'pending',
  leased_at timestamptz,
  leased_until timestamptz,
  started_at timestamptz,
  completed_at timestamptz,
  failed_at timestamptz,
  exit_code integer,
  stdout text,
  stderr text,
  error_message text,
  requested_by uuid,
  attempt_count integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL DEFAULT 3,
  dedup_key text
);
-- Upgrade path for an HQ table.
ALTER TABLE public.agent_commands ADD COLUMN IF NOT EXISTS attempt_count integer NOT NULL DEFAULT 0;
ALTER TABLE public.agent_commands ADD COLUMN IF NOT EXISTS max_attempts integer NOT NULL DEFAULT 3;
ALTER TABLE public.agent_commands ADD COLUMN IF NOT EXISTS dedup_key text;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint
                  WHERE conrelid = 'public.agent_commands'::regclass AND conname = 'agent_commands_attempts_check') THEN
    ALTER TABLE public.agent_commands ADD CONSTRAINT agent_commands_attempts_check
      CHECK (attempt_count >= 0 AND max_attempts >= 1);
  END IF;
END
$$;

CREATE INDEX IF NOT EXISTS agent_commands_status_idx ON public.agent_commands (status);
CREATE INDEX IF NOT EXISTS agent_commands_pending_idx ON public.agent_commands (status, created_at)
  WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS agent_commands_agent_idx ON public.agent_commands (agent_id, created_at DESC);
CREATE INDEX IF NOT EXISTS agent_commands_gateway_pending_idx ON public.agent_commands (gateway_id, status, created_at)
  WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS agent_commands_leased_until_idx ON public.agent_commands (leased_until)
  WHERE status = 'leased';
CREATE INDEX IF NOT EXISTS agent_commands_created_at_idx ON public.agent_commands (created_at DESC);
CREATE UNIQUE INDEX IF NOT EXISTS agent_commands_active_dedup_key ON public.agent_commands (dedup_key)
  WHERE dedup_key IS NOT NULL AND status IN ('pending', 'leased', 'running');
CREATE OR REPLACE TRIGGER agent_commands_updated_at
  BEFORE UPDATE ON public.agent_commands
  FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

-- Leases the oldest pending command (or leased with an expired lease and attempts left). With p_gateway_slug: only
-- commands for that gateway or for no gateway (an unknown slug sees only the latter); without: any. Concurrent
-- gateways never get the same command (FOR UPDATE SKIP LOCKED). Running commands are never re-leased.
CREATE OR REPLACE FUNCTION public.lease_command(p_lease_seconds integer DEFAULT 300, p_gateway_slug text DEFAULT NULL)
RETURNS SETOF public.agent_commands
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
  v_gateway uuid;
BEGIN
  IF p_gateway_slug IS NOT NULL THEN
    SELECT g.id INTO v_gateway FROM public.gateways g WHERE g.slug = p_gateway_slug;
  END IF;

  -- Leases that expired with no attempts left: the command failed (visibly) instead of being retried forever.
  UPDATE public.agent_commands c
     SET status = 'failed', failed_at = now(), leased_until = NULL,
         error_message = coalesce(c.error_message, format('lease expired after %s attempts', c.attempt_count))
   WHERE c.id IN (SELECT x.id FROM public.agent_commands x
                   WHERE x.status = 'leased' AND x.leased_until < now() AND x.attempt_count >= x.max_attempts
                     AND (p_gateway_slug IS NULL OR x.gateway_id IS NULL OR x.gateway_id = v_gateway)
                     FOR UPDATE SKIP LOCKED);

  RETURN QUERY
  WITH picked AS (
    SELECT x.id
      FROM public.agent_commands x
     WHERE (x.status = 'pending' OR (x.status = 'leased' AND x.leased_until < now()))
       AND x.attempt_count < x.max_attempts
       AND (p_gateway_slug IS NULL OR x.gateway_id IS NULL OR x.gateway_id = v_gateway)
     ORDER BY x.created_at, x.id
     LIMIT 1
       FOR UPDATE SKIP LOCKED)
  UPDATE public.agent_commands c
     SET status = 'leased',
         leased_at = now(),
         leased_until = now() + make_interval(secs => least(86400, greatest(1, coalesce(p_lease_seconds, 300)))),
         attempt_count = c.attempt_count + 1
    FROM picked
   WHERE c.id = picked.id
  RETURNING c.*;
END
$$;

CREATE OR REPLACE FUNCTION public.start_command(p_command_id uuid)
RETURNS void
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
  v_status public.command_status;
BEGIN
  SELECT c.status INTO v_status FROM public.agent_commands c WHERE c.id = p_command_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'command_not_found: %', p_command_id USING ERRCODE = 'P0002';
  END IF;
  IF v_status = 'running' THEN
    RETURN;
  END IF;
  IF v_status <> 'leased' THEN
    RAISE EXCEPTION 'command_not_leased: % is %', p_command_id, v_status USING ERRCODE = '55000';
  END IF;
  UPDATE public.agent_commands c
     SET status = 'running', started_at = now(), leased_until = NULL
   WHERE c.id = p_command_id;
END
$$;

CREATE OR REPLACE FUNCTION public.complete_command(
  p_command_id uuid, p_exit_code integer, p_stdout text DEFAULT NULL, p_stderr text DEFAULT NULL)
RETURNS void
LANGUAGE sql
SET search_path = ''
AS $$
  UPDATE public.agent_commands c
     SET status = 'done', completed_at = now(), leased_until = NULL,
         exit_code = p_exit_code, stdout = p_stdout, stderr = p_stderr
   WHERE c.id = p_command_id AND c.status <> 'done';
$$;

CREATE OR REPLACE FUNCTION public.fail_command(
  p_command_id uuid, p_exit_code integer DEFAULT NULL, p_stdout text DEFAULT NULL, p_stderr text DEFAULT NULL,
  p_error text DEFAULT NULL)
RETURNS void
LANGUAGE sql
SET search_path = ''
AS $$
  UPDATE public.agent_commands c
     SET status = 'failed', failed_at = now(), leased_until = NULL,
         exit_code = p_exit_code, stdout = p_stdout, stderr = p_stderr, error_message = p_error
   WHERE c.id = p_command_id AND c.status <> 'done';
$$;

-- =====================================================================================================
-- agents: no cycles in the org chart
-- =====================================================================================================

CREATE OR REPLACE FUNCTION public.agents_check_reports_cycle()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  IF NEW.reports_to_id IS NULL THEN
    RETURN NEW;
  END IF;
  IF NEW.reports_to_id = NEW.id THEN
    RAISE EXCEPTION 'agent % cannot report to itself', NEW.slug
      USING ERRCODE = '23514', CONSTRAINT = 'agents_no_self_report';
  END IF;
  -- One org-chart change at a time; this statement then sees every committed change (READ COMMITTED).
  PERFORM pg_advisory_xact_lock(hashtext('public.agents.reports_to_id'));
  IF EXISTS (
      WITH RECURSIVE up (id, path) AS (
        SELECT a.id, ARRAY[a.id] FROM public.agents a WHERE a.id = NEW.reports_to_id
        UNION ALL
        SELECT a.reports_to_id, up.path || a.reports_to_id
          FROM up JOIN public.agents a ON a.id = up.id
         WHERE a.reports_to_id IS NOT NULL AND NOT a.reports_to_id = ANY (up.path)
      )
      SELECT 1 FROM up WHERE up.id = NEW.id) THEN
    RAISE EXCEPTION 'reporting cycle: agent % would (indirectly) report to itself', NEW.slug
      USING ERRCODE = '23514', HINT = 'agents.reports_to_id must form a tree';
  END IF;
  RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER agents_reports_cycle
  BEFORE INSERT OR UPDATE OF reports_to_id ON public.agents
  FOR EACH ROW EXECUTE FUNCTION public.agents_check_reports_cycle();

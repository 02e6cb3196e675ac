-- 015_usage_budgets: per-call LLM usage log, per-agent monthly budgets rolled up by trigger, budget notifications
-- (once per agent, type and period), recompute RPC, daily usage RPC. RLS / grants / realtime (agent_budgets) for
-- these tables come from 016's table lists.
--
-- Differences from HQ:
--   * A back-dated usage row (earlier month than the budget's current period) no longer resets the current
--     period's counters; it is logged but not rolled into the current period (recompute_agent_budget ignores it too).
--   * An invalid period_anchor_tz / owner_timezone falls back to UTC instead of failing the usage insert.
--   * Concurrent usage inserts for one agent serialise on the budget row (INSERT ... ON CONFLICT + FOR UPDATE).
--   * CHECKs: monthly_limit_usd >= 0, soft_threshold_pct 1..100, usage token counts >= 0.
--   * recompute_agent_budget sums only the current period (HQ had no upper bound, so future-dated rows counted).
--   * get_agent_daily_usage(p_agent_id, p_days) exists (the UI calls it; HQ never defined it).
--   * SECURITY DEFINER functions are not executable by PUBLIC.
-- The workspace default_* columns are created by 004 (HQ adds them here); repeated IF NOT EXISTS for HQ upgrades.

DO $$
BEGIN
  IF to_regtype('public.budget_status') IS NULL THEN
    CREATE TYPE public.budget_status AS ENUM ('ok', 'warned', 'exceeded', 'unmetered');
  END IF;
END
$$;

ALTER TABLE public.workspace ADD COLUMN IF NOT EXISTS default_agent_budget_usd numeric(10,2);
ALTER TABLE public.workspace ADD COLUMN IF NOT EXISTS default_soft_threshold_pct integer NOT NULL DEFAULT 80;
ALTER TABLE public.workspace ADD COLUMN IF NOT EXISTS default_hard_cutoff boolean NOT NULL DEFAULT true;

CREATE TABLE IF NOT EXISTS public.agent_usage (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id uuid REFERENCES public.agents (id) ON DELETE SET NULL,
  agent_slug_snapshot text,
  gateway_id uuid REFERENCES public.gateways (id) ON DELETE SET NULL,
  session_id text,
  run_id text NOT NULL,
  provider text NOT NULL,
  model text NOT NULL,
  input_tokens integer NOT NULL DEFAULT 0,
  output_tokens integer NOT NULL DEFAULT 0,
  cache_read integer NOT NULL DEFAULT 0,
  cache_write integer NOT NULL DEFAULT 0,
  total_tokens integer NOT NULL DEFAULT 0,
  cost_input_usd numeric(12,6),
  cost_output_usd numeric(12,6),
  cost_cache_read_usd numeric(12,6),
  cost_cache_write_usd numeric(12,6),
  cost_total_usd numeric(12,6),
  occurred_at timestamptz NOT NULL DEFAULT now(),
  meta jsonb NOT NULL DEFAULT '{}'::jsonb,
  CONSTRAINT agent_usage_idem UNIQUE (run_id, provider, model, occurred_at)
);
CREATE INDEX IF NOT EXISTS agent_usage_agent_occurred_at_idx ON public.agent_usage (agent_id, occurred_at DESC);
CREATE INDEX IF NOT EXISTS agent_usage_occurred_at_idx ON public.agent_usage (occurred_at DESC);
CREATE INDEX IF NOT EXISTS agent_usage_agent_model_idx ON public.agent_usage (agent_id, model);

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint
                  WHERE conrelid = 'public.agent_usage'::regclass AND conname = 'agent_usage_tokens_check') THEN
    ALTER TABLE public.agent_usage ADD CONSTRAINT agent_usage_tokens_check
      CHECK (input_tokens >= 0 AND output_tokens >= 0 AND cache_read >= 0 AND cache_write >= 0
             AND total_tokens >= 0);
  END IF;
END
$$;

-- Remember whether agent_budgets is new in this transaction (HQ's one-time backfill runs only then).
DO $$
BEGIN
  PERFORM set_config('hq.agent_budgets_created', (to_regclass('public.agent_budgets') IS NULL)::text, true);
END
$$;

CREATE TABLE IF NOT EXISTS public.agent_budgets (
  agent_id uuid PRIMARY KEY REFERENCES public.agents (id) ON DELETE CASCADE,
  monthly_limit_usd numeric(10,2),
  soft_threshold_pct integer NOT NULL DEFAULT 80,
  hard_cutoff boolean NOT NULL DEFAULT true,
  period_anchor_tz text NOT NULL DEFAULT 'UTC',
  current_period_start date NOT NULL DEFAULT CURRENT_DATE,
  current_period_spend_usd numeric(12,6) NOT NULL DEFAULT 0,
  current_period_tokens bigint NOT NULL DEFAULT 0,
  current_period_metered_calls integer NOT NULL DEFAULT 0,
  current_period_unmetered_calls integer NOT NULL DEFAULT 0,
  status public.budget_status NOT NULL DEFAULT 'ok',
  warned_at timestamptz,
  exceeded_at timestamptz,
  last_usage_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  meta jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE OR REPLACE TRIGGER agent_budgets_updated_at
  BEFORE UPDATE ON public.agent_budgets
  FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint
                  WHERE conrelid = 'public.agent_budgets'::regclass AND conname = 'agent_budgets_limits_check') THEN
    ALTER TABLE public.agent_budgets ADD CONSTRAINT agent_budgets_limits_check
      CHECK ((monthly_limit_usd IS NULL OR monthly_limit_usd >= 0) AND soft_threshold_pct BETWEEN 1 AND 100);
  END IF;
END
$$;

INSERT INTO public.agent_budgets (agent_id)
SELECT a.id FROM public.agents a
 WHERE current_setting('hq.agent_budgets_created', true) = 'true'
ON CONFLICT (agent_id) DO NOTHING;

-- At most one budget.warned and one budget.exceeded notification per agent and period.
CREATE UNIQUE INDEX IF NOT EXISTS uq_budget_notification_per_period
  ON public.notifications (entity_id, type, (meta ->> 'period_start'))
  WHERE entity_type = 'agent_budget' AND type IN ('budget.warned', 'budget.exceeded');

-- The IANA zone if the server knows it, else 'UTC'.
CREATE OR REPLACE FUNCTION public.hq_valid_timezone(p_tz text)
RETURNS text
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
BEGIN
  IF nullif(btrim(p_tz), '') IS NULL THEN
    RETURN 'UTC';
  END IF;
  PERFORM now() AT TIME ZONE p_tz;
  RETURN p_tz;
EXCEPTION WHEN invalid_parameter_value OR data_exception THEN
  RETURN 'UTC';
END
$$;

-- Budget status from the counters (HQ's rules).
CREATE OR REPLACE FUNCTION public.hq_budget_status(
  p_spend numeric, p_limit numeric, p_pct integer, p_metered integer, p_unmetered integer)
RETURNS public.budget_status
LANGUAGE sql
IMMUTABLE
SET search_path = ''
AS $$
  SELECT CASE
           WHEN p_limit IS NULL THEN 'ok'
           WHEN p_metered = 0 AND p_unmetered > 0 THEN 'unmetered'
           WHEN p_spend >= p_limit THEN 'exceeded'
           WHEN p_spend >= p_limit * p_pct / 100.0 THEN 'warned'
           ELSE 'ok'
         END::public.budget_status;
$$;

-- AFTER INSERT on agent_usage: roll the call into the agent's budget, update the status, notify on entering
-- warned / exceeded (once per period by the unique index).
CREATE OR REPLACE FUNCTION public.update_agent_budget_on_usage()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
  v_ws public.workspace;
  v_tz text;
  v_b public.agent_budgets;
  v_period date;
  v_old_status public.budget_status;
  v_status public.budget_status;
  v_name text;
  v_cost numeric := coalesce(NEW.cost_total_usd, 0);
BEGIN
  IF NEW.agent_id IS NULL THEN
    RETURN NULL;
  END IF;

  SELECT w.* INTO v_ws FROM public.workspace w LIMIT 1;
  v_tz := public.hq_valid_timezone(v_ws.owner_timezone);
  INSERT INTO public.agent_budgets (agent_id, monthly_limit_usd, soft_threshold_pct, hard_cutoff, period_anchor_tz,
                                    current_period_start)
  VALUES (NEW.agent_id, v_ws.default_agent_budget_usd, coalesce(v_ws.default_soft_threshold_pct, 80),
          coalesce(v_ws.default_hard_cutoff, true), v_tz,
          date_trunc('month', NEW.occurred_at AT TIME ZONE v_tz)::date)
  ON CONFLICT (agent_id) DO NOTHING;

  SELECT b.* INTO v_b FROM public.agent_budgets b WHERE b.agent_id = NEW.agent_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN NULL; -- agent deleted concurrently
  END IF;
  v_old_status := v_b.status;
  v_period := date_trunc('month', NEW.occurred_at AT TIME ZONE public.hq_valid_timezone(v_b.period_anchor_tz))::date;

  -- (current_period_start defaults to the day the row was created; the first usage re-anchors it to the 1st.)
  IF v_period < date_trunc('month', v_b.current_period_start)::date THEN
    RETURN NULL; -- a late row of a past period: logged, not part of the current period
  END IF;
  IF v_period <> v_b.current_period_start THEN
    v_b.current_period_start := v_period;
    v_b.current_period_spend_usd := 0;
    v_b.current_period_tokens := 0;
    v_b.current_period_metered_calls := 0;
    v_b.current_period_unmetered_calls := 0;
    v_b.warned_at := NULL;
    v_b.exceeded_at := NULL;
    v_old_status := 'ok'; -- a new period starts unwarned, so crossing again notifies again
  END IF;
  v_b.current_period_spend_usd := v_b.current_period_spend_usd + v_cost;
  v_b.current_period_tokens := v_b.current_period_tokens + NEW.total_tokens;
  IF NEW.cost_total_usd IS NULL THEN
    v_b.current_period_unmetered_calls := v_b.current_period_unmetered_calls + 1;
  ELSE
    v_b.current_period_metered_calls := v_b.current_period_metered_calls + 1;
  END IF;
  v_status := public.hq_budget_status(v_b.current_period_spend_usd, v_b.monthly_limit_usd, v_b.soft_threshold_pct,
                                      v_b.current_period_metered_calls, v_b.current_period_unmetered_calls);
  IF v_b.monthly_limit_usd IS NOT NULL THEN
    IF v_b.warned_at IS NULL
       AND v_b.current_period_spend_usd >= v_b.monthly_limit_usd * v_b.soft_threshold_pct / 100.0 THEN
      v_b.warned_at := now();
    END IF;
    IF v_b.exceeded_at IS NULL AND v_b.current_period_spend_usd >= v_b.monthly_limit_usd THEN
      v_b.exceeded_at := now();
    END IF;
  END IF;

  UPDATE public.agent_budgets b
     SET current_period_start = v_b.current_period_start,
         current_period_spend_usd = v_b.current_period_spend_usd,
         current_period_tokens = v_b.current_period_tokens,
         current_period_metered_calls = v_b.current_period_metered_calls,
         current_period_unmetered_calls = v_b.current_period_unmetered_calls,
         status = v_status,
         warned_at = v_b.warned_at,
         exceeded_at = v_b.exceeded_at,
         last_usage_at = greatest(b.last_usage_at, NEW.occurred_at)
   WHERE b.agent_id = NEW.agent_id;

  IF v_status IN ('warned', 'exceeded') AND v_status IS DISTINCT FROM v_old_status THEN
    SELECT a.name INTO v_name FROM public.agents a WHERE a.id = NEW.agent_id;
    INSERT INTO public.notifications (type, title, body, entity_type, entity_id, actor_type, meta)
    VALUES ('budget.' || v_status::text,
            CASE v_status WHEN 'warned' THEN format('Agent %s near monthly budget', v_name)
                          ELSE format('Agent %s exceeded monthly budget', v_name) END,
            CASE v_status WHEN 'warned'
                 THEN format('Spent $%s of $%s', round(v_b.current_period_spend_usd, 2), v_b.monthly_limit_usd)
                 ELSE format('Stopped at $%s (limit $%s)', round(v_b.current_period_spend_usd, 2), v_b.monthly_limit_usd)
            END,
            'agent_budget', NEW.agent_id, 'system',
            jsonb_build_object('agent_id', NEW.agent_id,
                               'period_start', to_char(v_b.current_period_start, 'YYYY-MM-DD'),
                               'spend', v_b.current_period_spend_usd, 'limit', v_b.monthly_limit_usd))
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER agent_usage_rollup
  AFTER INSERT ON public.agent_usage
  FOR EACH ROW EXECUTE FUNCTION public.update_agent_budget_on_usage();

-- Recomputes the current period's counters and status from agent_usage (no notifications, never stamps
-- warned_at / exceeded_at, clears them when below). No budget row → an all-NULL record, as in HQ.
CREATE OR REPLACE FUNCTION public.recompute_agent_budget(p_agent_id uuid)
RETURNS public.agent_budgets
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  v_b public.agent_budgets;
  v_tz text;
  v_start date;
  v_spend numeric;
  v_tokens bigint;
  v_metered integer;
  v_unmetered integer;
  v_last timestamptz;
BEGIN
  SELECT b.* INTO v_b FROM public.agent_budgets b WHERE b.agent_id = p_agent_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN v_b;
  END IF;
  v_tz := public.hq_valid_timezone(coalesce(nullif(btrim(v_b.period_anchor_tz), ''),
                                            (SELECT w.owner_timezone FROM public.workspace w LIMIT 1)));
  v_start := date_trunc('month', now() AT TIME ZONE v_tz)::date;
  SELECT coalesce(sum(u.cost_total_usd), 0), coalesce(sum(u.total_tokens), 0),
         count(u.cost_total_usd)::integer, (count(*) - count(u.cost_total_usd))::integer, max(u.occurred_at)
    INTO v_spend, v_tokens, v_metered, v_unmetered, v_last
    FROM public.agent_usage u
   WHERE u.agent_id = p_agent_id
     AND u.occurred_at >= (v_start::timestamp AT TIME ZONE v_tz)
     AND u.occurred_at < ((v_start + interval '1 month')::timestamp AT TIME ZONE v_tz);

  UPDATE public.agent_budgets b
     SET current_period_start = v_start,
         current_period_spend_usd = v_spend,
         current_period_tokens = v_tokens,
         current_period_metered_calls = v_metered,
         current_period_unmetered_calls = v_unmetered,
         last_usage_at = v_last,
         status = public.hq_budget_status(v_spend, b.monthly_limit_usd, b.soft_threshold_pct, v_metered, v_unmetered),
         warned_at = CASE WHEN b.monthly_limit_usd IS NULL
                            OR v_spend < b.monthly_limit_usd * b.soft_threshold_pct / 100.0 THEN NULL
                          ELSE b.warned_at END,
         exceeded_at = CASE WHEN b.monthly_limit_usd IS NULL OR v_spend < b.monthly_limit_usd THEN NULL
                            ELSE b.exceeded_at END
   WHERE b.agent_id = p_agent_id
  RETURNING b.* INTO v_b;
  RETURN v_b;
END
$$;

-- Per-day spend and tokens of an agent for the last p_days days (UTC days), oldest first; spend NULL when every
-- call of that day was unmetered.
CREATE OR REPLACE FUNCTION public.get_agent_daily_usage(p_agent_id uuid, p_days integer DEFAULT 30)
RETURNS TABLE (day text, spend_usd numeric, tokens bigint)
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT to_char(date_trunc('day', u.occurred_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD'),
         sum(u.cost_total_usd), sum(u.total_tokens)::bigint
    FROM public.agent_usage u
   WHERE u.agent_id = p_agent_id
     AND u.occurred_at >= now() - make_interval(days => least(366, greatest(1, coalesce(p_days, 30))))
   GROUP BY 1
   ORDER BY 1;
$$;

REVOKE EXECUTE ON FUNCTION public.recompute_agent_budget(uuid) FROM PUBLIC;
DO $$
DECLARE
  v_role text;
BEGIN
  -- Supabase's default privileges grant every new function to anon; these are not for anon.
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'anon') THEN
    REVOKE EXECUTE ON FUNCTION public.recompute_agent_budget(uuid) FROM anon;
  END IF;
  FOR v_role IN SELECT r.rolname FROM pg_catalog.pg_roles r
                 WHERE r.rolname IN ('authenticated', 'service_role') ORDER BY 1 LOOP
    EXECUTE format('GRANT EXECUTE ON FUNCTION public.recompute_agent_budget(uuid) TO %I', v_role);
  END LOOP;
END
$$;

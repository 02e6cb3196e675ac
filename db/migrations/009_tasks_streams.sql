-- 009_tasks_streams: streams, tasks, recurring task series, next-occurrence math, the spawner (+ pg_cron job when
-- pg_cron is installed), debug RPC.
--
-- Differences from HQ:
--   * task_series is created before tasks, so tasks.series_id carries its FK (tasks_series_id_fkey) from the start.
--   * tasks_propagate_series_model is a BEFORE INSERT trigger (same name, same function name) that fills the new row's
--     model/thinking overrides from its series, so the inbox item of a spawned task carries them (HQ's AFTER trigger
--     ran after tasks_enqueue_assignment and updated the row a second time).
--   * CHECKs on days_of_week (0..6) and day_of_month (1..31 or -1); the series timezone is validated by the trigger.
--   * The spawner's catch-up loop is bounded, an occurrence the math cannot produce pauses the series instead of
--     looping, search_path = '' (objects qualified), EXECUTE not granted to PUBLIC.
--   * The pg_cron job is only scheduled where pg_cron is installed; otherwise the app calls spawn_due_task_instances()
--     once a minute.
-- tasks_enqueue_assignment (and its function) belong to 013, the agent inbox.

CREATE TABLE IF NOT EXISTS public.streams (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  name text NOT NULL,
  description text,
  color text DEFAULT '#6b7280',
  icon text,
  sort_order integer DEFAULT 0,
  type public.stream_type NOT NULL DEFAULT 'functional',
  is_archived boolean DEFAULT false,
  meta jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE OR REPLACE TRIGGER streams_updated_at
  BEFORE UPDATE ON public.streams
  FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TABLE IF NOT EXISTS public.task_series (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  stream_id uuid REFERENCES public.streams (id) ON DELETE SET NULL,
  title text NOT NULL,
  description text,
  priority public.task_priority NOT NULL DEFAULT 'medium',
  assignee_type public.actor_type,
  assignee_agent_id uuid REFERENCES public.agents (id) ON DELETE SET NULL,
  tags text[] NOT NULL DEFAULT '{}',
  linked_entity_type text,
  linked_entity_id uuid,
  meta jsonb NOT NULL DEFAULT '{}'::jsonb,
  cadence_type text NOT NULL CHECK (cadence_type IN ('daily', 'weekdays', 'weekly', 'monthly', 'every_n_days')),
  interval_n integer NOT NULL DEFAULT 1 CHECK (interval_n >= 1),
  days_of_week smallint[] NOT NULL DEFAULT '{}',
  day_of_month smallint,
  time_of_day time NOT NULL DEFAULT '09:00:00',
  timezone text NOT NULL,
  is_paused boolean NOT NULL DEFAULT false,
  starts_on date NOT NULL DEFAULT CURRENT_DATE,
  ends_on date,
  ends_after_count integer,
  spawned_count integer NOT NULL DEFAULT 0,
  next_occurrence_at timestamptz,
  last_spawned_at timestamptz,
  missed_policy text NOT NULL DEFAULT 'auto_skip' CHECK (missed_policy IN ('auto_skip', 'queue')),
  model_override text,
  thinking_override text
);
CREATE INDEX IF NOT EXISTS task_series_next_occurrence_at_idx ON public.task_series (next_occurrence_at)
  WHERE NOT is_paused;
CREATE INDEX IF NOT EXISTS task_series_stream_id_idx ON public.task_series (stream_id);
CREATE INDEX IF NOT EXISTS task_series_assignee_agent_id_idx ON public.task_series (assignee_agent_id);
CREATE OR REPLACE TRIGGER task_series_updated_at
  BEFORE UPDATE ON public.task_series
  FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint
                  WHERE conrelid = 'public.task_series'::regclass AND conname = 'task_series_days_of_week_check') THEN
    ALTER TABLE public.task_series ADD CONSTRAINT task_series_days_of_week_check
      CHECK (days_of_week <@ ARRAY[0, 1, 2, 3, 4, 5, 6]::smallint[]);
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint
                  WHERE conrelid = 'public.task_series'::regclass AND conname = 'task_series_day_of_month_check') THEN
    ALTER TABLE public.task_series ADD CONSTRAINT task_series_day_of_month_check
      CHECK (day_of_month IS NULL OR day_of_month = -1 OR day_of_month BETWEEN 1 AND 31);
  END IF;
END
$$;

CREATE TABLE IF NOT EXISTS public.tasks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  title text NOT NULL,
  description text,
  status public.task_status NOT NULL DEFAULT 'todo',
  priority public.task_priority,
  stream_id uuid REFERENCES public.streams (id) ON DELETE SET NULL,
  parent_id uuid REFERENCES public.tasks (id) ON DELETE CASCADE,
  assignee_type public.actor_type,
  assignee_agent_id uuid REFERENCES public.agents (id) ON DELETE SET NULL,
  due_date timestamptz,
  due_at timestamptz,
  completed_at timestamptz,
  linked_entity_type text,
  linked_entity_id uuid,
  contact_id uuid REFERENCES public.contacts (id) ON DELETE SET NULL,
  org_id uuid REFERENCES public.organizations (id) ON DELETE SET NULL,
  series_id uuid REFERENCES public.task_series (id) ON DELETE SET NULL,
  series_occurrence_at timestamptz,
  is_recurring boolean DEFAULT false,
  recurrence_rule text,
  last_completed_at timestamptz,
  tags text[] NOT NULL DEFAULT '{}',
  sort_order integer DEFAULT 0,
  archived_at timestamptz,
  model_override text,
  thinking_override text,
  CONSTRAINT tasks_series_occurrence_key UNIQUE (series_id, series_occurrence_at)
);
CREATE INDEX IF NOT EXISTS tasks_status_idx ON public.tasks (status);
CREATE INDEX IF NOT EXISTS tasks_priority_idx ON public.tasks (priority);
CREATE INDEX IF NOT EXISTS tasks_stream_id_idx ON public.tasks (stream_id);
CREATE INDEX IF NOT EXISTS tasks_assignee_agent_id_idx ON public.tasks (assignee_agent_id);
CREATE INDEX IF NOT EXISTS tasks_parent_id_idx ON public.tasks (parent_id);
CREATE INDEX IF NOT EXISTS tasks_contact_id_idx ON public.tasks (contact_id);
CREATE INDEX IF NOT EXISTS tasks_org_id_idx ON public.tasks (org_id);
CREATE INDEX IF NOT EXISTS tasks_due_date_idx ON public.tasks (due_date ASC NULLS LAST);
CREATE INDEX IF NOT EXISTS tasks_due_at_idx ON public.tasks (due_at ASC NULLS LAST);
CREATE INDEX IF NOT EXISTS tasks_active_created_at_idx ON public.tasks (created_at DESC) WHERE archived_at IS NULL;
CREATE INDEX IF NOT EXISTS tasks_tags_idx ON public.tasks USING gin (tags);
CREATE INDEX IF NOT EXISTS tasks_series_occurrence_idx ON public.tasks (series_id, series_occurrence_at DESC)
  WHERE series_id IS NOT NULL;

-- Upgrade path: an HQ database whose tasks table predates task_series got the FK attached afterwards.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint
                  WHERE conrelid = 'public.tasks'::regclass AND conname = 'tasks_series_id_fkey') THEN
    ALTER TABLE public.tasks ADD CONSTRAINT tasks_series_id_fkey
      FOREIGN KEY (series_id) REFERENCES public.task_series (id) ON DELETE SET NULL;
  END IF;
END
$$;

-- completed_at: stamped when a task becomes done, kept while it stays done, cleared otherwise.
CREATE OR REPLACE FUNCTION public.sync_task_completion()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  IF NEW.status = 'done' THEN
    IF TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM 'done' THEN
      NEW.completed_at := now();
    END IF;
  ELSE
    NEW.completed_at := NULL;
  END IF;
  RETURN NEW;
END
$$;

-- A task of a series without its own overrides takes the series' model/thinking overrides (BEFORE INSERT).
CREATE OR REPLACE FUNCTION public.propagate_series_model_overrides()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
  v_model text;
  v_thinking text;
BEGIN
  IF NEW.series_id IS NOT NULL AND NEW.model_override IS NULL AND NEW.thinking_override IS NULL THEN
    SELECT s.model_override, s.thinking_override INTO v_model, v_thinking
      FROM public.task_series s WHERE s.id = NEW.series_id;
    IF v_model IS NOT NULL OR v_thinking IS NOT NULL THEN
      NEW.model_override := v_model;
      NEW.thinking_override := v_thinking;
    END IF;
  END IF;
  RETURN NEW;
END
$$;

-- HQ had an AFTER INSERT trigger of this name; replace it by the BEFORE INSERT one.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t
              WHERE t.tgrelid = 'public.tasks'::regclass AND t.tgname = 'tasks_propagate_series_model'
                AND (t.tgtype & 2) = 0) THEN
    DROP TRIGGER tasks_propagate_series_model ON public.tasks;
  END IF;
END
$$;

CREATE OR REPLACE TRIGGER tasks_updated_at
  BEFORE UPDATE ON public.tasks
  FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();
CREATE OR REPLACE TRIGGER tasks_sync_completion
  BEFORE INSERT OR UPDATE ON public.tasks
  FOR EACH ROW EXECUTE FUNCTION public.sync_task_completion();
CREATE OR REPLACE TRIGGER tasks_propagate_series_model
  BEFORE INSERT ON public.tasks
  FOR EACH ROW WHEN (NEW.series_id IS NOT NULL) EXECUTE FUNCTION public.propagate_series_model_overrides();

-- The first occurrence strictly after p_from_ts, as a timestamptz (local wall time in the series timezone, DST-correct).
-- NULL when a weekly series lists no weekday in its window.
CREATE OR REPLACE FUNCTION public.next_occurrence(p_series public.task_series, p_from_ts timestamptz)
RETURNS timestamptz
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
DECLARE
  v_tz text := p_series.timezone;
  v_local timestamp := p_from_ts AT TIME ZONE p_series.timezone;
  v_day date := (p_from_ts AT TIME ZONE p_series.timezone)::date;
  v_t time := p_series.time_of_day;
  v_n integer := greatest(1, coalesce(p_series.interval_n, 1));
  v_cand timestamp;
  v_i integer;
  v_dom integer;
  v_month date;
  v_last integer;
BEGIN
  CASE p_series.cadence_type
    WHEN 'daily', 'every_n_days' THEN
      v_cand := v_day + v_t;
      IF v_cand <= v_local THEN
        v_cand := (v_day + v_n) + v_t;
      END IF;
    WHEN 'weekdays' THEN
      v_cand := v_day + v_t;
      IF v_cand <= v_local THEN
        v_cand := (v_day + 1) + v_t;
      END IF;
      WHILE extract(isodow FROM v_cand) IN (6, 7) LOOP
        v_cand := v_cand + interval '1 day';
      END LOOP;
    WHEN 'weekly' THEN
      IF coalesce(cardinality(p_series.days_of_week), 0) = 0 THEN
        v_cand := v_day + v_t;
        IF v_cand <= v_local THEN
          v_cand := (v_day + 7 * v_n) + v_t;
        END IF;
      ELSE
        v_cand := NULL;
        FOR v_i IN 0 .. 7 * v_n LOOP
          IF extract(dow FROM v_day + v_i)::smallint = ANY (p_series.days_of_week)
             AND (v_day + v_i) + v_t > v_local THEN
            v_cand := (v_day + v_i) + v_t;
            EXIT;
          END IF;
        END LOOP;
      END IF;
    WHEN 'monthly' THEN
      v_dom := coalesce(p_series.day_of_month, 1);
      FOR v_i IN 0 .. 1 LOOP
        v_month := (date_trunc('month', v_day) + make_interval(months => v_i))::date;
        v_last := extract(day FROM (v_month + interval '1 month' - interval '1 day'))::integer;
        v_cand := (v_month + (CASE WHEN v_dom = -1 OR v_dom > v_last THEN v_last ELSE v_dom END) - 1) + v_t;
        EXIT WHEN v_cand > v_local;
      END LOOP;
    ELSE
      RAISE EXCEPTION 'Unknown cadence_type: %', p_series.cadence_type USING ERRCODE = '22023';
  END CASE;

  IF v_cand IS NULL THEN
    RETURN NULL;
  END IF;
  RETURN v_cand AT TIME ZONE v_tz;
END
$$;

-- BEFORE INSERT/UPDATE on task_series: keeps next_occurrence_at and the auto-pause rules (HQ's order of rules).
CREATE OR REPLACE FUNCTION public.task_series_sync_next_occurrence()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
  v_from timestamptz;
BEGIN
  -- Reject an unknown timezone name here with a clear message (instead of at spawn time).
  -- (raises 22023 'time zone "..." not recognized')
  PERFORM now() AT TIME ZONE NEW.timezone;

  IF NEW.is_paused THEN
    NEW.next_occurrence_at := NULL;
    RETURN NEW;
  END IF;
  IF NEW.ends_after_count IS NOT NULL AND NEW.spawned_count >= NEW.ends_after_count THEN
    NEW.is_paused := true;
    NEW.next_occurrence_at := NULL;
    RETURN NEW;
  END IF;

  IF TG_OP = 'INSERT'
     OR NEW.cadence_type IS DISTINCT FROM OLD.cadence_type
     OR NEW.interval_n IS DISTINCT FROM OLD.interval_n
     OR NEW.days_of_week IS DISTINCT FROM OLD.days_of_week
     OR NEW.day_of_month IS DISTINCT FROM OLD.day_of_month
     OR NEW.time_of_day IS DISTINCT FROM OLD.time_of_day
     OR NEW.timezone IS DISTINCT FROM OLD.timezone
     OR NEW.starts_on IS DISTINCT FROM OLD.starts_on
     OR (OLD.is_paused AND NOT NEW.is_paused) THEN
    v_from := greatest((NEW.starts_on::timestamp AT TIME ZONE NEW.timezone) - interval '1 second', now());
    NEW.next_occurrence_at := public.next_occurrence(NEW, v_from);
  END IF;

  IF NEW.ends_on IS NOT NULL AND NEW.next_occurrence_at IS NOT NULL
     AND (NEW.next_occurrence_at AT TIME ZONE NEW.timezone)::date > NEW.ends_on THEN
    NEW.is_paused := true;
    NEW.next_occurrence_at := NULL;
  END IF;
  RETURN NEW;
END
$$;

CREATE OR REPLACE TRIGGER task_series_sync
  BEFORE INSERT OR UPDATE ON public.task_series
  FOR EACH ROW EXECUTE FUNCTION public.task_series_sync_next_occurrence();

-- Spawns the due occurrence of every due series (see HQ-SCHEMA §5.3): catch-up to the latest occurrence <= now
-- (bounded), auto_skip marks the series' latest open task missed (+ audit row), inserts the task (conflict on
-- (series_id, series_occurrence_at) skipped), advances the series. Concurrent callers never spawn the same series
-- twice (FOR UPDATE SKIP LOCKED).
CREATE OR REPLACE FUNCTION public.spawn_due_task_instances()
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  v_s public.task_series;
  v_occ timestamptz;
  v_next timestamptz;
  v_skipped integer;
  v_task_id uuid;
  v_missed_id uuid;
  v_missed_title text;
BEGIN
  FOR v_s IN
    SELECT s.* FROM public.task_series s
     WHERE NOT s.is_paused
       AND s.next_occurrence_at IS NOT NULL AND s.next_occurrence_at <= now()
       AND (s.ends_on IS NULL OR (s.next_occurrence_at AT TIME ZONE s.timezone)::date <= s.ends_on)
       AND (s.ends_after_count IS NULL OR s.spawned_count < s.ends_after_count)
     ORDER BY s.next_occurrence_at, s.id
       FOR UPDATE SKIP LOCKED
  LOOP
    -- 1. catch up: the latest occurrence that is still due.
    v_occ := v_s.next_occurrence_at;
    v_skipped := 0;
    LOOP
      v_next := public.next_occurrence(v_s, v_occ);
      EXIT WHEN v_next IS NULL OR v_next > now() OR v_skipped >= 100000;
      v_occ := v_next;
      v_skipped := v_skipped + 1;
    END LOOP;

    -- 2. auto_skip: the previous open instance is missed.
    IF v_s.missed_policy = 'auto_skip' THEN
      SELECT t.id, t.title INTO v_missed_id, v_missed_title
        FROM public.tasks t
       WHERE t.series_id = v_s.id AND t.status NOT IN ('done', 'cancelled', 'missed')
       ORDER BY t.series_occurrence_at DESC NULLS LAST
       LIMIT 1
         FOR UPDATE;
      IF FOUND THEN
        UPDATE public.tasks SET status = 'missed' WHERE id = v_missed_id;
        INSERT INTO public.audit_log (actor_type, module, entity_type, entity_id, action, summary, meta)
        VALUES ('system', 'tasks', 'task', v_missed_id, 'status_changed',
                'Auto-missed: ' || v_missed_title,
                jsonb_build_object('series_id', v_s.id, 'reason', 'recurring_auto_skip'));
      END IF;
    END IF;

    -- 3. the new instance.
    v_task_id := NULL;
    INSERT INTO public.tasks (stream_id, title, description, priority, assignee_type, assignee_agent_id, tags,
                              linked_entity_type, linked_entity_id, series_id, series_occurrence_at, due_at, due_date)
    VALUES (v_s.stream_id, v_s.title, v_s.description, v_s.priority, v_s.assignee_type, v_s.assignee_agent_id,
            v_s.tags, v_s.linked_entity_type, v_s.linked_entity_id, v_s.id, v_occ, v_occ, v_occ)
    ON CONFLICT (series_id, series_occurrence_at) DO NOTHING
    RETURNING id INTO v_task_id;
    IF v_task_id IS NOT NULL THEN
      INSERT INTO public.audit_log (actor_type, module, entity_type, entity_id, action, summary, meta)
      VALUES ('system', 'tasks', 'task', v_task_id, 'created', 'Recurring instance spawned: ' || v_s.title,
              jsonb_build_object('series_id', v_s.id, 'occurrence_at', v_occ, 'catchup_skipped', v_skipped));
    END IF;

    -- 4. advance the series (the series trigger applies ends_after_count / ends_on).
    v_next := public.next_occurrence(v_s, v_occ);
    UPDATE public.task_series s
       SET spawned_count = s.spawned_count + 1,
           last_spawned_at = now(),
           next_occurrence_at = v_next,
           is_paused = s.is_paused OR v_next IS NULL
               OR (s.ends_after_count IS NOT NULL AND s.spawned_count + 1 >= s.ends_after_count)
               OR (s.ends_on IS NOT NULL AND (v_next AT TIME ZONE s.timezone)::date > s.ends_on)
     WHERE s.id = v_s.id;
  END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION public.recurring_tasks_debug()
RETURNS TABLE (series_id uuid, title text, is_paused boolean, next_occurrence_at timestamptz, now_at timestamptz,
               seconds_until_next double precision, spawned_count integer, last_spawned_at timestamptz,
               cadence_type text, time_of_day time, timezone text)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $$
  SELECT s.id, s.title, s.is_paused, s.next_occurrence_at, now(),
         extract(epoch FROM (s.next_occurrence_at - now()))::double precision,
         s.spawned_count, s.last_spawned_at, s.cadence_type, s.time_of_day, s.timezone
    FROM public.task_series s
   ORDER BY s.created_at DESC;
$$;

REVOKE EXECUTE ON FUNCTION public.spawn_due_task_instances() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION public.recurring_tasks_debug() FROM PUBLIC;
DO $$
DECLARE
  v_role text;
BEGIN
  -- Supabase's default privileges grant every new function to anon; these are not for anon.
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'anon') THEN
    REVOKE EXECUTE ON FUNCTION public.spawn_due_task_instances() FROM anon;
    REVOKE EXECUTE ON FUNCTION public.recurring_tasks_debug() FROM anon;
  END IF;
  FOR v_role IN SELECT r.rolname FROM pg_catalog.pg_roles r
                 WHERE r.rolname IN ('authenticated', 'service_role') ORDER BY 1 LOOP
    EXECUTE format('GRANT EXECUTE ON FUNCTION public.spawn_due_task_instances() TO %I', v_role);
    EXECUTE format('GRANT EXECUTE ON FUNCTION public.recurring_tasks_debug() TO %I', v_role);
  END LOOP;
END
$$;

-- pg_cron (Supabase): the spawner every minute. Skipped where pg_cron is not installed.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
    BEGIN
      PERFORM cron.unschedule('spawn-due-task-instances');
    EXCEPTION WHEN others THEN
      NULL;
    END;
    BEGIN
      PERFORM cron.schedule('spawn-due-task-instances', '* * * * *', 'SELECT public.spawn_due_task_instances()');
    EXCEPTION WHEN others THEN
      RAISE NOTICE 'pg_cron job not scheduled: %', SQLERRM;
    END;
  END IF;
END
$$;

-- 017_setup_wizard: complete_setup(), the first-run wizard's one call. Same name, nine arguments, effects as HQ on
-- the first run: initialise the workspace and seed the contact pipeline stages, contact fields and streams.
--
-- Differences from HQ (HQ let anyone with EXECUTE - PUBLIC, so anon too - re-run it and wipe every stream):
--   * Not executable by PUBLIC/anon; authenticated and service_role only.
--   * Only the first call changes anything: once the workspace is initialized, complete_setup() is a no-op (a
--     NOTICE), so a double submit or a stray call cannot delete the streams (and detach every task from them).
--     Re-running it deliberately means setting workspace.initialized = false first.
--   * Serialised on the workspace row; the row is created if it is missing.
--   * Inputs are validated: p_timezone must be a known time zone (22023), p_stages / p_fields / p_streams must be
--     JSON arrays or NULL (22023); a blank name becomes 'HQ', a blank slug NULL.
--   * sort_order defaults to the element's position in its array (HQ: 0 for all).

CREATE OR REPLACE FUNCTION public.complete_setup(
  p_name text, p_slug text, p_description text, p_owner_name text, p_preferred_name text, p_timezone text,
  p_stages jsonb, p_fields jsonb, p_streams jsonb)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  v_ws public.workspace;
  v_tz text := nullif(btrim(p_timezone), '');
BEGIN
  IF v_tz IS NOT NULL THEN
    BEGIN
      PERFORM now() AT TIME ZONE v_tz;
    EXCEPTION WHEN invalid_parameter_value OR data_exception THEN
      RAISE EXCEPTION 'unknown time zone: %', v_tz USING ERRCODE = '22023';
    END;
  END IF;
  IF jsonb_typeof(coalesce(p_stages, '[]')) <> 'array' OR jsonb_typeof(coalesce(p_fields, '[]')) <> 'array'
     OR jsonb_typeof(coalesce(p_streams, '[]')) <> 'array' THEN
    RAISE EXCEPTION 'p_stages, p_fields and p_streams must be JSON arrays' USING ERRCODE = '22023';
  END IF;

  INSERT INTO public.workspace (name, initialized)
  SELECT 'HQ', false WHERE NOT EXISTS (SELECT 1 FROM public.workspace);
  SELECT w.* INTO v_ws FROM public.workspace w LIMIT 1 FOR UPDATE;
  IF v_ws.initialized THEN
    RAISE NOTICE 'complete_setup: the workspace is already initialized; nothing changed';
    RETURN;
  END IF;

  UPDATE public.workspace w
     SET name = coalesce(nullif(btrim(p_name), ''), 'HQ'),
         slug = nullif(btrim(p_slug), ''),
         description = nullif(p_description, ''),
         owner_name = nullif(p_owner_name, ''),
         owner_preferred_name = nullif(p_preferred_name, ''),
         owner_timezone = v_tz,
         initialized = true
   WHERE w.id = v_ws.id;

  DELETE FROM public.pipeline_stages WHERE entity_type = 'contact';
  DELETE FROM public.field_definitions WHERE entity_type = 'contact';
  DELETE FROM public.streams;

  INSERT INTO public.pipeline_stages (entity_type, stage_key, label, color, sort_order, is_terminal, is_default)
  SELECT 'contact', e ->> 'stage_key', e ->> 'label', e ->> 'color',
         coalesce((e ->> 'sort_order')::integer, (n - 1)::integer),
         coalesce((e ->> 'is_terminal')::boolean, false), coalesce((e ->> 'is_default')::boolean, false)
    FROM jsonb_array_elements(coalesce(p_stages, '[]')) WITH ORDINALITY AS s(e, n);

  INSERT INTO public.field_definitions (entity_type, field_key, field_type, label, field_group, sort_order, required,
                                        options, description, is_active)
  SELECT 'contact', e ->> 'field_key', e ->> 'field_type', e ->> 'label', e ->> 'field_group',
         coalesce((e ->> 'sort_order')::integer, (n - 1)::integer), coalesce((e ->> 'required')::boolean, false),
         CASE WHEN e ? 'options' AND jsonb_typeof(e -> 'options') <> 'null' THEN e -> 'options' END,
         nullif(e ->> 'description', ''), true
    FROM jsonb_array_elements(coalesce(p_fields, '[]')) WITH ORDINALITY AS f(e, n);

  INSERT INTO public.streams (name, description, type, color, icon, sort_order, meta)
  SELECT e ->> 'name', nullif(e ->> 'description', ''),
         coalesce(nullif(e ->> 'type', ''), 'functional')::public.stream_type,
         e ->> 'color', e ->> 'icon', coalesce((e ->> 'sort_order')::integer, (n - 1)::integer), '{}'::jsonb
    FROM jsonb_array_elements(coalesce(p_streams, '[]')) WITH ORDINALITY AS s(e, n);
END
$$;

REVOKE EXECUTE ON FUNCTION public.complete_setup(text, text, text, text, text, text, jsonb, jsonb, jsonb) FROM PUBLIC;
DO $$
DECLARE
  v_role text;
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'anon') THEN
    REVOKE EXECUTE ON FUNCTION public.complete_setup(text, text, text, text, text, text, jsonb, jsonb, jsonb) FROM anon;
  END IF;
  FOR v_role IN SELECT r.rolname FROM pg_catalog.pg_roles r
                 WHERE r.rolname IN ('authenticated', 'service_role') ORDER BY 1 LOOP
    EXECUTE format('GRANT EXECUTE ON FUNCTION public.complete_setup(text, text, text, text, text, text, jsonb, jsonb, jsonb) TO %I',
                   v_role);
  END LOOP;
END
$$;

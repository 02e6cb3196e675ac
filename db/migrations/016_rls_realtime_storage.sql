-- 016_rls_realtime_storage: grants, row-level security, realtime publication membership, the 'assets' storage bucket.
--
-- Guards (each part is skipped when its Supabase object is absent, so the file applies on plain PostgreSQL):
--   * roles authenticated / anon / service_role: GRANTs and policies only for the roles that exist;
--   * publication supabase_realtime: membership only if it exists (and is not FOR ALL TABLES);
--   * schema storage (storage.buckets / storage.objects): bucket row and policies only if they exist.
-- Tables are taken from a fixed list and handled only if they exist, so files of later issues (006, 009, 010, 013,
-- 014, 015) can add theirs and a re-run of this file picks them up.
-- RLS is enabled on every listed table that exists, roles or not (the owner that runs the engine bypasses it).
--
-- Realtime on PostgreSQL 18: a table in a publication with REPLICA IDENTITY FULL and a STORED generated column
-- fails every UPDATE/DELETE unless the publication publishes generated columns. documents has no generated column
-- here (search_vector is trigger-maintained); for any published table that has one (knowledge_chunks.search_vector)
-- the replica identity stays DEFAULT (primary key) unless the publication has publish_generated_columns = stored.
-- knowledge_chunk_vectors is deliberately not published (bulk index writes), like agent_usage and
-- gateway_registration_tokens in HQ.

DO $$
DECLARE
  -- HQ's RLS tables (016 + 015) plus ours.
  v_rls_tables text[] := ARRAY[
    'workspace', 'pipeline_stages', 'field_definitions', 'tags', 'campaigns', 'contacts', 'organizations',
    'contact_organizations', 'templates', 'interactions', 'draft_sets', 'gateways', 'agents', 'streams', 'tasks',
    'task_series', 'comments', 'task_attachments', 'asset_folders', 'assets', 'document_folders', 'documents',
    'knowledge_sources', 'knowledge_chunks', 'audit_log', 'notifications', 'agent_inbox_items', 'automation_rules',
    'agent_commands', 'agent_usage', 'agent_budgets', 'knowledge_chunk_vectors'];
  -- HQ's realtime tables (016 + 015).
  v_realtime_tables text[] := ARRAY[
    'contacts', 'organizations', 'contact_organizations', 'interactions', 'templates', 'campaigns', 'tags',
    'draft_sets', 'gateways', 'agents', 'streams', 'tasks', 'task_series', 'comments', 'task_attachments', 'audit_log',
    'notifications', 'asset_folders', 'assets', 'document_folders', 'documents', 'knowledge_sources',
    'knowledge_chunks', 'agent_inbox_items', 'automation_rules', 'agent_commands', 'pipeline_stages',
    'field_definitions', 'workspace', 'agent_budgets'];
  v_roles text[];
  v_role text;
  v_table text;
  v_pub_oid oid;
  v_pub_all boolean;
  v_pub_gencols boolean;
  v_has_gen boolean;
  v_identity "char";
BEGIN
  SELECT coalesce(array_agg(r.rolname ORDER BY r.rolname), '{}') INTO v_roles
    FROM pg_catalog.pg_roles r
   WHERE r.rolname IN ('authenticated', 'service_role');

  -- Grants.
  FOREACH v_role IN ARRAY v_roles LOOP
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', v_role);
    EXECUTE format('GRANT USAGE ON SCHEMA extensions TO %I', v_role);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I', v_role);
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', v_role);
    EXECUTE format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO %I', v_role);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', v_role);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO %I', v_role);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO %I', v_role);
  END LOOP;
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'anon') THEN
    GRANT USAGE ON SCHEMA extensions TO anon;
  END IF;

  -- Row-level security and the full-access policies.
  FOREACH v_table IN ARRAY v_rls_tables LOOP
    CONTINUE WHEN to_regclass(format('public.%I', v_table)) IS NULL;
    EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', v_table);
    IF 'authenticated' = ANY (v_roles)
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_policies p
                        WHERE p.schemaname = 'public' AND p.tablename = v_table
                          AND p.policyname = 'Authenticated full access') THEN
      EXECUTE format('CREATE POLICY %I ON public.%I FOR ALL TO authenticated USING (true) WITH CHECK (true)',
                     'Authenticated full access', v_table);
    END IF;
    -- service_role bypasses RLS on Supabase; the policy makes a stand-in role without BYPASSRLS behave the same.
    IF 'service_role' = ANY (v_roles)
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_policies p
                        WHERE p.schemaname = 'public' AND p.tablename = v_table
                          AND p.policyname = 'Service role full access') THEN
      EXECUTE format('CREATE POLICY %I ON public.%I FOR ALL TO service_role USING (true) WITH CHECK (true)',
                     'Service role full access', v_table);
    END IF;
  END LOOP;

  -- Realtime publication.
  SELECT p.oid, p.puballtables, coalesce(to_jsonb(p) ->> 'pubgencols', 'n') = 's'
    INTO v_pub_oid, v_pub_all, v_pub_gencols
    FROM pg_catalog.pg_publication p
   WHERE p.pubname = 'supabase_realtime';
  IF v_pub_oid IS NOT NULL THEN
    FOREACH v_table IN ARRAY v_realtime_tables LOOP
      CONTINUE WHEN to_regclass(format('public.%I', v_table)) IS NULL;
      IF NOT v_pub_all AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_publication_rel pr
                                        WHERE pr.prpubid = v_pub_oid
                                          AND pr.prrelid = format('public.%I', v_table)::regclass) THEN
        EXECUTE format('ALTER PUBLICATION supabase_realtime ADD TABLE public.%I', v_table);
      END IF;
      SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                      WHERE a.attrelid = format('public.%I', v_table)::regclass
                        AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = 's')
        INTO v_has_gen;
      SELECT c.relreplident INTO v_identity FROM pg_catalog.pg_class c
       WHERE c.oid = format('public.%I', v_table)::regclass;
      IF v_has_gen AND NOT v_pub_gencols AND current_setting('server_version_num')::integer >= 180000 THEN
        IF v_identity = 'f' THEN
          EXECUTE format('ALTER TABLE public.%I REPLICA IDENTITY DEFAULT', v_table);
        END IF;
      ELSIF v_identity <> 'f' THEN
        EXECUTE format('ALTER TABLE public.%I REPLICA IDENTITY FULL', v_table);
      END IF;
    END LOOP;
  END IF;
END
$$;

-- Storage: the private 'assets' bucket (uploads live at '<asset_id>/<file name>') and its four policies.
DO $$
BEGIN
  -- Nested IFs: a statement naming storage.buckets is only parsed when the table exists.
  IF to_regclass('storage.buckets') IS NOT NULL THEN
    IF NOT EXISTS (SELECT 1 FROM storage.buckets b WHERE b.id = 'assets') THEN
      INSERT INTO storage.buckets (id, name, public) VALUES ('assets', 'assets', false);
    END IF;
  END IF;

  IF to_regclass('storage.objects') IS NOT NULL
     AND EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'authenticated') THEN
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_policies
                      WHERE schemaname = 'storage' AND tablename = 'objects' AND policyname = 'hq assets insert') THEN
        CREATE POLICY "hq assets insert" ON storage.objects FOR INSERT TO authenticated
          WITH CHECK (bucket_id = 'assets');
      END IF;
      IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_policies
                      WHERE schemaname = 'storage' AND tablename = 'objects' AND policyname = 'hq assets select') THEN
        CREATE POLICY "hq assets select" ON storage.objects FOR SELECT TO authenticated
          USING (bucket_id = 'assets');
      END IF;
      IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_policies
                      WHERE schemaname = 'storage' AND tablename = 'objects' AND policyname = 'hq assets update') THEN
        CREATE POLICY "hq assets update" ON storage.objects FOR UPDATE TO authenticated
          USING (bucket_id = 'assets');
      END IF;
      IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_policies
                      WHERE schemaname = 'storage' AND tablename = 'objects' AND policyname = 'hq assets delete') THEN
        CREATE POLICY "hq assets delete" ON storage.objects FOR DELETE TO authenticated
          USING (bucket_id = 'assets');
      END IF;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE NOTICE 'storage policies not created (not owner of storage.objects): %', SQLERRM;
    END;
  END IF;
END
$$;

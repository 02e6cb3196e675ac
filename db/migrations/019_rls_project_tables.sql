-- 019_rls_project_tables: row-level security on every table HQ Search adds, including the runner's own record
-- table, so that nothing of ours is readable through PostgREST by anon.
--
-- On Supabase, anon and authenticated hold table privileges on everything in public (Supabase's default grants), so
-- row-level security is the only thing between PostgREST and a table. 016 and 018 enable it on HQ's tables and on
-- the knowledge/search tables; `_yourhq_migrations` (created by the runner before any file runs) was left open, and
-- this file re-asserts it for every table the project adds so that the invariant lives in one place.
-- RowLevelSecurityTests enumerates pg_class, so a future table without RLS fails the tests.
--
-- No FORCE ROW LEVEL SECURITY: the owner that runs the migrations and the indexer keeps bypassing RLS, and
-- service_role bypasses it on Supabase (BYPASSRLS; the stand-in role `hq db migrate` creates has it too). The
-- "Service role full access" policy keeps a stand-in role without BYPASSRLS working, as in 016.
-- `_yourhq_migrations` gets no policy for authenticated (HQ's schema grants nothing there), and anon loses any
-- table privilege on it. Guards: tables that do not exist (the record table in `hq db bundle`'s script) and
-- roles that do not exist are skipped; a table the migrating role does not own becomes a notice.

DO $$
DECLARE
  v_tables text[] := ARRAY[
    '_yourhq_migrations',
    -- knowledge, chunk, embedding and search tables (011, 018)
    'knowledge_sources', 'knowledge_chunks', 'knowledge_chunk_vectors', 'knowledge_chunk_terms',
    'knowledge_lexical_stats',
    -- draft sets (011), gateway tokens (006): re-asserted, their policies exist already
    'draft_sets', 'gateway_registration_tokens'];
  v_table text;
BEGIN
  FOREACH v_table IN ARRAY v_tables LOOP
    CONTINUE WHEN to_regclass(format('public.%I', v_table)) IS NULL;
    BEGIN
      EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', v_table);
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE NOTICE 'row-level security not enabled on public.% (not its owner): %', v_table, SQLERRM;
    END;
  END LOOP;

  IF to_regclass('public._yourhq_migrations') IS NOT NULL THEN
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'service_role')
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_policies p
                        WHERE p.schemaname = 'public' AND p.tablename = '_yourhq_migrations'
                          AND p.policyname = 'Service role full access') THEN
      CREATE POLICY "Service role full access" ON public._yourhq_migrations
        FOR ALL TO service_role USING (true) WITH CHECK (true);
    END IF;
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'anon') THEN
      REVOKE ALL ON public._yourhq_migrations FROM anon;
    END IF;
  END IF;
END
$$;

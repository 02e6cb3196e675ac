-- 025_source_file_validators: an unchanged Storage or web file is not downloaded again (issue 14).
-- 024 made the indexer compare the SHA-256 of an asset's file bytes with the ones it was indexed from, so every
-- `hq reindex --all` downloaded every file again. Supabase Storage and most web servers send a strong ETag with a
-- file and answer `If-None-Match: <that ETag>` with 304 while the bytes are the same. The indexer keeps here what an
-- origin said of the bytes it sent (the URL, the strong ETag, the SHA-256 of those bytes) and asks with the ETag
-- next time: a 304 stands for the same digest, so the source's hash is computed without a download. A row is a fact
-- about the origin, kept apart from knowledge_sources so that writing it fires none of that table's triggers; it
-- goes with its source (ON DELETE CASCADE) and is ignored when the asset's file_url has changed since.

CREATE TABLE IF NOT EXISTS public.knowledge_source_files (
  source_id uuid PRIMARY KEY REFERENCES public.knowledge_sources (id) ON DELETE CASCADE,
  file_url text NOT NULL,
  validator text NOT NULL CHECK (length(validator) <= 200),
  digest text NOT NULL CHECK (digest ~ '^[0-9a-f]{64}$'),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Row-level security as on the other knowledge tables (019): on, with full access for the project's own roles.
DO $$
DECLARE
  v_role text;
BEGIN
  BEGIN
    ALTER TABLE public.knowledge_source_files ENABLE ROW LEVEL SECURITY;
  EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'row-level security not enabled on public.knowledge_source_files (not its owner): %', SQLERRM;
  END;
  FOREACH v_role IN ARRAY ARRAY['authenticated', 'service_role'] LOOP
    CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = v_role);
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_policies p
                    WHERE p.schemaname = 'public' AND p.tablename = 'knowledge_source_files'
                      AND p.policyname = CASE v_role WHEN 'authenticated' THEN 'Authenticated full access'
                                                     ELSE 'Service role full access' END) THEN
      EXECUTE format('CREATE POLICY %I ON public.knowledge_source_files FOR ALL TO %I USING (true) WITH CHECK (true)',
                     CASE v_role WHEN 'authenticated' THEN 'Authenticated full access' ELSE 'Service role full access' END,
                     v_role);
    END IF;
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON public.knowledge_source_files TO %I', v_role);
  END LOOP;
END
$$;

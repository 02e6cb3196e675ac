-- 001_extensions: pgvector (required) in schema "extensions"; pg_cron and pgcrypto only where the server offers them.
--
-- Every object that references vector types or operators does so as extensions.vector / extensions.halfvec /
-- OPERATOR(extensions.<=>), so nothing depends on the caller's search_path. On Supabase the schema and the
-- extension usually exist already; on plain PostgreSQL both are created here.

CREATE SCHEMA IF NOT EXISTS extensions;

DO $$
DECLARE
  v_schema text;
BEGIN
  SELECT n.nspname INTO v_schema
    FROM pg_catalog.pg_extension e
    JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
   WHERE e.extname = 'vector';

  IF v_schema IS NULL THEN
    CREATE EXTENSION vector WITH SCHEMA extensions;
  ELSIF v_schema <> 'extensions' THEN
    -- pgvector is relocatable; existing columns keep working (they reference the type by OID).
    RAISE NOTICE 'moving extension vector from schema % to schema extensions', v_schema;
    ALTER EXTENSION vector SET SCHEMA extensions;
  END IF;
END
$$;

-- pgcrypto: not used by the knowledge engine (core sha256() covers hashing); installed only for parity with HQ.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = 'pgcrypto')
     AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pgcrypto') THEN
    BEGIN
      CREATE EXTENSION pgcrypto WITH SCHEMA extensions;
    EXCEPTION WHEN others THEN
      RAISE NOTICE 'pgcrypto not installed: %', SQLERRM;
    END;
  END IF;
END
$$;

-- pg_cron: needs shared_preload_libraries and the right database; skipped quietly when it cannot be created.
-- Without it the app schedules spawn_due_task_instances() itself.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = 'pg_cron')
     AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_cron') THEN
    BEGIN
      CREATE EXTENSION pg_cron;
    EXCEPTION WHEN others THEN
      RAISE NOTICE 'pg_cron not installed: %', SQLERRM;
    END;
  END IF;
END
$$;

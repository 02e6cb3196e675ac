#!/usr/bin/env bash
# Applies db/migrations/*.sql to a fresh database twice (each file in one transaction, like the runner) and proves the
# second run succeeds and leaves an identical schema (pg_dump --schema-only + a catalog dump of ACLs/policies/
# publication membership/replica identity). Development aid.
#   usage: db/tests/idempotency.sh DBNAME [supabase]
#   env:   PGBIN (default /var/cache/hq/postgres/bin), PGURL_BASE (default postgresql://hq@127.0.0.1:55432)
# With "supabase", the fresh database gets Supabase stand-ins first: roles authenticated/anon/service_role (cluster-wide,
# NOLOGIN, created if absent), publication supabase_realtime, a stub storage schema.
set -euo pipefail
db="$1"; mode="${2:-plain}"
PGBIN="${PGBIN:-/var/cache/hq/postgres/bin}"
BASE="${PGURL_BASE:-postgresql://hq@127.0.0.1:55432}"
here="$(cd "$(dirname "$0")" && pwd)"; mig="$here/../migrations"
out="${TMPDIR:-/tmp}/hq-mig-$db"; mkdir -p "$out"
psql() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }

psql "$BASE/postgres" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
if [ "$mode" = supabase ]; then
  psql "$BASE/$db" <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname='authenticated') THEN CREATE ROLE authenticated NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname='anon') THEN CREATE ROLE anon NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname='service_role') THEN CREATE ROLE service_role NOLOGIN BYPASSRLS; END IF;
END $$;
CREATE PUBLICATION supabase_realtime;
CREATE SCHEMA storage;
CREATE TABLE storage.buckets (id text PRIMARY KEY, name text, public boolean);
CREATE TABLE storage.objects (id uuid, bucket_id text, name text);
SQL
fi

catalog() {
  psql "$BASE/$db" -At <<'SQL'
SELECT 'acl', c.relname, c.relacl::text, c.relrowsecurity, c.relreplident FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname IN ('public','storage') ORDER BY 2;
SELECT 'policy', schemaname, tablename, policyname, roles::text, cmd, qual, with_check FROM pg_policies ORDER BY 2,3,4;
SELECT 'pub', pubname, schemaname, tablename FROM pg_publication_tables ORDER BY 2,3,4;
SELECT 'fn', p.oid::regprocedure::text, p.proacl::text, p.proconfig::text FROM pg_proc p
  JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public' ORDER BY 2;
SELECT 'defacl', defaclobjtype, defaclacl::text FROM pg_default_acl ORDER BY 2, 3;
SELECT 'bucket', count(*) FROM pg_class WHERE relname = 'buckets';
SQL
}

for pass in 1 2; do
  for f in "$mig"/[0-9]*.sql; do
    psql "$BASE/$db" --single-transaction -f "$f" >"$out/apply-$pass-$(basename "$f").log" 2>&1 \
      || { echo "FAIL pass $pass: $f"; cat "$out/apply-$pass-$(basename "$f").log"; exit 1; }
  done
  "$PGBIN/pg_dump" --schema-only "$BASE/$db" | grep -v -E '^\\(un)?restrict ' >"$out/schema-$pass.sql"
  catalog >"$out/catalog-$pass.txt"
  echo "pass $pass applied: $(ls "$mig"/[0-9]*.sql | wc -l) files"
done
if diff -u "$out/schema-1.sql" "$out/schema-2.sql" && diff -u "$out/catalog-1.txt" "$out/catalog-2.txt"; then
  echo "identical schema after the second run ($mode): $(wc -l <"$out/schema-1.sql") dump lines, $(wc -l <"$out/catalog-1.txt") catalog lines"
else
  echo "SCHEMA DIFFERS after the second run ($mode)"; exit 1
fi

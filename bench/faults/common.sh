# Shared by bench/faults/*: a private embedded cluster under .build/faults-home (never another engineer's
# database), helpers to run SQL and to report checks. Source it; do not run it.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
HQ=$ROOT/.build/release/hq
export HQ_HOME=${HQ_FAULTS_HOME:-$ROOT/.build/faults-home}
export HQ_LOG_LEVEL=${HQ_LOG_LEVEL:-warning}
OUT=$ROOT/.build/faults-out
mkdir -p "$HQ_HOME" "$OUT"
[ -x "$HQ" ] || { echo "faults: build first (scripts/setup)"; exit 2; }
FAILS=0

sql() { "$HQ" db psql -X -q -tA -v ON_ERROR_STOP=1 -c "$1"; }
check() {  # check "what was checked" <command...>: PASS/FAIL line per check
  local what=$1; shift
  if "$@"; then echo "  ok   $what"; else echo "  FAIL $what"; FAILS=$((FAILS + 1)); fi
}
eq() { [ "$1" = "$2" ] || { echo "       expected '$2', got '$1'" >&2; return 1; }; }
finish() {  # finish "summary"
  if [ "$FAILS" = 0 ]; then echo "PASS: $1"; exit 0; else echo "FAIL: $FAILS check(s) failed — $1"; exit 1; fi
}
fresh_database() {  # a started, migrated cluster with no documents, assets or folders
  "$HQ" db start >/dev/null
  "$HQ" db migrate >/dev/null
  sql "DELETE FROM public.documents; DELETE FROM public.assets; DELETE FROM public.document_folders; DELETE FROM public.asset_folders;
       DELETE FROM public.knowledge_sources;" >/dev/null
}
# n documents of several paragraphs each (a few chunks per document), deterministic text.
make_corpus() {
  sql "INSERT INTO public.documents (title, content, tags)
       SELECT 'Fault doc ' || i,
              to_jsonb('# Fault doc ' || i || E'\n\n' || string_agg(
                'Paragraph ' || p || ' of document ' || i || ' explains how shipment ' || (i * 31 + p) % 97 ||
                ' was packed, weighed, labelled and handed to the carrier on a rainy morning in the north warehouse. ' ||
                'The supervisor checked the seal and wrote the time in the ledger before the truck left.', E'\n\n')::text),
              ARRAY['faults']
         FROM generate_series(1, $1) i, generate_series(1, 6) p GROUP BY i" >/dev/null
}
# Integrity of the index: prints "sources indexed pending failed dup_chunks chunks_without_vector orphan_vectors count_mismatch"
integrity() {
  sql "SELECT concat_ws(' ',
         (SELECT count(*) FROM public.knowledge_sources),
         (SELECT count(*) FROM public.knowledge_sources WHERE chunk_status = 'indexed' AND pending_since IS NULL),
         (SELECT count(*) FROM public.knowledge_sources WHERE pending_since IS NOT NULL),
         (SELECT count(*) FROM public.knowledge_sources WHERE chunk_status = 'failed'),
         (SELECT count(*) FROM (SELECT 1 FROM public.knowledge_chunks GROUP BY source_id, chunk_index HAVING count(*) > 1) d),
         (SELECT count(*) FROM public.knowledge_chunks c WHERE NOT EXISTS (SELECT 1 FROM public.knowledge_chunk_vectors v
            WHERE v.chunk_id = c.id AND v.model = (SELECT embedding_model FROM public.workspace LIMIT 1))),
         (SELECT count(*) FROM public.knowledge_chunk_vectors v WHERE NOT EXISTS (SELECT 1 FROM public.knowledge_chunks c WHERE c.id = v.chunk_id)),
         (SELECT count(*) FROM public.knowledge_sources s WHERE s.chunk_count <> (SELECT count(*) FROM public.knowledge_chunks c WHERE c.source_id = s.id)))"
}

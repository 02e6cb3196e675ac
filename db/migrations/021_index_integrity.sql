-- 021_index_integrity: the index stays whole when indexers die or models change under them (issue 14).
--
-- 1. The ANN index survives an indexer that dies during a first bulk load.
-- The indexer drops the HNSW index before a first bulk load and builds it after the data (011's hq_drop_ann_index /
-- hq_create_ann_index). A process killed in between left search without its index for good: nothing rebuilt it.
-- Now the loader holds a session advisory lock (key hq_ann_bulk_load_lock_key()) from the drop to the rebuild; a
-- crash releases it with the connection. hq_ensure_ann_index() rebuilds a missing index unless a live loader holds
-- that lock; every indexer pass calls it first, so the next `hq index` (or the watch daemon's next pass) repairs it.

CREATE OR REPLACE FUNCTION public.hq_ann_bulk_load_lock_key()
RETURNS bigint
LANGUAGE sql
IMMUTABLE
SET search_path = ''
AS $$ SELECT pg_catalog.hashtextextended('hq_ann_bulk_load', 0) $$;

-- True when it had to build the index; false when the index exists or a bulk load holds the lock.
CREATE OR REPLACE FUNCTION public.hq_ensure_ann_index()
RETURNS boolean
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  IF EXISTS (
    SELECT 1 FROM pg_catalog.pg_index i
    WHERE i.indexrelid = pg_catalog.to_regclass('public.knowledge_chunk_vectors_embedding_hnsw_idx') AND i.indisvalid
  ) THEN
    RETURN false;
  END IF;
  -- A transaction-level try-lock conflicts with the loader's session-level lock on the same key.
  IF NOT pg_catalog.pg_try_advisory_xact_lock(public.hq_ann_bulk_load_lock_key()) THEN
    RETURN false;
  END IF;
  -- An index left invalid (a failed concurrent build) is dropped first; CREATE INDEX IF NOT EXISTS would keep it.
  DROP INDEX IF EXISTS public.knowledge_chunk_vectors_embedding_hnsw_idx;
  PERFORM public.hq_create_ann_index();
  RETURN true;
END
$$;

-- 2. Promotion of a new model is atomic against chunk-set writes. A writer takes the workspace row FOR SHARE in
--    its write transaction (hq_write_models) and checks that the model it embeds with is still the live one;
--    promotion takes it FOR UPDATE first, so it waits for writes in flight, counts missing vectors on a snapshot
--    that includes them, and no write can commit between the count and the switch. The vectors of models that are
--    neither live nor next are deleted afterwards in a transaction of their own (hq_delete_unused_vectors): deleting
--    them under the workspace lock deadlocks with a writer waiting for that lock while an edit's trigger holds a
--    vector row the delete needs. Search reads the live model's vectors only, so they are inert until then.
CREATE OR REPLACE FUNCTION public.hq_write_models(OUT live_model text, OUT next_model text)
LANGUAGE sql
SET search_path = ''
AS $$
  SELECT w.embedding_model, w.embedding_model_next FROM public.workspace w LIMIT 1 FOR SHARE;
$$;

CREATE OR REPLACE FUNCTION public.hq_promote_embedding_model(p_model text, p_force boolean DEFAULT false)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
  v_missing bigint;
BEGIN
  PERFORM 1 FROM public.workspace FOR UPDATE;
  SELECT count(*) INTO v_missing
    FROM public.knowledge_chunks c
    JOIN public.knowledge_sources s ON s.id = c.source_id
   WHERE s.archived_at IS NULL
     AND NOT EXISTS (SELECT 1 FROM public.knowledge_chunk_vectors v WHERE v.chunk_id = c.id AND v.model = p_model);
  IF v_missing > 0 AND NOT p_force THEN
    RETURN v_missing;
  END IF;
  UPDATE public.workspace w
     SET embedding_model = p_model,
         embedding_model_next = CASE WHEN w.embedding_model_next = p_model THEN NULL ELSE w.embedding_model_next END;
  RETURN v_missing;
END
$$;

-- Deletes the vectors of every model other than the live one and the next one; returns how many.
CREATE OR REPLACE FUNCTION public.hq_delete_unused_vectors()
RETURNS bigint
LANGUAGE sql
SET search_path = ''
AS $$
  WITH gone AS (
    DELETE FROM public.knowledge_chunk_vectors v
     WHERE v.model IS DISTINCT FROM (SELECT w.embedding_model FROM public.workspace w LIMIT 1)
       AND v.model IS DISTINCT FROM (SELECT w.embedding_model_next FROM public.workspace w LIMIT 1)
    RETURNING 1)
  SELECT count(*) FROM gone;
$$;

-- 3. Index writes take row locks in the order edits do. An edit locks its documents row (the UPDATE), then its
--    trigger upserts the knowledge_sources row; a chunk-set write locked the knowledge_sources row first and then
--    updated the documents row (hq_finish_source_write mirrors the index state onto the document). An edit landing
--    during the write deadlocked, and PostgreSQL cancelled one side: sometimes the user's edit. Every index write
--    (chunk set, unchanged, failure) now starts with hq_lock_sources: the sources' documents rows, then the sources
--    rows, each in id order. Returns who holds each source's lease, for the caller's holder check.
CREATE OR REPLACE FUNCTION public.hq_lock_sources(p_ids uuid[])
RETURNS TABLE (id uuid, leased_by text)
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  PERFORM 1 FROM public.documents d
   WHERE d.id IN (SELECT s.document_id FROM public.knowledge_sources s WHERE s.id = ANY (p_ids))
   ORDER BY d.id
     FOR NO KEY UPDATE OF d;
  RETURN QUERY
    SELECT s.id, s.indexing_leased_by FROM public.knowledge_sources s
     WHERE s.id = ANY (p_ids)
     ORDER BY s.id
       FOR UPDATE OF s;
END
$$;

-- 022_edit_priority: an edit is indexed before bulk work waiting in the queue (issue 14).
-- The queue was first in, first out: after `hq reindex` marked thousands of sources pending, a person's edit waited
-- behind all of them. Now every pending source has a priority: 0 for an edit (the triggers that queue a changed
-- document or asset), 1 for bulk work (hq_mark_sources_pending: `hq reindex`, a model change). Workers lease by
-- priority, then age. An edit to a source already waiting as bulk work moves it to the front; a bulk mark never
-- demotes a waiting edit.

ALTER TABLE public.knowledge_sources ADD COLUMN IF NOT EXISTS pending_priority smallint NOT NULL DEFAULT 0;

CREATE INDEX IF NOT EXISTS knowledge_sources_pending_priority_idx
  ON public.knowledge_sources (pending_priority, pending_since, id)
  WHERE pending_since IS NOT NULL AND archived_at IS NULL;

-- Any change of change_seq outside a bulk mark is an edit: priority 0. hq_mark_sources_pending runs with
-- hq.bulk_pending = 'on' (a function setting, so it holds for the triggers its UPDATE fires).
CREATE OR REPLACE FUNCTION public.hq_sources_pending_priority()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  IF NEW.change_seq IS DISTINCT FROM OLD.change_seq AND NEW.pending_since IS NOT NULL
     AND coalesce(current_setting('hq.bulk_pending', true), '') <> 'on' THEN
    NEW.pending_priority := 0;
  END IF;
  RETURN NEW;
END
$$;

DROP TRIGGER IF EXISTS knowledge_sources_pending_priority ON public.knowledge_sources;
CREATE TRIGGER knowledge_sources_pending_priority
  BEFORE UPDATE OF change_seq ON public.knowledge_sources
  FOR EACH ROW EXECUTE FUNCTION public.hq_sources_pending_priority();

-- As in 011, marking bulk work with priority 1 (sources already waiting keep theirs).
CREATE OR REPLACE FUNCTION public.hq_mark_sources_pending(
  p_source_type text DEFAULT NULL, p_folder_id uuid DEFAULT NULL, p_tag text DEFAULT NULL,
  p_updated_since timestamptz DEFAULT NULL, p_source_ids uuid[] DEFAULT NULL, p_not_indexed_with text DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql
SET search_path = ''
SET hq.bulk_pending = 'on'
AS $$
DECLARE
  v_n integer;
BEGIN
  UPDATE public.knowledge_sources s
     SET pending_since = coalesce(s.pending_since, now()), attempts = 0, next_attempt_at = NULL,
         pending_priority = CASE WHEN s.pending_since IS NULL THEN 1 ELSE s.pending_priority END,
         extraction_status = 'pending', chunk_status = 'pending', embedding_status = 'pending',
         indexing_leased_by = NULL, indexing_leased_until = NULL,
         change_seq = s.change_seq + 1
   WHERE s.archived_at IS NULL
     AND (p_source_type IS NULL OR s.source_type = p_source_type)
     AND (p_folder_id IS NULL OR s.folder_ids @> ARRAY[p_folder_id])
     AND (p_tag IS NULL OR s.tags @> ARRAY[p_tag])
     AND (p_updated_since IS NULL OR s.source_updated_at >= p_updated_since)
     AND (p_source_ids IS NULL OR s.id = ANY (p_source_ids))
     AND (p_not_indexed_with IS NULL OR s.indexed_model IS DISTINCT FROM p_not_indexed_with);
  GET DIAGNOSTICS v_n = ROW_COUNT;
  IF v_n > 0 THEN
    PERFORM pg_notify('hq_index', '*');
  END IF;
  RETURN v_n;
END
$$;


-- As in 011, leasing by priority, then age.
CREATE OR REPLACE FUNCTION public.hq_lease_sources(
  p_worker text, p_limit integer DEFAULT 8, p_lease_seconds integer DEFAULT 300, p_max_attempts integer DEFAULT 5,
  p_source_type text DEFAULT NULL)
RETURNS TABLE (
  id uuid, source_type text, source_id text, document_id uuid, asset_id uuid, change_seq bigint, attempts integer,
  title text, tags text[], folder_id uuid, folder_path text, pinned boolean, asset_type text, mime_type text,
  source_uri text, meta jsonb, source_updated_at timestamptz, chunk_source_hash text, indexed_model text,
  document_content jsonb, asset_description text, asset_content text, asset_file_size bigint)
LANGUAGE plpgsql
SET search_path = ''
AS $$
#variable_conflict use_column
BEGIN
  -- Sources whose attempts are used up and whose last lease expired without an answer: give up, visibly.
  UPDATE public.knowledge_sources s
     SET extraction_status = 'failed', chunk_status = 'failed', embedding_status = 'failed',
         last_error = coalesce(s.last_error, 'lease expired') || format(' (gave up after %s attempts)', s.attempts),
         chunk_error = coalesce(s.last_error, 'lease expired'),
         indexing_leased_by = NULL, indexing_leased_until = NULL, pending_since = NULL, next_attempt_at = NULL
   WHERE s.id IN (SELECT k.id FROM public.knowledge_sources k
                   WHERE k.pending_since IS NOT NULL AND k.archived_at IS NULL
                     AND k.attempts >= p_max_attempts
                     AND (k.indexing_leased_until IS NULL OR k.indexing_leased_until < now())
                   FOR UPDATE SKIP LOCKED);

  RETURN QUERY
  WITH picked AS (
    SELECT k.id
      FROM public.knowledge_sources k
     WHERE k.pending_since IS NOT NULL AND k.archived_at IS NULL
       AND (k.indexing_leased_until IS NULL OR k.indexing_leased_until < now())
       AND (k.next_attempt_at IS NULL OR k.next_attempt_at <= now())
       AND k.attempts < p_max_attempts
       AND (p_source_type IS NULL OR k.source_type = p_source_type)
     ORDER BY k.pending_priority, k.pending_since, k.id
     LIMIT greatest(1, coalesce(p_limit, 1))
       FOR UPDATE SKIP LOCKED),
  leased AS (
    UPDATE public.knowledge_sources s
       SET indexing_leased_by = p_worker,
           indexing_leased_until = now() + make_interval(secs => greatest(1, coalesce(p_lease_seconds, 300))),
           attempts = s.attempts + 1,
           extraction_status = 'pending', chunk_status = 'pending', embedding_status = 'pending',
           extraction_error = NULL, chunk_error = NULL, embedding_error = NULL
      FROM picked
     WHERE s.id = picked.id
    RETURNING s.*)
  SELECT l.id, l.source_type, l.source_id, l.document_id, l.asset_id, l.change_seq, l.attempts,
         l.title, l.tags, l.folder_id, l.folder_path, l.pinned, l.asset_type, l.mime_type,
         l.source_uri, l.meta, l.source_updated_at, l.chunk_source_hash, l.indexed_model,
         d.content, a.description, a.content, a.file_size
    FROM leased l
    LEFT JOIN public.documents d ON d.id = l.document_id
    LEFT JOIN public.assets a ON a.id = l.asset_id
   ORDER BY l.pending_priority, l.pending_since, l.id;
END
$$;


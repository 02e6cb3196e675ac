-- 023_lease_lanes: a worker can lease one lane of the queue (issue 14).
-- 022 ordered the queue by priority, but a worker that leased a batch of bulk work (64 sources, seconds of
-- embedding) made an edit that arrived meanwhile wait until that batch was done. Indexers now run two lanes side by
-- side: `edits` leases only edits (priority 0), in small batches embedded ahead of bulk work; `bulk` leases bulk work
-- (priority >= 1) and edits that have waited longer than p_edit_grace_seconds (a large import arrives as edits:
-- the bulk lane's big batches share it once the edits lane falls behind). NULL leases everything, as before.
-- p_due_before: only sources due by then (a drain passes its start, so a source that failed during the drain waits
-- for the next pass instead of being retried in a loop by the same drain).
-- hq_lease_sources keeps its signature (011's gateway RPC calls it) and leases everything through the new function.

-- As in 022, with the lanes and the due limit.
CREATE OR REPLACE FUNCTION public.hq_lease_sources_in_lane(
  p_worker text, p_limit integer DEFAULT 8, p_lease_seconds integer DEFAULT 300, p_max_attempts integer DEFAULT 5,
  p_source_type text DEFAULT NULL, p_lane text DEFAULT NULL, p_edit_grace_seconds double precision DEFAULT 2,
  p_due_before timestamptz DEFAULT NULL)
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
       AND (k.next_attempt_at IS NULL OR k.next_attempt_at <= least(now(), coalesce(p_due_before, now())))
       AND k.attempts < p_max_attempts
       AND (p_source_type IS NULL OR k.source_type = p_source_type)
       AND (p_lane IS NULL
            OR (p_lane = 'edits' AND k.pending_priority = 0)
            OR (p_lane = 'bulk' AND (k.pending_priority > 0
                                     OR k.pending_since < now() - make_interval(secs => p_edit_grace_seconds))))
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

-- As in 022: every lane, due now.
CREATE OR REPLACE FUNCTION public.hq_lease_sources(
  p_worker text, p_limit integer DEFAULT 8, p_lease_seconds integer DEFAULT 300, p_max_attempts integer DEFAULT 5,
  p_source_type text DEFAULT NULL)
RETURNS TABLE (
  id uuid, source_type text, source_id text, document_id uuid, asset_id uuid, change_seq bigint, attempts integer,
  title text, tags text[], folder_id uuid, folder_path text, pinned boolean, asset_type text, mime_type text,
  source_uri text, meta jsonb, source_updated_at timestamptz, chunk_source_hash text, indexed_model text,
  document_content jsonb, asset_description text, asset_content text, asset_file_size bigint)
LANGUAGE sql
SET search_path = ''
AS $$
  SELECT * FROM public.hq_lease_sources_in_lane(p_worker, p_limit, p_lease_seconds, p_max_attempts, p_source_type,
                                                NULL, 2, NULL)
$$;

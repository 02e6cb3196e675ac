-- 018_search_bm25: BM25 for the lexical leg of search. An inverted index kept in a table (one row per distinct
-- lexeme per chunk: term frequency and chunk length), filled by statement-level triggers on knowledge_chunks, so the
-- indexer stays unaware of it; corpus statistics in a few sharded counter rows; hq_bm25_search() scores
-- BM25 (Robertson/Lucene idf, k1 = 0.9, b = 0.4 by default) with OR semantics over the query's English lexemes.
-- Why not ts_rank_cd: it has no idf and no length normalisation worth the name (SciFact nDCG@10 0.60 vs 0.67).
-- Why not sparsevec: pgvector has no inverted index for it, so scoring meant a scan of every chunk.

CREATE TABLE IF NOT EXISTS public.knowledge_chunk_terms (
  term text NOT NULL,
  chunk_id uuid NOT NULL REFERENCES public.knowledge_chunks (id) ON DELETE CASCADE,
  source_id uuid NOT NULL,
  tf integer NOT NULL,
  chunk_length integer NOT NULL,
  CONSTRAINT knowledge_chunk_terms_pkey PRIMARY KEY (term, chunk_id) INCLUDE (source_id, tf, chunk_length)
);
CREATE INDEX IF NOT EXISTS knowledge_chunk_terms_chunk_id_idx ON public.knowledge_chunk_terms (chunk_id);

-- Number of chunks and sum of their lengths (in lexeme occurrences). Sharded by backend so that concurrent indexer
-- transactions rarely wait on one another; readers sum the shards.
CREATE TABLE IF NOT EXISTS public.knowledge_lexical_stats (
  shard integer PRIMARY KEY,
  chunk_count bigint NOT NULL DEFAULT 0,
  total_length bigint NOT NULL DEFAULT 0
);

-- Lexeme occurrences of a tsvector (a lexeme stored without positions counts once).
CREATE OR REPLACE FUNCTION public.hq_tsvector_length(p_vector tsvector)
RETURNS integer
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
  SELECT coalesce(sum(coalesce(array_length(t.positions, 1), 1)), 0)::integer FROM unnest(p_vector) AS t;
$$;

CREATE OR REPLACE FUNCTION public.hq_chunk_terms_insert()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
  v_chunks bigint;
  v_length bigint;
BEGIN
  WITH n AS (SELECT r.id, r.source_id, r.search_vector, public.hq_tsvector_length(r.search_vector) AS len FROM new_rows r),
       ins AS (
         INSERT INTO public.knowledge_chunk_terms (term, chunk_id, source_id, tf, chunk_length)
         SELECT t.lexeme, n.id, n.source_id, coalesce(array_length(t.positions, 1), 1), n.len
           FROM n CROSS JOIN LATERAL unnest(n.search_vector) AS t
         ON CONFLICT DO NOTHING
         RETURNING 1)
  SELECT count(*), coalesce(sum(n.len), 0) INTO v_chunks, v_length FROM n;
  IF v_chunks > 0 THEN
    INSERT INTO public.knowledge_lexical_stats AS st (shard, chunk_count, total_length)
    VALUES (pg_backend_pid() % 16, v_chunks, v_length)
    ON CONFLICT (shard) DO UPDATE SET chunk_count = st.chunk_count + excluded.chunk_count,
                                      total_length = st.total_length + excluded.total_length;
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION public.hq_chunk_terms_delete()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
  v_chunks bigint;
  v_length bigint;
BEGIN
  -- The term rows go with the chunks (FK cascade); only the statistics need the old lengths.
  SELECT count(*), coalesce(sum(public.hq_tsvector_length(o.search_vector)), 0) INTO v_chunks, v_length FROM old_rows o;
  IF v_chunks > 0 THEN
    INSERT INTO public.knowledge_lexical_stats AS st (shard, chunk_count, total_length)
    VALUES (pg_backend_pid() % 16, -v_chunks, -v_length)
    ON CONFLICT (shard) DO UPDATE SET chunk_count = st.chunk_count + excluded.chunk_count,
                                      total_length = st.total_length + excluded.total_length;
  END IF;
  RETURN NULL;
END
$$;

-- Content edits in place (rare: the indexer replaces chunk sets) re-derive the chunk's terms.
CREATE OR REPLACE FUNCTION public.hq_chunk_terms_update()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
  v_old integer := public.hq_tsvector_length(OLD.search_vector);
  v_new integer := public.hq_tsvector_length(NEW.search_vector);
BEGIN
  DELETE FROM public.knowledge_chunk_terms t WHERE t.chunk_id = OLD.id;
  INSERT INTO public.knowledge_chunk_terms (term, chunk_id, source_id, tf, chunk_length)
  SELECT t.lexeme, NEW.id, NEW.source_id, coalesce(array_length(t.positions, 1), 1), v_new
    FROM unnest(NEW.search_vector) AS t
  ON CONFLICT DO NOTHING;
  INSERT INTO public.knowledge_lexical_stats AS st (shard, chunk_count, total_length)
  VALUES (pg_backend_pid() % 16, 0, v_new - v_old)
  ON CONFLICT (shard) DO UPDATE SET total_length = st.total_length + excluded.total_length;
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER knowledge_chunks_terms_insert
  AFTER INSERT ON public.knowledge_chunks
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION public.hq_chunk_terms_insert();
CREATE OR REPLACE TRIGGER knowledge_chunks_terms_delete
  AFTER DELETE ON public.knowledge_chunks
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION public.hq_chunk_terms_delete();
CREATE OR REPLACE TRIGGER knowledge_chunks_terms_update
  AFTER UPDATE OF content, source_id ON public.knowledge_chunks
  FOR EACH ROW WHEN (OLD.content IS DISTINCT FROM NEW.content OR OLD.source_id IS DISTINCT FROM NEW.source_id)
  EXECUTE FUNCTION public.hq_chunk_terms_update();

-- Backfill chunks written before this migration (none on a fresh database; idempotent).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM public.knowledge_chunks c
              WHERE NOT EXISTS (SELECT 1 FROM public.knowledge_chunk_terms t WHERE t.chunk_id = c.id)
                AND c.search_vector <> ''::tsvector) THEN
    INSERT INTO public.knowledge_chunk_terms (term, chunk_id, source_id, tf, chunk_length)
    SELECT t.lexeme, c.id, c.source_id, coalesce(array_length(t.positions, 1), 1), public.hq_tsvector_length(c.search_vector)
      FROM public.knowledge_chunks c CROSS JOIN LATERAL unnest(c.search_vector) AS t
    ON CONFLICT DO NOTHING;
  END IF;
  -- Statistics are recomputed from scratch so re-applying the file always leaves them exact.
  DELETE FROM public.knowledge_lexical_stats;
  INSERT INTO public.knowledge_lexical_stats (shard, chunk_count, total_length)
  SELECT 0, count(*), coalesce(sum(public.hq_tsvector_length(c.search_vector)), 0) FROM public.knowledge_chunks c;
END
$$;

-- Distinct English lexemes of a query (stop words dropped, stemmed), sorted; '{}' when none.
CREATE OR REPLACE FUNCTION public.hq_query_terms(p_query text)
RETURNS text[]
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
  SELECT coalesce(array_agg(lex ORDER BY lex), '{}')
    FROM unnest(tsvector_to_array(to_tsvector('english'::regconfig, left(coalesce(p_query, ''), 10000)))) AS lex;
$$;

-- Corpus statistics for BM25: number of chunks and their average length (at least 1).
CREATE OR REPLACE FUNCTION public.hq_lexical_stats(OUT chunk_count bigint, OUT average_length double precision)
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT greatest(coalesce(sum(st.chunk_count), 0), 0)::bigint,
         greatest(coalesce(sum(st.total_length)::double precision / nullif(sum(st.chunk_count), 0), 1), 1)
    FROM public.knowledge_lexical_stats st;
$$;

-- BM25 scores of the chunks matching any of p_terms (OR semantics), best first, before filters; callers join the
-- result to knowledge_sources for filters. Unfiltered and filtered callers alike get every matching chunk scored:
-- the cost is the length of the query terms' posting lists (index-only scans of knowledge_chunk_terms_pkey).
CREATE OR REPLACE FUNCTION public.hq_bm25_scores(p_terms text[], p_k1 double precision DEFAULT 0.9,
                                                 p_b double precision DEFAULT 0.4)
RETURNS TABLE (chunk_id uuid, source_id uuid, score double precision)
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  WITH st AS (SELECT * FROM public.hq_lexical_stats()),
       q AS (SELECT t.term, count(*) AS df
               FROM public.knowledge_chunk_terms t
              WHERE t.term = ANY (p_terms)
              GROUP BY t.term)
  SELECT t.chunk_id, t.source_id,
         sum(ln(1 + (greatest(st.chunk_count, q.df) - q.df + 0.5) / (q.df + 0.5))
             * t.tf * (p_k1 + 1) / (t.tf + p_k1 * (1 - p_b + p_b * t.chunk_length / st.average_length)))
    FROM q
    JOIN public.knowledge_chunk_terms t ON t.term = q.term
   CROSS JOIN st
   GROUP BY t.chunk_id, t.source_id;
$$;

-- PostgREST entry point of the lexical leg: top chunks by BM25 for a natural-language query, archived excluded,
-- with the same filter object as hq_search restricted to source-level keys (tags_any, tags_all, tags_none,
-- source_type, folder_id (with descendants, via folder_ids), source_ids).
CREATE OR REPLACE FUNCTION public.hq_bm25_search(query_text text, match_count integer DEFAULT 10,
                                                 filter jsonb DEFAULT '{}'::jsonb)
RETURNS TABLE (chunk_id uuid, knowledge_source_id uuid, title text, chunk_index integer, content text,
               score double precision)
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT c.id, s.id, s.title, c.chunk_index, c.content, b.score
    FROM public.hq_bm25_scores(public.hq_query_terms(query_text)) b
    JOIN public.knowledge_sources s ON s.id = b.source_id
    JOIN public.knowledge_chunks c ON c.id = b.chunk_id
   WHERE s.archived_at IS NULL
     AND (filter -> 'tags_any' IS NULL OR s.tags && public.hq_jsonb_text_array(filter -> 'tags_any'))
     AND (filter -> 'tags_all' IS NULL OR s.tags @> public.hq_jsonb_text_array(filter -> 'tags_all'))
     AND (filter -> 'tags_none' IS NULL OR NOT (s.tags && public.hq_jsonb_text_array(filter -> 'tags_none')))
     AND (filter ->> 'source_type' IS NULL OR s.source_type = filter ->> 'source_type')
     AND (filter -> 'folder_id' IS NULL OR s.folder_ids && public.hq_jsonb_text_array(filter -> 'folder_id')::uuid[])
     AND (filter -> 'source_ids' IS NULL OR s.id = ANY (public.hq_jsonb_text_array(filter -> 'source_ids')::uuid[]))
   ORDER BY b.score DESC, c.id
   LIMIT greatest(coalesce(match_count, 10), 0);
$$;

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

-- BM25 scores of the chunks matching any of p_terms (OR semantics), before filters; callers join the result to
-- knowledge_sources for filters. Unfiltered and filtered callers alike get every matching chunk scored: the cost is
-- the length of the query terms' posting lists, read once in term order (one index-only scan of
-- knowledge_chunk_terms_pkey; a window count gives each term's document frequency without a second pass). All
-- arithmetic is double precision: with numeric literals PostgreSQL computed ln() in numeric, 3x slower at 100k chunks.
CREATE OR REPLACE FUNCTION public.hq_bm25_scores(p_terms text[], p_k1 double precision DEFAULT 0.9,
                                                 p_b double precision DEFAULT 0.4)
RETURNS TABLE (chunk_id uuid, source_id uuid, score double precision)
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  WITH st AS (SELECT s.chunk_count::double precision AS n,
                     p_k1 * (1 - p_b) AS c0,
                     p_k1 * p_b / s.average_length AS c1
                FROM public.hq_lexical_stats() s)
  SELECT x.chunk_id, x.source_id,
         sum(ln(1::double precision + (greatest(st.n, x.df) - x.df + 0.5::double precision) / (x.df + 0.5::double precision))
             * (p_k1 + 1) * x.tf / (x.tf + st.c0 + st.c1 * x.chunk_length))
    FROM (SELECT p.chunk_id, p.source_id, p.tf::double precision AS tf,
                 p.chunk_length::double precision AS chunk_length,
                 (count(*) OVER (PARTITION BY p.term))::double precision AS df
            FROM public.knowledge_chunk_terms p
           WHERE p.term = ANY (p_terms)) x
   CROSS JOIN st
   GROUP BY x.chunk_id, x.source_id;
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

-- =====================================================================================================
-- Hybrid search for PostgREST / Supabase clients (the query service does the same plus exact BLAS rerank)
-- =====================================================================================================
-- hq_search(query_embedding, query_text, match_count, filter, candidate_count, rrf_k) returns chunk rows with their
-- source and per-leg ranks/scores, best first:
--   dense leg   : live model's vectors, filters inside the HNSW scan (iterative relaxed_order scan, ef_search 100),
--                 candidates re-sorted by exact full-precision cosine distance. When a filter matches fewer than
--                 2,000 vectors the leg is an exact scan through the filter indexes instead (complete, no ANN).
--   lexical leg : BM25 (k1 0.9, b 0.4) over the query's English lexemes with OR semantics (no all-words-must-match),
--                 from the knowledge_chunk_terms inverted index above.
--   fusion      : reciprocal rank fusion, score = sum 1 / (rrf_k + rank) over the legs a chunk appears in.
-- Either leg may be absent (NULL embedding or blank text). Both absent and blank text: listing mode, one row per
-- source (its first chunk), pinned first then most recently updated. Archived content never appears.
-- filter keys (unknown keys raise 22023):
--   tags_any / tags_all / tags_none : text or array of text
--   folder_id  : uuid or array of uuids (document or asset folders; each includes all its descendants)
--   folder_path: 'Sales/Playbooks' or an array of paths (resolved in the trees allowed by source_type; an unknown
--                path matches nothing)
--   source_type: 'document' | 'asset';  asset_type: text or array;  pinned: boolean
--   updated_after / updated_before : timestamptz (source's updated_at, inclusive / exclusive)
--   source_ids : array of knowledge_sources ids and/or document/asset ids
CREATE OR REPLACE FUNCTION public.hq_search(
  query_embedding extensions.vector(384) DEFAULT NULL, query_text text DEFAULT NULL, match_count integer DEFAULT 10,
  filter jsonb DEFAULT '{}'::jsonb, candidate_count integer DEFAULT NULL, rrf_k integer DEFAULT 10)
RETURNS TABLE (
  chunk_id uuid, knowledge_source_id uuid, source_type text, source_entity_id text, document_id uuid, asset_id uuid,
  title text, folder_id uuid, folder_path text, tags text[], asset_type text, pinned boolean, source_uri text,
  source_updated_at timestamptz, chunk_index integer, content text, section_path text[], char_start integer,
  char_end integer, page_number integer, dense_rank integer, dense_similarity double precision,
  lexical_rank integer, lexical_score double precision, score double precision)
LANGUAGE plpgsql
STABLE
SET search_path = ''
SET hnsw.iterative_scan = 'relaxed_order'
SET hnsw.ef_search = '100'
AS $$
#variable_conflict use_column
DECLARE
  v_filter jsonb := coalesce(filter, '{}'::jsonb);
  v_key text;
  v_path text;
  v_fid uuid;
  v_model text := public.hq_live_embedding_model();
  v_limit integer := greatest(coalesce(match_count, 10), 0);
  v_k integer;
  v_rrf integer := greatest(coalesce(rrf_k, 10), 1);
  v_tags_any text[];
  v_tags_all text[];
  v_tags_none text[];
  v_folders uuid[];            -- NULL: no folder filter; '{}': a folder filter that matches nothing
  v_source_type text;
  v_asset_types text[];
  v_pinned boolean;
  v_after timestamptz;
  v_before timestamptz;
  v_sources uuid[];
  v_has_filter boolean;
  v_text text := btrim(coalesce(query_text, ''));
  v_qh extensions.halfvec;
  v_matches integer;
  v_dense_ids uuid[];
  v_dense_dist double precision[];
  v_lex_ids uuid[];
  v_lex_score double precision[];
BEGIN
  IF jsonb_typeof(v_filter) <> 'object' THEN
    RAISE EXCEPTION 'hq_search: filter must be a JSON object' USING ERRCODE = '22023';
  END IF;
  FOR v_key IN SELECT jsonb_object_keys(v_filter) LOOP
    IF v_key NOT IN ('tags_any', 'tags_all', 'tags_none', 'folder_id', 'folder_path', 'source_type', 'asset_type',
                     'pinned', 'updated_after', 'updated_before', 'source_ids') THEN
      RAISE EXCEPTION 'hq_search: unknown filter key "%"', v_key USING ERRCODE = '22023';
    END IF;
  END LOOP;

  v_tags_any := nullif(public.hq_jsonb_text_array(v_filter -> 'tags_any'), '{}');
  v_tags_all := nullif(public.hq_jsonb_text_array(v_filter -> 'tags_all'), '{}');
  v_tags_none := nullif(public.hq_jsonb_text_array(v_filter -> 'tags_none'), '{}');
  v_source_type := v_filter ->> 'source_type';
  IF v_source_type IS NOT NULL AND v_source_type NOT IN ('document', 'asset') THEN
    RAISE EXCEPTION 'hq_search: source_type must be document or asset, got "%"', v_source_type USING ERRCODE = '22023';
  END IF;
  v_asset_types := nullif(public.hq_jsonb_text_array(v_filter -> 'asset_type'), '{}');
  v_pinned := (v_filter ->> 'pinned')::boolean;
  v_after := (v_filter ->> 'updated_after')::timestamptz;
  v_before := (v_filter ->> 'updated_before')::timestamptz;

  IF jsonb_typeof(v_filter -> 'folder_id') IN ('string', 'array') THEN
    v_folders := coalesce(public.hq_jsonb_text_array(v_filter -> 'folder_id')::uuid[], '{}');
  END IF;
  IF jsonb_typeof(v_filter -> 'folder_path') IN ('string', 'array') THEN
    v_folders := coalesce(v_folders, '{}');
    FOREACH v_path IN ARRAY coalesce(public.hq_jsonb_text_array(v_filter -> 'folder_path'), '{}') LOOP
      IF v_source_type IS DISTINCT FROM 'asset' THEN
        v_fid := public.hq_folder_id_by_path('document', v_path);
        IF v_fid IS NOT NULL THEN v_folders := v_folders || v_fid; END IF;
      END IF;
      IF v_source_type IS DISTINCT FROM 'document' THEN
        v_fid := public.hq_folder_id_by_path('asset', v_path);
        IF v_fid IS NOT NULL THEN v_folders := v_folders || v_fid; END IF;
      END IF;
    END LOOP;
  END IF;
  IF jsonb_typeof(v_filter -> 'source_ids') IN ('string', 'array') THEN
    SELECT coalesce(array_agg(s.id), '{}') INTO v_sources
      FROM public.knowledge_sources s
     WHERE s.id = ANY (public.hq_jsonb_text_array(v_filter -> 'source_ids')::uuid[])
        OR s.document_id = ANY (public.hq_jsonb_text_array(v_filter -> 'source_ids')::uuid[])
        OR s.asset_id = ANY (public.hq_jsonb_text_array(v_filter -> 'source_ids')::uuid[]);
  END IF;

  v_has_filter := v_tags_any IS NOT NULL OR v_tags_all IS NOT NULL OR v_tags_none IS NOT NULL OR v_folders IS NOT NULL
               OR v_source_type IS NOT NULL OR v_asset_types IS NOT NULL OR v_pinned IS NOT NULL OR v_after IS NOT NULL
               OR v_before IS NOT NULL OR v_sources IS NOT NULL;
  v_k := least(greatest(coalesce(candidate_count, v_limit * 4), v_limit, 40), greatest(v_limit, 1000));

  -- Listing mode: no embedding and no text.
  IF query_embedding IS NULL AND v_text = '' THEN
    RETURN QUERY
    SELECT fc.id, s.id, s.source_type, s.source_id, s.document_id, s.asset_id, s.title, s.folder_id, s.folder_path,
           s.tags, s.asset_type, s.pinned, s.source_uri, s.source_updated_at, fc.chunk_index, fc.content,
           fc.section_path, fc.char_start, fc.char_end, fc.page_number,
           NULL::integer, NULL::double precision, NULL::integer, NULL::double precision, 0::double precision
      FROM public.knowledge_sources s
      LEFT JOIN LATERAL (SELECT c.* FROM public.knowledge_chunks c WHERE c.source_id = s.id
                          ORDER BY c.chunk_index LIMIT 1) fc ON true
     WHERE s.archived_at IS NULL
       AND (v_tags_any IS NULL OR s.tags && v_tags_any)
       AND (v_tags_all IS NULL OR s.tags @> v_tags_all)
       AND (v_tags_none IS NULL OR NOT (s.tags && v_tags_none))
       AND (v_folders IS NULL OR s.folder_ids && v_folders)
       AND (v_source_type IS NULL OR s.source_type = v_source_type)
       AND (v_asset_types IS NULL OR s.asset_type = ANY (v_asset_types))
       AND (v_pinned IS NULL OR s.pinned = v_pinned)
       AND (v_after IS NULL OR s.source_updated_at >= v_after)
       AND (v_before IS NULL OR s.source_updated_at < v_before)
       AND (v_sources IS NULL OR s.id = ANY (v_sources))
     ORDER BY s.pinned DESC, s.source_updated_at DESC NULLS LAST, s.id
     LIMIT v_limit;
    RETURN;
  END IF;

  -- Dense leg.
  IF query_embedding IS NOT NULL THEN
    v_qh := query_embedding::extensions.halfvec(384);
    v_matches := NULL;
    IF v_has_filter THEN
      SELECT count(*) INTO v_matches
        FROM (SELECT 1
                FROM public.knowledge_chunk_vectors v
               WHERE v.model = v_model AND NOT v.archived
                 AND (v_tags_any IS NULL OR v.tags && v_tags_any)
                 AND (v_tags_all IS NULL OR v.tags @> v_tags_all)
                 AND (v_tags_none IS NULL OR NOT (v.tags && v_tags_none))
                 AND (v_folders IS NULL OR v.folder_ids && v_folders)
                 AND (v_source_type IS NULL OR v.source_type = v_source_type)
                 AND (v_asset_types IS NULL OR v.asset_type = ANY (v_asset_types))
                 AND (v_pinned IS NULL OR v.pinned = v_pinned)
                 AND (v_after IS NULL OR v.source_updated_at >= v_after)
                 AND (v_before IS NULL OR v.source_updated_at < v_before)
                 AND (v_sources IS NULL OR v.source_id = ANY (v_sources))
               LIMIT 2000) AS m;
    END IF;

    IF v_matches IS NOT NULL AND v_matches < 2000 THEN
      -- Selective filter: exact scan of the matching vectors (never misses a match).
      SELECT array_agg(x.cid ORDER BY x.dist, x.cid), array_agg(x.dist ORDER BY x.dist, x.cid)
        INTO v_dense_ids, v_dense_dist
        FROM (SELECT v.chunk_id AS cid, v.embedding OPERATOR(extensions.<=>) query_embedding AS dist
                FROM public.knowledge_chunk_vectors v
               WHERE v.model = v_model AND NOT v.archived
                 AND (v_tags_any IS NULL OR v.tags && v_tags_any)
                 AND (v_tags_all IS NULL OR v.tags @> v_tags_all)
                 AND (v_tags_none IS NULL OR NOT (v.tags && v_tags_none))
                 AND (v_folders IS NULL OR v.folder_ids && v_folders)
                 AND (v_source_type IS NULL OR v.source_type = v_source_type)
                 AND (v_asset_types IS NULL OR v.asset_type = ANY (v_asset_types))
                 AND (v_pinned IS NULL OR v.pinned = v_pinned)
                 AND (v_after IS NULL OR v.source_updated_at >= v_after)
                 AND (v_before IS NULL OR v.source_updated_at < v_before)
                 AND (v_sources IS NULL OR v.source_id = ANY (v_sources))
               ORDER BY 2, 1
               LIMIT v_k) AS x;
    ELSE
      -- ANN: halfvec HNSW with the filters inside the iterative scan, then exact re-sort of the candidates.
      SELECT array_agg(x.cid ORDER BY x.dist, x.cid), array_agg(x.dist ORDER BY x.dist, x.cid)
        INTO v_dense_ids, v_dense_dist
        FROM (SELECT v.chunk_id AS cid, v.embedding OPERATOR(extensions.<=>) query_embedding AS dist
                FROM public.knowledge_chunk_vectors v
               WHERE v.model = v_model AND NOT v.archived
                 AND (v_tags_any IS NULL OR v.tags && v_tags_any)
                 AND (v_tags_all IS NULL OR v.tags @> v_tags_all)
                 AND (v_tags_none IS NULL OR NOT (v.tags && v_tags_none))
                 AND (v_folders IS NULL OR v.folder_ids && v_folders)
                 AND (v_source_type IS NULL OR v.source_type = v_source_type)
                 AND (v_asset_types IS NULL OR v.asset_type = ANY (v_asset_types))
                 AND (v_pinned IS NULL OR v.pinned = v_pinned)
                 AND (v_after IS NULL OR v.source_updated_at >= v_after)
                 AND (v_before IS NULL OR v.source_updated_at < v_before)
                 AND (v_sources IS NULL OR v.source_id = ANY (v_sources))
               ORDER BY v.embedding::extensions.halfvec(384) OPERATOR(extensions.<=>) v_qh
               LIMIT v_k) AS x;
    END IF;
  END IF;

  -- Lexical leg: BM25 over the query's English lexemes (OR semantics), the same scores as the query service's.
  IF v_text <> '' THEN
    SELECT array_agg(x.cid ORDER BY x.sc DESC, x.cid), array_agg(x.sc ORDER BY x.sc DESC, x.cid)
      INTO v_lex_ids, v_lex_score
      FROM (SELECT b.chunk_id AS cid, b.score AS sc
              FROM public.hq_bm25_scores(public.hq_query_terms(v_text)) b
              JOIN public.knowledge_sources s ON s.id = b.source_id
             WHERE s.archived_at IS NULL
               AND (v_tags_any IS NULL OR s.tags && v_tags_any)
               AND (v_tags_all IS NULL OR s.tags @> v_tags_all)
               AND (v_tags_none IS NULL OR NOT (s.tags && v_tags_none))
               AND (v_folders IS NULL OR s.folder_ids && v_folders)
               AND (v_source_type IS NULL OR s.source_type = v_source_type)
               AND (v_asset_types IS NULL OR s.asset_type = ANY (v_asset_types))
               AND (v_pinned IS NULL OR s.pinned = v_pinned)
               AND (v_after IS NULL OR s.source_updated_at >= v_after)
               AND (v_before IS NULL OR s.source_updated_at < v_before)
               AND (v_sources IS NULL OR s.id = ANY (v_sources))
             ORDER BY 2 DESC, 1
             LIMIT v_k) AS x;
  END IF;

  -- Reciprocal rank fusion.
  RETURN QUERY
  WITH d AS (
    SELECT u.cid, u.dist, u.r::integer AS r
      FROM unnest(v_dense_ids, v_dense_dist) WITH ORDINALITY AS u (cid, dist, r)),
  l AS (
    SELECT u.cid, u.sc, u.r::integer AS r
      FROM unnest(v_lex_ids, v_lex_score) WITH ORDINALITY AS u (cid, sc, r)),
  f AS (
    SELECT coalesce(d.cid, l.cid) AS cid, d.r AS dr, (1 - d.dist) AS dsim, l.r AS lr, l.sc AS lsc,
           (coalesce(1.0 / (v_rrf + d.r), 0) + coalesce(1.0 / (v_rrf + l.r), 0))::double precision AS fsc
      FROM d FULL JOIN l ON l.cid = d.cid)
  SELECT c.id, s.id, s.source_type, s.source_id, s.document_id, s.asset_id, s.title, s.folder_id, s.folder_path,
         s.tags, s.asset_type, s.pinned, coalesce(c.source_uri, s.source_uri), s.source_updated_at, c.chunk_index,
         c.content, c.section_path, c.char_start, c.char_end, c.page_number, f.dr, f.dsim, f.lr, f.lsc, f.fsc
    FROM f
    JOIN public.knowledge_chunks c ON c.id = f.cid
    JOIN public.knowledge_sources s ON s.id = c.source_id
   WHERE s.archived_at IS NULL
   ORDER BY f.fsc DESC, f.dsim DESC NULLS LAST, c.id
   LIMIT v_limit;
END
$$;

-- =====================================================================================================
-- Access: the inverted index and its statistics hold the knowledge base's words, so they get the same row-level
-- security and full-access policies as every other table (016): anon sees nothing through PostgREST.
-- =====================================================================================================
DO $$
DECLARE
  v_table text;
  v_role text;
BEGIN
  FOREACH v_table IN ARRAY ARRAY['knowledge_chunk_terms', 'knowledge_lexical_stats'] LOOP
    EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', v_table);
    FOREACH v_role IN ARRAY ARRAY['authenticated', 'service_role'] LOOP
      CONTINUE WHEN NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = v_role);
      IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_policies p
                      WHERE p.schemaname = 'public' AND p.tablename = v_table
                        AND p.policyname = CASE v_role WHEN 'authenticated' THEN 'Authenticated full access'
                                                       ELSE 'Service role full access' END) THEN
        EXECUTE format('CREATE POLICY %I ON public.%I FOR ALL TO %I USING (true) WITH CHECK (true)',
                       CASE v_role WHEN 'authenticated' THEN 'Authenticated full access' ELSE 'Service role full access' END,
                       v_table, v_role);
      END IF;
      EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON public.%I TO %I', v_table, v_role);
    END LOOP;
  END LOOP;
END
$$;

-- 020_search_bm25_sources: the lexical leg scores sources (documents, assets) as wholes, the way Lucene's BM25 scores
-- a document, instead of ranking a source by its best chunk (018). On SciFact (chosen on the train queries,
-- docs/BENCHMARKS.md "Lexical leg at parity (issue 15)") the chunk-level leg lost to a whole-document BM25 because:
--   * a query's terms spread over two chunks never met in one score, and short chunks (a section's tail) got the
--     largest length normalisation bonus;
--   * the title was not indexed at all (knowledge_chunks.search_vector is the chunk text only);
--   * hyphenated words were indexed three times (the compound and its parts), inflating lengths and matching
--     only queries hyphenated the same way.
-- Postings stay incremental and inside PostgreSQL: statement-level triggers on knowledge_chunks (and a row trigger
-- on a source's title) re-derive the postings of the sources a statement touched, from the source's title and the
-- text of its chunks with the overlap between consecutive chunks counted once. The indexer is unaware of it.
-- hq_bm25_scores keeps its signature: one row per matching source, carrying the source's score and the chunk of it
-- that matches best, so hq_search and hq_bm25_search rank sources by the new score and still show that chunk.

CREATE TABLE IF NOT EXISTS public.knowledge_source_terms (
  term text NOT NULL,
  source_id uuid NOT NULL,
  tf integer NOT NULL,
  source_length integer NOT NULL,
  CONSTRAINT knowledge_source_terms_pkey PRIMARY KEY (term, source_id) INCLUDE (tf, source_length)
);
CREATE INDEX IF NOT EXISTS knowledge_source_terms_source_id_idx ON public.knowledge_source_terms (source_id);

-- Number of indexed sources and the sum of their lengths (lexeme occurrences), sharded like knowledge_lexical_stats.
CREATE TABLE IF NOT EXISTS public.knowledge_source_lexical_stats (
  shard integer PRIMARY KEY,
  source_count bigint NOT NULL DEFAULT 0,
  total_length bigint NOT NULL DEFAULT 0
);

-- The analysis of BM25: PostgreSQL's english configuration without the whole-compound tokens of hyphenated words
-- ('tnf-alpha' gave 'tnf-alpha', 'tnf' and 'alpha': three occurrences of one word, and a lexeme no query spelled
-- 'TNF alpha' matches); the parts stay, as Lucene's StandardTokenizer splits them.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_ts_config c
                  WHERE c.cfgname = 'hq_bm25' AND c.cfgnamespace = 'public'::regnamespace) THEN
    CREATE TEXT SEARCH CONFIGURATION public.hq_bm25 (COPY = pg_catalog.english);
  END IF;
END
$$;
ALTER TEXT SEARCH CONFIGURATION public.hq_bm25 DROP MAPPING IF EXISTS FOR asciihword, hword, numhword;

-- The lexemes of a text and how often each occurs: the one analysis both the postings and queries go through.
CREATE OR REPLACE FUNCTION public.hq_bm25_lexemes(p_text text)
RETURNS TABLE (term text, occurrences integer)
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
  SELECT t.lexeme, coalesce(array_length(t.positions, 1), 1)
    FROM unnest(to_tsvector('public.hq_bm25'::regconfig, coalesce(p_text, ''))) AS t;
$$;

-- Re-derives the postings of p_sources from their titles and chunks, and moves the statistics by the difference.
-- A source without chunks has no postings (nothing of it could be returned). Consecutive chunks may overlap (the
-- chunker repeats trailing sentences): each chunk contributes only its text past the end of the chunks before it,
-- when its offsets agree with its content; otherwise its whole content.
CREATE OR REPLACE FUNCTION public.hq_source_terms_refresh(p_sources uuid[])
RETURNS void
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
  v_old_sources bigint;
  v_old_length bigint;
  v_new_sources bigint;
  v_new_length bigint;
BEGIN
  IF coalesce(cardinality(p_sources), 0) = 0 THEN
    RETURN;
  END IF;
  WITH d AS (DELETE FROM public.knowledge_source_terms t WHERE t.source_id = ANY (p_sources)
             RETURNING t.source_id, t.source_length)
  SELECT count(*), coalesce(sum(x.source_length), 0) INTO v_old_sources, v_old_length
    FROM (SELECT DISTINCT d.source_id, d.source_length FROM d) x;

  WITH c AS (
    SELECT k.source_id, k.content, k.char_start, k.char_end,
           max(k.char_end) OVER (PARTITION BY k.source_id ORDER BY k.chunk_index
                                 ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS covered
      FROM public.knowledge_chunks k
     WHERE k.source_id = ANY (p_sources)),
  pieces AS (
    SELECT c.source_id,
           CASE WHEN c.covered IS NULL OR c.char_start IS NULL OR c.char_end IS NULL
                  OR c.char_end - c.char_start <> length(c.content) THEN c.content
                ELSE substr(c.content, greatest(c.covered - c.char_start, 0) + 1) END AS piece
      FROM c
    UNION ALL
    SELECT s.id, s.title
      FROM public.knowledge_sources s
     WHERE s.id = ANY (p_sources) AND EXISTS (SELECT 1 FROM public.knowledge_chunks k WHERE k.source_id = s.id)),
  tf AS (
    SELECT p.source_id, l.term, sum(l.occurrences)::integer AS tf
      FROM pieces p CROSS JOIN LATERAL public.hq_bm25_lexemes(p.piece) AS l
     GROUP BY p.source_id, l.term),
  len AS (SELECT tf.source_id, sum(tf.tf)::integer AS len FROM tf GROUP BY tf.source_id),
  ins AS (
    INSERT INTO public.knowledge_source_terms (term, source_id, tf, source_length)
    SELECT tf.term, tf.source_id, tf.tf, len.len FROM tf JOIN len ON len.source_id = tf.source_id
    RETURNING 1)
  SELECT count(*), coalesce(sum(len.len), 0) INTO v_new_sources, v_new_length FROM len;

  IF v_new_sources <> v_old_sources OR v_new_length <> v_old_length THEN
    INSERT INTO public.knowledge_source_lexical_stats AS st (shard, source_count, total_length)
    VALUES (pg_backend_pid() % 16, v_new_sources - v_old_sources, v_new_length - v_old_length)
    ON CONFLICT (shard) DO UPDATE SET source_count = st.source_count + excluded.source_count,
                                      total_length = st.total_length + excluded.total_length;
  END IF;
END
$$;

CREATE OR REPLACE FUNCTION public.hq_source_terms_chunks_inserted()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  PERFORM public.hq_source_terms_refresh(ARRAY(SELECT DISTINCT n.source_id FROM new_rows n));
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION public.hq_source_terms_chunks_deleted()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  PERFORM public.hq_source_terms_refresh(ARRAY(SELECT DISTINCT o.source_id FROM old_rows o));
  RETURN NULL;
END
$$;

-- Row trigger for in-place edits of a chunk (rare: the indexer replaces chunk sets) and for a source's new title.
CREATE OR REPLACE FUNCTION public.hq_source_terms_row_changed()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  IF TG_TABLE_NAME = 'knowledge_sources' THEN
    PERFORM public.hq_source_terms_refresh(ARRAY[NEW.id]);
  ELSE
    PERFORM public.hq_source_terms_refresh(ARRAY(SELECT DISTINCT x FROM unnest(ARRAY[OLD.source_id, NEW.source_id]) x));
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE TRIGGER knowledge_chunks_source_terms_insert
  AFTER INSERT ON public.knowledge_chunks
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION public.hq_source_terms_chunks_inserted();
CREATE OR REPLACE TRIGGER knowledge_chunks_source_terms_delete
  AFTER DELETE ON public.knowledge_chunks
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION public.hq_source_terms_chunks_deleted();
CREATE OR REPLACE TRIGGER knowledge_chunks_source_terms_update
  AFTER UPDATE OF content, source_id, char_start, char_end ON public.knowledge_chunks
  FOR EACH ROW WHEN (OLD.content IS DISTINCT FROM NEW.content OR OLD.source_id IS DISTINCT FROM NEW.source_id
                     OR OLD.char_start IS DISTINCT FROM NEW.char_start OR OLD.char_end IS DISTINCT FROM NEW.char_end)
  EXECUTE FUNCTION public.hq_source_terms_row_changed();
CREATE OR REPLACE TRIGGER knowledge_sources_source_terms_title
  AFTER UPDATE OF title ON public.knowledge_sources
  FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title)
  EXECUTE FUNCTION public.hq_source_terms_row_changed();

-- Backfill sources indexed before this migration (none on a fresh database), then recompute the statistics from the
-- postings so that re-applying the file always leaves them exact.
DO $$
BEGIN
  PERFORM public.hq_source_terms_refresh(ARRAY(
    SELECT DISTINCT c.source_id FROM public.knowledge_chunks c
     WHERE NOT EXISTS (SELECT 1 FROM public.knowledge_source_terms t WHERE t.source_id = c.source_id)));
  DELETE FROM public.knowledge_source_lexical_stats;
  INSERT INTO public.knowledge_source_lexical_stats (shard, source_count, total_length)
  SELECT 0, count(*), coalesce(sum(x.source_length), 0)
    FROM (SELECT DISTINCT t.source_id, t.source_length FROM public.knowledge_source_terms t) x;
END
$$;

-- Distinct lexemes of a query (stop words dropped, stemmed), sorted; '{}' when none. Same analysis as the postings.
-- A word repeated in the query counts once: weighing it per occurrence, as Lucene's query parser does, measured
-- worse on SciFact's train queries (docs/BENCHMARKS.md).
CREATE OR REPLACE FUNCTION public.hq_query_terms(p_query text)
RETURNS text[]
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
  SELECT coalesce(array_agg(l.term ORDER BY l.term), '{}')
    FROM public.hq_bm25_lexemes(left(coalesce(p_query, ''), 10000)) AS l;
$$;

-- Corpus statistics for source-level BM25: number of indexed sources and their average length (at least 1).
CREATE OR REPLACE FUNCTION public.hq_source_lexical_stats(OUT source_count bigint, OUT average_length double precision)
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  SELECT greatest(coalesce(sum(st.source_count), 0), 0)::bigint,
         greatest(coalesce(sum(st.total_length)::double precision / nullif(sum(st.source_count), 0), 1), 1)
    FROM public.knowledge_source_lexical_stats st;
$$;

-- BM25 of every source matching any of p_terms (OR semantics; a term given n times weighs n times). One index-only
-- scan of knowledge_source_terms_pkey over the terms' posting lists; a window count gives each term's df.
CREATE OR REPLACE FUNCTION public.hq_bm25_source_scores(p_terms text[], p_k1 double precision DEFAULT 0.9,
                                                        p_b double precision DEFAULT 0.4)
RETURNS TABLE (source_id uuid, score double precision)
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  WITH st AS (SELECT s.source_count::double precision AS n,
                     p_k1 * (1 - p_b) AS c0,
                     p_k1 * p_b / s.average_length AS c1
                FROM public.hq_source_lexical_stats() s),
       q AS (SELECT t AS term, count(*)::double precision AS weight FROM unnest(p_terms) AS t GROUP BY t)
  SELECT x.source_id,
         sum(q.weight
             * ln(1::double precision + (greatest(st.n, x.df) - x.df + 0.5::double precision) / (x.df + 0.5::double precision))
             * (p_k1 + 1) * x.tf / (x.tf + st.c0 + st.c1 * x.source_length))
    FROM (SELECT p.term, p.source_id, p.tf::double precision AS tf,
                 p.source_length::double precision AS source_length,
                 (count(*) OVER (PARTITION BY p.term))::double precision AS df
            FROM public.knowledge_source_terms p
           WHERE p.term = ANY (p_terms)) x
    JOIN q ON q.term = x.term
   CROSS JOIN st
   GROUP BY x.source_id;
$$;

-- 018's chunk-level BM25 (chunk statistics from knowledge_chunk_terms), no longer used for ranking: kept to compare
-- the two (a source ranked by its best chunk) and for diagnostics.
CREATE OR REPLACE FUNCTION public.hq_bm25_chunk_scores(p_terms text[], p_k1 double precision DEFAULT 0.9,
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

-- The chunk that represents each of p_sources: the one whose text matches p_terms best (BM25's saturated,
-- length-normalised term frequencies over 018's chunk postings, summed without idf: counting each term's chunks
-- would read every posting of the term, where this reads only the given sources'), else the source's first chunk
-- (a source matched by its title alone). One row per source that has chunks. The postings are read in term order
-- from knowledge_chunk_terms_pkey and filtered on its included source_id (a hashed lookup for long lists).
CREATE OR REPLACE FUNCTION public.hq_bm25_best_chunks(p_sources uuid[], p_terms text[],
                                                      p_k1 double precision DEFAULT 0.9,
                                                      p_b double precision DEFAULT 0.4)
RETURNS TABLE (source_id uuid, chunk_id uuid)
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  WITH st AS (SELECT p_k1 * (1 - p_b) AS c0, p_k1 * p_b / s.average_length AS c1 FROM public.hq_lexical_stats() s),
       m AS (SELECT p.source_id, p.chunk_id,
                    sum((p_k1 + 1) * p.tf / (p.tf + st.c0 + st.c1 * p.chunk_length)) AS s
               FROM public.knowledge_chunk_terms p CROSS JOIN st
              WHERE p.term = ANY (p_terms) AND p.source_id = ANY (p_sources)
              GROUP BY p.source_id, p.chunk_id)
  SELECT DISTINCT ON (x.source_id) x.source_id, x.chunk_id
    FROM (SELECT m.source_id, m.chunk_id, m.s, 0 AS fallback FROM m
          UNION ALL
          SELECT c.source_id, c.id, 0, 1 FROM public.knowledge_chunks c
           WHERE c.source_id = ANY (p_sources) AND c.chunk_index = 0) x
   ORDER BY x.source_id, x.fallback, x.s DESC, x.chunk_id;
$$;

-- The lexical leg of the SQL RPCs (hq_search, hq_bm25_search): one row per source matching any of p_terms, scored
-- by source-level BM25 and represented by its best chunk. Callers join knowledge_sources for filters and take the
-- top rows, as with 018's one row per chunk. The chunk is chosen as hq_bm25_best_chunks chooses it, over every
-- matching chunk at once. The query service instead takes the top sources first and picks chunks for those only
-- (SearchService.lexical), which reads fewer chunk postings.
CREATE OR REPLACE FUNCTION public.hq_bm25_scores(p_terms text[], p_k1 double precision DEFAULT 0.9,
                                                 p_b double precision DEFAULT 0.4)
RETURNS TABLE (chunk_id uuid, source_id uuid, score double precision)
LANGUAGE sql
STABLE
SET search_path = ''
AS $$
  WITH st AS (SELECT p_k1 * (1 - p_b) AS c0, p_k1 * p_b / s.average_length AS c1 FROM public.hq_lexical_stats() s),
       m AS (SELECT p.source_id, p.chunk_id,
                    sum((p_k1 + 1) * p.tf / (p.tf + st.c0 + st.c1 * p.chunk_length)) AS s
               FROM public.knowledge_chunk_terms p CROSS JOIN st
              WHERE p.term = ANY (p_terms)
              GROUP BY p.source_id, p.chunk_id),
       best AS (SELECT DISTINCT ON (m.source_id) m.source_id, m.chunk_id FROM m ORDER BY m.source_id, m.s DESC, m.chunk_id)
  SELECT coalesce(best.chunk_id, (SELECT c.id FROM public.knowledge_chunks c
                                   WHERE c.source_id = x.source_id AND c.chunk_index = 0)),
         x.source_id, x.score
    FROM public.hq_bm25_source_scores(p_terms, p_k1, p_b) x
    LEFT JOIN best ON best.source_id = x.source_id;
$$;

-- Access: the same row-level security and full-access policies as 018's tables (anon sees nothing via PostgREST).
DO $$
DECLARE
  v_table text;
  v_role text;
BEGIN
  FOREACH v_table IN ARRAY ARRAY['knowledge_source_terms', 'knowledge_source_lexical_stats'] LOOP
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

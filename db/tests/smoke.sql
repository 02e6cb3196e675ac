-- Behaviour smoke test for db/migrations (development aid; the Swift test suite is the real one).
-- DESTROYS the documents/assets/folders/knowledge data of the database it runs in: scratch databases only.
--   psql -X -v scratch=1 -f db/tests/smoke.sql postgresql://.../SCRATCH_DB
-- Every check raises on failure (ON_ERROR_STOP); "ok: ..." notices list the checks that passed. NOTIFY payloads on
-- channel hq_index are printed by psql as "Asynchronous notification ..." lines.
\set ON_ERROR_STOP 1
\if :{?scratch}
\else
\echo 'refusing to run: pass -v scratch=1 (this script deletes data)'
\quit
\endif
SET client_min_messages = notice;
\pset tuples_only on
\pset format unaligned

TRUNCATE public.documents, public.assets, public.document_folders, public.asset_folders, public.knowledge_sources,
         public.agents CASCADE;
UPDATE public.workspace SET embedding_model = 'sentence-transformers/all-MiniLM-L6-v2', embedding_model_next = NULL;

CREATE FUNCTION pg_temp.expect(ok boolean, what text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF ok IS NOT TRUE THEN RAISE EXCEPTION 'FAILED: %', what; END IF;
  RAISE NOTICE 'ok: %', what;
END $$;
-- Deterministic 384-d test vectors: vec(n) and vec(n) + small noise are close; different n are far apart.
CREATE FUNCTION pg_temp.vec(seed integer, noise double precision DEFAULT 0) RETURNS extensions.vector LANGUAGE sql AS $$
  SELECT array_agg(sin(seed * 7.3 + i * (seed % 5 + 1) * 0.37) + noise * cos(i * 1.7) ORDER BY i)::float4[]::extensions.vector
    FROM generate_series(1, 384) AS i;
$$;
CREATE FUNCTION pg_temp.vecj(seed integer, noise double precision DEFAULT 0) RETURNS jsonb LANGUAGE sql AS $$
  SELECT to_jsonb(pg_temp.vec(seed, noise)::float4[]);
$$;
CREATE FUNCTION pg_temp.src(entity uuid) RETURNS public.knowledge_sources LANGUAGE sql AS $$
  SELECT * FROM public.knowledge_sources WHERE source_id = entity::text;
$$;

LISTEN hq_index;

-- ---------------------------------------------------------------------------------------------- folders & content
INSERT INTO public.document_folders (id, parent_id, name) VALUES
  ('00000000-0000-0000-0000-0000000000a1', NULL, 'Sales'),
  ('00000000-0000-0000-0000-0000000000a2', '00000000-0000-0000-0000-0000000000a1', 'Playbooks'),
  ('00000000-0000-0000-0000-0000000000a3', '00000000-0000-0000-0000-0000000000a2', 'Deep'),
  ('00000000-0000-0000-0000-0000000000a4', NULL, 'Other');
INSERT INTO public.asset_folders (id, parent_id, name) VALUES
  ('00000000-0000-0000-0000-0000000000b1', NULL, 'Sales'),
  ('00000000-0000-0000-0000-0000000000b2', '00000000-0000-0000-0000-0000000000b1', 'Playbooks');

-- d1: the UI's form (jsonb string holding stringified TipTap JSON); d2: agent markdown string; d3: new UI doc "";
-- d4: a jsonb object.
INSERT INTO public.documents (id, folder_id, title, content, tags, pinned) VALUES
  ('00000000-0000-0000-0000-0000000000d1', '00000000-0000-0000-0000-0000000000a3', 'Pricing objections',
   to_jsonb('{"type":"doc","content":[{"type":"heading","attrs":{"level":2},"content":[{"type":"text","text":"Handling discounts"}]},{"type":"paragraph","content":[{"type":"text","text":"Never concede margin ","marks":[{"type":"bold"}]},{"type":"text","text":"without a trade."}]},{"type":"image","attrs":{"src":"x.png","alt":"whiteboard sketch"}}]}'::text),
   ARRAY['sales', 'boot:all'], false),
  ('00000000-0000-0000-0000-0000000000d2', '00000000-0000-0000-0000-0000000000a2', 'Cold email playbook',
   to_jsonb('# Cold email\n\n- Keep it short\n- Mention the referral'::text), ARRAY['sales', 'email'], false),
  ('00000000-0000-0000-0000-0000000000d3', NULL, 'Untitled', '""'::jsonb, '{}', false),
  ('00000000-0000-0000-0000-0000000000d4', '00000000-0000-0000-0000-0000000000a4', 'Object doc',
   '{"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"quarterly roadmap"}]}]}'::jsonb,
   ARRAY['planning'], true);
INSERT INTO public.assets (id, folder_id, name, description, type, mime_type, content, tags) VALUES
  ('00000000-0000-0000-0000-0000000000e1', '00000000-0000-0000-0000-0000000000b2', 'Price list', 'Discount tiers',
   'spreadsheet', 'text/csv', E'tier,discount\ngold,20\nsilver,10', ARRAY['sales']),
  ('00000000-0000-0000-0000-0000000000e2', NULL, 'Logo', 'Company logo', 'image', 'image/png', NULL, ARRAY['brand']);

SELECT pg_temp.expect((SELECT count(*) FROM public.knowledge_sources) = 6, 'a source per document and asset');
SELECT pg_temp.expect((SELECT bool_and(pending_since IS NOT NULL AND change_seq = 1 AND chunk_status = 'pending')
                         FROM public.knowledge_sources), 'new sources are pending with change_seq 1');
SELECT pg_temp.expect((pg_temp.src('00000000-0000-0000-0000-0000000000d1')).folder_ids
                        = '{00000000-0000-0000-0000-0000000000a1,00000000-0000-0000-0000-0000000000a2,00000000-0000-0000-0000-0000000000a3}'
                      AND (pg_temp.src('00000000-0000-0000-0000-0000000000d1')).folder_path = 'Sales/Playbooks/Deep',
                      'folder_ids = folder + ancestors (root first), folder_path');
SELECT pg_temp.expect((pg_temp.src('00000000-0000-0000-0000-0000000000e1')).source_type = 'asset'
                      AND (pg_temp.src('00000000-0000-0000-0000-0000000000e1')).asset_type = 'spreadsheet'
                      AND (pg_temp.src('00000000-0000-0000-0000-0000000000e1')).asset_id IS NOT NULL
                      AND (pg_temp.src('00000000-0000-0000-0000-0000000000e1')).folder_path = 'Sales/Playbooks',
                      'asset source with asset_type and folder path');
SELECT pg_temp.expect((pg_temp.src('00000000-0000-0000-0000-0000000000d4')).pinned, 'pinned copied');
SELECT pg_temp.expect(d.search_vector @@ to_tsquery('english', 'discount & concede & whiteboard & pricing')
                      AND NOT d.search_vector @@ to_tsquery('english', 'paragraph'),
                      'documents.search_vector from TipTap text (no node-type noise)')
  FROM public.documents d WHERE d.id = '00000000-0000-0000-0000-0000000000d1';
SELECT pg_temp.expect(d.search_vector @@ to_tsquery('english', 'referral'), 'search_vector from markdown string')
  FROM public.documents d WHERE d.id = '00000000-0000-0000-0000-0000000000d2';
SELECT pg_temp.expect(public.hq_document_text('""'::jsonb) = '' AND public.hq_document_text(NULL) = ''
                      AND public.hq_document_text(to_jsonb('{not json'::text)) = '{not json',
                      'hq_document_text: empty, NULL, invalid JSON text');
SELECT pg_temp.expect(public.hq_folder_id_by_path('document', 'Sales/Playbooks') = '00000000-0000-0000-0000-0000000000a2'
                      AND public.hq_folder_id_by_path('document', '/sales//PLAYBOOKS/') = '00000000-0000-0000-0000-0000000000a2'
                      AND public.hq_folder_id_by_path('asset', 'Sales/Playbooks') = '00000000-0000-0000-0000-0000000000b2'
                      AND public.hq_folder_id_by_path('document', 'Sales/Nope') IS NULL
                      AND public.hq_folder_id_by_path('document', '') IS NULL,
                      'hq_folder_id_by_path');

-- ---------------------------------------------------------------------------------------------- leasing
CREATE TEMP TABLE lease1 AS SELECT * FROM public.hq_lease_sources('worker-1', 10, 300);
SELECT pg_temp.expect((SELECT count(*) FROM lease1) = 6, 'lease returns all 6 pending sources');
SELECT pg_temp.expect((SELECT count(*) FROM lease1 WHERE document_content IS NOT NULL) = 4
                      AND (SELECT asset_content FROM lease1 WHERE asset_id = '00000000-0000-0000-0000-0000000000e1') LIKE 'tier,%',
                      'lease returns document content and asset content');
SELECT pg_temp.expect((SELECT count(*) FROM public.hq_lease_sources('worker-2', 10, 300)) = 0, 'leased sources are not leased twice');
SELECT pg_temp.expect((SELECT bool_and(attempts = 1 AND indexing_leased_by = 'worker-1') FROM public.knowledge_sources),
                      'lease counts an attempt and records the worker');

-- ---------------------------------------------------------------------------------------------- writing (our path)
-- What the Swift indexer does with binary COPY, done here with INSERT: d1 in 3 chunks, e1 in 1 chunk.
CREATE TEMP TABLE before_write AS SELECT id, updated_at FROM public.documents;
BEGIN;
CREATE TEMP TABLE w ON COMMIT DROP AS
  SELECT * FROM public.hq_begin_source_write((SELECT id FROM lease1 WHERE document_id = '00000000-0000-0000-0000-0000000000d1'),
                                             (SELECT change_seq FROM lease1 WHERE document_id = '00000000-0000-0000-0000-0000000000d1'));
SELECT pg_temp.expect((SELECT count(*) FROM w) = 1, 'begin write locks a current source');
DELETE FROM public.knowledge_chunks WHERE source_id = (SELECT id FROM lease1 WHERE document_id = '00000000-0000-0000-0000-0000000000d1');
WITH s AS (SELECT id FROM lease1 WHERE document_id = '00000000-0000-0000-0000-0000000000d1'),
ch AS (
  INSERT INTO public.knowledge_chunks (source_id, source_type, source_entity_id, document_id, chunk_index, content,
                                       content_hash, char_start, char_end, section_path, embedding_status, token_count)
  SELECT s.id, 'document', '00000000-0000-0000-0000-0000000000d1', '00000000-0000-0000-0000-0000000000d1', i,
         (ARRAY['Handling discounts: never concede margin without a trade.',
                'Offer a longer contract instead of a lower price.',
                'Whiteboard sketch of the pricing ladder.'])[i + 1],
         md5(i::text), i * 60, i * 60 + 55, ARRAY['Handling discounts'], 'indexed', 12
    FROM s, generate_series(0, 2) AS i
  RETURNING id, source_id, chunk_index)
INSERT INTO public.knowledge_chunk_vectors (chunk_id, model, source_id, embedding, source_type, asset_type, folder_ids,
                                            tags, pinned, archived, source_updated_at)
SELECT ch.id, 'sentence-transformers/all-MiniLM-L6-v2', ch.source_id, pg_temp.vec(100 + ch.chunk_index),
       w.source_type, w.asset_type, w.folder_ids, w.tags, w.pinned, w.archived, w.source_updated_at
  FROM ch, w;
SELECT pg_temp.expect(public.hq_finish_source_write((SELECT id FROM lease1 WHERE document_id = '00000000-0000-0000-0000-0000000000d1'),
                                                    (SELECT change_seq FROM lease1 WHERE document_id = '00000000-0000-0000-0000-0000000000d1'),
                                                    'hash-d1', 'sentence-transformers/all-MiniLM-L6-v2', 'tiptap'),
                      'finish write accepted');
COMMIT;
SELECT pg_temp.expect(s.chunk_status = 'indexed' AND s.chunk_count = 3 AND s.pending_since IS NULL AND s.attempts = 0
                      AND s.indexing_leased_until IS NULL AND s.indexed_model = 'sentence-transformers/all-MiniLM-L6-v2'
                      AND s.extraction_method = 'tiptap',
                      'source indexed, queue state cleared')
  FROM public.knowledge_sources s WHERE s.document_id = '00000000-0000-0000-0000-0000000000d1';
SELECT pg_temp.expect(d.chunk_status = 'indexed' AND d.chunk_count = 3 AND d.embedding IS NOT NULL
                      AND d.embedding_status = 'indexed' AND d.updated_at = b.updated_at,
                      'document mirrors chunk state, gets mean embedding, updated_at untouched')
  FROM public.documents d JOIN before_write b USING (id) WHERE d.id = '00000000-0000-0000-0000-0000000000d1';

BEGIN;
CREATE TEMP TABLE w ON COMMIT DROP AS
  SELECT * FROM public.hq_begin_source_write((SELECT id FROM lease1 WHERE asset_id = '00000000-0000-0000-0000-0000000000e1'),
                                             (SELECT change_seq FROM lease1 WHERE asset_id = '00000000-0000-0000-0000-0000000000e1'));
WITH s AS (SELECT id FROM lease1 WHERE asset_id = '00000000-0000-0000-0000-0000000000e1'),
ch AS (
  INSERT INTO public.knowledge_chunks (source_id, source_type, source_entity_id, asset_id, chunk_index, content, content_hash)
  SELECT s.id, 'asset', '00000000-0000-0000-0000-0000000000e1', '00000000-0000-0000-0000-0000000000e1', 0,
         E'tier,discount\ngold,20\nsilver,10', 'h-e1' FROM s
  RETURNING id, source_id)
INSERT INTO public.knowledge_chunk_vectors (chunk_id, model, source_id, embedding, source_type)  -- filters left to finish
SELECT ch.id, 'sentence-transformers/all-MiniLM-L6-v2', ch.source_id, pg_temp.vec(200), 'asset' FROM ch;
SELECT public.hq_finish_source_write((SELECT id FROM lease1 WHERE asset_id = '00000000-0000-0000-0000-0000000000e1'),
                                     (SELECT change_seq FROM lease1 WHERE asset_id = '00000000-0000-0000-0000-0000000000e1'),
                                     'hash-e1', 'sentence-transformers/all-MiniLM-L6-v2', 'csv');
COMMIT;
SELECT pg_temp.expect(v.asset_type = 'spreadsheet' AND v.tags = '{sales}'
                      AND v.folder_ids = '{00000000-0000-0000-0000-0000000000b1,00000000-0000-0000-0000-0000000000b2}',
                      'finish reconciles vector filter columns')
  FROM public.knowledge_chunk_vectors v JOIN public.knowledge_sources s ON s.id = v.source_id
 WHERE s.asset_id = '00000000-0000-0000-0000-0000000000e1';

-- ---------------------------------------------------------------------------------------------- HQ's jsonb writer
SELECT public.replace_knowledge_source_chunks(
  (SELECT id FROM lease1 WHERE document_id = '00000000-0000-0000-0000-0000000000d2'),
  jsonb_build_array(
    jsonb_build_object('chunk_index', 0, 'content', 'Cold email: keep it short and mention the referral.',
                       'content_hash', 'c0', 'char_start', 0, 'char_end', 50, 'meta', '{}'::jsonb,
                       'embedding', pg_temp.vecj(300), 'embedding_status', 'indexed'),
    jsonb_build_object('chunk_index', 1, 'content', 'Follow up after three days.', 'content_hash', 'c1',
                       'char_start', '', 'char_end', '', 'section_path', '["Cold email"]'::jsonb, 'embedding', NULL)),
  'sentence-transformers/all-MiniLM-L6-v2', 384, 'hash-d2', pg_temp.vec(300), 'coarse-d2');
SELECT pg_temp.expect((SELECT count(*) FROM public.knowledge_chunks c JOIN public.knowledge_sources s ON s.id = c.source_id
                        WHERE s.document_id = '00000000-0000-0000-0000-0000000000d2') = 2
                      AND (SELECT count(*) FROM public.knowledge_chunk_vectors v JOIN public.knowledge_sources s ON s.id = v.source_id
                            WHERE s.document_id = '00000000-0000-0000-0000-0000000000d2') = 1
                      AND (SELECT embedding_status FROM public.knowledge_chunks WHERE content_hash = 'c1') = 'failed'
                      AND (SELECT char_start IS NULL AND section_path = '{"Cold email"}' FROM public.knowledge_chunks WHERE content_hash = 'c1'),
                      'replace_knowledge_source_chunks: chunks, vectors for embedded chunks, statuses, empty offsets');
SELECT pg_temp.expect((SELECT pending_since IS NULL AND chunk_status = 'indexed' AND chunk_count = 2
                         FROM public.knowledge_sources WHERE document_id = '00000000-0000-0000-0000-0000000000d2'),
                      'replace marks the source indexed');
DO $$ BEGIN
  PERFORM public.replace_knowledge_source_chunks(gen_random_uuid(), '[]', NULL, NULL, NULL, NULL, NULL);
  RAISE EXCEPTION 'expected knowledge_source_not_found';
EXCEPTION WHEN others THEN
  IF SQLERRM NOT LIKE 'knowledge_source_not_found:%' THEN RAISE; END IF;
  RAISE NOTICE 'ok: replace on unknown source raises knowledge_source_not_found';
END $$;

-- ---------------------------------------------------------------------------------------------- searching
SELECT pg_temp.expect((SELECT chunk_index FROM public.search_knowledge_chunks(pg_temp.vec(101, 0.05), 5) LIMIT 1) = 1
                      AND (SELECT count(*) FROM public.search_knowledge_chunks(pg_temp.vec(101), 10)) = 5,
                      'search_knowledge_chunks: nearest chunk first, all 5 vectors reachable');
SELECT pg_temp.expect((SELECT count(*) FROM public.search_knowledge_chunks(pg_temp.vec(101), 10, NULL,
                         '00000000-0000-0000-0000-0000000000a2')) = 1,
                      'search_knowledge_chunks: folder filter is exact (HQ semantics)');
SELECT pg_temp.expect((SELECT count(*) FROM public.search_knowledge_chunks(pg_temp.vec(101), 10, ARRAY['email'])) = 1
                      AND (SELECT count(*) FROM public.search_knowledge_chunks(pg_temp.vec(101), 10, NULL, NULL, 'asset')) = 1,
                      'search_knowledge_chunks: tag and source type filters');
SELECT pg_temp.expect((SELECT count(*) FROM public.search_knowledge_chunks_text('concede margin')) = 1
                      AND (SELECT count(*) FROM public.search_knowledge_chunks_text('', 3)) = 3,
                      'search_knowledge_chunks_text: websearch match; empty query lists newest');
SELECT pg_temp.expect((SELECT title FROM public.search_documents(pg_temp.vec(300), 1)) = 'Cold email playbook'
                      AND (SELECT title FROM public.search_documents_text('referral', 1)) = 'Cold email playbook'
                      AND (SELECT count(*) FROM public.search_documents_text('', 10)) = 4,
                      'search_documents / search_documents_text');

SELECT pg_temp.expect(public.hq_or_tsquery('the of and') IS NULL
                      AND public.hq_or_tsquery('pricing ladder') = to_tsquery('english', 'ladder | pricing')
                      AND public.hq_or_tsquery($q$O'Reilly's "quoted" -- ; drop table x; \ $q$) IS NOT NULL,
                      'hq_or_tsquery: stop words -> NULL, OR of lexemes, quotes/metacharacters safe');
-- Hybrid: the lexical leg alone finds 'pricing ladder' although no chunk contains both words... (OR semantics)
SELECT pg_temp.expect((SELECT count(*) FROM public.hq_search(NULL, 'discount ladder referral', 10)) = 4,
                      'hq_search lexical leg uses OR semantics');
SELECT pg_temp.expect((SELECT chunk_index FROM public.hq_search(pg_temp.vec(102, 0.05), 'pricing ladder', 5) LIMIT 1) = 2
                      AND (SELECT dense_rank = 1 AND lexical_rank = 1 FROM public.hq_search(pg_temp.vec(102, 0.05), 'pricing ladder', 5) LIMIT 1),
                      'hq_search fuses both legs (RRF)');
SELECT pg_temp.expect((SELECT count(DISTINCT knowledge_source_id) FROM public.hq_search(pg_temp.vec(1), NULL, 10,
                         '{"folder_path":"Sales/Playbooks"}')) = 3,
                      'hq_search folder_path includes descendants, both trees (d1 in Deep, d2, e1)');
SELECT pg_temp.expect((SELECT count(DISTINCT knowledge_source_id) FROM public.hq_search(pg_temp.vec(1), NULL, 10,
                         '{"folder_path":"Sales/Playbooks","source_type":"document"}')) = 2
                      AND (SELECT count(*) FROM public.hq_search(pg_temp.vec(1), NULL, 10,
                            '{"folder_id":"00000000-0000-0000-0000-0000000000a3"}')) = 3
                      AND (SELECT count(*) FROM public.hq_search(pg_temp.vec(1), NULL, 10, '{"folder_path":"Nope"}')) = 0,
                      'hq_search folder filters: with source_type, by id, unknown path matches nothing');
SELECT pg_temp.expect((SELECT count(*) FROM public.hq_search(pg_temp.vec(1), NULL, 10, '{"tags_any":["email","boot:all"]}')) = 4
                      AND (SELECT count(*) FROM public.hq_search(pg_temp.vec(1), NULL, 10, '{"tags_all":["sales","email"]}')) = 1
                      AND (SELECT count(*) FROM public.hq_search(pg_temp.vec(1), NULL, 10, '{"tags_none":["sales"]}')) = 0
                      AND (SELECT count(*) FROM public.hq_search(pg_temp.vec(1), 'discount', 10, '{"tags_any":"email"}')) = 1,
                      'hq_search tags any/all/none');
SELECT pg_temp.expect((SELECT count(*) FROM public.hq_search(pg_temp.vec(1), NULL, 10, '{"asset_type":"spreadsheet"}')) = 1
                      AND (SELECT count(*) FROM public.hq_search(pg_temp.vec(1), NULL, 10, '{"source_type":"asset"}')) = 1
                      AND (SELECT count(*) FROM public.hq_search(pg_temp.vec(1), NULL, 10, '{"pinned":true}')) = 0
                      AND (SELECT count(*) FROM public.hq_search(pg_temp.vec(1), NULL, 10, '{"updated_after":"2999-01-01"}')) = 0
                      AND (SELECT count(*) FROM public.hq_search(pg_temp.vec(1), NULL, 10, '{"updated_before":"2999-01-01"}')) = 5
                      AND (SELECT count(*) FROM public.hq_search(pg_temp.vec(1), NULL, 10,
                            '{"source_ids":["00000000-0000-0000-0000-0000000000d2"]}')) = 1,
                      'hq_search asset_type, source_type, pinned, updated_after/before, source_ids (entity id)');
SELECT pg_temp.expect((SELECT count(*) FROM public.hq_search(NULL, NULL, 10)) = 6
                      AND (SELECT title FROM public.hq_search(NULL, '', 10) LIMIT 1) = 'Object doc'
                      AND (SELECT count(*) FROM public.hq_search(NULL, 'the of', 10)) = 0,
                      'hq_search listing mode: pinned first; stop-word-only query returns nothing');
DO $$ BEGIN
  PERFORM public.hq_search(NULL, 'x', 10, '{"tag":"x"}');
  RAISE EXCEPTION 'expected an error';
EXCEPTION WHEN invalid_parameter_value THEN RAISE NOTICE 'ok: hq_search rejects unknown filter keys (%)', SQLERRM;
END $$;
-- The unfiltered dense leg goes through the HNSW index (halfvec expression).
DO $$
DECLARE v_plan text := ''; v_line text;
BEGIN
  SET LOCAL enable_seqscan = off;
  SET LOCAL enable_bitmapscan = off;
  SET LOCAL enable_sort = off;  -- tiny table: make the planner show whether the ORDER BY expression matches the index
  FOR v_line IN EXECUTE 'EXPLAIN SELECT chunk_id FROM public.knowledge_chunk_vectors v WHERE v.model = $1 AND NOT v.archived
           ORDER BY v.embedding::extensions.halfvec(384) OPERATOR(extensions.<=>) $2::extensions.halfvec(384) LIMIT 10'
    USING 'sentence-transformers/all-MiniLM-L6-v2', pg_temp.vec(1)::text LOOP
    v_plan := v_plan || v_line || E'\n';
  END LOOP;
  PERFORM pg_temp.expect(v_plan LIKE '%knowledge_chunk_vectors_embedding_hnsw_idx%', 'ANN query uses the HNSW index');
END $$;

-- ---------------------------------------------------------------------------------------------- edits
SELECT public.hq_lease_sources('worker-3', 10);  -- nothing pending except d3, d4, e2 (still leased by worker-1)
CREATE TEMP TABLE seq_before AS SELECT id, document_id, change_seq FROM public.knowledge_sources;
UPDATE public.documents SET title = 'Pricing objections v2' WHERE id = '00000000-0000-0000-0000-0000000000d1';
SELECT pg_temp.expect(s.pending_since IS NOT NULL AND s.change_seq = b.change_seq + 1 AND s.chunk_status = 'pending'
                      AND s.indexing_leased_until IS NULL AND s.title = 'Pricing objections v2',
                      'title edit: pending, change_seq bumped')
  FROM public.knowledge_sources s JOIN seq_before b USING (id) WHERE s.document_id = '00000000-0000-0000-0000-0000000000d1';
SELECT pg_temp.expect((SELECT chunk_status FROM public.documents WHERE id = '00000000-0000-0000-0000-0000000000d1') = 'pending',
                      'mark_document_knowledge_pending resets the document chunk state');
SELECT pg_temp.expect(NOT public.hq_finish_source_write(s.id, b.change_seq, 'h', 'sentence-transformers/all-MiniLM-L6-v2')
                      AND (SELECT count(*) FROM public.hq_begin_source_write(s.id, b.change_seq)) = 0,
                      'a write for an older change_seq is refused')
  FROM public.knowledge_sources s JOIN seq_before b USING (id) WHERE s.document_id = '00000000-0000-0000-0000-0000000000d1';
SELECT pg_temp.expect((SELECT count(*) FROM public.hq_search(pg_temp.vec(101), NULL, 10,
                         '{"source_ids":["00000000-0000-0000-0000-0000000000d1"]}')) = 3,
                      'a pending source keeps serving its old chunks');
UPDATE public.documents SET content = to_jsonb('new body'::text) WHERE id = '00000000-0000-0000-0000-0000000000d2';
SELECT pg_temp.expect(s.pending_since IS NOT NULL AND s.change_seq = b.change_seq + 1, 'content edit: pending, change_seq bumped')
  FROM public.knowledge_sources s JOIN seq_before b USING (id) WHERE s.document_id = '00000000-0000-0000-0000-0000000000d2';
UPDATE public.documents SET content = to_jsonb('new body'::text) WHERE id = '00000000-0000-0000-0000-0000000000d2';
SELECT pg_temp.expect(s.change_seq = b.change_seq + 1, 'a save without a change does not bump change_seq')
  FROM public.knowledge_sources s JOIN seq_before b USING (id) WHERE s.document_id = '00000000-0000-0000-0000-0000000000d2';

-- metadata-only changes: refresh filter columns in place, no re-indexing
UPDATE public.documents SET pinned = true, folder_id = '00000000-0000-0000-0000-0000000000a4'
 WHERE id = '00000000-0000-0000-0000-0000000000e1'::uuid OR id = '00000000-0000-0000-0000-0000000000d2';
UPDATE public.knowledge_sources SET pending_since = NULL WHERE document_id = '00000000-0000-0000-0000-0000000000d2';  -- pretend indexed
UPDATE public.documents SET pinned = false WHERE id = '00000000-0000-0000-0000-0000000000d2';
UPDATE public.documents SET pinned = true WHERE id = '00000000-0000-0000-0000-0000000000d2';
SELECT pg_temp.expect(s.pending_since IS NULL AND s.change_seq = b.change_seq + 1 AND s.pinned
                      AND s.folder_ids = '{00000000-0000-0000-0000-0000000000a4}' AND s.folder_path = 'Other',
                      'pin + folder move: source refreshed, not pending, change_seq unchanged')
  FROM public.knowledge_sources s JOIN seq_before b USING (id) WHERE s.document_id = '00000000-0000-0000-0000-0000000000d2';
SELECT pg_temp.expect(bool_and(v.pinned AND v.folder_ids = '{00000000-0000-0000-0000-0000000000a4}'),
                      'pin + folder move: vector rows refreshed in place')
  FROM public.knowledge_chunk_vectors v JOIN public.knowledge_sources s ON s.id = v.source_id
 WHERE s.document_id = '00000000-0000-0000-0000-0000000000d2';
SELECT pg_temp.expect((SELECT count(*) FROM public.hq_search(pg_temp.vec(1), NULL, 10, '{"pinned":true}')) = 1,
                      'hq_search sees the new pin');

-- folder rename and move
UPDATE public.document_folders SET parent_id = '00000000-0000-0000-0000-0000000000a4'
 WHERE id = '00000000-0000-0000-0000-0000000000a3';
UPDATE public.document_folders SET name = 'Misc' WHERE id = '00000000-0000-0000-0000-0000000000a4';
SELECT pg_temp.expect(s.folder_ids = '{00000000-0000-0000-0000-0000000000a4,00000000-0000-0000-0000-0000000000a3}'
                      AND s.folder_path = 'Misc/Deep',
                      'folder move + rename: descendant source folder_ids and folder_path')
  FROM public.knowledge_sources s WHERE s.document_id = '00000000-0000-0000-0000-0000000000d1';
SELECT pg_temp.expect(bool_and(v.folder_ids = '{00000000-0000-0000-0000-0000000000a4,00000000-0000-0000-0000-0000000000a3}'),
                      'folder move: vector rows of sources below it refreshed')
  FROM public.knowledge_chunk_vectors v JOIN public.knowledge_sources s ON s.id = v.source_id
 WHERE s.document_id = '00000000-0000-0000-0000-0000000000d1';
SELECT pg_temp.expect((SELECT count(DISTINCT knowledge_source_id) FROM public.hq_search(pg_temp.vec(1), NULL, 10,
                         '{"folder_path":"Misc"}')) = 2,
                      'hq_search by the renamed path finds d1 (via Deep) and d2 (d4 has no chunks yet)');

-- archiving
UPDATE public.documents SET archived_at = now() WHERE id = '00000000-0000-0000-0000-0000000000d2';
SELECT pg_temp.expect(bool_and(v.archived), 'archiving marks vector rows archived')
  FROM public.knowledge_chunk_vectors v JOIN public.knowledge_sources s ON s.id = v.source_id
 WHERE s.document_id = '00000000-0000-0000-0000-0000000000d2';
SELECT pg_temp.expect((SELECT count(*) FROM public.hq_search(pg_temp.vec(300), 'referral', 20)
                        WHERE document_id = '00000000-0000-0000-0000-0000000000d2') = 0
                      AND (SELECT count(*) FROM public.search_knowledge_chunks(pg_temp.vec(300), 20)
                            WHERE document_id = '00000000-0000-0000-0000-0000000000d2') = 0
                      AND (SELECT count(*) FROM public.search_knowledge_chunks_text('referral', 20)) = 0
                      AND (SELECT count(*) FROM public.search_documents(pg_temp.vec(300), 20)
                            WHERE id = '00000000-0000-0000-0000-0000000000d2') = 0,
                      'archived content never appears in any search');
UPDATE public.documents SET archived_at = NULL WHERE id = '00000000-0000-0000-0000-0000000000d2';
SELECT pg_temp.expect((SELECT count(*) FROM public.search_knowledge_chunks_text('referral', 20)) = 1,
                      'unarchiving brings it back');

-- assets: indexed fields vs metadata
UPDATE public.assets SET description = 'Discount tiers 2025' WHERE id = '00000000-0000-0000-0000-0000000000e1';
SELECT pg_temp.expect(s.pending_since IS NOT NULL AND s.change_seq = b.change_seq + 1, 'asset description edit: pending')
  FROM public.knowledge_sources s JOIN seq_before b USING (id) WHERE s.asset_id = '00000000-0000-0000-0000-0000000000e1';
UPDATE public.assets SET folder_id = NULL WHERE id = '00000000-0000-0000-0000-0000000000e1';
SELECT pg_temp.expect(s.change_seq = b.change_seq + 1 AND s.folder_ids = '{}' AND s.folder_path IS NULL,
                      'asset folder move: metadata only')
  FROM public.knowledge_sources s JOIN seq_before b USING (id) WHERE s.asset_id = '00000000-0000-0000-0000-0000000000e1';

-- ---------------------------------------------------------------------------------------------- failures & backoff
SELECT pg_temp.expect(public.hq_fail_source(s.id, 'embedder unreachable') = 'retry', 'fail -> retry')
  FROM public.knowledge_sources s WHERE s.document_id = '00000000-0000-0000-0000-0000000000d3';
SELECT pg_temp.expect(next_attempt_at > now() AND pending_since IS NOT NULL AND last_error = 'embedder unreachable'
                      AND indexing_leased_until IS NULL, 'failure backs off with the reason')
  FROM public.knowledge_sources WHERE document_id = '00000000-0000-0000-0000-0000000000d3';
SELECT pg_temp.expect((SELECT count(*) FROM public.hq_lease_sources('w', 10) WHERE document_id = '00000000-0000-0000-0000-0000000000d3') = 0,
                      'backed-off source is not leased before next_attempt_at');
UPDATE public.knowledge_sources SET attempts = 5, next_attempt_at = NULL WHERE document_id = '00000000-0000-0000-0000-0000000000d3';
SELECT pg_temp.expect(public.hq_fail_source(s.id, 'still broken') = 'failed', 'fail after max attempts -> failed')
  FROM public.knowledge_sources s WHERE s.document_id = '00000000-0000-0000-0000-0000000000d3';
SELECT pg_temp.expect((SELECT pending_since IS NULL AND chunk_status = 'failed' FROM public.knowledge_sources
                        WHERE document_id = '00000000-0000-0000-0000-0000000000d3')
                      AND (SELECT chunk_status = 'failed' AND chunk_error = 'still broken' FROM public.documents
                            WHERE id = '00000000-0000-0000-0000-0000000000d3'),
                      'after max attempts: failed with the reason, no more retries');
SELECT public.mark_knowledge_source_failed(gen_random_uuid(), 'unknown id is ignored');
UPDATE public.knowledge_sources SET indexing_leased_until = NULL, attempts = 0 WHERE source_id <> '00000000-0000-0000-0000-0000000000d3';
SELECT pg_temp.expect((SELECT count(*) FILTER (WHERE source_type <> 'document') = 0 AND count(*) > 0
                         FROM public.lease_knowledge_sources_for_indexing('gw', 10)),
                      'HQ lease: document sources only');
SELECT pg_temp.expect(public.hq_release_source(s.id), 'release gives a lease back')
  FROM public.knowledge_sources s WHERE s.document_id = '00000000-0000-0000-0000-0000000000d4';
SELECT pg_temp.expect(indexing_leased_until IS NULL, 'released lease cleared')
  FROM public.knowledge_sources WHERE document_id = '00000000-0000-0000-0000-0000000000d4';
SELECT pg_temp.expect(public.hq_mark_sources_pending(p_folder_id => '00000000-0000-0000-0000-0000000000a4') = 3,
                      'hq_mark_sources_pending by folder (with descendants)');

-- ---------------------------------------------------------------------------------------------- model switch
SELECT pg_temp.expect(public.hq_promote_embedding_model('new-model') > 0
                      AND (SELECT embedding_model FROM public.workspace) = 'sentence-transformers/all-MiniLM-L6-v2',
                      'promote refuses a model without full coverage');

-- ---------------------------------------------------------------------------------------------- deletion
DELETE FROM public.documents WHERE id = '00000000-0000-0000-0000-0000000000d1';
SELECT pg_temp.expect((SELECT count(*) FROM public.knowledge_sources WHERE source_id = '00000000-0000-0000-0000-0000000000d1') = 0
                      AND (SELECT count(*) FROM public.knowledge_chunks WHERE source_entity_id = '00000000-0000-0000-0000-0000000000d1') = 0
                      AND (SELECT count(*) FROM public.knowledge_chunk_vectors v
                            WHERE NOT EXISTS (SELECT 1 FROM public.knowledge_chunks c WHERE c.id = v.chunk_id)) = 0,
                      'deleting a document cascades to source, chunks, vectors');
DELETE FROM public.document_folders WHERE id = '00000000-0000-0000-0000-0000000000a4';
SELECT pg_temp.expect(s.folder_id IS NULL AND s.folder_ids = '{}' AND s.folder_path IS NULL,
                      'deleting a folder: its documents lose folder columns')
  FROM public.knowledge_sources s WHERE s.document_id = '00000000-0000-0000-0000-0000000000d4';

-- ---------------------------------------------------------------------------------------------- misc
INSERT INTO public.agents (id, name, slug) VALUES ('00000000-0000-0000-0000-00000000ff01', 'Boss', 'boss');
INSERT INTO public.agents (id, name, slug, reports_to_id) VALUES
  ('00000000-0000-0000-0000-00000000ff02', 'Worker', 'worker', '00000000-0000-0000-0000-00000000ff01');
SELECT pg_temp.expect((SELECT array_agg(slug ORDER BY depth) FROM public.agent_reports_chain('00000000-0000-0000-0000-00000000ff02'))
                        = '{worker,boss}', 'agent_reports_chain');
INSERT INTO public.contacts (id, name) VALUES ('00000000-0000-0000-0000-00000000cc01', 'Ada');
INSERT INTO public.draft_sets (contact_id, channel, stage, variants)
VALUES ('00000000-0000-0000-0000-00000000cc01', 'email', 'intro', '[{"index":1,"body":"Hi"}]');
INSERT INTO public.interactions (contact_id, type, occurred_at) VALUES ('00000000-0000-0000-0000-00000000cc01', 'email', '2024-01-02');
SELECT pg_temp.expect((SELECT last_contact_date FROM public.contacts WHERE id = '00000000-0000-0000-0000-00000000cc01') = '2024-01-02',
                      'interactions move last_contact_date');

\if :{?role_test}
-- Supabase stand-in: the same search as the authenticated role (RLS policies + grants).
SET ROLE authenticated;
SELECT pg_temp.expect((SELECT count(*) FROM public.hq_search(NULL, 'discount', 10)) >= 1, 'hq_search as authenticated');
UPDATE public.documents SET title = 'Edited by authenticated' WHERE id = '00000000-0000-0000-0000-0000000000d4';
RESET ROLE;
SELECT pg_temp.expect((SELECT pending_since IS NOT NULL FROM public.knowledge_sources
                        WHERE document_id = '00000000-0000-0000-0000-0000000000d4'),
                      'triggers work for the authenticated role');
\endif
\echo 'smoke: all checks passed'

-- 011_assets_documents: asset and document folders/tables, the knowledge registry (knowledge_sources),
-- chunks (knowledge_chunks) and the narrow ANN table (knowledge_chunk_vectors), the indexing queue functions,
-- HQ's document/knowledge RPCs (same names, signatures and meaning) and our hybrid search RPCs, draft sets.
-- See db/README.md for the design. All vector references are schema-qualified (extensions.*).

-- =====================================================================================================
-- 1. Folders, assets, documents
-- =====================================================================================================

CREATE TABLE IF NOT EXISTS public.asset_folders (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  parent_id uuid REFERENCES public.asset_folders (id) ON DELETE CASCADE,
  name text NOT NULL,
  color text,
  sort_order integer DEFAULT 0
);
CREATE INDEX IF NOT EXISTS asset_folders_parent_id_idx ON public.asset_folders (parent_id);
CREATE OR REPLACE TRIGGER asset_folders_updated_at
  BEFORE UPDATE ON public.asset_folders
  FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TABLE IF NOT EXISTS public.assets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  folder_id uuid REFERENCES public.asset_folders (id) ON DELETE SET NULL,
  name text NOT NULL,
  description text,
  type public.asset_type NOT NULL DEFAULT 'document',
  mime_type text,
  file_url text,
  file_size bigint,
  content text,
  tags text[] NOT NULL DEFAULT '{}',
  meta jsonb NOT NULL DEFAULT '{}'::jsonb,
  archived_at timestamptz
);
CREATE INDEX IF NOT EXISTS assets_folder_id_idx ON public.assets (folder_id);
CREATE INDEX IF NOT EXISTS assets_type_idx ON public.assets (type);
CREATE INDEX IF NOT EXISTS assets_tags_idx ON public.assets USING gin (tags);
CREATE INDEX IF NOT EXISTS assets_active_created_at_idx ON public.assets (created_at DESC) WHERE archived_at IS NULL;
CREATE OR REPLACE TRIGGER assets_updated_at
  BEFORE UPDATE ON public.assets
  FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TABLE IF NOT EXISTS public.document_folders (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  parent_id uuid REFERENCES public.document_folders (id) ON DELETE CASCADE,
  name text NOT NULL,
  icon text,
  sort_order integer DEFAULT 0
);
CREATE INDEX IF NOT EXISTS document_folders_parent_id_idx ON public.document_folders (parent_id);
CREATE OR REPLACE TRIGGER document_folders_updated_at
  BEFORE UPDATE ON public.document_folders
  FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

-- documents.search_vector: HQ declares it as a STORED generated column whose expression PG18 rejects (STABLE
-- array_to_string) and which, with REPLICA IDENTITY FULL in a publication, breaks every UPDATE on PG18. Here it is
-- a plain tsvector maintained by the BEFORE trigger documents_search_vector (same name and type for readers).
CREATE TABLE IF NOT EXISTS public.documents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  folder_id uuid REFERENCES public.document_folders (id) ON DELETE SET NULL,
  title text NOT NULL,
  content jsonb,
  tags text[] NOT NULL DEFAULT '{}',
  pinned boolean DEFAULT false,
  meta jsonb NOT NULL DEFAULT '{}'::jsonb,
  embedding extensions.vector(384),
  embedding_model text,
  embedding_dimensions integer,
  embedding_status text NOT NULL DEFAULT 'pending' CHECK (embedding_status IN ('pending', 'indexed', 'failed')),
  embedding_source_hash text,
  embedding_updated_at timestamptz,
  embedding_error text,
  embedding_leased_by text,
  embedding_leased_until timestamptz,
  chunk_status text NOT NULL DEFAULT 'pending' CHECK (chunk_status IN ('pending', 'indexed', 'failed')),
  chunk_count integer NOT NULL DEFAULT 0,
  chunk_source_hash text,
  chunks_updated_at timestamptz,
  chunk_error text,
  search_vector tsvector,
  archived_at timestamptz,
  last_edited_by text,
  icon text
);
-- Upgrade path from HQ's table: consumer-referenced columns, and the generated column turned into a plain one.
ALTER TABLE public.documents ADD COLUMN IF NOT EXISTS last_edited_by text;
ALTER TABLE public.documents ADD COLUMN IF NOT EXISTS icon text;
ALTER TABLE public.documents ALTER COLUMN search_vector DROP EXPRESSION IF EXISTS;

CREATE INDEX IF NOT EXISTS documents_folder_id_idx ON public.documents (folder_id);
CREATE INDEX IF NOT EXISTS documents_tags_idx ON public.documents USING gin (tags);
CREATE INDEX IF NOT EXISTS documents_pinned_idx ON public.documents (pinned) WHERE pinned = true;
CREATE INDEX IF NOT EXISTS documents_active_created_at_idx ON public.documents (created_at DESC) WHERE archived_at IS NULL;
CREATE INDEX IF NOT EXISTS documents_embedding_lease_idx ON public.documents (embedding_status, embedding_leased_until)
  WHERE archived_at IS NULL;
CREATE INDEX IF NOT EXISTS documents_search_vector_idx ON public.documents USING gin (search_vector);
-- HQ used ivfflat (lists=10), which needs data before it is built; HNSW works from an empty table.
CREATE INDEX IF NOT EXISTS documents_embedding_hnsw_idx ON public.documents
  USING hnsw (embedding extensions.vector_cosine_ops);
CREATE OR REPLACE TRIGGER documents_updated_at
  BEFORE UPDATE ON public.documents
  FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

-- =====================================================================================================
-- 2. Knowledge registry, chunks, vectors
-- =====================================================================================================

-- One row per indexable source (document or asset). HQ's columns first, then ours:
--   asset_type, pinned, folder_ids (the folder and all its ancestors, root first), folder_path ('A/B/C'),
--   queue state: attempts, next_attempt_at (backoff), last_error, pending_since (NULL = nothing to do),
--   change_seq (bumped whenever indexed content changes), indexed_model (model of the vectors last written).
CREATE TABLE IF NOT EXISTS public.knowledge_sources (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  source_type text NOT NULL,
  source_id text NOT NULL,
  document_id uuid REFERENCES public.documents (id) ON DELETE CASCADE,
  asset_id uuid REFERENCES public.assets (id) ON DELETE CASCADE,
  title text NOT NULL,
  tags text[] NOT NULL DEFAULT '{}',
  folder_id uuid,
  source_uri text,
  mime_type text,
  meta jsonb NOT NULL DEFAULT '{}'::jsonb,
  archived_at timestamptz,
  source_updated_at timestamptz,
  extraction_status text NOT NULL DEFAULT 'pending' CHECK (extraction_status IN ('pending', 'extracted', 'failed')),
  extraction_method text,
  extraction_hash text,
  extraction_error text,
  extracted_at timestamptz,
  chunk_status text NOT NULL DEFAULT 'pending' CHECK (chunk_status IN ('pending', 'indexed', 'failed')),
  chunk_count integer NOT NULL DEFAULT 0,
  chunk_source_hash text,
  chunks_updated_at timestamptz,
  chunk_error text,
  embedding_status text NOT NULL DEFAULT 'pending' CHECK (embedding_status IN ('pending', 'indexed', 'failed')),
  embedding_error text,
  indexing_leased_by text,
  indexing_leased_until timestamptz,
  asset_type text,
  pinned boolean NOT NULL DEFAULT false,
  folder_ids uuid[] NOT NULL DEFAULT '{}',
  folder_path text,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  last_error text,
  pending_since timestamptz,
  change_seq bigint NOT NULL DEFAULT 0,
  indexed_model text,
  CONSTRAINT knowledge_sources_source_ref_check CHECK (
    CASE source_type
      WHEN 'document' THEN document_id IS NOT NULL AND asset_id IS NULL
      WHEN 'asset' THEN asset_id IS NOT NULL AND document_id IS NULL
      ELSE document_id IS NULL AND asset_id IS NULL
    END)
);
-- Upgrade path for HQ's table.
ALTER TABLE public.knowledge_sources ADD COLUMN IF NOT EXISTS asset_type text;
ALTER TABLE public.knowledge_sources ADD COLUMN IF NOT EXISTS pinned boolean NOT NULL DEFAULT false;
ALTER TABLE public.knowledge_sources ADD COLUMN IF NOT EXISTS folder_ids uuid[] NOT NULL DEFAULT '{}';
ALTER TABLE public.knowledge_sources ADD COLUMN IF NOT EXISTS folder_path text;
ALTER TABLE public.knowledge_sources ADD COLUMN IF NOT EXISTS attempts integer NOT NULL DEFAULT 0;
ALTER TABLE public.knowledge_sources ADD COLUMN IF NOT EXISTS next_attempt_at timestamptz;
ALTER TABLE public.knowledge_sources ADD COLUMN IF NOT EXISTS last_error text;
ALTER TABLE public.knowledge_sources ADD COLUMN IF NOT EXISTS pending_since timestamptz;
ALTER TABLE public.knowledge_sources ADD COLUMN IF NOT EXISTS change_seq bigint NOT NULL DEFAULT 0;
ALTER TABLE public.knowledge_sources ADD COLUMN IF NOT EXISTS indexed_model text;

CREATE UNIQUE INDEX IF NOT EXISTS knowledge_sources_source_unique ON public.knowledge_sources (source_type, source_id);
CREATE INDEX IF NOT EXISTS knowledge_sources_document_id_idx ON public.knowledge_sources (document_id);
CREATE INDEX IF NOT EXISTS knowledge_sources_asset_id_idx ON public.knowledge_sources (asset_id);
CREATE INDEX IF NOT EXISTS knowledge_sources_chunk_lease_idx ON public.knowledge_sources (chunk_status, indexing_leased_until)
  WHERE archived_at IS NULL;
CREATE INDEX IF NOT EXISTS knowledge_sources_source_type_idx ON public.knowledge_sources (source_type);
CREATE INDEX IF NOT EXISTS knowledge_sources_tags_idx ON public.knowledge_sources USING gin (tags);
CREATE INDEX IF NOT EXISTS knowledge_sources_folder_ids_idx ON public.knowledge_sources USING gin (folder_ids);
CREATE INDEX IF NOT EXISTS knowledge_sources_folder_id_idx ON public.knowledge_sources (folder_id);
-- The work queue: every source with something to do, oldest first.
CREATE INDEX IF NOT EXISTS knowledge_sources_pending_idx ON public.knowledge_sources (pending_since, id)
  WHERE pending_since IS NOT NULL AND archived_at IS NULL;
-- Listing mode of hq_search (pinned, then most recently updated).
CREATE INDEX IF NOT EXISTS knowledge_sources_recent_idx ON public.knowledge_sources (pinned DESC, source_updated_at DESC)
  WHERE archived_at IS NULL;
CREATE OR REPLACE TRIGGER knowledge_sources_updated_at
  BEFORE UPDATE ON public.knowledge_sources
  FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

-- Chunks: text, structure and the lexical index. HQ's embedding column is kept for compatibility: HQ's
-- replace_knowledge_source_chunks still fills it, but no search reads it (search reads knowledge_chunk_vectors),
-- so it carries no ANN index and our indexer leaves it NULL.
CREATE TABLE IF NOT EXISTS public.knowledge_chunks (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  source_id uuid NOT NULL REFERENCES public.knowledge_sources (id) ON DELETE CASCADE,
  source_type text NOT NULL,
  source_entity_id text NOT NULL,
  document_id uuid REFERENCES public.documents (id) ON DELETE CASCADE,
  asset_id uuid REFERENCES public.assets (id) ON DELETE CASCADE,
  chunk_index integer NOT NULL,
  content text NOT NULL,
  content_hash text NOT NULL,
  char_start integer,
  char_end integer,
  page_number integer,
  section_path text[],
  source_uri text,
  meta jsonb NOT NULL DEFAULT '{}'::jsonb,
  embedding extensions.vector(384),
  embedding_model text,
  embedding_dimensions integer,
  embedding_status text NOT NULL DEFAULT 'pending' CHECK (embedding_status IN ('pending', 'indexed', 'failed')),
  embedding_error text,
  embedding_leased_by text,
  embedding_leased_until timestamptz,
  embedding_updated_at timestamptz,
  search_vector tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, content)) STORED,
  token_count integer,
  CONSTRAINT knowledge_chunks_source_index_unique UNIQUE (source_id, chunk_index)
);
ALTER TABLE public.knowledge_chunks ADD COLUMN IF NOT EXISTS token_count integer;
CREATE INDEX IF NOT EXISTS knowledge_chunks_document_id_idx ON public.knowledge_chunks (document_id);
CREATE INDEX IF NOT EXISTS knowledge_chunks_asset_id_idx ON public.knowledge_chunks (asset_id);
CREATE INDEX IF NOT EXISTS knowledge_chunks_search_vector_idx ON public.knowledge_chunks USING gin (search_vector);
CREATE INDEX IF NOT EXISTS knowledge_chunks_embedding_lease_idx
  ON public.knowledge_chunks (embedding_status, embedding_leased_until);
CREATE OR REPLACE TRIGGER knowledge_chunks_updated_at
  BEFORE UPDATE ON public.knowledge_chunks
  FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

-- The ANN leg's table: one narrow row per (chunk, model). Narrow on purpose: wide text/tsvector beside the vector
-- pushes rows into TOAST and makes exact scans ~3x slower. Keyed by model so a model change builds new vectors beside
-- the old ones while search keeps serving the live model (workspace.embedding_model). The filter columns are
-- denormalised copies of the source's, kept current by the source triggers, so every filter runs inside the scan.
CREATE TABLE IF NOT EXISTS public.knowledge_chunk_vectors (
  chunk_id uuid NOT NULL REFERENCES public.knowledge_chunks (id) ON DELETE CASCADE,
  model text NOT NULL,
  source_id uuid NOT NULL REFERENCES public.knowledge_sources (id) ON DELETE CASCADE,
  embedding extensions.vector(384) NOT NULL,
  source_type text NOT NULL,
  asset_type text,
  folder_ids uuid[] NOT NULL DEFAULT '{}',
  tags text[] NOT NULL DEFAULT '{}',
  pinned boolean NOT NULL DEFAULT false,
  archived boolean NOT NULL DEFAULT false,
  source_updated_at timestamptz,
  PRIMARY KEY (chunk_id, model)
);
ALTER TABLE public.knowledge_chunk_vectors ALTER COLUMN embedding SET STORAGE PLAIN;
CREATE INDEX IF NOT EXISTS knowledge_chunk_vectors_source_id_idx ON public.knowledge_chunk_vectors (source_id);
CREATE INDEX IF NOT EXISTS knowledge_chunk_vectors_tags_idx ON public.knowledge_chunk_vectors USING gin (tags);
CREATE INDEX IF NOT EXISTS knowledge_chunk_vectors_folder_ids_idx ON public.knowledge_chunk_vectors USING gin (folder_ids);
CREATE INDEX IF NOT EXISTS knowledge_chunk_vectors_model_type_idx
  ON public.knowledge_chunk_vectors (model, source_type, source_updated_at);

-- The ANN index. Queries must order by exactly this expression to use it:
--   ORDER BY embedding::extensions.halfvec(384) OPERATOR(extensions.<=>) $q::extensions.halfvec(384)
-- The definition lives in one place (this function) so the indexer can drop it before a bulk load and rebuild it after.
CREATE OR REPLACE FUNCTION public.hq_create_ann_index()
RETURNS void
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  CREATE INDEX IF NOT EXISTS knowledge_chunk_vectors_embedding_hnsw_idx ON public.knowledge_chunk_vectors
    USING hnsw ((embedding::extensions.halfvec(384)) extensions.halfvec_cosine_ops)
    WITH (m = 16, ef_construction = 64);
END
$$;

CREATE OR REPLACE FUNCTION public.hq_drop_ann_index()
RETURNS void
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  DROP INDEX IF EXISTS public.knowledge_chunk_vectors_embedding_hnsw_idx;
END
$$;

SELECT public.hq_create_ann_index();

-- =====================================================================================================
-- 3. Helpers
-- =====================================================================================================

-- Readable text of documents.content for the documents' tsvector. Accepts every form HQ stores: a jsonb string whose
-- text is TipTap JSON (the UI's JSON.stringify), a jsonb string of markdown/plain text (agents; "" for new docs), or a
-- jsonb object/array. TipTap: the "text" strings of all nodes plus image alt texts; other JSON: all string values.
-- Never raises on content (invalid JSON text is used verbatim).
CREATE OR REPLACE FUNCTION public.hq_document_text(p_content jsonb)
RETURNS text
LANGUAGE plpgsql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
DECLARE
  v_doc jsonb;
  v_txt text;
BEGIN
  IF p_content IS NULL THEN
    RETURN '';
  END IF;
  IF jsonb_typeof(p_content) = 'string' THEN
    v_txt := p_content #>> '{}';
    IF v_txt !~ '^\s*[\{\[]' THEN
      RETURN v_txt;
    END IF;
    BEGIN
      v_doc := v_txt::jsonb;
    EXCEPTION WHEN others THEN
      RETURN v_txt;
    END;
  ELSE
    v_doc := p_content;
  END IF;

  IF jsonb_typeof(v_doc) NOT IN ('object', 'array') THEN
    RETURN coalesce(v_doc #>> '{}', '');
  END IF;

  SELECT string_agg(t #>> '{}', ' ')
    INTO v_txt
    FROM jsonb_path_query(v_doc,
           'strict $.** ? (@.type() == "object" && (@."text".type() == "string" || @."attrs"."alt".type() == "string"))') n,
         LATERAL (SELECT n -> 'text' AS t WHERE jsonb_typeof(n -> 'text') = 'string'
                  UNION ALL
                  SELECT n -> 'attrs' -> 'alt' WHERE jsonb_typeof(n -> 'attrs' -> 'alt') = 'string') x;
  IF v_txt IS NULL THEN
    SELECT string_agg(s #>> '{}', ' ')
      INTO v_txt
      FROM jsonb_path_query(v_doc, 'strict $.** ? (@.type() == "string")') s;
  END IF;
  RETURN coalesce(v_txt, '');
END
$$;

-- to_tsvector('english') that never fails on size: tsvectors are limited to 1 MB, so very long text is cut.
CREATE OR REPLACE FUNCTION public.hq_tsvector(p_text text)
RETURNS tsvector
LANGUAGE plpgsql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
BEGIN
  RETURN to_tsvector('english'::regconfig, left(coalesce(p_text, ''), 1000000));
EXCEPTION WHEN program_limit_exceeded THEN
  RETURN to_tsvector('english'::regconfig, left(p_text, 100000));
END
$$;

-- An OR'ed tsquery of the English lexemes of a natural-language query ('' or stop words only -> NULL).
-- Unlike websearch_to_tsquery it does not require every word to match; ranking favours chunks matching more terms.
CREATE OR REPLACE FUNCTION public.hq_or_tsquery(p_query text)
RETURNS tsquery
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
  SELECT CASE WHEN count(*) = 0 THEN NULL
              ELSE string_agg('''' || replace(replace(lex, '\', '\\'), '''', '''''') || '''', ' | ' ORDER BY lex)::tsquery
         END
    FROM unnest(tsvector_to_array(to_tsvector('english'::regconfig, left(coalesce(p_query, ''), 10000)))) AS lex;
$$;

-- The folder and its ancestors (root first) and the path of their names joined by '/'.
-- p_kind: 'document' (document_folders) or 'asset' (asset_folders). Depth-bounded, so a cycle cannot loop.
CREATE OR REPLACE FUNCTION public.hq_folder_chain(p_kind text, p_folder_id uuid, OUT folder_ids uuid[], OUT folder_path text)
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
BEGIN
  folder_ids := '{}';
  folder_path := NULL;
  IF p_folder_id IS NULL THEN
    RETURN;
  END IF;
  IF p_kind = 'document' THEN
    WITH RECURSIVE up (id, parent_id, name, depth) AS (
      SELECT f.id, f.parent_id, f.name, 0 FROM public.document_folders f WHERE f.id = p_folder_id
      UNION ALL
      SELECT f.id, f.parent_id, f.name, up.depth + 1
        FROM up JOIN public.document_folders f ON f.id = up.parent_id
       WHERE up.depth < 64)
    SELECT coalesce(array_agg(up.id ORDER BY up.depth DESC), '{}'), string_agg(up.name, '/' ORDER BY up.depth DESC)
      INTO folder_ids, folder_path
      FROM up;
  ELSIF p_kind = 'asset' THEN
    WITH RECURSIVE up (id, parent_id, name, depth) AS (
      SELECT f.id, f.parent_id, f.name, 0 FROM public.asset_folders f WHERE f.id = p_folder_id
      UNION ALL
      SELECT f.id, f.parent_id, f.name, up.depth + 1
        FROM up JOIN public.asset_folders f ON f.id = up.parent_id
       WHERE up.depth < 64)
    SELECT coalesce(array_agg(up.id ORDER BY up.depth DESC), '{}'), string_agg(up.name, '/' ORDER BY up.depth DESC)
      INTO folder_ids, folder_path
      FROM up;
  END IF;
END
$$;

-- The folder and all its descendants.
CREATE OR REPLACE FUNCTION public.hq_folder_descendants(p_kind text, p_folder_id uuid)
RETURNS uuid[]
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
DECLARE
  v_ids uuid[] := '{}';
BEGIN
  IF p_kind = 'document' THEN
    WITH RECURSIVE down (id, depth) AS (
      SELECT f.id, 0 FROM public.document_folders f WHERE f.id = p_folder_id
      UNION
      SELECT f.id, down.depth + 1 FROM down JOIN public.document_folders f ON f.parent_id = down.id WHERE down.depth < 64)
    SELECT coalesce(array_agg(DISTINCT down.id), '{}') INTO v_ids FROM down;
  ELSIF p_kind = 'asset' THEN
    WITH RECURSIVE down (id, depth) AS (
      SELECT f.id, 0 FROM public.asset_folders f WHERE f.id = p_folder_id
      UNION
      SELECT f.id, down.depth + 1 FROM down JOIN public.asset_folders f ON f.parent_id = down.id WHERE down.depth < 64)
    SELECT coalesce(array_agg(DISTINCT down.id), '{}') INTO v_ids FROM down;
  END IF;
  RETURN v_ids;
END
$$;

-- Resolves a folder path like 'Sales/Playbooks' (leading/trailing/double slashes ignored) from the root of the
-- document ('document') or asset ('asset') folder tree. Exact name match preferred, else case-insensitive; among
-- same-named siblings the first by sort_order, created_at. NULL when a segment is not found.
CREATE OR REPLACE FUNCTION public.hq_folder_id_by_path(kind text, path text)
RETURNS uuid
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
DECLARE
  v_seg text;
  v_id uuid := NULL;
  v_next uuid;
  v_any boolean := false;
BEGIN
  IF kind NOT IN ('document', 'asset') THEN
    RAISE EXCEPTION 'hq_folder_id_by_path: kind must be document or asset, got %', kind USING ERRCODE = '22023';
  END IF;
  FOREACH v_seg IN ARRAY coalesce(string_to_array(path, '/'), '{}'::text[]) LOOP
    v_seg := btrim(v_seg);
    CONTINUE WHEN v_seg = '';
    v_any := true;
    IF kind = 'document' THEN
      SELECT f.id INTO v_next
        FROM public.document_folders f
       WHERE f.parent_id IS NOT DISTINCT FROM v_id AND lower(f.name) = lower(v_seg)
       ORDER BY (f.name = v_seg) DESC, f.sort_order NULLS LAST, f.created_at, f.id
       LIMIT 1;
    ELSE
      SELECT f.id INTO v_next
        FROM public.asset_folders f
       WHERE f.parent_id IS NOT DISTINCT FROM v_id AND lower(f.name) = lower(v_seg)
       ORDER BY (f.name = v_seg) DESC, f.sort_order NULLS LAST, f.created_at, f.id
       LIMIT 1;
    END IF;
    IF v_next IS NULL THEN
      RETURN NULL;
    END IF;
    v_id := v_next;
    v_next := NULL;
  END LOOP;
  RETURN CASE WHEN v_any THEN v_id END;
END
$$;

-- jsonb -> text[]: an array's non-null elements, a string as one element, anything else NULL.
CREATE OR REPLACE FUNCTION public.hq_jsonb_text_array(p jsonb)
RETURNS text[]
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
SET search_path = ''
AS $$
  SELECT CASE jsonb_typeof(p)
           WHEN 'array' THEN ARRAY(SELECT e FROM jsonb_array_elements_text(p) AS e WHERE e IS NOT NULL)
           WHEN 'string' THEN ARRAY[p #>> '{}']
         END;
$$;

-- =====================================================================================================
-- 4. Keeping knowledge_sources in step with documents, assets and folders
-- =====================================================================================================

-- Upserts the knowledge source of a document or asset (internal; called by the triggers below).
--   p_content_changed: indexed content changed -> statuses pending, errors/lease/attempts reset, change_seq + 1,
--                      pending_since set (kept if already pending), NOTIFY hq_index.
--   p_filters_changed: tags/folder/pinned/archived/type changed -> the denormalised columns of the source's existing
--                      vector rows are refreshed in place (no re-embedding).
CREATE OR REPLACE FUNCTION public.hq_sync_source(
  p_source_type text, p_entity_id uuid, p_title text, p_tags text[], p_folder_id uuid, p_pinned boolean,
  p_asset_type text, p_mime_type text, p_source_uri text, p_meta jsonb, p_archived_at timestamptz,
  p_source_updated_at timestamptz, p_extraction_method text, p_content_changed boolean, p_filters_changed boolean,
  p_unarchived boolean)
RETURNS uuid
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
  v_chain record;
  v_id uuid;
  v_pending timestamptz;
BEGIN
  SELECT * INTO v_chain FROM public.hq_folder_chain(p_source_type, p_folder_id);

  INSERT INTO public.knowledge_sources AS ks (
    source_type, source_id, document_id, asset_id, title, tags, folder_id, folder_ids, folder_path, pinned,
    asset_type, mime_type, source_uri, meta, archived_at, source_updated_at, extraction_method,
    pending_since, change_seq)
  VALUES (
    p_source_type, p_entity_id::text,
    CASE WHEN p_source_type = 'document' THEN p_entity_id END,
    CASE WHEN p_source_type = 'asset' THEN p_entity_id END,
    coalesce(p_title, ''), coalesce(p_tags, '{}'), p_folder_id, v_chain.folder_ids, v_chain.folder_path,
    coalesce(p_pinned, false), p_asset_type, p_mime_type, p_source_uri, coalesce(p_meta, '{}'::jsonb), p_archived_at,
    p_source_updated_at, p_extraction_method, now(), 1)
  ON CONFLICT (source_type, source_id) DO UPDATE SET
    document_id = EXCLUDED.document_id,
    asset_id = EXCLUDED.asset_id,
    title = EXCLUDED.title,
    tags = EXCLUDED.tags,
    folder_id = EXCLUDED.folder_id,
    folder_ids = EXCLUDED.folder_ids,
    folder_path = EXCLUDED.folder_path,
    pinned = EXCLUDED.pinned,
    asset_type = EXCLUDED.asset_type,
    mime_type = EXCLUDED.mime_type,
    source_uri = EXCLUDED.source_uri,
    meta = EXCLUDED.meta,
    archived_at = EXCLUDED.archived_at,
    source_updated_at = EXCLUDED.source_updated_at,
    extraction_method = coalesce(ks.extraction_method, EXCLUDED.extraction_method),
    extraction_status = CASE WHEN p_content_changed THEN 'pending' ELSE ks.extraction_status END,
    chunk_status = CASE WHEN p_content_changed THEN 'pending' ELSE ks.chunk_status END,
    embedding_status = CASE WHEN p_content_changed THEN 'pending' ELSE ks.embedding_status END,
    extraction_error = CASE WHEN p_content_changed THEN NULL ELSE ks.extraction_error END,
    chunk_error = CASE WHEN p_content_changed THEN NULL ELSE ks.chunk_error END,
    embedding_error = CASE WHEN p_content_changed THEN NULL ELSE ks.embedding_error END,
    indexing_leased_by = CASE WHEN p_content_changed THEN NULL ELSE ks.indexing_leased_by END,
    indexing_leased_until = CASE WHEN p_content_changed THEN NULL ELSE ks.indexing_leased_until END,
    attempts = CASE WHEN p_content_changed THEN 0 ELSE ks.attempts END,
    next_attempt_at = CASE WHEN p_content_changed THEN NULL ELSE ks.next_attempt_at END,
    last_error = CASE WHEN p_content_changed THEN NULL ELSE ks.last_error END,
    pending_since = CASE WHEN p_content_changed THEN coalesce(ks.pending_since, now()) ELSE ks.pending_since END,
    change_seq = ks.change_seq + CASE WHEN p_content_changed THEN 1 ELSE 0 END
  RETURNING ks.id, ks.pending_since INTO v_id, v_pending;

  IF p_filters_changed THEN
    UPDATE public.knowledge_chunk_vectors v
       SET source_type = p_source_type,
           asset_type = p_asset_type,
           folder_ids = v_chain.folder_ids,
           tags = coalesce(p_tags, '{}'),
           pinned = coalesce(p_pinned, false),
           archived = (p_archived_at IS NOT NULL),
           source_updated_at = p_source_updated_at
     WHERE v.source_id = v_id;
  END IF;

  IF p_archived_at IS NULL AND v_pending IS NOT NULL AND (p_content_changed OR p_unarchived) THEN
    PERFORM pg_notify('hq_index', v_id::text);
  END IF;
  RETURN v_id;
END
$$;

-- BEFORE INSERT/UPDATE on documents (HQ's function, same behaviour): a new document, or a change of title, content or
-- tags, resets the document's chunk state to pending. The embedding_* columns are not touched.
CREATE OR REPLACE FUNCTION public.mark_document_knowledge_pending()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  IF TG_OP = 'INSERT'
     OR NEW.title IS DISTINCT FROM OLD.title
     OR NEW.content IS DISTINCT FROM OLD.content
     OR NEW.tags IS DISTINCT FROM OLD.tags THEN
    NEW.chunk_status := 'pending';
    NEW.chunk_count := 0;
    NEW.chunk_source_hash := NULL;
    NEW.chunks_updated_at := NULL;
    NEW.chunk_error := NULL;
  END IF;
  RETURN NEW;
END
$$;

-- BEFORE INSERT/UPDATE on documents: maintains documents.search_vector (title weight A, tags B, body D).
CREATE OR REPLACE FUNCTION public.documents_refresh_search_vector()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  IF TG_OP = 'INSERT'
     OR NEW.search_vector IS NULL
     OR NEW.title IS DISTINCT FROM OLD.title
     OR NEW.content IS DISTINCT FROM OLD.content
     OR NEW.tags IS DISTINCT FROM OLD.tags THEN
    NEW.search_vector :=
         setweight(public.hq_tsvector(NEW.title), 'A')
      || setweight(public.hq_tsvector(array_to_string(NEW.tags, ' ')), 'B')
      || setweight(public.hq_tsvector(public.hq_document_text(NEW.content)), 'D');
  END IF;
  RETURN NEW;
END
$$;

-- AFTER INSERT/UPDATE on documents (HQ's function, extended): upserts the document's knowledge source.
-- Title/content/tags changes make it pending (and bump change_seq, NOTIFY hq_index); folder moves, pinning, meta and
-- archiving only refresh the source's columns and its vector rows' filter columns.
CREATE OR REPLACE FUNCTION public.sync_document_knowledge_source()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
  v_content_changed boolean;
  v_filters_changed boolean := false;
  v_unarchived boolean := false;
BEGIN
  IF TG_OP = 'UPDATE'
     AND NEW.title IS NOT DISTINCT FROM OLD.title
     AND NEW.content IS NOT DISTINCT FROM OLD.content
     AND NEW.tags IS NOT DISTINCT FROM OLD.tags
     AND NEW.folder_id IS NOT DISTINCT FROM OLD.folder_id
     AND NEW.pinned IS NOT DISTINCT FROM OLD.pinned
     AND NEW.meta IS NOT DISTINCT FROM OLD.meta
     AND NEW.archived_at IS NOT DISTINCT FROM OLD.archived_at
     AND NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
    RETURN NULL;  -- only index bookkeeping changed (e.g. written by the indexer)
  END IF;

  v_content_changed := TG_OP = 'INSERT'
     OR NEW.title IS DISTINCT FROM OLD.title
     OR NEW.content IS DISTINCT FROM OLD.content
     OR NEW.tags IS DISTINCT FROM OLD.tags;
  IF TG_OP = 'UPDATE' THEN
    v_filters_changed := NEW.tags IS DISTINCT FROM OLD.tags
       OR NEW.folder_id IS DISTINCT FROM OLD.folder_id
       OR coalesce(NEW.pinned, false) IS DISTINCT FROM coalesce(OLD.pinned, false)
       OR (NEW.archived_at IS NULL) IS DISTINCT FROM (OLD.archived_at IS NULL);
    v_unarchived := OLD.archived_at IS NOT NULL AND NEW.archived_at IS NULL;
  END IF;

  PERFORM public.hq_sync_source('document', NEW.id, NEW.title, NEW.tags, NEW.folder_id, coalesce(NEW.pinned, false),
                                NULL, NULL, NULL, NEW.meta, NEW.archived_at, NEW.updated_at, 'native_document',
                                v_content_changed, v_filters_changed, v_unarchived);
  RETURN NULL;
END
$$;

-- AFTER INSERT/UPDATE on assets: the same for assets. Indexed content: name, description, content, tags, type,
-- mime_type, file_url, file_size (a re-upload under the same name changes the size). Metadata only: folder, meta,
-- archiving.
CREATE OR REPLACE FUNCTION public.sync_asset_knowledge_source()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
  v_content_changed boolean;
  v_filters_changed boolean := false;
  v_unarchived boolean := false;
BEGIN
  IF TG_OP = 'UPDATE'
     AND NEW.name IS NOT DISTINCT FROM OLD.name
     AND NEW.description IS NOT DISTINCT FROM OLD.description
     AND NEW.content IS NOT DISTINCT FROM OLD.content
     AND NEW.tags IS NOT DISTINCT FROM OLD.tags
     AND NEW.type IS NOT DISTINCT FROM OLD.type
     AND NEW.mime_type IS NOT DISTINCT FROM OLD.mime_type
     AND NEW.file_url IS NOT DISTINCT FROM OLD.file_url
     AND NEW.file_size IS NOT DISTINCT FROM OLD.file_size
     AND NEW.folder_id IS NOT DISTINCT FROM OLD.folder_id
     AND NEW.meta IS NOT DISTINCT FROM OLD.meta
     AND NEW.archived_at IS NOT DISTINCT FROM OLD.archived_at
     AND NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN
    RETURN NULL;
  END IF;

  v_content_changed := TG_OP = 'INSERT'
     OR NEW.name IS DISTINCT FROM OLD.name
     OR NEW.description IS DISTINCT FROM OLD.description
     OR NEW.content IS DISTINCT FROM OLD.content
     OR NEW.tags IS DISTINCT FROM OLD.tags
     OR NEW.type IS DISTINCT FROM OLD.type
     OR NEW.mime_type IS DISTINCT FROM OLD.mime_type
     OR NEW.file_url IS DISTINCT FROM OLD.file_url
     OR NEW.file_size IS DISTINCT FROM OLD.file_size;
  IF TG_OP = 'UPDATE' THEN
    v_filters_changed := NEW.tags IS DISTINCT FROM OLD.tags
       OR NEW.folder_id IS DISTINCT FROM OLD.folder_id
       OR NEW.type IS DISTINCT FROM OLD.type
       OR (NEW.archived_at IS NULL) IS DISTINCT FROM (OLD.archived_at IS NULL);
    v_unarchived := OLD.archived_at IS NOT NULL AND NEW.archived_at IS NULL;
  END IF;

  PERFORM public.hq_sync_source('asset', NEW.id, NEW.name, NEW.tags, NEW.folder_id, false,
                                NEW.type::text, NEW.mime_type, NEW.file_url, NEW.meta, NEW.archived_at, NEW.updated_at,
                                NULL, v_content_changed, v_filters_changed, v_unarchived);
  RETURN NULL;
END
$$;

-- After a folder rename or move: refresh folder_ids/folder_path of every source in the folder or below it, and (on a
-- move, when the ancestor set changes) the folder_ids of their vector rows.
CREATE OR REPLACE FUNCTION public.hq_refresh_folder_sources(p_kind text, p_folder_id uuid)
RETURNS void
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
  v_folders uuid[] := public.hq_folder_descendants(p_kind, p_folder_id);
BEGIN
  UPDATE public.knowledge_sources s
     SET folder_ids = ch.folder_ids,
         folder_path = ch.folder_path
    FROM unnest(v_folders) AS f(id)
    CROSS JOIN LATERAL public.hq_folder_chain(p_kind, f.id) AS ch
   WHERE s.source_type = p_kind
     AND s.folder_id = f.id
     AND (s.folder_ids IS DISTINCT FROM ch.folder_ids OR s.folder_path IS DISTINCT FROM ch.folder_path);

  UPDATE public.knowledge_chunk_vectors v
     SET folder_ids = s.folder_ids
    FROM public.knowledge_sources s
   WHERE s.source_type = p_kind
     AND s.folder_id = ANY (v_folders)
     AND v.source_id = s.id
     AND v.folder_ids IS DISTINCT FROM s.folder_ids;
END
$$;

CREATE OR REPLACE FUNCTION public.sync_document_folder_knowledge_sources()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  IF NEW.name IS DISTINCT FROM OLD.name OR NEW.parent_id IS DISTINCT FROM OLD.parent_id THEN
    PERFORM public.hq_refresh_folder_sources('document', NEW.id);
  END IF;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION public.sync_asset_folder_knowledge_sources()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  IF NEW.name IS DISTINCT FROM OLD.name OR NEW.parent_id IS DISTINCT FROM OLD.parent_id THEN
    PERFORM public.hq_refresh_folder_sources('asset', NEW.id);
  END IF;
  RETURN NULL;
END
$$;

-- Same-timing triggers fire in name order: mark_knowledge_pending, search_vector, updated_at (BEFORE).
CREATE OR REPLACE TRIGGER documents_mark_knowledge_pending
  BEFORE INSERT OR UPDATE ON public.documents
  FOR EACH ROW EXECUTE FUNCTION public.mark_document_knowledge_pending();
CREATE OR REPLACE TRIGGER documents_search_vector
  BEFORE INSERT OR UPDATE ON public.documents
  FOR EACH ROW EXECUTE FUNCTION public.documents_refresh_search_vector();
CREATE OR REPLACE TRIGGER documents_sync_knowledge_source
  AFTER INSERT OR UPDATE ON public.documents
  FOR EACH ROW EXECUTE FUNCTION public.sync_document_knowledge_source();
CREATE OR REPLACE TRIGGER assets_sync_knowledge_source
  AFTER INSERT OR UPDATE ON public.assets
  FOR EACH ROW EXECUTE FUNCTION public.sync_asset_knowledge_source();
CREATE OR REPLACE TRIGGER document_folders_sync_knowledge_sources
  AFTER UPDATE ON public.document_folders
  FOR EACH ROW EXECUTE FUNCTION public.sync_document_folder_knowledge_sources();
CREATE OR REPLACE TRIGGER asset_folders_sync_knowledge_sources
  AFTER UPDATE ON public.asset_folders
  FOR EACH ROW EXECUTE FUNCTION public.sync_asset_folder_knowledge_sources();

-- =====================================================================================================
-- 5. The indexing queue (our indexer)
-- =====================================================================================================
-- A source needs work while pending_since IS NOT NULL (and it is not archived). Workers lease with
-- hq_lease_sources (FOR UPDATE SKIP LOCKED + expiry; attempts counted at lease time, so a crashed worker's
-- lease counts too), then write one source in one transaction:
--   BEGIN;
--   SELECT * FROM hq_begin_source_write(id, change_seq);   -- locks the source; 0 rows = changed meanwhile: ROLLBACK
--   DELETE FROM knowledge_chunks WHERE source_id = id;      -- cascades to knowledge_chunk_vectors
--   COPY knowledge_chunks (...) FROM STDIN (FORMAT binary);
--   COPY knowledge_chunk_vectors (...) FROM STDIN (FORMAT binary);   -- filter columns from hq_begin_source_write
--   SELECT hq_finish_source_write(id, change_seq, source_hash, model, method);
--   COMMIT;
-- or on error hq_fail_source(id, error, change_seq) (backoff, then failed after p_max_attempts).

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
     ORDER BY k.pending_since, k.id
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
   ORDER BY l.pending_since, l.id;
END
$$;

-- Locks the source for writing its chunk set. Returns the current filter values to write into the vector rows, or no
-- row when the source is gone or its content changed since the lease (change_seq differs): then roll back.
CREATE OR REPLACE FUNCTION public.hq_begin_source_write(p_source_id uuid, p_change_seq bigint)
RETURNS TABLE (source_type text, asset_type text, folder_ids uuid[], tags text[], pinned boolean, archived boolean,
               source_updated_at timestamptz, document_id uuid, asset_id uuid, source_entity_id text, source_uri text)
LANGUAGE sql
SET search_path = ''
AS $$
  SELECT s.source_type, s.asset_type, s.folder_ids, s.tags, s.pinned, s.archived_at IS NOT NULL,
         s.source_updated_at, s.document_id, s.asset_id, s.source_id, s.source_uri
    FROM public.knowledge_sources s
   WHERE s.id = p_source_id AND s.change_seq = p_change_seq
     FOR UPDATE;
$$;

-- Completes a write begun with hq_begin_source_write (same transaction). Returns false (and changes nothing) when the
-- source is gone or changed since the lease. Reconciles the vector rows' filter columns with the source (cheap no-op
-- when the COPY wrote them right), marks the source indexed with p_model, clears queue state and the lease, and
-- mirrors the chunk state onto the document; for the live model the document's coarse embedding becomes the mean of
-- its chunk vectors (so HQ's search_documents works on documents we indexed).
CREATE OR REPLACE FUNCTION public.hq_finish_source_write(
  p_source_id uuid, p_change_seq bigint, p_source_hash text, p_model text, p_extraction_method text DEFAULT NULL,
  p_embedding_status text DEFAULT 'indexed', p_error text DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql
SET search_path = ''
SET hq.preserve_entity_updated_at = 'on'
AS $$
DECLARE
  v_src public.knowledge_sources%ROWTYPE;
  v_count integer;
BEGIN
  SELECT * INTO v_src FROM public.knowledge_sources s WHERE s.id = p_source_id FOR UPDATE;
  IF NOT FOUND OR v_src.change_seq IS DISTINCT FROM p_change_seq THEN
    RETURN false;
  END IF;

  UPDATE public.knowledge_chunk_vectors v
     SET source_type = v_src.source_type, asset_type = v_src.asset_type, folder_ids = v_src.folder_ids,
         tags = v_src.tags, pinned = v_src.pinned, archived = (v_src.archived_at IS NOT NULL),
         source_updated_at = v_src.source_updated_at
   WHERE v.source_id = p_source_id
     AND (v.source_type IS DISTINCT FROM v_src.source_type OR v.asset_type IS DISTINCT FROM v_src.asset_type
          OR v.folder_ids IS DISTINCT FROM v_src.folder_ids OR v.tags IS DISTINCT FROM v_src.tags
          OR v.pinned IS DISTINCT FROM v_src.pinned OR v.archived IS DISTINCT FROM (v_src.archived_at IS NOT NULL)
          OR v.source_updated_at IS DISTINCT FROM v_src.source_updated_at);

  SELECT count(*) INTO v_count FROM public.knowledge_chunks c WHERE c.source_id = p_source_id;

  UPDATE public.knowledge_sources s
     SET extraction_status = 'extracted',
         extraction_method = coalesce(p_extraction_method, s.extraction_method),
         extraction_hash = p_source_hash, extracted_at = now(), extraction_error = NULL,
         chunk_status = 'indexed', chunk_count = v_count, chunk_source_hash = p_source_hash,
         chunks_updated_at = now(), chunk_error = NULL,
         embedding_status = coalesce(p_embedding_status, 'indexed'), embedding_error = left(p_error, 1000),
         indexing_leased_by = NULL, indexing_leased_until = NULL,
         pending_since = NULL, attempts = 0, next_attempt_at = NULL, last_error = left(p_error, 1000),
         indexed_model = p_model
   WHERE s.id = p_source_id;

  IF v_src.document_id IS NOT NULL THEN
    UPDATE public.documents d
       SET chunk_status = 'indexed', chunk_count = v_count, chunk_source_hash = p_source_hash,
           chunks_updated_at = now(), chunk_error = NULL
     WHERE d.id = v_src.document_id;
    IF p_model = public.hq_live_embedding_model() THEN
      UPDATE public.documents d
         SET embedding = m.mean, embedding_model = p_model, embedding_dimensions = 384,
             embedding_status = CASE WHEN m.mean IS NULL THEN 'failed' ELSE 'indexed' END,
             embedding_error = CASE WHEN m.mean IS NULL THEN 'no chunk vectors' END,
             embedding_source_hash = p_source_hash, embedding_updated_at = now(),
             embedding_leased_by = NULL, embedding_leased_until = NULL
        FROM (SELECT extensions.avg(v.embedding) AS mean
                FROM public.knowledge_chunk_vectors v
               WHERE v.source_id = p_source_id AND v.model = p_model) m
       WHERE d.id = v_src.document_id;
    END IF;
  END IF;
  RETURN true;
END
$$;

-- Records a failure of the current attempt. Returns 'retry' (backoff 15 s, 30 s, 60 s, ... capped at 1 h),
-- 'failed' (attempts used up: pending_since cleared, visible as failed with last_error), 'stale' (the source changed
-- since the lease: nothing recorded, the new version is already pending) or 'missing'.
CREATE OR REPLACE FUNCTION public.hq_fail_source(
  p_source_id uuid, p_error text, p_change_seq bigint DEFAULT NULL, p_max_attempts integer DEFAULT 5)
RETURNS text
LANGUAGE plpgsql
SET search_path = ''
SET hq.preserve_entity_updated_at = 'on'
AS $$
DECLARE
  v_src public.knowledge_sources%ROWTYPE;
  v_err text := left(coalesce(p_error, 'unknown error'), 1000);
  v_final boolean;
BEGIN
  SELECT * INTO v_src FROM public.knowledge_sources s WHERE s.id = p_source_id FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'missing';
  END IF;
  IF p_change_seq IS NOT NULL AND v_src.change_seq <> p_change_seq THEN
    RETURN 'stale';
  END IF;
  v_final := v_src.attempts >= coalesce(p_max_attempts, 5);

  UPDATE public.knowledge_sources s
     SET extraction_status = 'failed', chunk_status = 'failed', embedding_status = 'failed',
         extraction_error = v_err, chunk_error = v_err, embedding_error = v_err, last_error = v_err,
         indexing_leased_by = NULL, indexing_leased_until = NULL,
         next_attempt_at = CASE WHEN v_final THEN NULL
                                ELSE now() + make_interval(secs => least(3600, 15 * power(2, greatest(s.attempts - 1, 0))))
                           END,
         pending_since = CASE WHEN v_final THEN NULL ELSE coalesce(s.pending_since, now()) END
   WHERE s.id = p_source_id;

  IF v_src.document_id IS NOT NULL THEN
    UPDATE public.documents d
       SET chunk_status = 'failed', chunk_error = v_err,
           embedding_status = 'failed', embedding_error = v_err,
           embedding_leased_by = NULL, embedding_leased_until = NULL
     WHERE d.id = v_src.document_id;
  END IF;
  RETURN CASE WHEN v_final THEN 'failed' ELSE 'retry' END;
END
$$;

-- Gives a lease back without counting the attempt (graceful shutdown), and wakes the other workers.
CREATE OR REPLACE FUNCTION public.hq_release_source(p_source_id uuid, p_worker text DEFAULT NULL)
RETURNS boolean
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  UPDATE public.knowledge_sources s
     SET indexing_leased_by = NULL, indexing_leased_until = NULL, attempts = greatest(s.attempts - 1, 0)
   WHERE s.id = p_source_id
     AND s.indexing_leased_until IS NOT NULL
     AND (p_worker IS NULL OR s.indexing_leased_by = p_worker);
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  PERFORM pg_notify('hq_index', p_source_id::text);
  RETURN true;
END
$$;

-- Marks sources pending again (hq reindex). Filters are optional and combine with AND; archived sources are skipped.
-- Returns the number of sources marked. Does not touch existing chunks: search keeps serving them until replaced.
CREATE OR REPLACE FUNCTION public.hq_mark_sources_pending(
  p_source_type text DEFAULT NULL, p_folder_id uuid DEFAULT NULL, p_tag text DEFAULT NULL,
  p_updated_since timestamptz DEFAULT NULL, p_source_ids uuid[] DEFAULT NULL, p_not_indexed_with text DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
  v_n integer;
BEGIN
  UPDATE public.knowledge_sources s
     SET pending_since = coalesce(s.pending_since, now()), attempts = 0, next_attempt_at = NULL,
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

-- Makes p_model the live model when its vectors cover every non-archived chunk, or when p_force. Clears
-- embedding_model_next if it was p_model, and deletes the vectors of every model other than the new live one and a
-- remaining embedding_model_next. Returns the number of non-archived chunks without a vector of p_model: 0 means
-- switched; > 0 means not switched unless p_force.
CREATE OR REPLACE FUNCTION public.hq_promote_embedding_model(p_model text, p_force boolean DEFAULT false)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = ''
AS $$
DECLARE
  v_missing bigint;
BEGIN
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
  DELETE FROM public.knowledge_chunk_vectors v
   WHERE v.model <> p_model
     AND v.model IS DISTINCT FROM (SELECT w.embedding_model_next FROM public.workspace w LIMIT 1);
  RETURN v_missing;
END
$$;

-- =====================================================================================================
-- 6. HQ's document and knowledge RPCs (names, argument names, result columns and meaning as in HQ)
-- =====================================================================================================
-- Differences, all improvements: vector operators are schema-qualified (HQ's fail at call time on an empty
-- search_path); the vector searches filter inside the index scan (hnsw.iterative_scan) instead of after it; chunk
-- vectors are read from knowledge_chunk_vectors for the live model; failures back off and stop after 5 attempts;
-- index bookkeeping does not bump documents.updated_at.

CREATE OR REPLACE FUNCTION public.search_documents(
  query_embedding extensions.vector(384), match_count integer DEFAULT 5, filter_tags text[] DEFAULT NULL,
  filter_folder_id uuid DEFAULT NULL)
RETURNS TABLE (id uuid, title text, content jsonb, tags text[], folder_id uuid, updated_at timestamptz, meta jsonb,
               similarity double precision)
LANGUAGE plpgsql
STABLE
SET search_path = ''
SET hnsw.iterative_scan = 'relaxed_order'
AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH cand AS MATERIALIZED (
    SELECT d.id AS doc_id, d.embedding OPERATOR(extensions.<=>) query_embedding AS dist
      FROM public.documents d
     WHERE d.archived_at IS NULL
       AND d.embedding IS NOT NULL
       AND (filter_tags IS NULL OR d.tags && filter_tags)
       AND (filter_folder_id IS NULL OR d.folder_id = filter_folder_id)
     ORDER BY d.embedding OPERATOR(extensions.<=>) query_embedding
     LIMIT greatest(coalesce(match_count, 5), 0))
  SELECT d.id, d.title, d.content, d.tags, d.folder_id, d.updated_at, d.meta, (1 - cand.dist)::double precision
    FROM cand
    JOIN public.documents d ON d.id = cand.doc_id
   ORDER BY cand.dist, d.id;
END
$$;

CREATE OR REPLACE FUNCTION public.search_documents_text(
  query_text text, match_count integer DEFAULT 5, filter_tags text[] DEFAULT NULL, filter_folder_id uuid DEFAULT NULL)
RETURNS TABLE (id uuid, title text, content jsonb, tags text[], folder_id uuid, updated_at timestamptz, meta jsonb,
               similarity double precision)
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
#variable_conflict use_column
DECLARE
  v_text text := btrim(coalesce(query_text, ''));
  v_q tsquery;
BEGIN
  IF v_text = '' THEN
    RETURN QUERY
    SELECT d.id, d.title, d.content, d.tags, d.folder_id, d.updated_at, d.meta, 0::double precision
      FROM public.documents d
     WHERE d.archived_at IS NULL
       AND (filter_tags IS NULL OR d.tags && filter_tags)
       AND (filter_folder_id IS NULL OR d.folder_id = filter_folder_id)
     ORDER BY d.updated_at DESC, d.id
     LIMIT greatest(coalesce(match_count, 5), 0);
    RETURN;
  END IF;
  v_q := websearch_to_tsquery('english'::regconfig, v_text);
  RETURN QUERY
  SELECT d.id, d.title, d.content, d.tags, d.folder_id, d.updated_at, d.meta,
         ts_rank_cd(d.search_vector, v_q)::double precision AS rank
    FROM public.documents d
   WHERE d.archived_at IS NULL
     AND d.search_vector @@ v_q
     AND (filter_tags IS NULL OR d.tags && filter_tags)
     AND (filter_folder_id IS NULL OR d.folder_id = filter_folder_id)
   ORDER BY rank DESC, d.updated_at DESC, d.id
   LIMIT greatest(coalesce(match_count, 5), 0);
END
$$;

CREATE OR REPLACE FUNCTION public.lease_documents_for_embedding(
  p_gateway_slug text, p_limit integer DEFAULT 10, p_lease_seconds integer DEFAULT 300)
RETURNS TABLE (id uuid, title text, content jsonb, tags text[], updated_at timestamptz, embedding_source_hash text)
LANGUAGE plpgsql
SET search_path = ''
SET hq.preserve_entity_updated_at = 'on'
AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
  WITH picked AS (
    SELECT d.id AS doc_id
      FROM public.documents d
     WHERE d.archived_at IS NULL
       AND (d.embedding IS NULL OR d.embedding_status IS NULL OR d.embedding_status IN ('pending', 'failed'))
       AND (d.embedding_leased_until IS NULL OR d.embedding_leased_until < now())
     ORDER BY d.updated_at, d.id
     LIMIT greatest(1, coalesce(p_limit, 10))
       FOR UPDATE SKIP LOCKED),
  leased AS (
    UPDATE public.documents d
       SET embedding_status = 'pending', embedding_error = NULL, embedding_leased_by = p_gateway_slug,
           embedding_leased_until = now() + make_interval(secs => greatest(1, coalesce(p_lease_seconds, 300)))
      FROM picked
     WHERE d.id = picked.doc_id
    RETURNING d.id, d.title, d.content, d.tags, d.updated_at, d.embedding_source_hash)
  SELECT l.id, l.title, l.content, l.tags, l.updated_at, l.embedding_source_hash FROM leased l ORDER BY l.updated_at, l.id;
END
$$;

CREATE OR REPLACE FUNCTION public.mark_document_embedding_indexed(
  p_document_id uuid, p_embedding extensions.vector(384), p_embedding_model text, p_embedding_dimensions integer,
  p_source_hash text)
RETURNS void
LANGUAGE plpgsql
SET search_path = ''
SET hq.preserve_entity_updated_at = 'on'
AS $$
BEGIN
  UPDATE public.documents d
     SET embedding = p_embedding, embedding_model = p_embedding_model, embedding_dimensions = p_embedding_dimensions,
         embedding_source_hash = p_source_hash, embedding_status = 'indexed', embedding_updated_at = now(),
         embedding_error = NULL, embedding_leased_by = NULL, embedding_leased_until = NULL
   WHERE d.id = p_document_id;
END
$$;

CREATE OR REPLACE FUNCTION public.mark_document_embedding_failed(p_document_id uuid, p_error text)
RETURNS void
LANGUAGE plpgsql
SET search_path = ''
SET hq.preserve_entity_updated_at = 'on'
AS $$
BEGIN
  UPDATE public.documents d
     SET embedding_status = 'failed', embedding_error = left(p_error, 1000),
         embedding_leased_by = NULL, embedding_leased_until = NULL
   WHERE d.id = p_document_id;
END
$$;

-- HQ's lease: document sources only (HQ's embedder reads documents.content), now with backoff and an attempt limit.
CREATE OR REPLACE FUNCTION public.lease_knowledge_sources_for_indexing(
  p_gateway_slug text, p_limit integer DEFAULT 10, p_lease_seconds integer DEFAULT 300)
RETURNS TABLE (id uuid, source_type text, source_id text, document_id uuid, asset_id uuid, title text, content jsonb,
               tags text[], folder_id uuid, source_uri text, mime_type text, source_updated_at timestamptz,
               chunk_source_hash text)
LANGUAGE sql
SET search_path = ''
AS $$
  SELECT l.id, l.source_type, l.source_id, l.document_id, l.asset_id, l.title, l.document_content, l.tags,
         l.folder_id, l.source_uri, l.mime_type, l.source_updated_at, l.chunk_source_hash
    FROM public.hq_lease_sources(p_gateway_slug, p_limit, p_lease_seconds, 5, 'document') AS l;
$$;

-- HQ's chunk writer (jsonb chunks, one RPC per source). Also writes the vectors into knowledge_chunk_vectors under
-- p_embedding_model (the live model when NULL), so what HQ's embedder indexes is searchable by hq_search too.
CREATE OR REPLACE FUNCTION public.replace_knowledge_source_chunks(
  p_source_id uuid, p_chunks jsonb, p_embedding_model text, p_embedding_dimensions integer, p_source_hash text,
  p_coarse_embedding extensions.vector(384), p_coarse_hash text, p_embedding_status text DEFAULT 'indexed',
  p_embedding_error text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = ''
SET hq.preserve_entity_updated_at = 'on'
AS $$
DECLARE
  v_src public.knowledge_sources%ROWTYPE;
  v_model text := coalesce(nullif(btrim(p_embedding_model), ''), public.hq_live_embedding_model());
  v_count integer;
BEGIN
  SELECT * INTO v_src FROM public.knowledge_sources s WHERE s.id = p_source_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'knowledge_source_not_found: %', p_source_id;
  END IF;

  DELETE FROM public.knowledge_chunks c WHERE c.source_id = p_source_id;

  WITH elems AS (
    SELECT x.e,
           CASE WHEN jsonb_typeof(x.e -> 'embedding') = 'array'
                THEN (x.e ->> 'embedding')::extensions.vector(384) END AS emb
      FROM jsonb_array_elements(CASE WHEN jsonb_typeof(p_chunks) = 'array' THEN p_chunks ELSE '[]'::jsonb END) AS x(e)),
  rows AS (
    SELECT el.e, el.emb,
           coalesce(nullif(el.e ->> 'embedding_status', ''),
                    CASE WHEN el.emb IS NOT NULL THEN 'indexed' ELSE 'failed' END) AS status
      FROM elems el),
  ins AS (
    INSERT INTO public.knowledge_chunks (
      source_id, source_type, source_entity_id, document_id, asset_id, chunk_index, content, content_hash,
      char_start, char_end, page_number, section_path, source_uri, meta,
      embedding, embedding_model, embedding_dimensions, embedding_status, embedding_error, embedding_updated_at)
    SELECT p_source_id, v_src.source_type, v_src.source_id, v_src.document_id, v_src.asset_id,
           (r.e ->> 'chunk_index')::integer, r.e ->> 'content', r.e ->> 'content_hash',
           nullif(r.e ->> 'char_start', '')::integer, nullif(r.e ->> 'char_end', '')::integer,
           nullif(r.e ->> 'page_number', '')::integer,
           CASE WHEN jsonb_typeof(r.e -> 'section_path') = 'array'
                THEN ARRAY(SELECT jsonb_array_elements_text(r.e -> 'section_path')) END,
           r.e ->> 'source_uri',
           CASE WHEN jsonb_typeof(r.e -> 'meta') = 'object' THEN r.e -> 'meta' ELSE '{}'::jsonb END,
           r.emb,
           CASE WHEN r.emb IS NOT NULL THEN v_model END,
           CASE WHEN r.emb IS NOT NULL THEN coalesce(p_embedding_dimensions, 384) END,
           r.status,
           CASE WHEN r.status = 'indexed' THEN NULL ELSE p_embedding_error END,
           CASE WHEN r.emb IS NOT NULL THEN now() END
      FROM rows r
    RETURNING id, embedding)
  INSERT INTO public.knowledge_chunk_vectors (
    chunk_id, model, source_id, embedding, source_type, asset_type, folder_ids, tags, pinned, archived, source_updated_at)
  SELECT ins.id, v_model, p_source_id, ins.embedding, v_src.source_type, v_src.asset_type, v_src.folder_ids,
         v_src.tags, v_src.pinned, v_src.archived_at IS NOT NULL, v_src.source_updated_at
    FROM ins
   WHERE ins.embedding IS NOT NULL;

  SELECT count(*) INTO v_count FROM public.knowledge_chunks c WHERE c.source_id = p_source_id;

  UPDATE public.knowledge_sources s
     SET extraction_status = 'extracted', extraction_method = coalesce(s.extraction_method, 'native_document'),
         extraction_hash = p_source_hash, extracted_at = now(), extraction_error = NULL,
         chunk_status = 'indexed', chunk_count = v_count, chunk_source_hash = p_source_hash,
         chunks_updated_at = now(), chunk_error = NULL,
         embedding_status = p_embedding_status, embedding_error = p_embedding_error,
         indexing_leased_by = NULL, indexing_leased_until = NULL,
         pending_since = NULL, attempts = 0, next_attempt_at = NULL, last_error = p_embedding_error,
         indexed_model = v_model
   WHERE s.id = p_source_id;

  IF v_src.document_id IS NOT NULL THEN
    UPDATE public.documents d
       SET embedding = p_coarse_embedding,
           embedding_model = CASE WHEN p_coarse_embedding IS NOT NULL THEN p_embedding_model ELSE d.embedding_model END,
           embedding_dimensions = CASE WHEN p_coarse_embedding IS NOT NULL THEN p_embedding_dimensions
                                       ELSE d.embedding_dimensions END,
           embedding_updated_at = CASE WHEN p_coarse_embedding IS NOT NULL THEN now() ELSE d.embedding_updated_at END,
           embedding_status = p_embedding_status, embedding_source_hash = p_coarse_hash,
           embedding_error = p_embedding_error, embedding_leased_by = NULL, embedding_leased_until = NULL,
           chunk_status = 'indexed', chunk_count = v_count, chunk_source_hash = p_source_hash,
           chunks_updated_at = now(), chunk_error = NULL
     WHERE d.id = v_src.document_id;
  END IF;
END
$$;

CREATE OR REPLACE FUNCTION public.mark_knowledge_source_failed(p_source_id uuid, p_error text)
RETURNS void
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  PERFORM public.hq_fail_source(p_source_id, p_error, NULL, 5);
END
$$;

-- Dense chunk search (HQ semantics: tag overlap, exact folder, source type, one knowledge source), over the live
-- model's vectors with the filters inside the HNSW scan.
CREATE OR REPLACE FUNCTION public.search_knowledge_chunks(
  query_embedding extensions.vector(384), match_count integer DEFAULT 10, filter_tags text[] DEFAULT NULL,
  filter_folder_id uuid DEFAULT NULL, filter_source_type text DEFAULT NULL, filter_source_id uuid DEFAULT NULL)
RETURNS TABLE (knowledge_source_id uuid, source_type text, source_entity_id text, document_id uuid, asset_id uuid,
               title text, tags text[], folder_id uuid, source_uri text, chunk_id uuid, chunk_index integer,
               content text, char_start integer, char_end integer, page_number integer, section_path text[],
               meta jsonb, updated_at timestamptz, similarity double precision)
LANGUAGE plpgsql
STABLE
SET search_path = ''
SET hnsw.iterative_scan = 'relaxed_order'
SET hnsw.ef_search = '100'
AS $$
#variable_conflict use_column
DECLARE
  v_model text := public.hq_live_embedding_model();
  v_q extensions.halfvec;
BEGIN
  IF query_embedding IS NULL THEN
    RETURN;
  END IF;
  v_q := query_embedding::extensions.halfvec(384);
  RETURN QUERY
  WITH cand AS MATERIALIZED (
    SELECT v.chunk_id AS cid, v.embedding OPERATOR(extensions.<=>) query_embedding AS dist
      FROM public.knowledge_chunk_vectors v
     WHERE v.model = v_model
       AND NOT v.archived
       AND (filter_tags IS NULL OR v.tags && filter_tags)
       AND (filter_folder_id IS NULL OR (v.folder_ids @> ARRAY[filter_folder_id]
                                         AND v.folder_ids[cardinality(v.folder_ids)] = filter_folder_id))
       AND (filter_source_type IS NULL OR v.source_type = filter_source_type)
       AND (filter_source_id IS NULL OR v.source_id = filter_source_id)
     ORDER BY v.embedding::extensions.halfvec(384) OPERATOR(extensions.<=>) v_q
     LIMIT greatest(coalesce(match_count, 10), 0))
  SELECT s.id, s.source_type, s.source_id, s.document_id, s.asset_id, s.title, s.tags, s.folder_id,
         coalesce(c.source_uri, s.source_uri), c.id, c.chunk_index, c.content, c.char_start, c.char_end,
         c.page_number, c.section_path, c.meta, c.updated_at, (1 - cand.dist)::double precision
    FROM cand
    JOIN public.knowledge_chunks c ON c.id = cand.cid
    JOIN public.knowledge_sources s ON s.id = c.source_id
   ORDER BY cand.dist, c.id;
END
$$;

CREATE OR REPLACE FUNCTION public.search_knowledge_chunks_text(
  query_text text, match_count integer DEFAULT 10, filter_tags text[] DEFAULT NULL, filter_folder_id uuid DEFAULT NULL,
  filter_source_type text DEFAULT NULL, filter_source_id uuid DEFAULT NULL)
RETURNS TABLE (knowledge_source_id uuid, source_type text, source_entity_id text, document_id uuid, asset_id uuid,
               title text, tags text[], folder_id uuid, source_uri text, chunk_id uuid, chunk_index integer,
               content text, char_start integer, char_end integer, page_number integer, section_path text[],
               meta jsonb, updated_at timestamptz, similarity double precision)
LANGUAGE plpgsql
STABLE
SET search_path = ''
AS $$
#variable_conflict use_column
DECLARE
  v_text text := btrim(coalesce(query_text, ''));
  v_q tsquery;
BEGIN
  IF v_text <> '' THEN
    v_q := websearch_to_tsquery('english'::regconfig, v_text);
  END IF;
  RETURN QUERY
  SELECT s.id, s.source_type, s.source_id, s.document_id, s.asset_id, s.title, s.tags, s.folder_id,
         coalesce(c.source_uri, s.source_uri), c.id, c.chunk_index, c.content, c.char_start, c.char_end,
         c.page_number, c.section_path, c.meta, c.updated_at,
         CASE WHEN v_q IS NULL THEN 0 ELSE ts_rank_cd(c.search_vector, v_q) END::double precision AS rank
    FROM public.knowledge_chunks c
    JOIN public.knowledge_sources s ON s.id = c.source_id
   WHERE s.archived_at IS NULL
     AND (v_text = '' OR c.search_vector @@ v_q)
     AND (filter_tags IS NULL OR s.tags && filter_tags)
     AND (filter_folder_id IS NULL OR s.folder_id = filter_folder_id)
     AND (filter_source_type IS NULL OR s.source_type = filter_source_type)
     AND (filter_source_id IS NULL OR s.id = filter_source_id)
   ORDER BY rank DESC, c.updated_at DESC, c.id
   LIMIT greatest(coalesce(match_count, 10), 0);
END
$$;

-- =====================================================================================================
-- 7. Hybrid search for PostgREST / Supabase clients: hq_search lives in 018_search_bm25.sql (its lexical leg is BM25)
-- =====================================================================================================

-- =====================================================================================================
-- 8. Draft sets (HQ §3/§9.2, unchanged)
-- =====================================================================================================

CREATE TABLE IF NOT EXISTS public.draft_sets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  contact_id uuid NOT NULL REFERENCES public.contacts (id) ON DELETE CASCADE,
  template_id uuid REFERENCES public.templates (id) ON DELETE SET NULL,
  channel text NOT NULL,
  stage text NOT NULL,
  version integer NOT NULL DEFAULT 1,
  variants jsonb NOT NULL,
  selected_variant_index integer,
  based_on_draft_set_id uuid REFERENCES public.draft_sets (id) ON DELETE SET NULL,
  feedback_notes text,
  status text NOT NULL DEFAULT 'draft',
  meta jsonb NOT NULL DEFAULT '{}'::jsonb,
  CONSTRAINT draft_sets_version_check CHECK (version >= 1),
  CONSTRAINT draft_sets_variants_is_array CHECK (jsonb_typeof(variants) = 'array'),
  CONSTRAINT draft_sets_contact_channel_stage_version_key UNIQUE (contact_id, channel, stage, version)
);
CREATE INDEX IF NOT EXISTS draft_sets_contact_created_at_idx ON public.draft_sets (contact_id, created_at DESC);
CREATE INDEX IF NOT EXISTS draft_sets_status_idx ON public.draft_sets (status);
CREATE OR REPLACE TRIGGER draft_sets_updated_at
  BEFORE UPDATE ON public.draft_sets
  FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

-- =====================================================================================================
-- 9. Backfill (idempotent): a pending source for every document and asset that has none; sources that our indexer
-- never wrote (e.g. indexed by HQ's embedder) become pending; search vectors and folder columns filled in.
-- =====================================================================================================

-- Fill search_vector of documents that have none (fires documents_search_vector) without touching updated_at.
SELECT set_config('hq.preserve_entity_updated_at', 'on', true);
UPDATE public.documents d SET search_vector = NULL WHERE d.search_vector IS NULL;
SELECT set_config('hq.preserve_entity_updated_at', '', true);

DO $$
BEGIN
  PERFORM public.hq_sync_source('document', d.id, d.title, d.tags, d.folder_id, coalesce(d.pinned, false), NULL, NULL,
                                NULL, d.meta, d.archived_at, d.updated_at, 'native_document', true, false, false)
     FROM public.documents d
    WHERE NOT EXISTS (SELECT 1 FROM public.knowledge_sources s
                       WHERE s.source_type = 'document' AND s.source_id = d.id::text);
  PERFORM public.hq_sync_source('asset', a.id, a.name, a.tags, a.folder_id, false, a.type::text, a.mime_type,
                                a.file_url, a.meta, a.archived_at, a.updated_at, NULL, true, false, false)
     FROM public.assets a
    WHERE NOT EXISTS (SELECT 1 FROM public.knowledge_sources s
                       WHERE s.source_type = 'asset' AND s.source_id = a.id::text);

  UPDATE public.knowledge_sources s
     SET pending_since = now(), change_seq = s.change_seq + 1,
         extraction_status = 'pending', chunk_status = 'pending', embedding_status = 'pending'
   WHERE s.indexed_model IS NULL AND s.pending_since IS NULL AND s.last_error IS NULL AND s.archived_at IS NULL
     AND s.source_type IN ('document', 'asset');

  UPDATE public.knowledge_sources s
     SET (folder_ids, folder_path) = (SELECT ch.folder_ids, ch.folder_path
                                        FROM public.hq_folder_chain(s.source_type, s.folder_id) AS ch)
   WHERE s.folder_id IS NOT NULL AND s.folder_ids = '{}' AND s.source_type IN ('document', 'asset');
END
$$;

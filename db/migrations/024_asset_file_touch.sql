-- 024_asset_file_touch: a file replaced under the same path and size reaches the index (issue 14).
-- 011 queued an asset when its name, text fields, type, path or size changed. Re-uploading a file of the same size
-- under the same name (a corrected PDF) changes none of them: HQ only stamps updated_at, and the watcher never heard
-- of it. Now any update of a live asset that has a file queues it. The indexer fetches the file and compares the
-- SHA-256 of its bytes with the one the source was indexed from: unchanged bytes cost a fetch and no embedding.

-- As in 011, with the update of an asset with a file counted as a possible content change.
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
     OR NEW.file_size IS DISTINCT FROM OLD.file_size
     -- The file's bytes may have changed under the same path and size: any other update of a live asset with a
     -- file (HQ stamps updated_at when it re-uploads) has the indexer fetch it again and compare its hash.
     OR (NEW.file_url IS NOT NULL AND NEW.archived_at IS NULL AND OLD.archived_at IS NULL
         AND NEW.updated_at IS DISTINCT FROM OLD.updated_at);
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

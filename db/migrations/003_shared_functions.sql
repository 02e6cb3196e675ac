-- 003_shared_functions: the generic updated_at trigger function.
--
-- set_updated_at() stamps updated_at with the transaction time on every UPDATE, like HQ's.
-- One addition: while the setting hq.preserve_entity_updated_at is 'on' (set only through the SET clause of the
-- indexer's own functions, e.g. replace_knowledge_source_chunks), rows of documents and assets keep their
-- updated_at, so writing index bookkeeping onto a document does not make it look edited.

CREATE OR REPLACE FUNCTION public.set_updated_at()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = ''
AS $$
BEGIN
  IF TG_TABLE_NAME IN ('documents', 'assets')
     AND coalesce(current_setting('hq.preserve_entity_updated_at', true), '') = 'on' THEN
    NEW.updated_at := OLD.updated_at;
  ELSE
    NEW.updated_at := now();
  END IF;
  RETURN NEW;
END
$$;

-- 002_enums: the ten shared enum types of HQ (values in HQ's declared order).
-- An existing type of the same name is left alone. command_action/command_status (014) and
-- budget_status (015) belong to later files.

DO $$
BEGIN
  IF to_regtype('public.task_status') IS NULL THEN
    CREATE TYPE public.task_status AS ENUM ('todo', 'in_progress', 'blocked', 'done', 'cancelled', 'missed');
  END IF;
  IF to_regtype('public.task_priority') IS NULL THEN
    CREATE TYPE public.task_priority AS ENUM ('urgent', 'high', 'medium', 'low');
  END IF;
  IF to_regtype('public.stream_type') IS NULL THEN
    CREATE TYPE public.stream_type AS ENUM ('functional', 'project', 'custom');
  END IF;
  IF to_regtype('public.actor_type') IS NULL THEN
    CREATE TYPE public.actor_type AS ENUM ('human', 'agent', 'system');
  END IF;
  IF to_regtype('public.audit_action') IS NULL THEN
    CREATE TYPE public.audit_action AS ENUM ('created', 'updated', 'deleted', 'archived', 'status_changed',
                                             'assigned', 'commented', 'uploaded', 'moved', 'restored');
  END IF;
  IF to_regtype('public.agent_status') IS NULL THEN
    CREATE TYPE public.agent_status AS ENUM ('online', 'offline', 'error', 'paused');
  END IF;
  IF to_regtype('public.asset_type') IS NULL THEN
    CREATE TYPE public.asset_type AS ENUM ('document', 'sop', 'research', 'image', 'video', 'audio', 'template',
                                           'script', 'spreadsheet', 'link', 'other');
  END IF;
  IF to_regtype('public.inbox_item_status') IS NULL THEN
    CREATE TYPE public.inbox_item_status AS ENUM ('pending', 'leased', 'done', 'failed', 'dead_letter');
  END IF;
  IF to_regtype('public.inbox_event_type') IS NULL THEN
    CREATE TYPE public.inbox_event_type AS ENUM ('task_assignment', 'task_reassignment', 'task_comment_mention',
                                                 'contact_created', 'contact_status_changed', 'contact_updated');
  END IF;
  IF to_regtype('public.automation_condition') IS NULL THEN
    CREATE TYPE public.automation_condition AS ENUM ('created', 'changed_to', 'changed_from', 'any_change');
  END IF;
END
$$;

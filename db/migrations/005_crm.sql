-- 005_crm: tags, campaigns, contacts, organizations, contact_organizations, templates.
-- FK constraints keep PostgreSQL's default <table>_<column>_fkey names (PostgREST embeds rely on them).
-- The contacts_automation trigger belongs to 013 (its function process_contact_automation is defined there).

CREATE TABLE IF NOT EXISTS public.tags (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL UNIQUE,
  color text DEFAULT '#6b7280',
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS public.campaigns (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  name text NOT NULL,
  description text,
  channel text,
  is_active boolean NOT NULL DEFAULT true,
  meta jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE OR REPLACE TRIGGER campaigns_updated_at
  BEFORE UPDATE ON public.campaigns
  FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TABLE IF NOT EXISTS public.contacts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  name text NOT NULL,
  email text,
  phone text,
  linkedin_url text,
  twitter_url text,
  website_url text,
  company text,
  title text,
  location text,
  avatar_url text,
  handle text,
  how_we_met text,
  notes text,
  tags text[] NOT NULL DEFAULT '{}',
  source text,
  campaign_id uuid REFERENCES public.campaigns (id) ON DELETE SET NULL,
  status text NOT NULL DEFAULT 'new',
  status_changed_at timestamptz,
  priority text,
  relationship_strength text DEFAULT 'stranger',
  last_contact_date timestamptz,
  extended jsonb NOT NULL DEFAULT '{}'::jsonb,
  archived_at timestamptz
);
CREATE INDEX IF NOT EXISTS contacts_status_idx ON public.contacts (status);
CREATE INDEX IF NOT EXISTS contacts_priority_idx ON public.contacts (priority);
CREATE INDEX IF NOT EXISTS contacts_tags_idx ON public.contacts USING gin (tags);
CREATE INDEX IF NOT EXISTS contacts_extended_idx ON public.contacts USING gin (extended);
CREATE INDEX IF NOT EXISTS contacts_last_contact_date_idx ON public.contacts (last_contact_date DESC NULLS LAST);
CREATE INDEX IF NOT EXISTS contacts_relationship_strength_idx ON public.contacts (relationship_strength);
CREATE INDEX IF NOT EXISTS contacts_campaign_id_idx ON public.contacts (campaign_id);
CREATE INDEX IF NOT EXISTS contacts_active_created_at_idx ON public.contacts (created_at DESC) WHERE archived_at IS NULL;
CREATE INDEX IF NOT EXISTS contacts_archived_at_idx ON public.contacts (archived_at DESC) WHERE archived_at IS NOT NULL;
CREATE OR REPLACE TRIGGER contacts_updated_at
  BEFORE UPDATE ON public.contacts
  FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TABLE IF NOT EXISTS public.organizations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  name text NOT NULL,
  type text,
  website text,
  industry text,
  size text,
  location text,
  description text,
  notes text,
  tags text[] NOT NULL DEFAULT '{}',
  status text,
  extended jsonb NOT NULL DEFAULT '{}'::jsonb,
  archived_at timestamptz
);
CREATE INDEX IF NOT EXISTS organizations_type_idx ON public.organizations (type);
CREATE INDEX IF NOT EXISTS organizations_tags_idx ON public.organizations USING gin (tags);
CREATE INDEX IF NOT EXISTS organizations_extended_idx ON public.organizations USING gin (extended);
CREATE INDEX IF NOT EXISTS organizations_active_created_at_idx ON public.organizations (created_at DESC)
  WHERE archived_at IS NULL;
CREATE OR REPLACE TRIGGER organizations_updated_at
  BEFORE UPDATE ON public.organizations
  FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

CREATE TABLE IF NOT EXISTS public.contact_organizations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  contact_id uuid NOT NULL REFERENCES public.contacts (id) ON DELETE CASCADE,
  org_id uuid NOT NULL REFERENCES public.organizations (id) ON DELETE CASCADE,
  role text,
  is_current boolean DEFAULT true,
  started_at date,
  ended_at date,
  UNIQUE (contact_id, org_id, role)
);
CREATE INDEX IF NOT EXISTS contact_organizations_contact_id_idx ON public.contact_organizations (contact_id);
CREATE INDEX IF NOT EXISTS contact_organizations_org_id_idx ON public.contact_organizations (org_id);
CREATE INDEX IF NOT EXISTS contact_organizations_is_current_idx ON public.contact_organizations (is_current)
  WHERE is_current = true;

CREATE TABLE IF NOT EXISTS public.templates (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  name text NOT NULL,
  channel text,
  stage text,
  subject text,
  body text NOT NULL,
  is_active boolean NOT NULL DEFAULT true,
  use_count integer NOT NULL DEFAULT 0,
  family text,
  angle text,
  audience text,
  overlays jsonb NOT NULL DEFAULT '[]'::jsonb,
  meta jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX IF NOT EXISTS templates_family_idx ON public.templates (family);
CREATE INDEX IF NOT EXISTS templates_is_active_idx ON public.templates (is_active) WHERE is_active = true;
CREATE OR REPLACE TRIGGER templates_updated_at
  BEFORE UPDATE ON public.templates
  FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

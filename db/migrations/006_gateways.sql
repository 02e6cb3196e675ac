-- 006_gateways: gateway hosts (+ the seeded 'default' gateway), one-time registration tokens, the token exchange.
--
-- Differences from HQ (all safer, none changes a name, column or signature):
--   * Only the SHA-256 of a token is ever stored: a CHECK makes token_hash a 64-digit lowercase hex string, so a
--     plaintext token cannot be inserted by mistake. mint_gateway_token() creates a token and returns the plaintext
--     once (HQ's UI minted it client-side; inserting a hash directly keeps working).
--   * Hashing uses core sha256() (no pgcrypto); same lowercase hex as HQ's digest().
--   * consume_gateway_token() is single use: a consumed token raises token_already_used (HQ replayed the gateway
--     identity to anyone presenting a used token). Wrong / expired / used tokens all raise SQLSTATE 28000 with a
--     clear message; the slug hint is validated; the slug search is bounded and safe under concurrency.
--   * SECURITY DEFINER functions pin search_path = '' and are not executable by PUBLIC; consume_gateway_token is
--     granted to anon + authenticated (+ service_role), mint_gateway_token to authenticated + service_role.

CREATE TABLE IF NOT EXISTS public.gateways (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  slug text NOT NULL UNIQUE,
  label text NOT NULL,
  status text NOT NULL DEFAULT 'offline',
  last_seen_at timestamptz,
  meta jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX IF NOT EXISTS gateways_status_idx ON public.gateways (status);
CREATE OR REPLACE TRIGGER gateways_updated_at
  BEFORE UPDATE ON public.gateways
  FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();

INSERT INTO public.gateways (slug, label)
SELECT 'default', 'Primary gateway'
WHERE NOT EXISTS (SELECT 1 FROM public.gateways WHERE slug = 'default');

CREATE TABLE IF NOT EXISTS public.gateway_registration_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  token_hash text NOT NULL UNIQUE,
  label text,
  expires_at timestamptz NOT NULL,
  consumed_at timestamptz,
  consumed_by_gateway_id uuid REFERENCES public.gateways (id)
);
CREATE INDEX IF NOT EXISTS gateway_registration_tokens_expires_at_idx
  ON public.gateway_registration_tokens (expires_at) WHERE consumed_at IS NULL;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint
                  WHERE conrelid = 'public.gateway_registration_tokens'::regclass
                    AND conname = 'gateway_registration_tokens_token_hash_check') THEN
    ALTER TABLE public.gateway_registration_tokens ADD CONSTRAINT gateway_registration_tokens_token_hash_check
      CHECK (token_hash ~ '^[0-9a-f]{64}$');
  END IF;
END
$$;

-- RLS as in HQ (006 enables it itself; 016 does not list this table). Guarded by role existence.
ALTER TABLE public.gateway_registration_tokens ENABLE ROW LEVEL SECURITY;
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'authenticated') THEN
    GRANT SELECT, INSERT, UPDATE, DELETE ON public.gateway_registration_tokens TO authenticated;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_policies
                    WHERE schemaname = 'public' AND tablename = 'gateway_registration_tokens'
                      AND policyname = 'gateway_registration_tokens_all') THEN
      CREATE POLICY gateway_registration_tokens_all ON public.gateway_registration_tokens
        FOR ALL TO authenticated USING (true) WITH CHECK (true);
    END IF;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'service_role') THEN
    GRANT SELECT, INSERT, UPDATE, DELETE ON public.gateway_registration_tokens TO service_role;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_policies
                    WHERE schemaname = 'public' AND tablename = 'gateway_registration_tokens'
                      AND policyname = 'Service role full access') THEN
      CREATE POLICY "Service role full access" ON public.gateway_registration_tokens
        FOR ALL TO service_role USING (true) WITH CHECK (true);
    END IF;
  END IF;
END
$$;

-- Lowercase hex SHA-256 of the UTF-8 token (identical to pgcrypto's encode(digest(t, 'sha256'), 'hex')).
CREATE OR REPLACE FUNCTION public.hq_token_hash(p_token text)
RETURNS text
LANGUAGE sql
IMMUTABLE
STRICT
PARALLEL SAFE
SET search_path = ''
AS $$
  SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(p_token, 'UTF8')), 'hex');
$$;

-- Mints a registration token: 64 hex digits from two strong-random UUIDs (244 random bits; gen_random_uuid uses
-- the server's strong random source), TTL clamped to 5..60 minutes like HQ's UI. Returns the plaintext once;
-- only its hash is stored.
CREATE OR REPLACE FUNCTION public.mint_gateway_token(p_label text DEFAULT NULL, p_ttl_minutes integer DEFAULT 15)
RETURNS TABLE (token text, token_id uuid, expires_at timestamptz)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
DECLARE
  v_token text := pg_catalog.replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '');
  v_expires timestamptz := now() + make_interval(mins => least(60, greatest(5, coalesce(p_ttl_minutes, 15))));
  v_id uuid;
BEGIN
  INSERT INTO public.gateway_registration_tokens (token_hash, label, expires_at)
  VALUES (public.hq_token_hash(v_token), nullif(btrim(p_label), ''), v_expires)
  RETURNING id INTO v_id;
  RETURN QUERY SELECT v_token, v_id, v_expires;
END
$$;

-- Exchanges a one-time token for a new gateway identity.
--   invalid_token (28000): no token with that hash (also for NULL/blank input);
--   token_already_used (28000): the token was consumed before (single use);
--   token_expired (28000): expires_at is not in the future;
--   invalid_slug_hint (22023): the hint has characters outside [A-Za-z0-9._-] or is longer than 63.
-- Label = first non-blank of p_label, the token's label, 'Gateway'. Slug = the trimmed hint (case kept, as HQ) or
-- the label slugified; '-2', '-3', ... appended while taken.
CREATE OR REPLACE FUNCTION public.consume_gateway_token(p_token text, p_label text DEFAULT NULL, p_slug_hint text DEFAULT NULL)
RETURNS TABLE (gateway_id uuid, gateway_slug text)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
#variable_conflict use_column
DECLARE
  v_token public.gateway_registration_tokens%ROWTYPE;
  v_label text;
  v_base text;
  v_slug text;
  v_id uuid;
  v_n integer := 1;
BEGIN
  IF p_token IS NULL OR btrim(p_token) = '' THEN
    RAISE EXCEPTION 'invalid_token' USING ERRCODE = '28000', DETAIL = 'no registration token was given';
  END IF;

  SELECT t.* INTO v_token
    FROM public.gateway_registration_tokens t
   WHERE t.token_hash = public.hq_token_hash(btrim(p_token))
     FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'invalid_token' USING ERRCODE = '28000', DETAIL = 'the registration token is not known';
  END IF;
  IF v_token.consumed_at IS NOT NULL THEN
    RAISE EXCEPTION 'token_already_used' USING ERRCODE = '28000',
      DETAIL = 'the registration token was already exchanged; mint a new one';
  END IF;
  IF v_token.expires_at <= now() THEN
    RAISE EXCEPTION 'token_expired' USING ERRCODE = '28000',
      DETAIL = format('the registration token expired at %s', v_token.expires_at);
  END IF;

  v_label := coalesce(nullif(btrim(p_label), ''), nullif(btrim(v_token.label), ''), 'Gateway');
  IF nullif(btrim(p_slug_hint), '') IS NOT NULL THEN
    v_base := btrim(p_slug_hint);
    IF v_base !~ '^[A-Za-z0-9._-]{1,63}$' THEN
      RAISE EXCEPTION 'invalid_slug_hint' USING ERRCODE = '22023',
        DETAIL = 'a slug hint has 1 to 63 characters out of A-Z a-z 0-9 . _ -';
    END IF;
  ELSE
    v_base := coalesce(nullif(pg_catalog.btrim(pg_catalog.regexp_replace(lower(v_label), '[^a-z0-9]+', '-', 'g'), '-'), ''),
                       'gateway');
    v_base := left(v_base, 63);
  END IF;

  -- Bounded search for a free slug; a concurrent registration taking the same slug just moves on to the next one.
  LOOP
    v_slug := CASE WHEN v_n = 1 THEN v_base ELSE v_base || '-' || v_n END;
    IF NOT EXISTS (SELECT 1 FROM public.gateways g WHERE g.slug = v_slug) THEN
      BEGIN
        INSERT INTO public.gateways (slug, label, status, meta)
        VALUES (v_slug, v_label, 'provisioning', '{"registered_via": "token"}'::jsonb)
        RETURNING id INTO v_id;
        EXIT;
      EXCEPTION WHEN unique_violation THEN
        NULL;
      END;
    END IF;
    v_n := v_n + 1;
    IF v_n > 1000 THEN
      RAISE EXCEPTION 'no free gateway slug for %', v_base USING ERRCODE = '23505';
    END IF;
  END LOOP;

  UPDATE public.gateway_registration_tokens t
     SET consumed_at = now(), consumed_by_gateway_id = v_id
   WHERE t.id = v_token.id;

  RETURN QUERY SELECT v_id, v_slug;
END
$$;

REVOKE EXECUTE ON FUNCTION public.consume_gateway_token(text, text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION public.mint_gateway_token(text, integer) FROM PUBLIC;
DO $$
DECLARE
  v_role text;
BEGIN
  -- Supabase's default privileges grant every new function to anon; these are not for anon.
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'anon') THEN
    REVOKE EXECUTE ON FUNCTION public.mint_gateway_token(text, integer) FROM anon;
  END IF;
  FOR v_role IN SELECT r.rolname FROM pg_catalog.pg_roles r
                 WHERE r.rolname IN ('anon', 'authenticated', 'service_role') ORDER BY 1 LOOP
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', v_role);
    EXECUTE format('GRANT EXECUTE ON FUNCTION public.consume_gateway_token(text, text, text) TO %I', v_role);
    IF v_role <> 'anon' THEN
      EXECUTE format('GRANT EXECUTE ON FUNCTION public.mint_gateway_token(text, integer) TO %I', v_role);
    END IF;
  END LOOP;
END
$$;

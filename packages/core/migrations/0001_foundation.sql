-- Foundation schema: accounts, sessions, the audit log and platform settings.
-- gen_random_uuid() is built into PostgreSQL 13+.

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 320),
  password_hash text,
  role text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
  display_name text,
  disabled_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  absolute_expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  ip inet,
  user_agent text CHECK (length(user_agent) <= 512)
);
CREATE INDEX sessions_user_active_idx ON sessions (user_id) WHERE revoked_at IS NULL;

-- Append-only: the application inserts; a trigger refuses UPDATE and DELETE.
CREATE TABLE audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  actor_type text NOT NULL CHECK (actor_type IN ('user', 'api_key', 'system')),
  actor_user_id uuid,
  actor_api_key_id uuid,
  workspace_id uuid,
  action text NOT NULL CHECK (action ~ '^[a-z0-9_.:-]{1,100}$'),
  target_type text,
  target_id text,
  request_id text,
  ip inet,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  CHECK (actor_type <> 'user' OR actor_user_id IS NOT NULL),
  CHECK (actor_type <> 'api_key' OR actor_api_key_id IS NOT NULL)
);
CREATE INDEX audit_log_workspace_idx ON audit_log (workspace_id, occurred_at DESC) WHERE workspace_id IS NOT NULL;
CREATE INDEX audit_log_occurred_idx ON audit_log (occurred_at DESC);
CREATE INDEX audit_log_actor_user_idx ON audit_log (actor_user_id, occurred_at DESC) WHERE actor_user_id IS NOT NULL;

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

CREATE TABLE platform_settings (
  key text PRIMARY KEY CHECK (key ~ '^[a-z0-9_.]{1,100}$'),
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid REFERENCES users (id) ON DELETE SET NULL
);

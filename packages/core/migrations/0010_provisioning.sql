-- Provisioning: agents become desired state with resources and a current revision; every deploy
-- records an immutable revision; every lifecycle operation is a deployment row the provisioner runs
-- (job id = deployment id); one events table for deployments and lifecycle; host ports and agent
-- subnets allocated here, so the database guarantees their uniqueness. docs/provisioning.md.

-- Agent statuses: the state machine of packages/domain/src/agents/status.ts (`draft` is gone: an
-- agent exists once it is asked for, and is queued at once).
ALTER TABLE agents DROP CONSTRAINT agents_status_check;
UPDATE agents SET status = 'stopped' WHERE status = 'draft';
ALTER TABLE agents
  ALTER COLUMN status SET DEFAULT 'queued',
  ADD CONSTRAINT agents_status_check CHECK (status IN (
    'queued', 'provisioning', 'starting', 'running', 'warning', 'failed',
    'stopping', 'stopped', 'deleting', 'error'));

ALTER TABLE agents
  -- What the operator asked for last; the provisioner converges the runtime towards it.
  ADD COLUMN desired_state text NOT NULL DEFAULT 'running' CHECK (desired_state IN ('running', 'stopped', 'deleted')),
  ADD COLUMN vcpu numeric(5, 2) NOT NULL DEFAULT 1.5 CHECK (vcpu > 0 AND vcpu <= 256),
  ADD COLUMN memory_mb integer NOT NULL DEFAULT 2048 CHECK (memory_mb BETWEEN 128 AND 1048576),
  ADD COLUMN disk_gb integer NOT NULL DEFAULT 10 CHECK (disk_gb BETWEEN 1 AND 65536),
  -- A platform admin's image override; NULL runs the family's configured image.
  ADD COLUMN image text CHECK (image IS NULL OR length(image) BETWEEN 1 AND 512),
  -- The workspace providers this agent receives; NULL means all of them.
  ADD COLUMN provider_ids uuid[],
  ADD COLUMN status_reason text CHECK (length(status_reason) <= 2000),
  ADD COLUMN status_changed_at timestamptz NOT NULL DEFAULT now(),
  -- Where the agent's own gateway answers (OpenClaw 18789, Hermes 9119), like runtime_url.
  ADD COLUMN gateway_url text CHECK (gateway_url ~ '^https?://'),
  -- The OpenClaw gateway token (sealed), generated once per agent and kept across redeploys.
  ADD COLUMN gateway_token_sealed text,
  -- The backend's name for the runtime (the Docker container name), set by the provisioner.
  ADD COLUMN runtime_ref text CHECK (length(runtime_ref) <= 256),
  -- How the backend enforced the request, e.g. {"diskQuota": "not_enforced", "reason": "..."}.
  ADD COLUMN enforcement jsonb NOT NULL DEFAULT '{}';

-- Names are unique in a workspace (case-insensitively), so an operator and a script name one agent.
CREATE UNIQUE INDEX agents_workspace_name_idx ON agents (workspace_id, lower(name));
CREATE INDEX agents_workspace_status_idx ON agents (workspace_id, status);

-- An immutable record of what one deploy asked for. Never secret values: environment *names* only;
-- template files are operator content, stored to redeploy them, with their hashes.
CREATE TABLE agent_revisions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  number integer NOT NULL CHECK (number >= 1),
  runtime_family text NOT NULL,
  deploy_target text NOT NULL,
  sandbox_profile text NOT NULL,
  -- The image as asked for (tag or reference), and its content digest once the provisioner resolved it.
  image text NOT NULL CHECK (length(image) BETWEEN 1 AND 512),
  image_digest text CHECK (image_digest ~ '^sha256:[0-9a-f]{64}$'),
  vcpu numeric(5, 2) NOT NULL,
  memory_mb integer NOT NULL,
  disk_gb integer NOT NULL,
  provider_ids uuid[],
  env_names text[] NOT NULL DEFAULT '{}',
  -- {"path": "content"} of the template files, and {"path": "sha256 hex"} of the same.
  template jsonb NOT NULL DEFAULT '{}',
  bootstrap_hashes jsonb NOT NULL DEFAULT '{}',
  -- The revision this one was copied from (a rollback), if any.
  source_revision_id uuid REFERENCES agent_revisions (id) ON DELETE SET NULL,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (agent_id, number)
);

-- Revisions are immutable: the only change allowed is recording the image digest once.
CREATE FUNCTION agent_revisions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.image_digest IS NULL AND NEW.image_digest IS NOT NULL
     AND (to_jsonb(NEW) - 'image_digest') = (to_jsonb(OLD) - 'image_digest') THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'agent revisions are immutable' USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER agent_revisions_immutable BEFORE UPDATE ON agent_revisions
  FOR EACH ROW EXECUTE FUNCTION agent_revisions_immutable();

ALTER TABLE agents
  ADD COLUMN current_revision_id uuid REFERENCES agent_revisions (id) ON DELETE SET NULL;

-- One lifecycle operation the provisioner runs: the deployments queue's job id is this row's id.
CREATE TABLE deployments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  agent_id uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  revision_id uuid REFERENCES agent_revisions (id) ON DELETE SET NULL,
  action text NOT NULL CHECK (action IN ('deploy', 'redeploy', 'rollback', 'start', 'stop', 'restart', 'delete')),
  status text NOT NULL DEFAULT 'queued'
    CHECK (status IN ('queued', 'in_progress', 'succeeded', 'warning', 'failed', 'cancelled')),
  reason text CHECK (length(reason) <= 2000),
  attempts integer NOT NULL DEFAULT 0,
  -- Hashes of every file delivered to the runtime (generated config included) and the names of the
  -- secret environment it received; never a value.
  delivered jsonb NOT NULL DEFAULT '{}',
  -- Options of the action, e.g. {"keepData": true} for a delete.
  options jsonb NOT NULL DEFAULT '{}',
  requested_by uuid REFERENCES users (id) ON DELETE SET NULL,
  requested_by_key uuid REFERENCES api_keys (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  started_at timestamptz,
  finished_at timestamptz
);
CREATE INDEX deployments_agent_idx ON deployments (agent_id, created_at DESC);

-- What happened, for people and for monitoring: deployments and lifecycle actions write here.
-- agent_id has no foreign key: the history of a deleted agent stays readable.
CREATE TABLE events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  agent_id uuid,
  deployment_id uuid,
  type text NOT NULL CHECK (type ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$'),
  severity text NOT NULL CHECK (severity IN ('info', 'warning', 'error')),
  message text NOT NULL CHECK (length(message) <= 2000),
  metadata jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_workspace_idx ON events (workspace_id, id DESC);
CREATE INDEX events_agent_idx ON events (agent_id, id) WHERE agent_id IS NOT NULL;

-- Host ports published for agents (DOCKER_AGENT_ACCESS=published): the primary key is the guarantee.
CREATE TABLE agent_host_ports (
  port integer PRIMARY KEY CHECK (port BETWEEN 1024 AND 65535),
  agent_id uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  container_port integer NOT NULL CHECK (container_port BETWEEN 1 AND 65535),
  UNIQUE (agent_id, container_port)
);

-- Each agent runs on a network of its own, on the n-th subnet of DOCKER_AGENT_SUBNET_POOL.
CREATE TABLE agent_networks (
  agent_id uuid PRIMARY KEY REFERENCES agents (id) ON DELETE CASCADE,
  subnet_index integer NOT NULL UNIQUE CHECK (subnet_index >= 0)
);

-- A per-workspace agent quota set by a platform admin; NULL applies AGENT_QUOTA_PER_WORKSPACE.
ALTER TABLE workspaces ADD COLUMN agent_quota integer CHECK (agent_quota BETWEEN 0 AND 100000);

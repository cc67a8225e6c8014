-- Agents: the desired state of one agent runtime in a workspace. The provisioning work extends this
-- table (runtime endpoint, status transitions, resources); here it anchors per-agent secrets.

CREATE TABLE agents (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  runtime_family text NOT NULL DEFAULT 'openclaw' CHECK (runtime_family IN ('openclaw', 'hermes')),
  deploy_target text NOT NULL DEFAULT 'docker' CHECK (deploy_target IN ('docker', 'k8s', 'proxmox')),
  sandbox_profile text NOT NULL DEFAULT 'standard' CHECK (sandbox_profile IN ('standard', 'nemoclaw')),
  status text NOT NULL DEFAULT 'draft'
    CHECK (status IN ('draft', 'queued', 'provisioning', 'running', 'stopped', 'failed', 'deleting')),
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agents_workspace_idx ON agents (workspace_id, created_at);

-- Environment values an operator sets for one agent. The value is sealed (AES-256-GCM envelope bound
-- to this row); only the last four characters are kept in clear, for display.
CREATE TABLE agent_secret_overrides (
  id uuid PRIMARY KEY,
  agent_id uuid NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  name text NOT NULL CHECK (name ~ '^[A-Z][A-Z0-9_]{0,63}$'),
  value_sealed text NOT NULL,
  value_hint text NOT NULL,
  updated_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (agent_id, name)
);


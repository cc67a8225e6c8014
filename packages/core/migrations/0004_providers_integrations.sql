-- LLM providers, integrations and channels. Secrets live only in sealed columns (Nora v1 envelopes,
-- bound to table, column and row id); the hints beside them are the last 4 characters, or NULL.

CREATE TABLE llm_providers (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('anthropic', 'openai', 'gemini', 'openrouter', 'mistral', 'groq', 'ollama',
    'openai_compatible')),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  base_url text CHECK (base_url IS NULL OR length(base_url) <= 2048),
  default_model text CHECK (default_model IS NULL OR length(default_model) BETWEEN 1 AND 200),
  -- Sealed API key (envelope); NULL for keyless local runtimes.
  api_key text,
  key_hint text CHECK (key_hint IS NULL OR length(key_hint) <= 4),
  key_set_at timestamptz,
  is_default boolean NOT NULL DEFAULT false,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, name),
  CHECK (kind NOT IN ('ollama', 'openai_compatible') OR base_url IS NOT NULL)
);
CREATE INDEX llm_providers_workspace_idx ON llm_providers (workspace_id, created_at);
-- Exactly one default per workspace at most.
CREATE UNIQUE INDEX llm_providers_one_default ON llm_providers (workspace_id) WHERE is_default;

CREATE TABLE integrations (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('github', 'slack', 'telegram', 'discord', 'webhook', 'smtp')),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  -- Non-secret settings, validated by the kind's schema.
  config jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- Sealed JSON document of the secret fields; NULL when the kind's secrets are all unset.
  credentials text,
  -- { field: hint-or-null } for every secret field that is set.
  secret_hints jsonb NOT NULL DEFAULT '{}'::jsonb,
  credentials_set_at timestamptz,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, name)
);
CREATE INDEX integrations_workspace_idx ON integrations (workspace_id, created_at);

CREATE TABLE channels (
  id uuid PRIMARY KEY,
  workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
  -- The agent that talks through this channel; the foreign key arrives with the agents table.
  agent_id uuid,
  kind text NOT NULL CHECK (kind IN ('telegram', 'slack', 'discord', 'webhook')),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  config jsonb NOT NULL DEFAULT '{}'::jsonb,
  credentials text,
  secret_hints jsonb NOT NULL DEFAULT '{}'::jsonb,
  credentials_set_at timestamptz,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (workspace_id, name)
);
CREATE INDEX channels_workspace_idx ON channels (workspace_id, created_at);
CREATE INDEX channels_agent_idx ON channels (agent_id) WHERE agent_id IS NOT NULL;

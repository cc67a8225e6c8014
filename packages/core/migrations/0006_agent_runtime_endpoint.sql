-- Where a running agent's runtime server (port 9090) answers, and the per-agent token it requires.
-- Set by the provisioner; the token is sealed like every stored secret.
ALTER TABLE agents
  ADD COLUMN runtime_url text CHECK (runtime_url ~ '^https?://'),
  ADD COLUMN runtime_token_sealed text;

-- Channels attach to agents (the column predates the agents table).
ALTER TABLE channels
  ADD CONSTRAINT channels_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES agents (id) ON DELETE SET NULL;

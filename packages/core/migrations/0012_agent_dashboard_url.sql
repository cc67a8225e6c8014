-- Where the agent's own web dashboard answers (Hermes 9119), for a family that has one apart from its
-- gateway; NULL otherwise. Set by the provisioner like gateway_url, never shown in an API response.
ALTER TABLE agents
  ADD COLUMN dashboard_url text CHECK (dashboard_url ~ '^https?://');

-- The device Nora connects to an OpenClaw agent's gateway WebSocket as: an Ed25519 private key
-- (PKCS#8 PEM), sealed with ENCRYPTION_KEY and bound to the row and column like the agent's tokens.
-- Made by the provisioner at deploy; NULL for agents deployed before it (they are told to redeploy).
-- Never shown in an API response.
ALTER TABLE agents
  ADD COLUMN gateway_device_key_sealed text;

-- The API caches, next to its authentication lookups, which workspace owns an agent and the agent's
-- judged gateway address with its opened token (docs/runtime-access.md, "Performance"). Any change to
-- what those depend on, and any deletion, empties those caches on every API instance, like 0003: a
-- change the provisioner (or an operator's SQL) makes reaches every cache within milliseconds.
CREATE TRIGGER agents_access_changed AFTER UPDATE ON agents FOR EACH ROW
  WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.workspace_id IS DISTINCT FROM NEW.workspace_id
        OR OLD.runtime_family IS DISTINCT FROM NEW.runtime_family
        OR OLD.gateway_url IS DISTINCT FROM NEW.gateway_url
        OR OLD.dashboard_url IS DISTINCT FROM NEW.dashboard_url
        OR OLD.gateway_token_sealed IS DISTINCT FROM NEW.gateway_token_sealed)
  EXECUTE FUNCTION notify_auth_changed();
CREATE TRIGGER agents_access_deleted AFTER DELETE ON agents FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_changed();

-- Workspace records are cached next to the authentication lookups (see docs/security.md): any change
-- to one empties those caches on every API instance, like the access-changing triggers of 0003.
CREATE TRIGGER workspaces_changed AFTER UPDATE ON workspaces FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_changed();

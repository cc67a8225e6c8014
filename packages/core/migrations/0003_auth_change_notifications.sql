-- Every change that can take away access notifies the API instances (LISTEN nora_auth_changed), which
-- drop their in-process authentication caches. Triggers catch every path, including manual SQL.

CREATE FUNCTION notify_auth_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('nora_auth_changed', TG_TABLE_NAME);
  RETURN NULL;
END;
$$;

CREATE TRIGGER sessions_auth_changed AFTER UPDATE ON sessions FOR EACH ROW
  WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR NEW.expires_at < OLD.expires_at
        OR OLD.absolute_expires_at IS DISTINCT FROM NEW.absolute_expires_at)
  EXECUTE FUNCTION notify_auth_changed();
CREATE TRIGGER sessions_auth_deleted AFTER DELETE ON sessions FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_changed();

CREATE TRIGGER users_auth_changed AFTER UPDATE ON users FOR EACH ROW
  WHEN (OLD.role IS DISTINCT FROM NEW.role OR OLD.disabled_at IS DISTINCT FROM NEW.disabled_at
        OR OLD.email IS DISTINCT FROM NEW.email)
  EXECUTE FUNCTION notify_auth_changed();
CREATE TRIGGER users_auth_deleted AFTER DELETE ON users FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_changed();

CREATE TRIGGER workspace_members_auth_changed AFTER INSERT OR UPDATE OR DELETE ON workspace_members
  FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_changed();

CREATE TRIGGER api_keys_auth_changed AFTER UPDATE ON api_keys FOR EACH ROW
  WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at OR OLD.expires_at IS DISTINCT FROM NEW.expires_at
        OR OLD.scopes IS DISTINCT FROM NEW.scopes OR OLD.key_hash IS DISTINCT FROM NEW.key_hash)
  EXECUTE FUNCTION notify_auth_changed();
CREATE TRIGGER api_keys_auth_deleted AFTER DELETE ON api_keys FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_changed();

CREATE TRIGGER workspaces_auth_deleted AFTER DELETE ON workspaces FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_changed();

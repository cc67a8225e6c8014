-- Password reset by email (docs/security.md, "Password reset"). At most one live token per user:
-- asking again replaces it, using it deletes it, and it resets only the address it was mailed to.
CREATE TABLE password_reset_tokens (
  user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  email text NOT NULL,
  -- HMAC-SHA256 of the token; the token itself is never stored.
  token_hash bytea NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);

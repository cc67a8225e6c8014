-- Email verification for password accounts, and the end of OAuth sign-ins merging into accounts whose
-- address nobody proved (docs/security.md, "Email verification and linked sign-in methods").

-- At most one live verification token per user: issuing a new one replaces the old, using it deletes it.
CREATE TABLE email_verification_tokens (
  user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  -- The address the token was mailed to: it verifies that address and no other.
  email text NOT NULL,
  -- HMAC-SHA256 of the token; the token itself is never stored.
  token_hash bytea NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);

-- Existing accounts. Until now `email_verified` was true only where a provider vouched for the address
-- (an OAuth signup, or an OAuth sign-in merged by address) and for the bootstrap admin; password
-- signups never verified, and stay unverified: nothing proves who typed the address.
-- 1. Platform admins (the account that claimed the server, the bootstrap admin, admins an admin
--    promoted) count as verified, as the claim account now does at signup.
UPDATE users SET email_verified = true, updated_at = now() WHERE role = 'admin' AND NOT email_verified;

-- 2. Password accounts an OAuth sign-in was merged into by address (the old rule, the only writer of
--    `auth.oauth.linked`) may be pre-hijacked: whoever signed up with the address holds the password.
--    The provider identity proved the address, the password did not, so the password is cleared and
--    the account's sessions end; its owner keeps signing in through the linked provider. Admins are
--    left alone (they count as verified above).
WITH merged AS (
  SELECT DISTINCT u.id
  FROM users u
  JOIN user_identities i ON i.user_id = u.id
  JOIN audit_log a ON a.action = 'auth.oauth.linked' AND a.target_type = 'user_identity'
    AND a.target_id = i.id::text
  WHERE u.password_hash IS NOT NULL AND u.role <> 'admin'
), cleared AS (
  UPDATE users SET password_hash = NULL, updated_at = now() WHERE id IN (SELECT id FROM merged) RETURNING id
), ended AS (
  UPDATE sessions SET revoked_at = now(), revoked_reason = 'revoked'
  WHERE user_id IN (SELECT id FROM cleared) AND revoked_at IS NULL
)
INSERT INTO audit_log (actor_type, action, target_type, target_id, metadata)
SELECT 'system', 'auth.password_cleared', 'user', id::text, '{"reason": "merged_by_unverified_address"}'::jsonb
FROM cleared;

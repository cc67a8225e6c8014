import type { Queryable } from "@nora/core";

/** Stores the user's one live verification token, replacing any earlier one (which stops working). */
export async function replaceVerificationToken(
  db: Queryable,
  token: { userId: string; email: string; tokenHash: Buffer; expiresAt: Date },
): Promise<void> {
  await db.query(
    `INSERT INTO email_verification_tokens (user_id, email, token_hash, expires_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (user_id) DO UPDATE
       SET email = EXCLUDED.email, token_hash = EXCLUDED.token_hash, expires_at = EXCLUDED.expires_at,
         created_at = now()`,
    [token.userId, token.email, token.tokenHash, token.expiresAt],
  );
}

/**
 * Consumes the user's token with this hash (deleted whether or not it is still valid, so it works
 * once); returns what it was issued for. A token of another user is left alone.
 */
export async function takeVerificationToken(
  db: Queryable,
  userId: string,
  tokenHash: Buffer,
): Promise<{ email: string; expiresAt: Date } | undefined> {
  const { rows } = await db.query<{ email: string; expiresAt: Date }>(
    `DELETE FROM email_verification_tokens WHERE user_id = $1 AND token_hash = $2
     RETURNING email, expires_at AS "expiresAt"`,
    [userId, tokenHash],
  );
  return rows[0];
}

export async function deleteVerificationTokens(db: Queryable, userId: string): Promise<void> {
  await db.query("DELETE FROM email_verification_tokens WHERE user_id = $1", [userId]);
}

/** Marks the address verified; false when it already was. */
export async function markEmailVerified(db: Queryable, userId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    "UPDATE users SET email_verified = true, updated_at = now() WHERE id = $1 AND NOT email_verified",
    [userId],
  );
  return (rowCount ?? 0) > 0;
}

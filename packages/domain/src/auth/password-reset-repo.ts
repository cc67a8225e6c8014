import type { Queryable } from "@nora/core";

/** Stores the user's one live reset token, replacing any earlier one (which stops working). */
export async function replaceResetToken(
  db: Queryable,
  token: { userId: string; email: string; tokenHash: Buffer; expiresAt: Date },
): Promise<void> {
  await db.query(
    `INSERT INTO password_reset_tokens (user_id, email, token_hash, expires_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (user_id) DO UPDATE
       SET email = EXCLUDED.email, token_hash = EXCLUDED.token_hash, expires_at = EXCLUDED.expires_at,
         created_at = now()`,
    [token.userId, token.email, token.tokenHash, token.expiresAt],
  );
}

/** Consumes the token with this hash (deleted whether or not it is still valid, so it works once). */
export async function takeResetToken(
  db: Queryable,
  tokenHash: Buffer,
): Promise<{ userId: string; email: string; expiresAt: Date } | undefined> {
  const { rows } = await db.query<{ userId: string; email: string; expiresAt: Date }>(
    `DELETE FROM password_reset_tokens WHERE token_hash = $1
     RETURNING user_id AS "userId", email, expires_at AS "expiresAt"`,
    [tokenHash],
  );
  return rows[0];
}

export async function deleteResetTokens(db: Queryable, userId: string): Promise<void> {
  await db.query("DELETE FROM password_reset_tokens WHERE user_id = $1", [userId]);
}

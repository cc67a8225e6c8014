import type { Queryable } from "@nora/core";
import type { ProviderName } from "./providers/types.js";

export interface IdentityRow {
  id: string;
  userId: string;
  provider: ProviderName;
  subject: string;
  email: string | null;
}

const IDENTITY_COLUMNS = `id, user_id AS "userId", provider, subject, email`;

export async function findIdentity(
  db: Queryable,
  provider: ProviderName,
  subject: string,
): Promise<IdentityRow | undefined> {
  const { rows } = await db.query<IdentityRow>(
    `SELECT ${IDENTITY_COLUMNS} FROM user_identities WHERE provider = $1 AND subject = $2`,
    [provider, subject],
  );
  return rows[0];
}

export async function insertIdentity(
  db: Queryable,
  identity: { userId: string; provider: ProviderName; subject: string; email: string | null },
): Promise<IdentityRow> {
  const { rows } = await db.query<IdentityRow>(
    `INSERT INTO user_identities (user_id, provider, subject, email, last_login_at)
     VALUES ($1, $2, $3, $4, now())
     RETURNING ${IDENTITY_COLUMNS}`,
    [identity.userId, identity.provider, identity.subject, identity.email],
  );
  return rows[0] as IdentityRow;
}

export interface LinkedIdentity {
  id: string;
  provider: ProviderName;
  email: string | null;
  createdAt: Date;
  lastLoginAt: Date | null;
}

export async function listUserIdentities(db: Queryable, userId: string): Promise<LinkedIdentity[]> {
  const { rows } = await db.query<LinkedIdentity>(
    `SELECT id, provider, email, created_at AS "createdAt", last_login_at AS "lastLoginAt"
     FROM user_identities WHERE user_id = $1 ORDER BY created_at`,
    [userId],
  );
  return rows;
}

export async function deleteIdentity(db: Queryable, userId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query("DELETE FROM user_identities WHERE id = $1 AND user_id = $2", [
    id,
    userId,
  ]);
  return (rowCount ?? 0) > 0;
}

/** Records a sign-in through an identity, keeping the address the provider last reported. */
export async function touchIdentity(db: Queryable, id: string, email: string | null): Promise<void> {
  await db.query("UPDATE user_identities SET last_login_at = now(), email = $2 WHERE id = $1", [id, email]);
}

/** Serializes concurrent callbacks for one provider identity until the transaction ends. */
export async function lockIdentity(db: Queryable, provider: ProviderName, subject: string): Promise<void> {
  await db.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`nora:oauth:${provider}:${subject}`]);
}

import type { Queryable } from "@nora/core";

export interface UserRow {
  id: string;
  email: string;
  role: "user" | "admin";
  passwordHash: string | null;
  displayName: string | null;
  disabledAt: Date | null;
  emailVerified: boolean;
  createdAt: Date;
  lastLoginAt: Date | null;
}

const USER_COLUMNS = `id, email, role, password_hash AS "passwordHash", display_name AS "displayName",
  disabled_at AS "disabledAt", email_verified AS "emailVerified", created_at AS "createdAt",
  last_login_at AS "lastLoginAt"`;

export async function findUserByEmail(db: Queryable, email: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE email = $1`, [email]);
  return rows[0];
}

export async function findUserById(db: Queryable, id: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [id]);
  return rows[0];
}

export async function countUsers(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM users");
  return rows[0]?.n ?? 0;
}

/**
 * Inserts a user; the first user ever becomes platform admin, and its address counts as verified (the
 * operator claiming their own server). The caller holds `lockClaim` in the same transaction (admitSignup
 * takes it), so two concurrent first signups cannot both see an empty table.
 */
export async function insertUserClaimingIfFirst(
  db: Queryable,
  user: { email: string; passwordHash: string | null; emailVerified: boolean; displayName?: string | null },
): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(
    `INSERT INTO users (email, password_hash, email_verified, display_name, role)
     SELECT $1, $2, $3 OR NOT claimed, $4, CASE WHEN claimed THEN 'user' ELSE 'admin' END
     FROM (SELECT EXISTS (SELECT 1 FROM users) AS claimed) c
     ON CONFLICT (email) DO NOTHING
     RETURNING ${USER_COLUMNS}`,
    [user.email, user.passwordHash, user.emailVerified, user.displayName ?? null],
  );
  return rows[0];
}

/** Locks the user's row for the transaction (changes to their sign-in methods serialize on it). */
export async function lockUser(db: Queryable, id: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1 FOR UPDATE`, [
    id,
  ]);
  return rows[0];
}

export async function updatePassword(db: Queryable, userId: string, passwordHash: string): Promise<void> {
  await db.query(
    "UPDATE users SET password_hash = $2, password_changed_at = now(), updated_at = now() WHERE id = $1",
    [userId, passwordHash],
  );
}

export async function touchLogin(db: Queryable, userId: string): Promise<void> {
  await db.query("UPDATE users SET last_login_at = now() WHERE id = $1", [userId]);
}

export interface SessionRow {
  id: string;
  userId: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  absoluteExpiresAt: Date;
  ip: string | null;
  userAgent: string | null;
}

export async function insertSession(
  db: Queryable,
  s: {
    userId: string;
    expiresAt: Date;
    absoluteExpiresAt: Date;
    ip: string | null;
    userAgent: string | null;
  },
): Promise<SessionRow> {
  const { rows } = await db.query<SessionRow>(
    `INSERT INTO sessions (user_id, expires_at, absolute_expires_at, ip, user_agent)
     VALUES ($1, $2, $3, $4, left($5, 512))
     RETURNING id, user_id AS "userId", created_at AS "createdAt", last_seen_at AS "lastSeenAt",
       expires_at AS "expiresAt", absolute_expires_at AS "absoluteExpiresAt", host(ip) AS ip, user_agent AS "userAgent"`,
    [s.userId, s.expiresAt, s.absoluteExpiresAt, s.ip, s.userAgent],
  );
  return rows[0] as SessionRow;
}

export interface LiveSession {
  sessionId: string;
  userId: string;
  email: string;
  role: "user" | "admin";
  lastSeenAt: Date;
  expiresAt: Date;
  absoluteExpiresAt: Date;
}

/** A session that is not revoked, not expired, and whose user is not disabled: one indexed lookup. */
export async function findLiveSession(
  db: Queryable,
  sessionId: string,
  userId: string,
): Promise<LiveSession | undefined> {
  const { rows } = await db.query<LiveSession>(
    `SELECT s.id AS "sessionId", u.id AS "userId", u.email, u.role, s.last_seen_at AS "lastSeenAt",
       s.expires_at AS "expiresAt", s.absolute_expires_at AS "absoluteExpiresAt"
     FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.id = $1 AND s.user_id = $2 AND s.revoked_at IS NULL AND s.expires_at > now()
       AND s.absolute_expires_at > now() AND u.disabled_at IS NULL`,
    [sessionId, userId],
  );
  return rows[0];
}

/** Slides the idle expiry forward, never past the absolute one. */
export async function touchSession(db: Queryable, sessionId: string, idleTimeoutMs: number): Promise<void> {
  await db.query(
    `UPDATE sessions SET last_seen_at = now(),
       expires_at = least(absolute_expires_at, now() + ($2::bigint * interval '1 millisecond'))
     WHERE id = $1 AND revoked_at IS NULL`,
    [sessionId, idleTimeoutMs],
  );
}

export type RevokeReason = "logout" | "logout_all" | "password_changed" | "user_disabled" | "revoked";

export async function revokeSession(db: Queryable, sessionId: string, userId: string, reason: RevokeReason) {
  const { rowCount } = await db.query(
    "UPDATE sessions SET revoked_at = now(), revoked_reason = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL",
    [sessionId, userId, reason],
  );
  return (rowCount ?? 0) > 0;
}

export async function revokeUserSessions(
  db: Queryable,
  userId: string,
  reason: RevokeReason,
  exceptSessionId?: string,
) {
  const { rowCount } = await db.query(
    `UPDATE sessions SET revoked_at = now(), revoked_reason = $2
     WHERE user_id = $1 AND revoked_at IS NULL AND ($3::uuid IS NULL OR id <> $3)`,
    [userId, reason, exceptSessionId ?? null],
  );
  return rowCount ?? 0;
}

export async function listLiveSessions(db: Queryable, userId: string): Promise<SessionRow[]> {
  const { rows } = await db.query<SessionRow>(
    `SELECT id, user_id AS "userId", created_at AS "createdAt", last_seen_at AS "lastSeenAt", expires_at AS "expiresAt",
       absolute_expires_at AS "absoluteExpiresAt", host(ip) AS ip, user_agent AS "userAgent"
     FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now() AND absolute_expires_at > now()
     ORDER BY last_seen_at DESC`,
    [userId],
  );
  return rows;
}

/**
 * Serializes account creation with the claim until the transaction ends, so "is the server claimed?"
 * cannot change between the signup decision and the insert (insertUserClaimingIfFirst relies on it).
 */
export async function lockClaim(db: Queryable): Promise<void> {
  await db.query("SELECT pg_advisory_xact_lock(hashtext('nora:claim'))");
}

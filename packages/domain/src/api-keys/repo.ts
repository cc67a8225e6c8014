import type { Queryable } from "@nora/core";
import type { WorkspaceRole } from "../workspaces/roles.js";
import type { ApiKeyScope } from "./scopes.js";

export interface ApiKeyRow {
  id: string;
  workspaceId: string;
  createdBy: string;
  description: string;
  prefix: string;
  scopes: ApiKeyScope[];
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  rotatedFrom: string | null;
  createdAt: Date;
}

const COLUMNS = `id, workspace_id AS "workspaceId", created_by AS "createdBy", description, prefix, scopes,
  expires_at AS "expiresAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt", rotated_from AS "rotatedFrom",
  created_at AS "createdAt"`;

/** A key with everything that decides whether it may act (judged by `keyUsableAt`, never here). */
export interface KeyForAuth {
  id: string;
  keyHash: Buffer;
  workspaceId: string;
  scopes: ApiKeyScope[];
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  userId: string;
  email: string;
  userRole: "user" | "admin";
  creatorDisabledAt: Date | null;
  /** The creator's current role in the key's workspace; null once they are no longer a member. */
  creatorRole: WorkspaceRole | null;
}

/**
 * The key with this hash and its creator's standing, whatever its state: validity is decided by one
 * function for a fresh row and a cached one alike, so the two can never diverge.
 */
export async function findKeyByHash(db: Queryable, keyHash: Buffer): Promise<KeyForAuth | undefined> {
  const { rows } = await db.query<KeyForAuth>(
    `SELECT k.id, k.key_hash AS "keyHash", k.workspace_id AS "workspaceId", k.scopes, k.last_used_at AS "lastUsedAt",
       k.expires_at AS "expiresAt", k.revoked_at AS "revokedAt",
       u.id AS "userId", u.email, u.role AS "userRole", u.disabled_at AS "creatorDisabledAt", m.role AS "creatorRole"
     FROM api_keys k
     JOIN users u ON u.id = k.created_by
     LEFT JOIN workspace_members m ON m.workspace_id = k.workspace_id AND m.user_id = k.created_by
     WHERE k.key_hash = $1`,
    [keyHash],
  );
  return rows[0];
}

/** Records use at most once a minute per key, so a busy script does not write on every request. */
export async function touchKeyUse(db: Queryable, keyId: string): Promise<void> {
  await db.query(
    `UPDATE api_keys SET last_used_at = now()
     WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
    [keyId],
  );
}

export async function insertKey(
  db: Queryable,
  key: {
    workspaceId: string;
    createdBy: string;
    description: string;
    prefix: string;
    keyHash: Buffer;
    scopes: ApiKeyScope[];
    expiresAt: Date | null;
    rotatedFrom?: string;
  },
): Promise<ApiKeyRow> {
  const { rows } = await db.query<ApiKeyRow>(
    `INSERT INTO api_keys (workspace_id, created_by, description, prefix, key_hash, scopes, expires_at, rotated_from)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
    [
      key.workspaceId,
      key.createdBy,
      key.description,
      key.prefix,
      key.keyHash,
      key.scopes,
      key.expiresAt,
      key.rotatedFrom ?? null,
    ],
  );
  return rows[0] as ApiKeyRow;
}

export async function listKeys(db: Queryable, workspaceId: string): Promise<ApiKeyRow[]> {
  const { rows } = await db.query<ApiKeyRow>(
    `SELECT ${COLUMNS} FROM api_keys WHERE workspace_id = $1 ORDER BY created_at DESC`,
    [workspaceId],
  );
  return rows;
}

export async function findKey(
  db: Queryable,
  workspaceId: string,
  keyId: string,
): Promise<ApiKeyRow | undefined> {
  const { rows } = await db.query<ApiKeyRow>(
    `SELECT ${COLUMNS} FROM api_keys WHERE workspace_id = $1 AND id = $2`,
    [workspaceId, keyId],
  );
  return rows[0];
}

export async function revokeKey(
  db: Queryable,
  workspaceId: string,
  keyId: string,
): Promise<ApiKeyRow | undefined> {
  const { rows } = await db.query<ApiKeyRow>(
    `UPDATE api_keys SET revoked_at = now() WHERE workspace_id = $1 AND id = $2 AND revoked_at IS NULL
     RETURNING ${COLUMNS}`,
    [workspaceId, keyId],
  );
  return rows[0];
}

/**
 * Revokes every live key a user created (in one workspace, or everywhere), locking the keys in id order
 * so two such revocations (a removal and a disable) queue instead of deadlocking; a key the other one
 * revoked first is skipped, not revoked twice.
 */
export async function revokeKeysCreatedBy(
  db: Queryable,
  creator: { userId: string; workspaceId?: string },
): Promise<Array<{ id: string; workspaceId: string }>> {
  const { rows } = await db.query<{ id: string; workspaceId: string }>(
    `WITH live AS (
       SELECT id FROM api_keys
       WHERE created_by = $1 AND ($2::uuid IS NULL OR workspace_id = $2) AND revoked_at IS NULL
       ORDER BY id FOR UPDATE
     )
     UPDATE api_keys k SET revoked_at = now() FROM live WHERE k.id = live.id AND k.revoked_at IS NULL
     RETURNING k.id, k.workspace_id AS "workspaceId"`,
    [creator.userId, creator.workspaceId ?? null],
  );
  return rows.sort((x, y) => (x.id < y.id ? -1 : 1));
}

/**
 * Holds the creator's account row (shared) for the rest of the transaction, so a disable that would revoke
 * their keys waits for a key being minted and then revokes it too. False when the account is disabled.
 */
export async function lockEnabledCreator(db: Queryable, userId: string): Promise<boolean> {
  const { rows } = await db.query("SELECT 1 FROM users WHERE id = $1 AND disabled_at IS NULL FOR SHARE", [
    userId,
  ]);
  return rows.length > 0;
}

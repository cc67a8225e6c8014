import type { Queryable } from "@nora/core";
import type { WorkspaceRole } from "../workspaces/roles.js";

export interface InvitationRow {
  id: string;
  workspaceId: string;
  email: string;
  role: Exclude<WorkspaceRole, "owner">;
  invitedBy: string | null;
  createdAt: Date;
  expiresAt: Date;
  acceptedAt: Date | null;
  acceptedBy: string | null;
  revokedAt: Date | null;
}

const COLUMNS = `id, workspace_id AS "workspaceId", email, role, invited_by AS "invitedBy", created_at AS "createdAt",
  expires_at AS "expiresAt", accepted_at AS "acceptedAt", accepted_by AS "acceptedBy", revoked_at AS "revokedAt"`;

export async function insertInvitation(
  db: Queryable,
  inv: {
    workspaceId: string;
    email: string;
    role: string;
    tokenHash: Buffer;
    invitedBy: string;
    expiresAt: Date;
  },
): Promise<InvitationRow> {
  const { rows } = await db.query<InvitationRow>(
    `INSERT INTO workspace_invitations (workspace_id, email, role, token_hash, invited_by, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
    [inv.workspaceId, inv.email, inv.role, inv.tokenHash, inv.invitedBy, inv.expiresAt],
  );
  return rows[0] as InvitationRow;
}

export async function listInvitations(db: Queryable, workspaceId: string): Promise<InvitationRow[]> {
  const { rows } = await db.query<InvitationRow>(
    `SELECT ${COLUMNS} FROM workspace_invitations WHERE workspace_id = $1 ORDER BY created_at DESC`,
    [workspaceId],
  );
  return rows;
}

export async function revokeInvitation(db: Queryable, workspaceId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE workspace_invitations SET revoked_at = now()
     WHERE workspace_id = $1 AND id = $2 AND revoked_at IS NULL AND accepted_at IS NULL`,
    [workspaceId, id],
  );
  return (rowCount ?? 0) > 0;
}

/** Locks the invitation with this token hash for the accepting transaction (single use). */
export async function lockInvitationByHash(
  db: Queryable,
  tokenHash: Buffer,
): Promise<InvitationRow | undefined> {
  const { rows } = await db.query<InvitationRow>(
    `SELECT ${COLUMNS} FROM workspace_invitations WHERE token_hash = $1 FOR UPDATE`,
    [tokenHash],
  );
  return rows[0];
}

export async function markAccepted(db: Queryable, id: string, userId: string): Promise<void> {
  await db.query("UPDATE workspace_invitations SET accepted_at = now(), accepted_by = $2 WHERE id = $1", [
    id,
    userId,
  ]);
}

/** Whether any workspace has a pending (unaccepted, unrevoked, unexpired) invitation for this address. */
export async function hasPendingInvitation(db: Queryable, email: string): Promise<boolean> {
  const { rows } = await db.query<{ pending: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM workspace_invitations WHERE email = $1 AND accepted_at IS NULL
       AND revoked_at IS NULL AND expires_at > now()) AS pending`,
    [email],
  );
  return rows[0]?.pending ?? false;
}

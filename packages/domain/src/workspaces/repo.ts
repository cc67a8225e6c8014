import type { Queryable } from "@nora/core";
import type { WorkspaceRole } from "./roles.js";

export interface WorkspaceRow {
  id: string;
  name: string;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface MemberRow {
  userId: string;
  email: string;
  displayName: string | null;
  role: WorkspaceRole;
  joinedAt: Date;
}

const WS_COLUMNS = `w.id, w.name, w.created_by AS "createdBy", w.created_at AS "createdAt", w.updated_at AS "updatedAt"`;

export async function findRole(
  db: Queryable,
  workspaceId: string,
  userId: string,
): Promise<WorkspaceRole | null> {
  const { rows } = await db.query<{ role: WorkspaceRole }>(
    "SELECT role FROM workspace_members WHERE workspace_id = $1 AND user_id = $2",
    [workspaceId, userId],
  );
  return rows[0]?.role ?? null;
}

export async function insertWorkspace(db: Queryable, name: string, ownerId: string): Promise<WorkspaceRow> {
  const { rows } = await db.query<WorkspaceRow>(
    `WITH w AS (INSERT INTO workspaces (name, created_by) VALUES ($1, $2) RETURNING *),
          m AS (INSERT INTO workspace_members (workspace_id, user_id, role) SELECT id, $2, 'owner' FROM w)
     SELECT ${WS_COLUMNS} FROM w`,
    [name, ownerId],
  );
  return rows[0] as WorkspaceRow;
}

export async function listWorkspacesFor(
  db: Queryable,
  userId: string,
): Promise<Array<WorkspaceRow & { role: WorkspaceRole }>> {
  const { rows } = await db.query<WorkspaceRow & { role: WorkspaceRole }>(
    `SELECT ${WS_COLUMNS}, m.role FROM workspaces w JOIN workspace_members m ON m.workspace_id = w.id
     WHERE m.user_id = $1 ORDER BY w.created_at`,
    [userId],
  );
  return rows;
}

export async function findWorkspace(db: Queryable, id: string): Promise<WorkspaceRow | undefined> {
  const { rows } = await db.query<WorkspaceRow>(`SELECT ${WS_COLUMNS} FROM workspaces w WHERE w.id = $1`, [
    id,
  ]);
  return rows[0];
}

export async function renameWorkspace(
  db: Queryable,
  id: string,
  name: string,
): Promise<WorkspaceRow | undefined> {
  const { rows } = await db.query<WorkspaceRow>(
    `UPDATE workspaces w SET name = $2, updated_at = now() WHERE id = $1 RETURNING ${WS_COLUMNS}`,
    [id, name],
  );
  return rows[0];
}

export async function deleteWorkspace(db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query("DELETE FROM workspaces WHERE id = $1", [id]);
  return (rowCount ?? 0) > 0;
}

export async function listMembers(db: Queryable, workspaceId: string): Promise<MemberRow[]> {
  const { rows } = await db.query<MemberRow>(
    `SELECT u.id AS "userId", u.email, u.display_name AS "displayName", m.role, m.created_at AS "joinedAt"
     FROM workspace_members m JOIN users u ON u.id = m.user_id WHERE m.workspace_id = $1 ORDER BY m.created_at`,
    [workspaceId],
  );
  return rows;
}

/**
 * Locks the workspace's member rows, always in user id order (two transactions locking the same rows
 * queue rather than deadlock), so role checks, owner counts and changes cannot interleave.
 */
export async function lockMembers(
  db: Queryable,
  workspaceId: string,
): Promise<Array<{ userId: string; role: WorkspaceRole }>> {
  const { rows } = await db.query<{ userId: string; role: WorkspaceRole }>(
    `SELECT user_id AS "userId", role FROM workspace_members WHERE workspace_id = $1 ORDER BY user_id FOR UPDATE`,
    [workspaceId],
  );
  return rows;
}

export async function setMemberRole(db: Queryable, workspaceId: string, userId: string, role: WorkspaceRole) {
  await db.query(
    "UPDATE workspace_members SET role = $3, updated_at = now() WHERE workspace_id = $1 AND user_id = $2",
    [workspaceId, userId, role],
  );
}

export async function removeMember(db: Queryable, workspaceId: string, userId: string) {
  await db.query("DELETE FROM workspace_members WHERE workspace_id = $1 AND user_id = $2", [
    workspaceId,
    userId,
  ]);
}

export async function addMember(db: Queryable, workspaceId: string, userId: string, role: WorkspaceRole) {
  const { rowCount } = await db.query(
    `INSERT INTO workspace_members (workspace_id, user_id, role) VALUES ($1, $2, $3)
     ON CONFLICT (workspace_id, user_id) DO NOTHING`,
    [workspaceId, userId, role],
  );
  return (rowCount ?? 0) > 0;
}

import type { Queryable } from "@nora/core";

export interface AdminUserRow {
  id: string;
  email: string;
  role: "user" | "admin";
  displayName: string | null;
  disabledAt: Date | null;
  createdAt: Date;
  lastLoginAt: Date | null;
  workspaceCount: number;
}

export async function listUsers(db: Queryable, filter: { q?: string; limit: number; offset: number }) {
  const { rows } = await db.query<AdminUserRow>(
    `SELECT u.id, u.email, u.role, u.display_name AS "displayName", u.disabled_at AS "disabledAt",
       u.created_at AS "createdAt", u.last_login_at AS "lastLoginAt",
       (SELECT count(*)::int FROM workspace_members m WHERE m.user_id = u.id) AS "workspaceCount"
     FROM users u WHERE ($1::text IS NULL OR u.email LIKE '%' || $1 || '%')
     ORDER BY u.created_at LIMIT $2 OFFSET $3`,
    [filter.q ?? null, filter.limit, filter.offset],
  );
  return rows;
}

/** Locks every admin row so "keep at least one active admin" cannot be raced. */
export async function lockActiveAdmins(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    "SELECT id FROM users WHERE role = 'admin' AND disabled_at IS NULL ORDER BY id FOR UPDATE",
  );
  return rows.map((r) => r.id);
}

export async function updateUser(
  db: Queryable,
  userId: string,
  change: { role?: "user" | "admin"; disabled?: boolean },
): Promise<AdminUserRow | undefined> {
  const { rows } = await db.query<AdminUserRow>(
    `UPDATE users SET role = coalesce($2, role),
       disabled_at = CASE WHEN $3::boolean IS NULL THEN disabled_at WHEN $3 THEN coalesce(disabled_at, now()) ELSE NULL END,
       updated_at = now()
     WHERE id = $1
     RETURNING id, email, role, display_name AS "displayName", disabled_at AS "disabledAt", created_at AS "createdAt",
       last_login_at AS "lastLoginAt", 0 AS "workspaceCount"`,
    [userId, change.role ?? null, change.disabled ?? null],
  );
  return rows[0];
}

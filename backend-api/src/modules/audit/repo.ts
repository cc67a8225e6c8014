import type { Queryable } from "@nora/core";
import type { AuditRecord } from "./schema.js";

export interface AuditRow {
  actorType: string;
  actorUserId: string | null;
  actorApiKeyId: string | null;
  workspaceId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  requestId: string | null;
  ip: string | null;
  metadata: Record<string, unknown>;
}

const COLUMNS = `id::text, occurred_at AS "occurredAt", actor_type AS "actorType", actor_user_id AS "actorUserId",
  actor_api_key_id AS "actorApiKeyId", workspace_id AS "workspaceId", action, target_type AS "targetType",
  target_id AS "targetId", request_id AS "requestId", host(ip) AS ip, metadata`;

/** Inserts only: the table refuses UPDATE, DELETE and TRUNCATE by trigger. */
export async function insertAuditRow(db: Queryable, row: AuditRow): Promise<AuditRecord> {
  const { rows } = await db.query<AuditRecord>(
    `INSERT INTO audit_log (actor_type, actor_user_id, actor_api_key_id, workspace_id, action, target_type, target_id,
       request_id, ip, metadata)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     RETURNING ${COLUMNS}`,
    [
      row.actorType,
      row.actorUserId,
      row.actorApiKeyId,
      row.workspaceId,
      row.action,
      row.targetType,
      row.targetId,
      row.requestId,
      row.ip,
      JSON.stringify(row.metadata),
    ],
  );
  return rows[0] as AuditRecord;
}

export async function listAuditRows(
  db: Queryable,
  filter: { workspaceId?: string; limit: number; beforeId?: string },
): Promise<AuditRecord[]> {
  const { rows } = await db.query<AuditRecord>(
    `SELECT ${COLUMNS} FROM audit_log
     WHERE ($1::uuid IS NULL OR workspace_id = $1) AND ($2::bigint IS NULL OR id < $2)
     ORDER BY id DESC LIMIT $3`,
    [filter.workspaceId ?? null, filter.beforeId ?? null, filter.limit],
  );
  return rows;
}

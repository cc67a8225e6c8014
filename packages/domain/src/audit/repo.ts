import type { Queryable } from "@nora/core";
import type { AuditRecord } from "./schema.js";

/** What an insert provides; the database adds the id and the time. */
export type AuditRow = Omit<AuditRecord, "id" | "occurredAt">;

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

export interface AuditFilter {
  workspaceId?: string;
  actorUserId?: string;
  action?: string;
  from?: Date;
  to?: Date;
  beforeId?: string;
  limit: number;
}

/** Newest first, keyset-paginated by id (`beforeId`). */
export async function listAuditRows(db: Queryable, filter: AuditFilter): Promise<AuditRecord[]> {
  const { rows } = await db.query<AuditRecord>(
    `SELECT ${COLUMNS} FROM audit_log
     WHERE ($1::uuid IS NULL OR workspace_id = $1) AND ($2::uuid IS NULL OR actor_user_id = $2)
       AND ($3::text IS NULL OR action = $3 OR action LIKE $3 || '.%')
       AND ($4::timestamptz IS NULL OR occurred_at >= $4) AND ($5::timestamptz IS NULL OR occurred_at < $5)
       AND ($6::bigint IS NULL OR id < $6)
     ORDER BY audit_log.id DESC LIMIT $7`,
    [
      filter.workspaceId ?? null,
      filter.actorUserId ?? null,
      filter.action ?? null,
      filter.from ?? null,
      filter.to ?? null,
      filter.beforeId ?? null,
      filter.limit,
    ],
  );
  return rows;
}

import { type Pool, type Queryable, redactDeep } from "@nora/core";
import { type AuditFilter, insertAuditRow, listAuditRows } from "./repo.js";
import { type AuditEntry, type AuditRecord, auditEntrySchema } from "./schema.js";

/**
 * Records one audited action. Callers pass the transaction that made the change so the record
 * exists exactly when the change does. Metadata passes through the log redactor: secrets never land here.
 */
export async function recordAudit(db: Queryable, entry: AuditEntry): Promise<AuditRecord> {
  const e = auditEntrySchema.parse(entry);
  return insertAuditRow(db, {
    actorType: e.actor.type,
    actorUserId:
      e.actor.type === "user" ? e.actor.userId : e.actor.type === "api_key" ? (e.actor.userId ?? null) : null,
    actorApiKeyId: e.actor.type === "api_key" ? e.actor.apiKeyId : null,
    workspaceId: e.workspaceId ?? null,
    action: e.action,
    targetType: e.target?.type ?? null,
    targetId: e.target?.id ?? null,
    requestId: e.requestId ?? null,
    ip: e.ip ?? null,
    metadata: redactDeep(e.metadata) as Record<string, unknown>,
  });
}

/** A page of audit records (newest first) and the cursor for the next one. */
export async function listAudit(db: Queryable, filter: Omit<AuditFilter, "limit"> & { limit?: number }) {
  const limit = Math.min(filter.limit ?? 50, 1_000);
  const records = await listAuditRows(db, { ...filter, limit });
  return { records, nextBefore: records.length === limit ? records[records.length - 1]?.id : undefined };
}

/** Reading the audit trail (writing happens inside each audited change, through `recordAudit`). */
export function createAuditService(deps: { pool: Pool }) {
  return {
    list: (filter: Parameters<typeof listAudit>[1]) => listAudit(deps.pool, filter),
  };
}
export type AuditService = ReturnType<typeof createAuditService>;

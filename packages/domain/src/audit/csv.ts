import type { AuditRecord } from "./schema.js";

const HEADER = [
  "id",
  "occurred_at",
  "actor_type",
  "actor_user_id",
  "actor_api_key_id",
  "workspace_id",
  "action",
  "target_type",
  "target_id",
  "request_id",
  "ip",
  "metadata",
];

/** RFC 4180 quoting, plus a leading apostrophe on cells a spreadsheet would run as a formula. */
function cell(value: unknown): string {
  let text =
    value === null || value === undefined ? "" : value instanceof Date ? value.toISOString() : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function auditCsvHeader(): string {
  return `${HEADER.join(",")}\r\n`;
}

export function auditCsvRow(r: AuditRecord): string {
  return `${[
    r.id,
    r.occurredAt,
    r.actorType,
    r.actorUserId,
    r.actorApiKeyId,
    r.workspaceId,
    r.action,
    r.targetType,
    r.targetId,
    r.requestId,
    r.ip,
    JSON.stringify(r.metadata),
  ]
    .map(cell)
    .join(",")}\r\n`;
}

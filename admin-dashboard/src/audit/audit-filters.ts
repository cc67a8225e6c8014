import type { FormErrors } from "@nora/ui";

export interface AuditFilters {
  workspaceId: string;
  actorUserId: string;
  action: string;
  /** As a datetime-local input holds it (local time, no zone). */
  from: string;
  to: string;
}

export const NO_AUDIT_FILTERS: AuditFilters = {
  workspaceId: "",
  actorUserId: "",
  action: "",
  from: "",
  to: "",
};
export const AUDIT_FIELDS = ["workspaceId", "actorUserId", "action", "from", "to"] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ACTION = /^[a-z0-9_.:-]{1,100}$/;

/** A local datetime-local value as the ISO instant the API takes; undefined when it is not a time. */
export function isoOf(local: string): string | undefined {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** Checks the filters before asking, in the words the API would use. */
export function validateAuditFilters(values: Readonly<Record<string, string | undefined>>): FormErrors {
  const fields: Record<string, string> = {};
  const value = (name: string) => (values[name] ?? "").trim();
  for (const name of ["workspaceId", "actorUserId"]) {
    if (value(name) && !UUID.test(value(name))) fields[name] = "Enter a full id (a UUID)";
  }
  if (value("action") && !ACTION.test(value("action"))) {
    fields.action = "Lowercase letters, digits and . _ : - only, e.g. admin or auth.login";
  }
  const from = isoOf(value("from"));
  const to = isoOf(value("to"));
  if (value("from") && !from) fields.from = "Enter a date and time";
  if (value("to") && !to) fields.to = "Enter a date and time";
  if (from && to && from > to) fields.to = "The end comes before the start";
  return { fields, form: [] };
}

/** The query of GET /api/admin/audit: set filters only, times as ISO instants. */
export function auditQuery(
  filters: AuditFilters,
  extra: { before?: string; format?: "csv"; limit?: number } = {},
) {
  const query: Record<string, string> = {};
  if (filters.workspaceId.trim()) query.workspaceId = filters.workspaceId.trim();
  if (filters.actorUserId.trim()) query.actorUserId = filters.actorUserId.trim();
  if (filters.action.trim()) query.action = filters.action.trim();
  const from = isoOf(filters.from);
  const to = isoOf(filters.to);
  if (from) query.from = from;
  if (to) query.to = to;
  if (extra.before) query.before = extra.before;
  if (extra.limit) query.limit = String(extra.limit);
  if (extra.format) query.format = extra.format;
  return query;
}

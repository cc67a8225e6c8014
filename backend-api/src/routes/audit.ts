import { API } from "@nora/api-contract";
import { auditCsvHeader, auditCsvRow } from "@nora/domain/audit/csv";
import type { AuditService } from "@nora/domain/audit/service";
import { type Response, Router } from "express";
import { workspaceOf } from "../http/auth-context.js";
import type { Requires } from "../http/authorize.js";
import { mount } from "../http/mount.js";

const CSV_MAX_ROWS = 50_000;

function filterFrom(q: {
  actorUserId?: string;
  action?: string;
  from?: Date;
  to?: Date;
  before?: string;
  limit?: number;
}) {
  return {
    ...(q.actorUserId ? { actorUserId: q.actorUserId } : {}),
    ...(q.action ? { action: q.action } : {}),
    ...(q.from ? { from: q.from } : {}),
    ...(q.to ? { to: q.to } : {}),
    ...(q.before ? { beforeId: q.before } : {}),
    ...(q.limit ? { limit: q.limit } : {}),
  };
}

export function auditRoutes(deps: { audit: AuditService; requires: Requires }): Router {
  const { audit, requires } = deps;
  const router = Router();

  mount(router, requires, API.workspaces.audit, async (req, _res, { query }, reply) => {
    reply(200, await audit.list({ ...filterFrom(query), workspaceId: workspaceOf(req).workspaceId }));
  });

  mount(router, requires, API.admin.audit, async (_req, res, { query }, reply) => {
    const filter = {
      ...filterFrom(query),
      ...(query.workspaceId ? { workspaceId: query.workspaceId } : {}),
    };
    if (query.format === "csv") return streamCsv(res, audit, filter);
    reply(200, await audit.list(filter));
  });

  return router;
}

/** Pages through the filter with the keyset cursor, writing CSV as it goes (bounded memory). */
async function streamCsv(res: Response, audit: AuditService, filter: Parameters<AuditService["list"]>[0]) {
  res.status(200).set({
    "Content-Type": "text/csv; charset=utf-8",
    "Content-Disposition": `attachment; filename="nora-audit-${new Date().toISOString().slice(0, 10)}.csv"`,
  });
  res.write(auditCsvHeader());
  let before = filter.beforeId;
  let written = 0;
  while (written < CSV_MAX_ROWS && !res.destroyed) {
    const page = await audit.list({ ...filter, limit: 1_000, ...(before ? { beforeId: before } : {}) });
    for (const record of page.records) res.write(auditCsvRow(record));
    written += page.records.length;
    if (!page.nextBefore) break;
    before = page.nextBefore;
  }
  res.end();
}

"use client";

import { urlOf } from "@nora/api-client";
import { adminRoutes } from "@nora/api-contract";
import { Button, ButtonLink, type Column, Table, useToast } from "@nora/ui";
import { useState } from "react";
import { api } from "../api";
import { toastError } from "../errors";
import { formatTime, shortId } from "../format";
import { LoadFailure } from "../load-failure";
import type { AuditRecord } from "../types";
import { useRemote } from "../use-remote";
import { AuditFilterForm } from "./audit-filter-form";
import { type AuditFilters, auditQuery, NO_AUDIT_FILTERS } from "./audit-filters";

const PAGE = 100;

const columns: Column<AuditRecord>[] = [
  { key: "time", header: "When", sortValue: (r) => r.occurredAt, cell: (r) => formatTime(r.occurredAt) },
  { key: "action", header: "Action", rowHeader: true, sortValue: (r) => r.action, cell: (r) => r.action },
  {
    key: "actor",
    header: "Actor",
    sortValue: (r) => r.actorUserId ?? r.actorApiKeyId ?? r.actorType,
    cell: (r) => (
      <span className="nora-code-cell" title={r.actorUserId ?? r.actorApiKeyId ?? undefined}>
        {r.actorType === "system"
          ? "system"
          : `${r.actorType === "api_key" ? "key" : "user"} ${shortId(r.actorUserId ?? r.actorApiKeyId)}`}
      </span>
    ),
  },
  {
    key: "workspace",
    header: "Workspace",
    sortValue: (r) => r.workspaceId,
    cell: (r) => (
      <span className="nora-code-cell" title={r.workspaceId ?? undefined}>
        {shortId(r.workspaceId)}
      </span>
    ),
  },
  {
    key: "target",
    header: "Target",
    cell: (r) => (r.targetType ? `${r.targetType} ${shortId(r.targetId)}` : "—"),
  },
  { key: "ip", header: "Address", cell: (r) => r.ip ?? "—" },
  {
    key: "request",
    header: "Request id",
    cell: (r) => <span className="nora-code-cell">{r.requestId ?? "—"}</span>,
  },
];

export function AuditPage() {
  const toast = useToast();
  const [filters, setFilters] = useState<AuditFilters>(NO_AUDIT_FILTERS);
  const [older, setOlder] = useState<{ records: AuditRecord[]; nextBefore?: string | undefined }[]>([]);
  const { loaded, reload, set } = useRemote("audit", () =>
    api.call(adminRoutes.audit, { query: auditQuery(NO_AUDIT_FILTERS, { limit: PAGE }) }),
  );

  const apply = async (next: AuditFilters) => {
    const page = await api.call(adminRoutes.audit, { query: auditQuery(next, { limit: PAGE }) });
    setFilters(next);
    setOlder([]);
    set(page);
  };

  const pages = loaded.state === "ready" ? [loaded.value, ...older] : [];
  const records = pages.flatMap((p) => p.records);
  const nextBefore = pages[pages.length - 1]?.nextBefore;

  const loadOlder = async () => {
    if (!nextBefore) return;
    try {
      const page = await api.call(adminRoutes.audit, {
        query: auditQuery(filters, { limit: PAGE, before: nextBefore }),
      });
      setOlder((sofar) => [...sofar, page]);
    } catch (error) {
      toastError(toast, "Could not load older records", error);
    }
  };

  const csvHref = urlOf(adminRoutes.audit, { query: auditQuery(filters, { format: "csv" }) });

  return (
    <>
      <div className="nora-page-head">
        <h1>Audit log</h1>
        <ButtonLink href={csvHref} download="nora-audit.csv" variant="secondary">
          Export CSV
        </ButtonLink>
      </div>
      <AuditFilterForm filters={filters} onApply={apply} />
      {loaded.state === "failed" ? (
        <LoadFailure what="the audit log" error={loaded.error} onRetry={() => void reload()} />
      ) : (
        <Table
          caption="Audit records, newest first"
          captionHidden
          columns={columns}
          rows={records}
          rowKey={(r) => r.id}
          loading={loaded.state === "loading"}
          emptyMessage="No record matches these filters."
        />
      )}
      {nextBefore ? (
        <div className="nora-pager">
          <Button variant="secondary" size="sm" onClick={() => void loadOlder()}>
            Older records
          </Button>
        </div>
      ) : null}
    </>
  );
}

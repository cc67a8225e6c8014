"use client";

import type { CallOutput } from "@nora/api-client";
import { workspaceRoutes } from "@nora/api-contract";
import { Button, type Column, formErrorsFrom, Notice, Table } from "@nora/ui";
import { useState } from "react";
import { api } from "../api";
import { atLeast } from "../roles";
import { useCurrentWorkspace } from "../workspaces";
import { AuditFilterForm, type AuditFilters } from "./audit-filters";
import { formatTime } from "./format";
import { LoadFailed } from "./load-state";
import { useRemote } from "./use-remote";

type AuditRecord = CallOutput<typeof workspaceRoutes.audit>["records"][number];
const PAGE_SIZE = 50;

export function AuditSection() {
  const workspace = useCurrentWorkspace();
  if (!workspace) return null;
  if (!atLeast(workspace.role, "admin")) {
    return (
      <Notice tone="info" title="The audit log is for admins">
        You are {workspace.role} in this workspace: admins and owners read who changed what.
      </Notice>
    );
  }
  return <AuditLog workspaceId={workspace.id} />;
}

/** A metadata object as short `key: value` text. */
export function describeMetadata(metadata: Record<string, unknown>): string {
  return Object.entries(metadata)
    .map(([key, value]) => {
      const shown =
        typeof value === "string" ? value : Array.isArray(value) ? value.join(", ") : JSON.stringify(value);
      return `${key}: ${shown}`;
    })
    .join(" · ");
}

function AuditLog({ workspaceId }: { workspaceId: string }) {
  const [filters, setFilters] = useState<AuditFilters>({});
  // The cursors of the pages shown so far: the last one is the page on screen.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const before = cursors[cursors.length - 1];
  const members = useRemote(
    workspaceId,
    async () => (await api.call(workspaceRoutes.members, { params: { id: workspaceId } })).members,
  );
  const page = useRemote(`${workspaceId}:${JSON.stringify(filters)}:${before ?? ""}`, () =>
    api.call(workspaceRoutes.audit, {
      params: { id: workspaceId },
      query: { ...filters, ...(before ? { before } : {}), limit: String(PAGE_SIZE) },
    }),
  );
  const emails = new Map((members.value ?? []).map((m) => [m.userId, m.email]));
  const actorOf = (r: AuditRecord) => {
    if (r.actorType === "system") return "Nora";
    if (r.actorType === "api_key") return `API key ${r.actorApiKeyId?.slice(0, 8) ?? ""}`;
    return r.actorUserId ? (emails.get(r.actorUserId) ?? `user ${r.actorUserId.slice(0, 8)}`) : "unknown";
  };
  const columns: Column<AuditRecord>[] = [
    { key: "time", header: "When", cell: (r) => formatTime(r.occurredAt) },
    { key: "actor", header: "Who", cell: actorOf },
    { key: "action", header: "Action", rowHeader: true, cell: (r) => <code>{r.action}</code> },
    {
      key: "target",
      header: "Target",
      cell: (r) => (r.targetType ? `${r.targetType} ${r.targetId ?? ""}` : "—"),
    },
    { key: "details", header: "Details", cell: (r) => describeMetadata(r.metadata) || "—" },
    { key: "request", header: "Request id", cell: (r) => (r.requestId ? <code>{r.requestId}</code> : "—") },
  ];
  const filterErrors = page.state === "failed" ? formErrorsFrom(page.error).fields : {};
  const apply = (next: AuditFilters) => {
    setFilters(next);
    setCursors([undefined]);
  };

  return (
    <section aria-labelledby="audit-heading">
      <div className="nora-section-toolbar">
        <h2 id="audit-heading">Audit log</h2>
      </div>
      <AuditFilterForm
        actors={(members.value ?? []).map((m) => ({ value: m.userId, label: m.email }))}
        errors={filterErrors}
        onApply={apply}
      />
      {page.state === "failed" ? <LoadFailed what="audit log" error={page.error} /> : null}
      <Table
        caption="Audit records, newest first"
        captionHidden
        columns={columns}
        rows={page.value?.records ?? []}
        rowKey={(r) => r.id}
        loading={page.state === "loading"}
        emptyMessage="No records match."
        presorted
      />
      <div className="nora-row-actions">
        <Button variant="secondary" disabled={cursors.length === 1} onClick={() => setCursors([undefined])}>
          Newest
        </Button>
        <Button
          variant="secondary"
          disabled={cursors.length === 1}
          onClick={() => setCursors((c) => c.slice(0, -1))}
        >
          Newer
        </Button>
        <Button
          variant="secondary"
          disabled={!page.value?.nextBefore}
          onClick={() => setCursors((c) => [...c, page.value?.nextBefore])}
        >
          Older
        </Button>
      </div>
    </section>
  );
}

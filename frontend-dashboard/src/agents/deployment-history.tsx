"use client";

import type { CallOutput } from "@nora/api-client";
import type { agentLifecycleRoutes } from "@nora/api-contract";
import { Button, type Column, Table, type Tone } from "@nora/ui";
import { formatDateTime, formatDuration, formatMemory } from "./format";

export type Deployment = CallOutput<typeof agentLifecycleRoutes.deployments>["deployments"][number];
export type Revision = CallOutput<typeof agentLifecycleRoutes.revisions>["revisions"][number];

const DEPLOYMENT_TONE: Record<string, Tone> = {
  queued: "info",
  in_progress: "info",
  succeeded: "success",
  warning: "warning",
  failed: "danger",
  cancelled: "neutral",
};

function DeploymentStatus({ status }: { status: string }) {
  const tone = DEPLOYMENT_TONE[status] ?? "neutral";
  return (
    <span className={`nora-badge nora-badge--${tone}`} data-status={status}>
      <span className="nora-badge-dot" aria-hidden="true" />
      {status.replace("_", " ")}
    </span>
  );
}

/** Deployments newest first: action, outcome, how long it took, and why it failed. */
export function DeploymentsTable({
  deployments,
  loading,
}: {
  deployments: readonly Deployment[];
  loading: boolean;
}) {
  const columns: Column<Deployment>[] = [
    { key: "action", header: "Action", rowHeader: true, sortValue: (d) => d.action, cell: (d) => d.action },
    {
      key: "status",
      header: "Outcome",
      sortValue: (d) => d.status,
      cell: (d) => <DeploymentStatus status={d.status} />,
    },
    {
      key: "revision",
      header: "Revision",
      align: "end",
      sortValue: (d) => d.revision,
      cell: (d) => (d.revision === null ? "—" : `#${d.revision}`),
    },
    {
      key: "created",
      header: "Requested",
      sortValue: (d) => d.createdAt,
      cell: (d) => <time dateTime={d.createdAt}>{formatDateTime(d.createdAt)}</time>,
    },
    {
      key: "duration",
      header: "Took",
      cell: (d) => formatDuration(d.startedAt, d.finishedAt) ?? (d.startedAt ? "running…" : "waiting"),
    },
    {
      key: "attempts",
      header: "Attempts",
      align: "end",
      sortValue: (d) => d.attempts,
      cell: (d) => d.attempts,
    },
    {
      key: "reason",
      header: "Error",
      cell: (d) => (d.status === "failed" ? (d.reason ?? "no reason given") : (d.reason ?? "")),
    },
  ];
  return (
    <Table
      caption="Deployments"
      captionHidden
      columns={columns}
      rows={deployments}
      rowKey={(d) => d.id}
      loading={loading}
      emptyMessage="No deployment yet."
    />
  );
}

/** Revisions newest first, each with a rollback for the operator who may take it. */
export function RevisionsTable({
  revisions,
  current,
  loading,
  rollbackBlocked,
  onRollback,
}: {
  revisions: readonly Revision[];
  current: number | null;
  loading: boolean;
  /** Why a rollback cannot be asked for (the role); null when it can. */
  rollbackBlocked: string | null;
  onRollback: (revision: Revision) => void;
}) {
  const columns: Column<Revision>[] = [
    {
      key: "number",
      header: "Revision",
      rowHeader: true,
      sortValue: (r) => r.number,
      cell: (r) => (
        <>
          #{r.number}
          {r.number === current ? <span className="nora-muted"> (current)</span> : null}
          {r.sourceRevision ? <span className="nora-muted"> from #{r.sourceRevision}</span> : null}
        </>
      ),
    },
    {
      key: "image",
      header: "Image",
      cell: (r) => (
        <span className="nora-mono">
          {r.image}
          {r.imageDigest ? (
            <>
              <br />
              {r.imageDigest}
            </>
          ) : null}
        </span>
      ),
    },
    { key: "profile", header: "Profile", cell: (r) => r.profile },
    {
      key: "resources",
      header: "Resources",
      cell: (r) => `${r.vcpu} vCPU · ${formatMemory(r.memoryMb)} · ${r.diskGb} GB`,
    },
    {
      key: "created",
      header: "Created",
      sortValue: (r) => r.createdAt,
      cell: (r) => formatDateTime(r.createdAt),
    },
    {
      key: "rollback",
      header: <span className="nora-visually-hidden">Actions</span>,
      cell: (r) =>
        r.number === current ? null : (
          <Button
            size="sm"
            variant="secondary"
            disabled={rollbackBlocked !== null}
            title={rollbackBlocked ?? undefined}
            onClick={() => onRollback(r)}
          >
            Roll back to #{r.number}
          </Button>
        ),
    },
  ];
  return (
    <Table
      caption="Revisions"
      captionHidden
      columns={columns}
      rows={revisions}
      rowKey={(r) => r.id}
      loading={loading}
      emptyMessage="No revision yet."
    />
  );
}

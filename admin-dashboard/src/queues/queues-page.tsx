"use client";

import { QUEUE_NAMES, queueRoutes } from "@nora/api-contract";
import { Button, type Column, Dialog, SelectField, Table, useToast } from "@nora/ui";
import { useState } from "react";
import { api } from "../api";
import { toastError } from "../errors";
import { formatTime } from "../format";
import { LoadFailure } from "../load-failure";
import type { FailedJob } from "../types";
import { usePolling, useRemote } from "../use-remote";

type QueueName = (typeof QUEUE_NAMES)[number];
const PAGE = 50;

/** A job's payload (ids only) as `key=value` pairs. */
export function describeJobData(data: Record<string, string>): string {
  const entries = Object.entries(data);
  return entries.length === 0 ? "—" : entries.map(([k, v]) => `${k}=${v}`).join(", ");
}

export function QueuesPage() {
  const toast = useToast();
  const [queue, setQueue] = useState<QueueName>("deployments");
  const [offset, setOffset] = useState(0);
  const [retrying, setRetrying] = useState<FailedJob | null>(null);
  const [busy, setBusy] = useState(false);
  const { loaded, reload } = useRemote(`${queue}|${offset}`, () =>
    api.call(queueRoutes.failed, {
      params: { queue },
      query: { limit: String(PAGE), offset: String(offset) },
    }),
  );
  usePolling(() => void reload(), 15_000, !busy);

  const retry = async () => {
    if (!retrying) return;
    setBusy(true);
    try {
      await api.call(queueRoutes.retry, { params: { queue, jobId: retrying.id } });
      toast.show({ tone: "success", title: "Job queued again", message: `${queue} job ${retrying.id}` });
      await reload();
    } catch (error) {
      toastError(toast, "The job was not retried", error);
    } finally {
      setBusy(false);
      setRetrying(null);
    }
  };

  const columns: Column<FailedJob>[] = [
    {
      key: "id",
      header: "Job",
      rowHeader: true,
      sortValue: (j) => j.id,
      cell: (j) => <span className="nora-code-cell">{j.id}</span>,
    },
    { key: "name", header: "Kind", sortValue: (j) => j.name, cell: (j) => j.name },
    {
      key: "data",
      header: "Ids",
      cell: (j) => <span className="nora-code-cell">{describeJobData(j.data)}</span>,
    },
    {
      key: "attempts",
      header: "Attempts",
      align: "end",
      sortValue: (j) => j.attemptsMade,
      cell: (j) => j.attemptsMade,
    },
    {
      key: "reason",
      header: "Why it failed",
      sortValue: (j) => j.failedReason,
      cell: (j) => j.failedReason ?? "—",
    },
    {
      key: "failed",
      header: "Failed at",
      sortValue: (j) => j.finishedAt,
      cell: (j) => formatTime(j.finishedAt),
    },
    {
      key: "retry",
      header: "Actions",
      cell: (j) => (
        <Button size="sm" variant="secondary" onClick={() => setRetrying(j)} aria-label={`Retry job ${j.id}`}>
          Retry
        </Button>
      ),
    },
  ];

  const total = loaded.state === "ready" ? loaded.value.total : 0;
  const jobs = loaded.state === "ready" ? loaded.value.jobs : [];

  return (
    <>
      <div className="nora-page-head">
        <h1>Failed jobs</h1>
        <Button variant="secondary" size="sm" onClick={() => void reload()}>
          Refresh
        </Button>
      </div>
      <div className="nora-filters">
        <SelectField
          label="Queue"
          name="queue"
          value={queue}
          options={QUEUE_NAMES.map((name) => ({ value: name, label: name }))}
          onChange={(event) => {
            setOffset(0);
            setQueue(event.currentTarget.value as QueueName);
          }}
        />
        <p className="nora-toolbar-note" aria-live="polite">
          {loaded.state === "ready"
            ? `${total} failed job${total === 1 ? "" : "s"} kept in ${queue}`
            : "\u00a0"}
        </p>
      </div>
      {loaded.state === "failed" ? (
        <LoadFailure what="the failed jobs" error={loaded.error} onRetry={() => void reload()} />
      ) : (
        <Table
          caption={`Failed jobs of ${queue}`}
          captionHidden
          columns={columns}
          rows={jobs}
          rowKey={(j) => j.id}
          loading={loaded.state === "loading"}
          emptyMessage={`No failed job in ${queue}. Jobs that fail for good stay here for inspection.`}
        />
      )}
      <nav className="nora-pager" aria-label="Pages of failed jobs">
        <Button
          variant="secondary"
          size="sm"
          disabled={offset === 0}
          onClick={() => setOffset(Math.max(0, offset - PAGE))}
        >
          Previous
        </Button>
        <Button
          variant="secondary"
          size="sm"
          disabled={offset + jobs.length >= total}
          onClick={() => setOffset(offset + PAGE)}
        >
          Next
        </Button>
      </nav>
      {retrying ? (
        <Dialog
          open
          onClose={() => setRetrying(null)}
          dismissible={!busy}
          title={`Retry ${retrying.name} job ${retrying.id}?`}
          description={
            retrying.name === "deploy-agent"
              ? "Its deployment goes back to queued and the provisioner runs it again."
              : "The job runs again with the same ids."
          }
          actions={
            <>
              <Button variant="secondary" onClick={() => setRetrying(null)} disabled={busy}>
                Cancel
              </Button>
              <Button onClick={() => void retry()} loading={busy} data-autofocus="">
                Retry job
              </Button>
            </>
          }
        >
          <p>Last failure: {retrying.failedReason ?? "no reason recorded"}</p>
        </Dialog>
      ) : null}
    </>
  );
}

"use client";

import type { CallOutput } from "@nora/api-client";
import { agentLifecycleRoutes } from "@nora/api-contract";
import { Button, type Column, Notice, StatusBadge, Table, useLoaded } from "@nora/ui";
import Link from "next/link";
import { useCallback, useEffect, useState } from "react";
import { api } from "../api";
import { catalogStore } from "../deploy/catalog";
import { paths } from "../paths";
import { atLeast } from "../roles";
import { useCurrentWorkspace } from "../workspaces";
import { AgentsFilters } from "./agents-filters";
import { type AgentFilters, hasFilters, listQuery, NO_FILTERS } from "./agents-query";
import { formatDateTime } from "./format";
import { applyStatusChange, statusChangeOf } from "./status-events";
import { streamStateWords, useEventStream } from "./use-event-stream";

type AgentRow = CallOutput<typeof agentLifecycleRoutes.list>["agents"][number];

const SEARCH_PAUSE_MS = 250;

/** The workspace's agents: filtered by the API, sorted here, paged by cursor, statuses live over SSE. */
export function AgentsListScreen() {
  const workspace = useCurrentWorkspace();
  const catalog = useLoaded(catalogStore);
  const [filters, setFilters] = useState<AgentFilters>(NO_FILTERS);
  const [applied, setApplied] = useState<AgentFilters>(NO_FILTERS);
  // The cursors of the pages before this one (the first page has none): "Previous" pops one.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState<{ rows: readonly AgentRow[]; next?: string } | undefined>();
  const [failure, setFailure] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const workspaceId = workspace?.id;
  const cursor = cursors[cursors.length - 1];

  useEffect(() => {
    if (filters === applied) return;
    const timer = setTimeout(
      () => {
        setApplied(filters);
        setCursors([undefined]);
      },
      filters.q === applied.q ? 0 : SEARCH_PAUSE_MS,
    );
    return () => clearTimeout(timer);
  }, [filters, applied]);

  const load = useCallback(async () => {
    if (!workspaceId) return;
    setLoading(true);
    try {
      const answer = await api.call(agentLifecycleRoutes.list, {
        params: { id: workspaceId },
        query: listQuery(applied, cursor),
      });
      setPage(answer.nextCursor ? { rows: answer.agents, next: answer.nextCursor } : { rows: answer.agents });
      setFailure(undefined);
    } catch (error) {
      setFailure(error);
    } finally {
      setLoading(false);
    }
  }, [workspaceId, applied, cursor]);
  useEffect(() => {
    void load();
  }, [load]);

  const live = useEventStream(
    workspaceId ? `/api/workspaces/${workspaceId}/agents/events` : null,
    (event) => {
      const change = statusChangeOf(event);
      if (!change) return;
      // An agent this page does not show yet (deployed elsewhere) appears by asking for the first page again.
      if (page && !page.rows.some((row) => row.id === change.agentId) && cursors.length === 1) void load();
      setPage((current) => current && { ...current, rows: applyStatusChange(current.rows, change) });
    },
  );

  if (!workspace) return null;
  const canDeploy = atLeast(workspace.role, "editor");
  const deployAction = canDeploy ? (
    <Link href={paths.deploy(workspace.id)} className="nora-button nora-button--primary nora-button--md">
      Deploy an agent
    </Link>
  ) : (
    <Button disabled title="Deploying needs the editor role or above">
      Deploy an agent
    </Button>
  );
  const rows = page?.rows ?? [];
  const empty = !loading && rows.length === 0 && !hasFilters(applied) && cursors.length === 1;

  return (
    <>
      <div className="nora-page-heading">
        <h1>Agents</h1>
        <div className="nora-heading-status">
          <span className="nora-live" aria-live="polite">
            {streamStateWords(live)}
          </span>
          {deployAction}
        </div>
      </div>
      {canDeploy ? null : (
        <p className="nora-muted">You are a viewer in {workspace.name}: deploying needs the editor role.</p>
      )}
      {failure ? (
        <Notice tone="danger" title="The agents could not be loaded">
          {failure instanceof Error ? failure.message : null}
          {requestIdOf(failure) ? <> (request id {requestIdOf(failure)})</> : null}
        </Notice>
      ) : null}
      {empty ? (
        <div className="nora-empty">
          <h2>No agents in {workspace.name} yet</h2>
          <p>An agent is an OpenClaw or Hermes runtime Nora deploys, watches and backs up for you.</p>
          {deployAction}
        </div>
      ) : (
        <>
          <AgentsFilters filters={filters} catalog={catalog.value} onChange={setFilters} />
          <Table
            caption={`Agents of ${workspace.name}`}
            captionHidden
            columns={columns(workspace.id)}
            rows={rows}
            rowKey={(row) => row.id}
            loading={loading}
            loadingMessage="Loading the agents…"
            emptyMessage="No agent matches these filters."
          />
          <nav className="nora-inline-actions" aria-label="Pages of agents">
            <Button
              variant="secondary"
              disabled={cursors.length === 1}
              onClick={() => setCursors((c) => c.slice(0, -1))}
            >
              Previous page
            </Button>
            <Button
              variant="secondary"
              disabled={!page?.next}
              onClick={() => page?.next && setCursors((c) => [...c, page.next])}
            >
              Next page
            </Button>
          </nav>
        </>
      )}
    </>
  );
}

function requestIdOf(error: unknown): string | undefined {
  const id = (error as { requestId?: unknown } | undefined)?.requestId;
  return typeof id === "string" ? id : undefined;
}

function columns(workspaceId: string): Column<AgentRow>[] {
  return [
    {
      key: "name",
      header: "Name",
      rowHeader: true,
      sortValue: (a) => a.name,
      cell: (a) => <Link href={paths.agent(workspaceId, a.id)}>{a.name}</Link>,
    },
    { key: "family", header: "Family", sortValue: (a) => a.family, cell: (a) => a.family },
    { key: "target", header: "Target", sortValue: (a) => a.target, cell: (a) => a.target },
    {
      key: "status",
      header: "Status",
      sortValue: (a) => a.status,
      cell: (a) => (
        <span className="nora-inline-actions">
          <StatusBadge status={a.status} />
          {a.statusReason ? <span className="nora-muted">{a.statusReason}</span> : null}
        </span>
      ),
    },
    {
      key: "revision",
      header: "Revision",
      align: "end",
      sortValue: (a) => a.revision,
      cell: (a) => (a.revision === null ? "—" : `#${a.revision}`),
    },
    {
      key: "created",
      header: "Created",
      sortValue: (a) => a.createdAt,
      cell: (a) => <time dateTime={a.createdAt}>{formatDateTime(a.createdAt)}</time>,
    },
  ];
}

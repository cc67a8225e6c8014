"use client";

import { adminRoutes, fleetRoutes } from "@nora/api-contract";
import { Button, type Column, Dialog, Field, SelectField, StatusBadge, Table, useToast } from "@nora/ui";
import { type FormEvent, useMemo, useState } from "react";
import { api } from "../api";
import { toastError } from "../errors";
import { formatTime } from "../format";
import { LoadFailure } from "../load-failure";
import type { FleetAgent, FleetResult } from "../types";
import { usePolling, useRemote } from "../use-remote";
import {
  ACTION_WORDS,
  FAMILY_OPTIONS,
  FLEET_ACTIONS,
  type FleetAction,
  type FleetFilters,
  fleetQuery,
  NO_FILTERS,
  STATUS_OPTIONS,
  TARGET_OPTIONS,
} from "./fleet-filters";
import { FleetResults } from "./fleet-results";

interface Page {
  agents: FleetAgent[];
  nextCursor?: string | undefined;
}

export function FleetPage() {
  const toast = useToast();
  const [filters, setFilters] = useState<FleetFilters>(NO_FILTERS);
  const [more, setMore] = useState<Page[]>([]);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  // The action being confirmed, with the agents chosen when it was asked (the selection may change).
  const [pending, setPending] = useState<{ action: FleetAction; agents: FleetAgent[] } | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<{ action: FleetAction; results: FleetResult[] } | null>(null);
  const [workspaces, setWorkspaces] = useState<ReadonlyMap<string, string>>(new Map());

  const remember = (agents: readonly FleetAgent[]) =>
    setWorkspaces((known) => {
      if (agents.every((a) => known.has(a.workspaceId))) return known;
      const next = new Map(known);
      for (const a of agents) next.set(a.workspaceId, a.workspaceName);
      return next;
    });

  const { loaded, reload } = useRemote(JSON.stringify(filters), async () => {
    setMore([]);
    const page = await api.call(adminRoutes.agents, { query: fleetQuery(filters) });
    remember(page.agents);
    return page;
  });
  // Live while only the first page is shown (a poll would drop the pages loaded after it).
  usePolling(() => void reload(), 10_000, more.length === 0 && !busy);

  const pages = loaded.state === "ready" ? [loaded.value, ...more] : [];
  const agents = pages.flatMap((p) => p.agents);
  const nextCursor = pages[pages.length - 1]?.nextCursor;
  const names = useMemo(() => new Map(agents.map((a) => [a.id, a.name])), [agents]);
  const chosen = agents.filter((a) => selected.has(a.id));

  const applyFilters = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const value = (name: string) => String(data.get(name) ?? "");
    setSelected(new Set());
    setFilters({
      q: value("q"),
      status: value("status"),
      family: value("family"),
      target: value("target"),
      workspaceId: value("workspaceId"),
    });
  };

  const loadMore = async () => {
    if (!nextCursor) return;
    try {
      const page = await api.call(adminRoutes.agents, { query: fleetQuery(filters, nextCursor) });
      remember(page.agents);
      setMore((pagesSoFar) => [...pagesSoFar, page]);
    } catch (error) {
      toastError(toast, "Could not load more agents", error);
    }
  };

  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const allChosen = agents.length > 0 && chosen.length === agents.length;

  const run = async () => {
    if (!pending) return;
    setBusy(true);
    try {
      const { results } = await api.call(fleetRoutes[pending.action], {
        body: { agentIds: pending.agents.map((a) => a.id) },
      });
      setOutcome({ action: pending.action, results });
      setSelected(new Set());
    } catch (error) {
      toastError(toast, `${ACTION_WORDS[pending.action].verb} was refused`, error);
    } finally {
      setBusy(false);
      setPending(null);
    }
    await reload();
  };

  const columns: Column<FleetAgent>[] = [
    {
      key: "select",
      header: (
        <label className="nora-checkbox">
          <input
            type="checkbox"
            checked={allChosen}
            onChange={() => setSelected(allChosen ? new Set() : new Set(agents.map((a) => a.id)))}
          />
          <span className="nora-visually-hidden">Select every agent shown</span>
        </label>
      ),
      cell: (a) => (
        <label className="nora-checkbox">
          <input type="checkbox" checked={selected.has(a.id)} onChange={() => toggle(a.id)} />
          <span className="nora-visually-hidden">Select {a.name}</span>
        </label>
      ),
    },
    { key: "name", header: "Agent", rowHeader: true, sortValue: (a) => a.name, cell: (a) => a.name },
    {
      key: "workspace",
      header: "Workspace",
      sortValue: (a) => a.workspaceName,
      cell: (a) => a.workspaceName,
    },
    {
      key: "status",
      header: "Status",
      sortValue: (a) => a.status,
      cell: (a) => (
        <span title={a.statusReason ?? undefined}>
          <StatusBadge status={a.status} />
        </span>
      ),
    },
    { key: "family", header: "Family", sortValue: (a) => a.family, cell: (a) => a.family },
    { key: "target", header: "Target", sortValue: (a) => a.target, cell: (a) => a.target },
    {
      key: "revision",
      header: "Revision",
      align: "end",
      sortValue: (a) => a.revision,
      cell: (a) => a.revision ?? "—",
    },
    {
      key: "changed",
      header: "Status since",
      sortValue: (a) => a.statusChangedAt,
      cell: (a) => formatTime(a.statusChangedAt),
    },
  ];

  const workspaceOptions = [
    { value: "", label: "Any workspace" },
    ...[...workspaces].map(([id, name]) => ({ value: id, label: name })),
  ];

  return (
    <>
      <div className="nora-page-head">
        <h1>Fleet</h1>
        <Button variant="secondary" size="sm" onClick={() => void reload()}>
          Refresh
        </Button>
      </div>
      <form className="nora-filters" aria-label="Filter agents" onSubmit={applyFilters}>
        <Field label="Name contains" name="q" type="search" defaultValue={filters.q} maxLength={100} />
        <SelectField label="Status" name="status" options={STATUS_OPTIONS} defaultValue={filters.status} />
        <SelectField label="Family" name="family" options={FAMILY_OPTIONS} defaultValue={filters.family} />
        <SelectField label="Target" name="target" options={TARGET_OPTIONS} defaultValue={filters.target} />
        <SelectField
          label="Workspace"
          name="workspaceId"
          options={workspaceOptions}
          defaultValue={filters.workspaceId}
        />
        <Button type="submit" variant="secondary">
          Apply filters
        </Button>
      </form>
      <div className="nora-toolbar" role="toolbar" aria-label="Actions on the selected agents">
        {FLEET_ACTIONS.map((action) => (
          <Button
            key={action}
            variant={action === "stop" ? "danger" : "secondary"}
            disabled={chosen.length === 0}
            title={chosen.length === 0 ? "Select agents first" : undefined}
            onClick={() => setPending({ action, agents: chosen })}
          >
            {ACTION_WORDS[action].verb} selected
          </Button>
        ))}
        <p className="nora-toolbar-note">
          {chosen.length === 0 ? "Select agents to act on them." : `${chosen.length} selected`}
        </p>
      </div>
      {outcome ? (
        <FleetResults
          action={ACTION_WORDS[outcome.action].verb}
          results={outcome.results}
          nameOf={(id) => names.get(id) ?? id}
        />
      ) : null}
      {loaded.state === "failed" ? (
        <LoadFailure what="the fleet" error={loaded.error} onRetry={() => void reload()} />
      ) : (
        <Table
          caption="Agents across workspaces"
          captionHidden
          columns={columns}
          rows={agents}
          rowKey={(a) => a.id}
          loading={loaded.state === "loading"}
          emptyMessage="No agent matches these filters."
          defaultSort={{ column: "changed", direction: "descending" }}
        />
      )}
      {nextCursor ? (
        <div className="nora-pager">
          <Button variant="secondary" size="sm" onClick={() => void loadMore()}>
            Load more agents
          </Button>
        </div>
      ) : null}
      {pending ? (
        <Dialog
          open
          onClose={() => setPending(null)}
          dismissible={!busy}
          title={`${ACTION_WORDS[pending.action].verb} ${pending.agents.length} agent${pending.agents.length === 1 ? "" : "s"}?`}
          description={`Each agent gets its own deployment; the answer says, per agent, whether the ${ACTION_WORDS[pending.action].done} was queued.`}
          actions={
            <>
              <Button variant="secondary" onClick={() => setPending(null)} disabled={busy}>
                Cancel
              </Button>
              <Button
                variant={pending.action === "stop" ? "danger" : "primary"}
                onClick={() => void run()}
                loading={busy}
                data-autofocus=""
              >
                {ACTION_WORDS[pending.action].verb} {pending.agents.length}
              </Button>
            </>
          }
        >
          <ul>
            {pending.agents.slice(0, 10).map((a) => (
              <li key={a.id}>
                {a.name} ({a.workspaceName})
              </li>
            ))}
            {pending.agents.length > 10 ? <li>and {pending.agents.length - 10} more</li> : null}
          </ul>
        </Dialog>
      ) : null}
    </>
  );
}

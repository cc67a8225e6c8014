"use client";

import { Button, Field, presentAgentStatus, SelectField } from "@nora/ui";
import type { RuntimeCatalog } from "../deploy/catalog";
import { type AgentFilters, hasFilters, NO_FILTERS, STATUS_FILTER_VALUES } from "./agents-query";

const ANY = { value: "", label: "Any" };

/** The list's search and filters; each change asks the API again (the search after a pause). */
export function AgentsFilters({
  filters,
  catalog,
  onChange,
}: {
  filters: AgentFilters;
  catalog: RuntimeCatalog | undefined;
  onChange: (next: AgentFilters) => void;
}) {
  const set = (patch: Partial<AgentFilters>) => onChange({ ...filters, ...patch });
  return (
    <search className="nora-toolbar" aria-label="Filter agents">
      <Field
        className="nora-toolbar-grow"
        label="Search by name"
        name="q"
        type="search"
        value={filters.q}
        maxLength={100}
        onChange={(event) => set({ q: event.currentTarget.value })}
      />
      <SelectField
        label="Status"
        name="status"
        value={filters.status}
        options={[
          ANY,
          ...STATUS_FILTER_VALUES.map((s) => ({ value: s, label: presentAgentStatus(s).label })),
        ]}
        onChange={(event) => set({ status: event.currentTarget.value as AgentFilters["status"] })}
      />
      <SelectField
        label="Family"
        name="family"
        value={filters.family}
        options={[ANY, ...(catalog?.families ?? []).map((f) => ({ value: f.name, label: f.name }))]}
        onChange={(event) => set({ family: event.currentTarget.value })}
      />
      <SelectField
        label="Target"
        name="target"
        value={filters.target}
        options={[ANY, ...(catalog?.targets ?? []).map((t) => ({ value: t.name, label: t.name }))]}
        onChange={(event) => set({ target: event.currentTarget.value })}
      />
      {hasFilters(filters) ? (
        <Button variant="secondary" onClick={() => onChange(NO_FILTERS)}>
          Clear filters
        </Button>
      ) : null}
    </search>
  );
}

import { AGENT_STATUSES, type AgentStatus } from "@nora/api-contract";

/** The list's filters as the API's `?status=&family=&target=&q=` takes them ("" = any). */
export interface AgentFilters {
  status: AgentStatus | "";
  family: string;
  target: string;
  q: string;
}

export const NO_FILTERS: AgentFilters = { status: "", family: "", target: "", q: "" };

export const PAGE_SIZE = 25;

/** The query of one page: empty filters left out, the search trimmed (the API refuses an empty `q`). */
export function listQuery(filters: AgentFilters, cursor: string | undefined) {
  const q = filters.q.trim();
  return {
    limit: String(PAGE_SIZE),
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.family ? { family: filters.family } : {}),
    ...(filters.target ? { target: filters.target } : {}),
    ...(q ? { q: q.slice(0, 100) } : {}),
    ...(cursor ? { cursor } : {}),
  };
}

export const hasFilters = (f: AgentFilters) => Boolean(f.status || f.family || f.target || f.q.trim());

export const STATUS_FILTER_VALUES: readonly AgentStatus[] = AGENT_STATUSES;

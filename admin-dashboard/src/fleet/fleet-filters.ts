import { AGENT_STATUSES, FLEET_ACTIONS } from "@nora/api-contract";

export type FleetAction = (typeof FLEET_ACTIONS)[number];
export { FLEET_ACTIONS };

export interface FleetFilters {
  q: string;
  status: string;
  family: string;
  target: string;
  workspaceId: string;
}

export const NO_FILTERS: FleetFilters = { q: "", status: "", family: "", target: "", workspaceId: "" };

/** The query of GET /api/admin/agents for the filters: empty ones are left out. */
export function fleetQuery(filters: FleetFilters, cursor?: string) {
  const query: Record<string, string> = { limit: "100" };
  for (const [key, value] of Object.entries(filters)) if (value.trim()) query[key] = value.trim();
  if (cursor) query.cursor = cursor;
  return query;
}

export const STATUS_OPTIONS = [
  { value: "", label: "Any status" },
  ...AGENT_STATUSES.map((s) => ({ value: s, label: s })),
];
export const FAMILY_OPTIONS = [
  { value: "", label: "Any family" },
  { value: "openclaw", label: "OpenClaw" },
  { value: "hermes", label: "Hermes" },
];
export const TARGET_OPTIONS = [
  { value: "", label: "Any target" },
  { value: "docker", label: "Docker" },
  { value: "k8s", label: "Kubernetes" },
];

export const ACTION_WORDS: Record<FleetAction, { verb: string; done: string }> = {
  restart: { verb: "Restart", done: "restart" },
  stop: { verb: "Stop", done: "stop" },
  redeploy: { verb: "Redeploy", done: "redeploy" },
};

/**
 * The statuses an agent can be in, as the API reports them: the `agents.status` column's CHECK
 * constraint (`backend-api/test/catalog-constraints.test.ts` keeps the two equal). Written once here;
 * the UI's presentation of each status (`@nora/ui` agent-status.ts) is keyed by this list.
 */
export const AGENT_STATUSES = [
  "draft",
  "queued",
  "provisioning",
  "running",
  "stopped",
  "failed",
  "deleting",
] as const;

export type AgentStatus = (typeof AGENT_STATUSES)[number];

export function isAgentStatus(value: string): value is AgentStatus {
  return (AGENT_STATUSES as readonly string[]).includes(value);
}

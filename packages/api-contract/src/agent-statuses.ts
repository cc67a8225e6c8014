/**
 * The statuses an agent can be in, as the API reports them: the `agents.status` column's CHECK
 * constraint (`backend-api/test/catalog-constraints.test.ts` keeps the two equal). Written once here;
 * the transitions between them are the domain's (`packages/domain/src/agents/status.ts`), the UI's
 * presentation of each status (`@nora/ui` agent-status.ts) is keyed by this list.
 *
 * - `queued`: asked for; waiting for the provisioner.
 * - `provisioning`: the provisioner is creating the runtime; `starting`: it runs, readiness pending.
 * - `running`: the runtime server and the agent's gateway answer; `warning`: the runtime server
 *   answers, the gateway does not (yet).
 * - `failed`: the runtime did not become ready, or it died; the reason says which. Redeployable.
 * - `stopping` / `stopped`; `deleting`.
 * - `error`: the provisioner could not act (Docker unreachable, retries exhausted). Redeployable.
 */
export const AGENT_STATUSES = [
  "queued",
  "provisioning",
  "starting",
  "running",
  "warning",
  "failed",
  "stopping",
  "stopped",
  "deleting",
  "error",
] as const;

export type AgentStatus = (typeof AGENT_STATUSES)[number];

export function isAgentStatus(value: string): value is AgentStatus {
  return (AGENT_STATUSES as readonly string[]).includes(value);
}

/** The statuses of a deployment (one lifecycle operation the provisioner runs). */
export const DEPLOYMENT_STATUSES = [
  "queued",
  "in_progress",
  "succeeded",
  "warning",
  "failed",
  "cancelled",
] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

/** The lifecycle operations a deployment carries out. */
export const DEPLOYMENT_ACTIONS = [
  "deploy",
  "redeploy",
  "rollback",
  "start",
  "stop",
  "restart",
  "delete",
] as const;
export type DeploymentAction = (typeof DEPLOYMENT_ACTIONS)[number];

import type { AgentStatus, DeploymentAction } from "@nora/api-contract";

/**
 * The agent state machine: for each status, the statuses it may move to. The API moves an agent into
 * `queued`, `stopping` or `deleting` when an operator asks; the provisioner moves it along
 * `queued → provisioning → starting → running | warning | failed`, `stopping → stopped`, and to
 * `error` when it cannot act. A transition not listed is refused (repo `transitionAgent` checks it in
 * the UPDATE itself, so two writers cannot race past it) and logged by the caller.
 *
 * Re-entering the current status is allowed where a retried job repeats a step (`provisioning`,
 * `starting`): a provisioner killed mid-deployment resumes from where the database says it was. A job
 * may find the agent in any settled status, not only the one its request set: an older job that was
 * still running when the request came finished after it (its `running` is true, and the newer job
 * proceeds from there). Only `deleting` is final.
 */
export const AGENT_TRANSITIONS: Readonly<Record<AgentStatus, readonly AgentStatus[]>> = {
  queued: ["queued", "provisioning", "starting", "stopping", "deleting", "failed", "error"],
  provisioning: ["provisioning", "starting", "failed", "error", "queued", "stopping", "deleting"],
  starting: [
    "starting",
    "provisioning",
    "running",
    "warning",
    "failed",
    "error",
    "queued",
    "stopping",
    "deleting",
  ],
  running: ["queued", "provisioning", "starting", "warning", "failed", "stopping", "deleting", "error"],
  warning: ["queued", "provisioning", "starting", "running", "failed", "stopping", "deleting", "error"],
  failed: [
    "queued",
    "provisioning",
    "starting",
    "running",
    "warning",
    "stopping",
    "stopped",
    "deleting",
    "error",
  ],
  stopping: ["stopping", "stopped", "failed", "error", "queued", "provisioning", "starting", "deleting"],
  stopped: ["queued", "provisioning", "starting", "stopping", "deleting", "failed", "error"],
  deleting: ["deleting", "error"],
  error: ["queued", "provisioning", "starting", "stopping", "stopped", "deleting", "failed", "error"],
};

export function canTransition(from: AgentStatus, to: AgentStatus): boolean {
  return AGENT_TRANSITIONS[from].includes(to);
}

/** The statuses from which an agent may move to `to`: what the guarded UPDATE matches. */
export function statusesLeadingTo(to: AgentStatus): AgentStatus[] {
  return (Object.keys(AGENT_TRANSITIONS) as AgentStatus[]).filter((from) => canTransition(from, to));
}

/** The status the API gives an agent when an operator asks for an action (before the provisioner acts). */
export const REQUESTED_STATUS: Readonly<Record<DeploymentAction, AgentStatus>> = {
  deploy: "queued",
  redeploy: "queued",
  rollback: "queued",
  start: "queued",
  restart: "queued",
  stop: "stopping",
  delete: "deleting",
};

/** The desired state an action records. */
export const DESIRED_STATE: Readonly<Record<DeploymentAction, "running" | "stopped" | "deleted">> = {
  deploy: "running",
  redeploy: "running",
  rollback: "running",
  start: "running",
  restart: "running",
  stop: "stopped",
  delete: "deleted",
};

/** Actions that (re)create the runtime from a revision. */
export const CREATES_RUNTIME: ReadonlySet<DeploymentAction> = new Set(["deploy", "redeploy", "rollback"]);

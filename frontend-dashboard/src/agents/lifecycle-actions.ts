import type { AgentStatus } from "@nora/api-contract";

export const LIFECYCLE_ACTIONS = ["start", "stop", "restart", "redeploy"] as const;
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number];

export const ACTION_LABELS: Record<LifecycleAction, string> = {
  start: "Start",
  stop: "Stop",
  restart: "Restart",
  redeploy: "Redeploy",
};

const BUSY: readonly AgentStatus[] = ["queued", "provisioning", "starting", "stopping", "deleting"];

/**
 * Why an action cannot be asked for now (the role first, then the status); null when it can. The API
 * judges again: this only spares the operator a refusal they could have seen coming.
 */
export function actionBlocked(action: LifecycleAction, status: AgentStatus, canEdit: boolean): string | null {
  if (!canEdit) return "Needs the editor role or above";
  if (status === "deleting") return "The agent is being deleted";
  if (action === "redeploy") return null;
  if (BUSY.includes(status)) return `Wait until the agent is no longer ${status}`;
  if (action === "start" && status === "running") return "The agent is already running";
  if ((action === "stop" || action === "restart") && status === "stopped") return "The agent is stopped";
  return null;
}

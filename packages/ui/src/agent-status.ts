import { type AgentStatus, isAgentStatus } from "@nora/api-contract";

/**
 * The words and the tone the UI shows for each agent status. The statuses themselves are API data,
 * written once in `@nora/api-contract` (agent-statuses.ts) and re-exported here for the apps.
 */
export { AGENT_STATUSES, type AgentStatus, isAgentStatus } from "@nora/api-contract";

export type Tone = "neutral" | "info" | "success" | "warning" | "danger";

export interface StatusPresentation {
  label: string;
  tone: Tone;
  /** A transition in progress (the label names it); the badge adds a pulsing dot. */
  busy: boolean;
}

export const AGENT_STATUS_PRESENTATION: Readonly<Record<AgentStatus, StatusPresentation>> = {
  queued: { label: "Queued", tone: "info", busy: true },
  provisioning: { label: "Provisioning", tone: "info", busy: true },
  starting: { label: "Starting", tone: "info", busy: true },
  running: { label: "Running", tone: "success", busy: false },
  warning: { label: "Gateway not ready", tone: "warning", busy: false },
  failed: { label: "Failed", tone: "danger", busy: false },
  stopping: { label: "Stopping", tone: "neutral", busy: true },
  stopped: { label: "Stopped", tone: "neutral", busy: false },
  deleting: { label: "Deleting", tone: "warning", busy: true },
  error: { label: "Error", tone: "danger", busy: false },
};

/** A status this build does not know yet (a newer API) is shown as itself, in the neutral tone. */
export function presentAgentStatus(status: string): StatusPresentation {
  if (isAgentStatus(status)) return AGENT_STATUS_PRESENTATION[status];
  return { label: status, tone: "neutral", busy: false };
}

/**
 * The agent statuses the API reports (the `agents.status` column's CHECK constraint), each with the
 * words and the tone the UI shows. `@nora/agent-runtime`'s catalog does not list statuses, so this is
 * their one place in the apps; a test keeps it in step with the migrations.
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

export type Tone = "neutral" | "info" | "success" | "warning" | "danger";

export interface StatusPresentation {
  label: string;
  tone: Tone;
  /** A transition in progress (the label names it); the badge adds a pulsing dot. */
  busy: boolean;
}

export const AGENT_STATUS_PRESENTATION: Readonly<Record<AgentStatus, StatusPresentation>> = {
  draft: { label: "Draft", tone: "neutral", busy: false },
  queued: { label: "Queued", tone: "info", busy: true },
  provisioning: { label: "Provisioning", tone: "info", busy: true },
  running: { label: "Running", tone: "success", busy: false },
  stopped: { label: "Stopped", tone: "neutral", busy: false },
  failed: { label: "Failed", tone: "danger", busy: false },
  deleting: { label: "Deleting", tone: "warning", busy: true },
};

export function isAgentStatus(value: string): value is AgentStatus {
  return (AGENT_STATUSES as readonly string[]).includes(value);
}

/** A status this build does not know yet (a newer API) is shown as itself, in the neutral tone. */
export function presentAgentStatus(status: string): StatusPresentation {
  if (isAgentStatus(status)) return AGENT_STATUS_PRESENTATION[status];
  return { label: status, tone: "neutral", busy: false };
}

import { type AgentStatus, isAgentStatus } from "@nora/api-contract";

/** One message of an event stream (`data:` of `GET /api/.../events`), as far as the UI reads it. */
export interface StreamedEvent {
  id: string;
  agentId: string | null;
  type: string;
  severity: string;
  message: string;
  metadata: Record<string, unknown>;
  createdAt: string;
}

export interface StatusChange {
  agentId: string;
  status: AgentStatus;
  reason: string | null;
  at: string;
}

/** Parses one `data:` payload; anything that is not an event is ignored (null), never thrown. */
export function parseStreamedEvent(data: string): StreamedEvent | null {
  try {
    const value = JSON.parse(data) as Partial<StreamedEvent>;
    if (typeof value !== "object" || value === null || typeof value.id !== "string") return null;
    if (typeof value.type !== "string") return null;
    return {
      id: value.id,
      agentId: typeof value.agentId === "string" ? value.agentId : null,
      type: value.type,
      severity: typeof value.severity === "string" ? value.severity : "info",
      message: typeof value.message === "string" ? value.message : "",
      metadata: typeof value.metadata === "object" && value.metadata !== null ? value.metadata : {},
      createdAt: typeof value.createdAt === "string" ? value.createdAt : new Date().toISOString(),
    };
  } catch {
    return null;
  }
}

/** The status an `agent.status_changed` event moves its agent to (metadata `{from, to, reason?}`). */
export function statusChangeOf(event: StreamedEvent): StatusChange | null {
  if (event.type !== "agent.status_changed" || !event.agentId) return null;
  const to = event.metadata.to;
  if (typeof to !== "string" || !isAgentStatus(to)) return null;
  const reason = event.metadata.reason;
  return {
    agentId: event.agentId,
    status: to,
    reason: typeof reason === "string" ? reason : null,
    at: event.createdAt,
  };
}

interface HasStatus {
  id: string;
  status: AgentStatus;
  statusReason: string | null;
  statusChangedAt: string;
}

/** The agent after a change, or the same object when the change is not its own. */
export function withStatus<A extends HasStatus>(agent: A, change: StatusChange): A {
  if (agent.id !== change.agentId) return agent;
  return { ...agent, status: change.status, statusReason: change.reason, statusChangedAt: change.at };
}

/** The rows with one row's status changed; the same array when no row is that agent. */
export function applyStatusChange<A extends HasStatus>(
  rows: readonly A[],
  change: StatusChange,
): readonly A[] {
  if (!rows.some((row) => row.id === change.agentId)) return rows;
  return rows.map((row) => withStatus(row, change));
}

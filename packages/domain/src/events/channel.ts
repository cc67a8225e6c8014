import type { Redis } from "@nora/core";
import type { EventRecord } from "./repo.js";

/**
 * Live delivery of events: whoever writes an event row (the provisioner, the API) publishes its id on
 * the agent's channel once the row is committed; the API's SSE stream reads the rows themselves from
 * PostgreSQL, so a message lost in Redis costs latency, never an event (the stream also resumes by id).
 */
export function agentEventsChannel(keyPrefix: string, agentId: string): string {
  return `${keyPrefix}:agent-events:${agentId}`;
}

/** The channel of every agent of a workspace (the agents list's one stream); same notices. */
export function workspaceAgentEventsChannel(keyPrefix: string, workspaceId: string): string {
  return `${keyPrefix}:workspace-agent-events:${workspaceId}`;
}

/** The message on an agent's channel: just enough to know there is something to read. */
export interface EventNotice {
  id: string;
  agentId: string;
}

/** Publishes committed events; a Redis failure is reported to the caller, never thrown. */
export async function publishEvents(
  redis: Redis,
  keyPrefix: string,
  events: readonly EventRecord[],
): Promise<boolean> {
  try {
    for (const event of events) {
      if (!event.agentId) continue;
      const notice: EventNotice = { id: event.id, agentId: event.agentId };
      const payload = JSON.stringify(notice);
      await redis.publish(agentEventsChannel(keyPrefix, event.agentId), payload);
      await redis.publish(workspaceAgentEventsChannel(keyPrefix, event.workspaceId), payload);
    }
    return true;
  } catch {
    return false;
  }
}

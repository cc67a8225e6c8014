import type { AgentStatus } from "@nora/api-contract";
import type { Logger, Pool, Redis } from "@nora/core";
import { statusesLeadingTo } from "../agents/status.js";
import { publishEvents } from "../events/channel.js";
import { type EventSeverity, type NewEvent, recordEvent } from "../events/service.js";
import { transitionAgent } from "./provisioner-repo.js";

const SEVERITY_OF_STATUS: Partial<Record<AgentStatus, EventSeverity>> = {
  failed: "error",
  error: "error",
  warning: "warning",
};

/**
 * What the provisioner tells the world: event rows (committed before they are announced) and agent
 * status changes through the state machine, each announced on the agent's Redis channel.
 */
export function createProvisionerEvents(deps: {
  pool: Pool;
  redis: Redis;
  keyPrefix: string;
  logger: Logger;
}) {
  const { pool, redis, keyPrefix, logger } = deps;

  async function record(event: NewEvent): Promise<void> {
    const row = await recordEvent(pool, event);
    if (!(await publishEvents(redis, keyPrefix, [row]))) {
      logger.warn(
        { eventId: row.id },
        "event not announced: Redis is unreachable (SSE clients catch up on reconnect)",
      );
    }
  }

  /**
   * Moves the agent to `to` if the state machine allows it from where it is; refused transitions are
   * logged and reported as false (the caller stops: someone else changed the agent meanwhile).
   */
  async function moveAgent(
    agent: { id: string; workspaceId: string },
    to: AgentStatus,
    reason: string | null,
    deploymentId: string | null,
  ): Promise<boolean> {
    const result = await transitionAgent(pool, agent.id, to, statusesLeadingTo(to), reason);
    if (!result.moved) {
      logger.warn(
        { agentId: agent.id, from: result.current, to, deploymentId },
        "agent status transition refused by the state machine",
      );
      return false;
    }
    if (result.previous !== to) {
      await record({
        workspaceId: agent.workspaceId,
        agentId: agent.id,
        deploymentId,
        type: "agent.status_changed",
        severity: SEVERITY_OF_STATUS[to] ?? "info",
        message: reason ? `${result.previous} → ${to}: ${reason}` : `${result.previous} → ${to}`,
        metadata: { from: result.previous, to, ...(reason ? { reason } : {}) },
      });
    }
    return true;
  }

  return { record, moveAgent };
}

export type ProvisionerEvents = ReturnType<typeof createProvisionerEvents>;

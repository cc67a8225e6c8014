import { API } from "@nora/api-contract";
import type { EventService } from "@nora/domain/events/service";
import type { StreamSlots } from "@nora/domain/runtime-access/stream-slots";
import { Router } from "express";
import { authOf, workspaceOf } from "../http/auth-context.js";
import type { Requires } from "../http/authorize.js";
import { mount } from "../http/mount.js";
import { agentEventSource, streamEvents, workspaceAgentEventSource } from "./agent-event-stream.js";

/**
 * The workspace's event history (monitoring), one agent's live stream and the workspace's agents'
 * live stream (SSE; the agents list follows every row with one connection).
 */
export function eventRoutes(deps: {
  events: EventService;
  streamSlots: StreamSlots;
  requires: Requires;
  heartbeatMs?: number;
}): Router {
  const { events, requires } = deps;
  const router = Router();

  mount(router, requires, API.events.list, async (req, _res, { query }, reply) => {
    reply(200, await events.list(workspaceOf(req).workspaceId, query));
  });

  mount(router, requires, API.agents.events, async (req, res, { params }) => {
    await streamEvents(req, res, agentEventSource(events, params.agentId), deps.heartbeatMs);
  });

  // Counted against STREAMS_PER_USER_MAX: a list left open in many tabs holds one slot each.
  mount(router, requires, API.agents.workspaceEvents, async (req, res) => {
    const slot = await deps.streamSlots.acquire(authOf(req).user.id, "stream");
    const source = workspaceAgentEventSource(events, workspaceOf(req).workspaceId);
    try {
      await streamEvents(req, res, source, deps.heartbeatMs, () => slot.release());
    } catch (error) {
      slot.release();
      throw error;
    }
  });

  return router;
}

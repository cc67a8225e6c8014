import { API } from "@nora/api-contract";
import type { EventService } from "@nora/domain/events/service";
import { Router } from "express";
import { workspaceOf } from "../http/auth-context.js";
import type { Requires } from "../http/authorize.js";
import { mount } from "../http/mount.js";
import { streamAgentEvents } from "./agent-event-stream.js";

/** The workspace's event history (monitoring) and one agent's live stream (SSE). */
export function eventRoutes(deps: {
  events: EventService;
  requires: Requires;
  heartbeatMs?: number;
}): Router {
  const { events, requires } = deps;
  const router = Router();

  mount(router, requires, API.events.list, async (req, _res, { query }, reply) => {
    reply(200, await events.list(workspaceOf(req).workspaceId, query));
  });

  mount(router, requires, API.agents.events, async (req, res, { params }) => {
    await streamAgentEvents(req, res, events, params.agentId, deps.heartbeatMs);
  });

  return router;
}

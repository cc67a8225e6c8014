import { API } from "@nora/api-contract";
import type { ProviderSyncService } from "@nora/domain/agents/provider-sync";
import { Router } from "express";
import { actorOf } from "../http/auth-context.js";
import type { Requires } from "../http/authorize.js";
import { mount } from "../http/mount.js";
import { contextOf } from "../http/request-context.js";

export function providerSyncRoutes(deps: { sync: ProviderSyncService; requires: Requires }): Router {
  const router = Router();
  mount(router, deps.requires, API.agents.syncProviders, async (req, _res, { params }, reply) => {
    reply(200, await deps.sync.sync(params.agentId, { ...contextOf(req), actor: actorOf(req) }));
  });
  return router;
}

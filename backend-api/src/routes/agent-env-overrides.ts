import { API } from "@nora/api-contract";
import type { EnvOverridesService } from "@nora/domain/agents/env-overrides-service";
import { Router } from "express";
import { actionContextOf, authOf, workspaceOf } from "../http/auth-context.js";
import type { Requires } from "../http/authorize.js";
import { mount } from "../http/mount.js";

const routes = API.agents;

export function envOverrideRoutes(deps: { overrides: EnvOverridesService; requires: Requires }): Router {
  const { overrides, requires } = deps;
  const router = Router();

  mount(router, requires, routes.secrets, async (_req, _res, { params }, reply) => {
    reply(200, { secrets: await overrides.list(params.agentId) });
  });

  mount(router, requires, routes.setSecret, async (req, _res, { params, body }, reply) => {
    await overrides.set(
      params.agentId,
      workspaceOf(req).workspaceId,
      params.name,
      body.value,
      authOf(req).user.id,
      actionContextOf(req),
    );
    reply(204);
  });

  mount(router, requires, routes.removeSecret, async (req, _res, { params }, reply) => {
    await overrides.remove(params.agentId, workspaceOf(req).workspaceId, params.name, actionContextOf(req));
    reply(204);
  });

  return router;
}

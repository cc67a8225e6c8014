import { API } from "@nora/api-contract";
import type { AgentService } from "@nora/domain/agents/service";
import type { DeploymentService } from "@nora/domain/deployments/service";
import { type Request, Router } from "express";
import { actionContextOf, authOf, workspaceOf } from "../http/auth-context.js";
import type { Requires } from "../http/authorize.js";
import { mount } from "../http/mount.js";

const routes = API.agents;

/** The caller as the deploy rules see it: image overrides need a signed-in platform admin. */
function callerOf(req: Request) {
  const auth = authOf(req);
  return {
    ctx: actionContextOf(req),
    isPlatformAdmin: auth.kind === "session" && auth.user.role === "admin",
  };
}

/**
 * Agents as desired state: list and deploy in a workspace; read, change and act on one agent. Every
 * action answers 202 with the agent and its queued deployment; the provisioner does the work.
 */
export function agentRoutes(deps: {
  agents: AgentService;
  deployments: DeploymentService;
  requires: Requires;
}): Router {
  const { agents, deployments, requires } = deps;
  const router = Router();

  mount(router, requires, routes.list, async (req, _res, { query }, reply) => {
    reply(200, await agents.list(workspaceOf(req).workspaceId, query));
  });

  mount(router, requires, routes.deploy, async (req, _res, { body }, reply) => {
    reply(202, await deployments.deploy(workspaceOf(req).workspaceId, body, callerOf(req)));
  });

  mount(router, requires, routes.get, async (_req, _res, { params }, reply) => {
    reply(200, { agent: await agents.get(params.agentId) });
  });

  mount(router, requires, routes.update, async (req, _res, { params, body }, reply) => {
    reply(200, await agents.update(params.agentId, body, callerOf(req)));
  });

  mount(router, requires, routes.remove, async (req, _res, { params, query }, reply) => {
    const keepData = query.keepData === "true";
    reply(202, await deployments.act(params.agentId, "delete", actionContextOf(req), { keepData }));
  });

  for (const action of ["start", "stop", "restart"] as const) {
    mount(router, requires, routes[action], async (req, _res, { params }, reply) => {
      reply(202, await deployments.act(params.agentId, action, actionContextOf(req)));
    });
  }

  mount(router, requires, routes.redeploy, async (req, _res, { params, body }, reply) => {
    reply(
      202,
      await deployments.redeploy(params.agentId, body.template, actionContextOf(req), {
        ...(body.overrideDrift !== undefined ? { overrideDrift: body.overrideDrift } : {}),
      }),
    );
  });

  mount(router, requires, routes.rollback, async (req, _res, { params, body }, reply) => {
    reply(202, await deployments.rollback(params.agentId, body.revision, actionContextOf(req)));
  });

  mount(router, requires, routes.deployments, async (_req, _res, { params, query }, reply) => {
    reply(200, await deployments.list(params.agentId, query));
  });

  mount(router, requires, routes.revisions, async (_req, _res, { params, query }, reply) => {
    reply(200, await agents.revisions(params.agentId, query));
  });

  return router;
}

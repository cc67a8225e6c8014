import { API } from "@nora/api-contract";
import type { DeadLetterService } from "@nora/domain/deployments/dead-letter";
import type { DeploymentService } from "@nora/domain/deployments/service";
import { Router } from "express";
import { actionContextOf } from "../http/auth-context.js";
import type { Requires } from "../http/authorize.js";
import { mount } from "../http/mount.js";

/** Platform admins: the queues' dead-letter view, and lifecycle actions on many agents at once. */
export function adminQueueRoutes(deps: {
  deadLetter: DeadLetterService;
  deployments: DeploymentService;
  requires: Requires;
}): Router {
  const { deadLetter, deployments, requires } = deps;
  const router = Router();

  mount(router, requires, API.queues.failed, async (_req, _res, { params, query }, reply) => {
    reply(200, await deadLetter.list(params.queue, query));
  });

  mount(router, requires, API.queues.retry, async (req, _res, { params }, reply) => {
    reply(200, await deadLetter.retry(params.queue, params.jobId, actionContextOf(req)));
  });

  for (const action of ["restart", "stop", "redeploy"] as const) {
    mount(router, requires, API.fleet[action], async (req, _res, { body }, reply) => {
      reply(202, await deployments.fleet(action, body.agentIds, actionContextOf(req)));
    });
  }

  return router;
}

import { API } from "@nora/api-contract";
import type { AdminService } from "@nora/domain/admin/service";
import { Router } from "express";
import { actorOf } from "../http/auth-context.js";
import type { Requires } from "../http/authorize.js";
import { mount } from "../http/mount.js";
import { contextOf } from "../http/request-context.js";

/** Everything under /api/admin is guarded by the one platformAdmin requirement. */
export function adminRoutes(deps: { admin: AdminService; requires: Requires }): Router {
  const { admin, requires } = deps;
  const router = Router();

  mount(router, requires, API.admin.users, async (_req, _res, { query }, reply) => {
    reply(200, { users: await admin.listUsers(query) });
  });

  mount(router, requires, API.admin.agents, async (_req, _res, { query }, reply) => {
    reply(200, await admin.listAgents(query));
  });

  mount(router, requires, API.admin.updateUser, async (req, _res, { params, body }, reply) => {
    const change = {
      ...(body.role !== undefined ? { role: body.role } : {}),
      ...(body.disabled !== undefined ? { disabled: body.disabled } : {}),
    };
    reply(200, {
      user: await admin.updateUser(params.userId, change, { ...contextOf(req), actor: actorOf(req) }),
    });
  });

  return router;
}

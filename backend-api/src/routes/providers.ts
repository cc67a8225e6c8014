import { API } from "@nora/api-contract";
import type { ProviderService } from "@nora/domain/providers/service";
import { Router } from "express";
import { actionContextOf, authOf, workspaceOf } from "../http/auth-context.js";
import type { Requires } from "../http/authorize.js";
import { mount } from "../http/mount.js";

const routes = API.providers;
// A malformed id answers like an unknown one: 404, so ids cannot be probed.
const byId = { paramsNotFound: "Provider not found" };

/** LLM providers: viewers (and `integrations:read` keys) see the masked list; editors manage. */
export function providerRoutes(deps: { providers: ProviderService; requires: Requires }): Router {
  const { providers, requires } = deps;
  const router = Router();

  mount(router, requires, routes.list, async (req, _res, _input, reply) => {
    reply(200, { providers: await providers.list(workspaceOf(req).workspaceId) });
  });

  mount(router, requires, routes.create, async (req, _res, { body }, reply) => {
    const provider = await providers.create(
      workspaceOf(req).workspaceId,
      authOf(req).user.id,
      body,
      actionContextOf(req),
    );
    reply(201, { provider });
  });

  mount(
    router,
    requires,
    routes.update,
    async (req, _res, { params, body }, reply) => {
      const provider = await providers.update(
        workspaceOf(req).workspaceId,
        params.providerId,
        body,
        actionContextOf(req),
      );
      reply(200, { provider });
    },
    byId,
  );

  mount(
    router,
    requires,
    routes.remove,
    async (req, _res, { params }, reply) => {
      await providers.remove(workspaceOf(req).workspaceId, params.providerId, actionContextOf(req));
      reply(204);
    },
    byId,
  );

  mount(
    router,
    requires,
    routes.test,
    async (req, _res, { params }, reply) => {
      const result = await providers.test(
        workspaceOf(req).workspaceId,
        params.providerId,
        actionContextOf(req),
      );
      reply(200, result);
    },
    byId,
  );

  return router;
}

import { API, type RouteDefinition } from "@nora/api-contract";
import type { CatalogService, CreateInput, UpdateInput } from "@nora/domain/integrations/resource";
import { type IntegrationService, integrationCatalog } from "@nora/domain/integrations/service";
import { Router } from "express";
import { actionContextOf, authOf, workspaceOf } from "../http/auth-context.js";
import type { Requires } from "../http/authorize.js";
import { mount } from "../http/mount.js";

/** The contract entries of one catalog resource (integrations, channels): one shape, two tables. */
type CatalogEntries = Record<"list" | "create" | "get" | "update" | "remove" | "test", RouteDefinition>;

/**
 * CRUD + live test for a catalog resource under `/api/workspaces/:id/<segment>`: viewers (and
 * `integrations:read` keys) read the masked rows; editors (and `integrations:write` keys) manage.
 */
export function catalogResourceRoutes(deps: {
  service: CatalogService;
  requires: Requires;
  routes: CatalogEntries;
  segment: string;
  /** Name of the id route parameter, e.g. `integrationId`. */
  param: string;
  label: string;
  /** Key of a single row in answers, e.g. `integration`. */
  singular: string;
}): Router {
  const { service, requires, routes } = deps;
  const router = Router();
  // A malformed id answers like an unknown one: 404, so ids cannot be probed.
  const byId = { paramsNotFound: `${deps.label} not found` };
  const idOf = (params: unknown): string => (params as Record<string, string>)[deps.param] as string;

  mount(router, requires, routes.list, async (req, _res, _input, reply) => {
    reply(200, { [deps.segment]: await service.list(workspaceOf(req).workspaceId) });
  });

  mount(router, requires, routes.create, async (req, _res, { body }, reply) => {
    const created = await service.create(
      workspaceOf(req).workspaceId,
      authOf(req).user.id,
      body as unknown as CreateInput,
      actionContextOf(req),
    );
    reply(201, { [deps.singular]: created });
  });

  mount(
    router,
    requires,
    routes.get,
    async (req, _res, { params }, reply) => {
      reply(200, { [deps.singular]: await service.get(workspaceOf(req).workspaceId, idOf(params)) });
    },
    byId,
  );

  mount(
    router,
    requires,
    routes.update,
    async (req, _res, { params, body }, reply) => {
      const update = body as unknown as UpdateInput;
      const updated = await service.update(
        workspaceOf(req).workspaceId,
        idOf(params),
        update,
        actionContextOf(req),
      );
      reply(200, { [deps.singular]: updated });
    },
    byId,
  );

  mount(
    router,
    requires,
    routes.remove,
    async (req, _res, { params }, reply) => {
      await service.remove(workspaceOf(req).workspaceId, idOf(params), actionContextOf(req));
      reply(204);
    },
    byId,
  );

  mount(
    router,
    requires,
    routes.test,
    async (req, _res, { params }, reply) => {
      reply(200, await service.test(workspaceOf(req).workspaceId, idOf(params), actionContextOf(req)));
    },
    byId,
  );

  return router;
}

export function integrationRoutes(deps: { integrations: IntegrationService; requires: Requires }): Router {
  const router = Router();
  // Any signed-in user or key may read the catalog: it describes kinds and fields, never values.
  mount(router, deps.requires, API.integrations.catalog, (_req, _res, _input, reply) => {
    reply(200, integrationCatalog());
  });
  router.use(
    catalogResourceRoutes({
      service: deps.integrations,
      requires: deps.requires,
      routes: API.integrations,
      segment: "integrations",
      param: "integrationId",
      label: "Integration",
      singular: "integration",
    }),
  );
  return router;
}

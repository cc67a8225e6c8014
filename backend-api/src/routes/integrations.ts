import { notFound } from "@nora/core";
import type { CatalogService, CreateInput, UpdateInput } from "@nora/domain/integrations/resource";
import { type IntegrationService, integrationCatalog } from "@nora/domain/integrations/service";
import { type Request, Router } from "express";
import type { z } from "zod";
import { actorOf, authOf, workspaceOf } from "../http/auth-context.js";
import type { Requires } from "../http/authorize.js";
import { contextOf } from "../http/request-context.js";
import { validated } from "../http/validate.js";
import { createIntegrationBody, integrationParams, updateIntegrationBody } from "./schemas/integrations.js";

/**
 * CRUD + live test for a catalog resource under `/api/workspaces/:id/<segment>`: viewers (and
 * `integrations:read` keys) read the masked rows; editors (and `integrations:write` keys) manage.
 */
export function catalogResourceRoutes(deps: {
  service: CatalogService;
  requires: Requires;
  segment: string;
  /** Name of the id route parameter, e.g. `integrationId`. */
  param: string;
  params: z.ZodType;
  createBody: z.ZodType;
  updateBody: z.ZodType;
  label: string;
  /** Key of a single row in answers, e.g. `integration`. */
  singular: string;
}): Router {
  const { service, requires } = deps;
  const router = Router();
  const read = requires({ kind: "workspace", role: "viewer", scope: "integrations:read" });
  const write = requires({ kind: "workspace", role: "editor", scope: "integrations:write" });
  const ctx = (req: Request) => ({ ...contextOf(req), actor: actorOf(req) });
  const base = `/api/workspaces/:id/${deps.segment}`;
  const one = `${base}/:${deps.param}`;
  // A malformed id answers like an unknown one: 404, so ids cannot be probed.
  const idOf = (req: Request): string => {
    const parsed = deps.params.safeParse(req.params);
    if (!parsed.success) throw notFound(`${deps.label} not found`);
    return (parsed.data as Record<string, string>)[deps.param] as string;
  };

  router.get(base, read, async (req, res) => {
    res.json({ [deps.segment]: await service.list(workspaceOf(req).workspaceId) });
  });

  router.post(
    base,
    write,
    validated({ body: deps.createBody }, async (req, res, { body }) => {
      const created = await service.create(
        workspaceOf(req).workspaceId,
        authOf(req).user.id,
        body as CreateInput,
        ctx(req),
      );
      res.status(201).json({ [deps.singular]: created });
    }),
  );

  router.get(one, read, async (req, res) => {
    res.json({ [deps.singular]: await service.get(workspaceOf(req).workspaceId, idOf(req)) });
  });

  router.patch(
    one,
    write,
    validated({ body: deps.updateBody }, async (req, res, { body }) => {
      const id = idOf(req);
      const updated = await service.update(workspaceOf(req).workspaceId, id, body as UpdateInput, ctx(req));
      res.json({ [deps.singular]: updated });
    }),
  );

  router.delete(one, write, async (req, res) => {
    await service.remove(workspaceOf(req).workspaceId, idOf(req), ctx(req));
    res.status(204).end();
  });

  router.post(`${one}/test`, write, async (req, res) => {
    res.json(await service.test(workspaceOf(req).workspaceId, idOf(req), ctx(req)));
  });

  return router;
}

export function integrationRoutes(deps: { integrations: IntegrationService; requires: Requires }): Router {
  const router = Router();
  // Any signed-in user or key may read the catalog: it describes kinds and fields, never values.
  router.get("/api/integrations/catalog", deps.requires({ kind: "authenticated" }), (_req, res) => {
    res.json(integrationCatalog());
  });
  router.use(
    catalogResourceRoutes({
      service: deps.integrations,
      requires: deps.requires,
      segment: "integrations",
      param: "integrationId",
      params: integrationParams,
      createBody: createIntegrationBody,
      updateBody: updateIntegrationBody,
      label: "Integration",
      singular: "integration",
    }),
  );
  return router;
}

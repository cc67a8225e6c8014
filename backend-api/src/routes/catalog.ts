import { API } from "@nora/api-contract";
import type { RuntimeCatalogService } from "@nora/domain/clusters/catalog";
import { Router } from "express";
import type { Requires } from "../http/authorize.js";
import { mount } from "../http/mount.js";

/** The runtime catalog with this installation's availability: anyone signed in, and any API key. */
export function catalogRoutes(deps: { catalog: RuntimeCatalogService; requires: Requires }): Router {
  const { catalog, requires } = deps;
  const router = Router();

  mount(router, requires, API.catalog.runtimes, async (_req, _res, _input, reply) => {
    reply(200, await catalog.runtimes());
  });

  return router;
}

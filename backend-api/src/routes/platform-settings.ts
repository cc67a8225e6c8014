import { API } from "@nora/api-contract";
import type { PlatformSettingsService } from "@nora/domain/platform-settings/service";
import { Router } from "express";
import { actorOf, sessionOf } from "../http/auth-context.js";
import type { Requires } from "../http/authorize.js";
import { mount } from "../http/mount.js";
import { contextOf } from "../http/request-context.js";

/** Platform settings, for signed-in platform admins only (the requirement refuses API keys). */
export function platformSettingsRoutes(deps: {
  settings: PlatformSettingsService;
  requires: Requires;
}): Router {
  const { settings, requires } = deps;
  const router = Router();

  mount(router, requires, API.admin.settings, async (_req, _res, _input, reply) => {
    reply(200, { settings: await settings.get() });
  });

  mount(router, requires, API.admin.updateSettings, async (req, _res, { body }, reply) => {
    const updated = await settings.update(body, sessionOf(req).user.id, {
      ...contextOf(req),
      actor: actorOf(req),
    });
    reply(200, { settings: updated });
  });

  return router;
}

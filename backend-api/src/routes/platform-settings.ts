import { updateSettingsBody } from "@nora/domain/platform-settings/schema";
import type { PlatformSettingsService } from "@nora/domain/platform-settings/service";
import { Router } from "express";
import { actorOf, sessionOf } from "../http/auth-context.js";
import type { Requires } from "../http/authorize.js";
import { contextOf } from "../http/request-context.js";
import { validated } from "../http/validate.js";

/** Platform settings, for signed-in platform admins only (the requirement refuses API keys). */
export function platformSettingsRoutes(deps: {
  settings: PlatformSettingsService;
  requires: Requires;
}): Router {
  const { settings, requires } = deps;
  const router = Router();
  const adminOnly = requires({ kind: "platformAdmin" });

  router.get("/api/admin/settings", adminOnly, async (_req, res) => {
    res.json({ settings: await settings.get() });
  });

  router.put(
    "/api/admin/settings",
    adminOnly,
    validated({ body: updateSettingsBody }, async (req, res, { body }) => {
      const updated = await settings.update(body, sessionOf(req).user.id, {
        ...contextOf(req),
        actor: actorOf(req),
      });
      res.json({ settings: updated });
    }),
  );

  return router;
}

import { Router } from "express";
import { actorOf } from "../../http/auth-context.js";
import type { Requires } from "../../http/authorize.js";
import { contextOf } from "../../http/request-context.js";
import type { SecretsService } from "./service.js";

/** Platform admins: which keys seal what, and key rotation. Counts and key ids only, never values. */
export function secretsRoutes(deps: { secrets: SecretsService; requires: Requires }): Router {
  const { secrets, requires } = deps;
  const router = Router();
  const adminOnly = requires({ kind: "platformAdmin" });

  router.get("/api/admin/secrets/keys", adminOnly, async (_req, res) => {
    res.set("Cache-Control", "no-store").json(await secrets.keys());
  });

  router.get("/api/admin/secrets/rotation", adminOnly, async (_req, res) => {
    res.set("Cache-Control", "no-store").json({ rotation: await secrets.status() });
  });

  router.post("/api/admin/secrets/rotation", adminOnly, async (req, res) => {
    const { started, status } = await secrets.start({ ...contextOf(req), actor: actorOf(req) });
    res.status(started ? 202 : 409).json({ started, rotation: status });
  });

  return router;
}

import type { KeyRotationService } from "@nora/domain/key-rotation/service";
import { Router } from "express";
import { actorOf } from "../http/auth-context.js";
import type { Requires } from "../http/authorize.js";
import { contextOf } from "../http/request-context.js";

/** Platform admins: which keys seal what, and key rotation. Counts and key ids only, never values. */
export function keyRotationRoutes(deps: { rotation: KeyRotationService; requires: Requires }): Router {
  const { rotation, requires } = deps;
  const router = Router();
  const adminOnly = requires({ kind: "platformAdmin" });

  router.get("/api/admin/secrets/keys", adminOnly, async (_req, res) => {
    res.json(await rotation.keys());
  });

  router.get("/api/admin/secrets/rotation", adminOnly, async (_req, res) => {
    res.json({ rotation: await rotation.status() });
  });

  router.post("/api/admin/secrets/rotation", adminOnly, async (req, res) => {
    const { started, status } = await rotation.start({ ...contextOf(req), actor: actorOf(req) });
    res.status(started ? 202 : 409).json({ started, rotation: status });
  });

  return router;
}

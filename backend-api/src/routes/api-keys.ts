import { createKeyBody, keyParams } from "@nora/domain/api-keys/schema";
import type { ApiKeyService } from "@nora/domain/api-keys/service";
import { Router } from "express";
import { actorOf, sessionOf, workspaceOf } from "../http/auth-context.js";
import type { Requires } from "../http/authorize.js";
import { contextOf } from "../http/request-context.js";
import { validated } from "../http/validate.js";

/** Key management is session-only and admin+: a key can never mint, rotate or revoke keys. */
export function apiKeyRoutes(deps: { apiKeys: ApiKeyService; requires: Requires }): Router {
  const { apiKeys, requires } = deps;
  const router = Router();
  const manage = requires({ kind: "workspace", role: "admin", sessionOnly: true });
  const ctx = (req: Parameters<typeof contextOf>[0]) => ({ ...contextOf(req), actor: actorOf(req) });

  router.get("/api/workspaces/:id/api-keys", manage, async (req, res) => {
    res.json({ apiKeys: await apiKeys.list(workspaceOf(req).workspaceId) });
  });

  router.post(
    "/api/workspaces/:id/api-keys",
    manage,
    validated({ body: createKeyBody }, async (req, res, { body }) => {
      const created = await apiKeys.create(
        workspaceOf(req).workspaceId,
        sessionOf(req).user.id,
        body,
        ctx(req),
      );
      res.status(201).json(created);
    }),
  );

  router.delete(
    "/api/workspaces/:id/api-keys/:keyId",
    manage,
    validated({ params: keyParams }, async (req, res, { params }) => {
      await apiKeys.revoke(workspaceOf(req).workspaceId, params.keyId, sessionOf(req).user.id, ctx(req));
      res.status(204).end();
    }),
  );

  router.post(
    "/api/workspaces/:id/api-keys/:keyId/rotate",
    manage,
    validated({ params: keyParams }, async (req, res, { params }) => {
      const rotated = await apiKeys.rotate(
        workspaceOf(req).workspaceId,
        params.keyId,
        sessionOf(req).user.id,
        ctx(req),
      );
      res.status(201).json(rotated);
    }),
  );

  return router;
}

import { opaqueText } from "@nora/core";
import { envOverrideNameSchema } from "@nora/domain/agents/env-override-names";
import type { EnvOverridesService } from "@nora/domain/agents/env-overrides-service";
import { Router } from "express";
import { z } from "zod";
import { actorOf, authOf, workspaceOf } from "../http/auth-context.js";
import type { Requires } from "../http/authorize.js";
import { contextOf } from "../http/request-context.js";
import { validated } from "../http/validate.js";

const agentParams = z.strictObject({ agentId: z.uuid() });
const secretParams = z.strictObject({ agentId: z.uuid(), name: envOverrideNameSchema });
const setBody = z.strictObject({ value: opaqueText({ max: 32_768, min: 1 }) });

export function envOverrideRoutes(deps: { overrides: EnvOverridesService; requires: Requires }): Router {
  const { overrides, requires } = deps;
  const router = Router();
  const ctx = (req: Parameters<typeof contextOf>[0]) => ({ ...contextOf(req), actor: actorOf(req) });

  router.get(
    "/api/agents/:agentId/secrets",
    requires({ kind: "agent", role: "viewer", scope: "agents:read" }),
    validated({ params: agentParams }, async (_req, res, { params }) => {
      res.json({ secrets: await overrides.list(params.agentId) });
    }),
  );

  router.put(
    "/api/agents/:agentId/secrets/:name",
    requires({ kind: "agent", role: "editor", scope: "agents:write" }),
    validated({ params: secretParams, body: setBody }, async (req, res, { params, body }) => {
      await overrides.set(
        params.agentId,
        workspaceOf(req).workspaceId,
        params.name,
        body.value,
        authOf(req).user.id,
        ctx(req),
      );
      res.status(204).end();
    }),
  );

  router.delete(
    "/api/agents/:agentId/secrets/:name",
    requires({ kind: "agent", role: "editor", scope: "agents:write" }),
    validated({ params: secretParams }, async (req, res, { params }) => {
      await overrides.remove(params.agentId, workspaceOf(req).workspaceId, params.name, ctx(req));
      res.status(204).end();
    }),
  );

  return router;
}

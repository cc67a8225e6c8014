import { Router } from "express";
import { z } from "zod";
import { actorOf, authOf, workspaceOf } from "../../http/auth-context.js";
import type { Requires } from "../../http/authorize.js";
import { contextOf } from "../../http/request-context.js";
import { parseRequest } from "../../http/validate.js";
import { secretNameSchema } from "./secret-names.js";
import type { AgentSecretsService } from "./secrets-service.js";

const agentParams = z.strictObject({ agentId: z.string().uuid() });
const secretParams = z.strictObject({ agentId: z.string().uuid(), name: secretNameSchema });
const setBody = z.strictObject({ value: z.string().min(1).max(32_768) });

export function agentSecretRoutes(deps: { secrets: AgentSecretsService; requires: Requires }): Router {
  const { secrets, requires } = deps;
  const router = Router();
  const ctx = (req: Parameters<typeof contextOf>[0]) => ({ ...contextOf(req), actor: actorOf(req) });

  router.get(
    "/api/agents/:agentId/secrets",
    requires({ kind: "agent", role: "viewer", scope: "agents:read" }),
    async (req, res) => {
      const { params } = parseRequest(req, { params: agentParams });
      res.json({ secrets: await secrets.list(params.agentId) });
    },
  );

  router.put(
    "/api/agents/:agentId/secrets/:name",
    requires({ kind: "agent", role: "editor", scope: "agents:write" }),
    async (req, res) => {
      const { params, body } = parseRequest(req, { params: secretParams, body: setBody });
      await secrets.set(
        params.agentId,
        workspaceOf(req).workspaceId,
        params.name,
        body.value,
        authOf(req).user.id,
        ctx(req),
      );
      res.status(204).end();
    },
  );

  router.delete(
    "/api/agents/:agentId/secrets/:name",
    requires({ kind: "agent", role: "editor", scope: "agents:write" }),
    async (req, res) => {
      const { params } = parseRequest(req, { params: secretParams });
      await secrets.remove(params.agentId, workspaceOf(req).workspaceId, params.name, ctx(req));
      res.status(204).end();
    },
  );

  return router;
}

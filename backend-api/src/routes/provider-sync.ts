import type { ProviderSyncService } from "@nora/domain/agents/provider-sync";
import { Router } from "express";
import { z } from "zod";
import { actorOf } from "../http/auth-context.js";
import type { Requires } from "../http/authorize.js";
import { contextOf } from "../http/request-context.js";
import { validated } from "../http/validate.js";

const agentParams = z.strictObject({ agentId: z.uuid() });

export function providerSyncRoutes(deps: { sync: ProviderSyncService; requires: Requires }): Router {
  const router = Router();
  router.post(
    "/api/agents/:agentId/sync-providers",
    deps.requires({ kind: "agent", role: "editor", scope: "agents:write" }),
    validated({ params: agentParams }, async (req, res, { params }) => {
      res.json(await deps.sync.sync(params.agentId, { ...contextOf(req), actor: actorOf(req) }));
    }),
  );
  return router;
}

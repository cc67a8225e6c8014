import { notFound } from "@nora/core";
import { createProviderBody, providerParams, updateProviderBody } from "@nora/domain/providers/schema";
import type { ProviderService } from "@nora/domain/providers/service";
import { type Request, Router } from "express";
import { actorOf, authOf, workspaceOf } from "../http/auth-context.js";
import type { Requires } from "../http/authorize.js";
import { contextOf } from "../http/request-context.js";
import { validated } from "../http/validate.js";

/** LLM providers: viewers (and `integrations:read` keys) see the masked list; editors manage. */
export function providerRoutes(deps: { providers: ProviderService; requires: Requires }): Router {
  const { providers, requires } = deps;
  const router = Router();
  const read = requires({ kind: "workspace", role: "viewer", scope: "integrations:read" });
  const write = requires({ kind: "workspace", role: "editor", scope: "integrations:write" });
  const ctx = (req: Parameters<typeof contextOf>[0]) => ({ ...contextOf(req), actor: actorOf(req) });
  const base = "/api/workspaces/:id/llm-providers";
  // A malformed id answers like an unknown one: 404, so ids cannot be probed.
  const providerIdOf = (req: Request) => {
    const parsed = providerParams.safeParse(req.params);
    if (!parsed.success) throw notFound("Provider not found");
    return parsed.data.providerId;
  };

  router.get(base, read, async (req, res) => {
    res.json({ providers: await providers.list(workspaceOf(req).workspaceId) });
  });

  router.post(
    base,
    write,
    validated({ body: createProviderBody }, async (req, res, { body }) => {
      const provider = await providers.create(
        workspaceOf(req).workspaceId,
        authOf(req).user.id,
        body,
        ctx(req),
      );
      res.status(201).json({ provider });
    }),
  );

  router.patch(
    `${base}/:providerId`,
    write,
    validated({ body: updateProviderBody }, async (req, res, { body }) => {
      const providerId = providerIdOf(req);
      const provider = await providers.update(workspaceOf(req).workspaceId, providerId, body, ctx(req));
      res.json({ provider });
    }),
  );

  router.delete(`${base}/:providerId`, write, async (req, res) => {
    await providers.remove(workspaceOf(req).workspaceId, providerIdOf(req), ctx(req));
    res.status(204).end();
  });

  router.post(`${base}/:providerId/test`, write, async (req, res) => {
    const result = await providers.test(workspaceOf(req).workspaceId, providerIdOf(req), ctx(req));
    res.json(result);
  });

  return router;
}

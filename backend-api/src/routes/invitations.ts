import {
  acceptInvitationBody,
  createInvitationBody,
  invitationParams,
} from "@nora/domain/invitations/schema";
import type { InvitationService } from "@nora/domain/invitations/service";
import { Router } from "express";
import { actorOf, sessionOf, workspaceOf } from "../http/auth-context.js";
import type { Requires } from "../http/authorize.js";
import { contextOf } from "../http/request-context.js";
import { validated } from "../http/validate.js";

export function invitationRoutes(deps: { invitations: InvitationService; requires: Requires }): Router {
  const { invitations, requires } = deps;
  const router = Router();
  const manage = requires({ kind: "workspace", role: "admin", sessionOnly: true });
  const ctx = (req: Parameters<typeof contextOf>[0]) => ({ ...contextOf(req), actor: actorOf(req) });

  router.get("/api/workspaces/:id/invitations", manage, async (req, res) => {
    res.json({ invitations: await invitations.list(workspaceOf(req).workspaceId) });
  });

  router.post(
    "/api/workspaces/:id/invitations",
    manage,
    validated({ body: createInvitationBody }, async (req, res, { body }) => {
      const created = await invitations.create(
        workspaceOf(req).workspaceId,
        sessionOf(req).user.id,
        body,
        ctx(req),
      );
      res.status(201).json(created);
    }),
  );

  router.delete(
    "/api/workspaces/:id/invitations/:invitationId",
    manage,
    validated({ params: invitationParams }, async (req, res, { params }) => {
      await invitations.revoke(workspaceOf(req).workspaceId, params.invitationId, ctx(req));
      res.status(204).end();
    }),
  );

  router.post(
    "/api/invitations/accept",
    requires({ kind: "session" }),
    validated({ body: acceptInvitationBody }, async (req, res, { body }) => {
      res.json(await invitations.accept(body.token, sessionOf(req).user.id, ctx(req)));
    }),
  );

  return router;
}

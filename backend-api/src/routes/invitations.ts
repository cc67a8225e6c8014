import { API } from "@nora/api-contract";
import type { InvitationService } from "@nora/domain/invitations/service";
import { Router } from "express";
import { actionContextOf, sessionOf, workspaceOf } from "../http/auth-context.js";
import type { Requires } from "../http/authorize.js";
import { mount } from "../http/mount.js";

const routes = API.invitations;

export function invitationRoutes(deps: { invitations: InvitationService; requires: Requires }): Router {
  const { invitations, requires } = deps;
  const router = Router();

  mount(router, requires, routes.list, async (req, _res, _input, reply) => {
    reply(200, { invitations: await invitations.list(workspaceOf(req).workspaceId) });
  });

  mount(router, requires, routes.create, async (req, _res, { body }, reply) => {
    const created = await invitations.create(
      workspaceOf(req).workspaceId,
      sessionOf(req).user.id,
      body,
      actionContextOf(req),
    );
    reply(201, created);
  });

  mount(router, requires, routes.revoke, async (req, _res, { params }, reply) => {
    await invitations.revoke(workspaceOf(req).workspaceId, params.invitationId, actionContextOf(req));
    reply(204);
  });

  mount(router, requires, routes.accept, async (req, _res, { body }, reply) => {
    reply(200, await invitations.accept(body.token, sessionOf(req).user.id, actionContextOf(req)));
  });

  return router;
}

import { API } from "@nora/api-contract";
import type { WorkspaceService } from "@nora/domain/workspaces/service";
import { Router } from "express";
import { actionContextOf, sessionOf, workspaceOf } from "../http/auth-context.js";
import type { Requires } from "../http/authorize.js";
import { mount } from "../http/mount.js";

const routes = API.workspaces;

export function workspaceRoutes(deps: { workspaces: WorkspaceService; requires: Requires }): Router {
  const { workspaces, requires } = deps;
  const router = Router();

  mount(router, requires, routes.list, async (req, _res, _input, reply) => {
    reply(200, { workspaces: await workspaces.list(sessionOf(req).user.id) });
  });

  mount(router, requires, routes.create, async (req, _res, { body }, reply) => {
    reply(201, {
      workspace: await workspaces.create(sessionOf(req).user.id, body.name, actionContextOf(req)),
    });
  });

  mount(router, requires, routes.get, async (req, _res, _input, reply) => {
    const access = workspaceOf(req);
    reply(200, { workspace: await workspaces.get(access.workspaceId, access.role) });
  });

  mount(router, requires, routes.rename, async (req, _res, { body }, reply) => {
    const workspace = await workspaces.rename(
      workspaceOf(req).workspaceId,
      sessionOf(req).user.id,
      body.name,
      actionContextOf(req),
    );
    reply(200, { workspace });
  });

  mount(router, requires, routes.remove, async (req, _res, _input, reply) => {
    await workspaces.remove(workspaceOf(req).workspaceId, sessionOf(req).user.id, actionContextOf(req));
    reply(204);
  });

  mount(router, requires, routes.members, async (req, _res, _input, reply) => {
    reply(200, { members: await workspaces.members(workspaceOf(req).workspaceId) });
  });

  mount(router, requires, routes.changeRole, async (req, _res, { params, body }, reply) => {
    const callerId = sessionOf(req).user.id;
    await workspaces.changeRole(
      workspaceOf(req).workspaceId,
      callerId,
      params.userId,
      body.role,
      actionContextOf(req),
    );
    reply(204);
  });

  // Viewer suffices to reach the handler: any member may leave; removing someone else needs admin (checked in the service).
  mount(router, requires, routes.removeMember, async (req, _res, { params }, reply) => {
    const callerId = sessionOf(req).user.id;
    await workspaces.removeMember(
      workspaceOf(req).workspaceId,
      callerId,
      params.userId,
      actionContextOf(req),
    );
    reply(204);
  });

  return router;
}

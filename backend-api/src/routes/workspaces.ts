import type { WorkspaceService } from "@nora/domain/workspaces/service";
import { Router } from "express";
import { actorOf, sessionOf, workspaceOf } from "../http/auth-context.js";
import type { Requires } from "../http/authorize.js";
import { contextOf } from "../http/request-context.js";
import { validated } from "../http/validate.js";
import {
  createWorkspaceBody,
  memberParams,
  updateMemberBody,
  updateWorkspaceBody,
} from "./schemas/workspaces.js";

export function workspaceRoutes(deps: { workspaces: WorkspaceService; requires: Requires }): Router {
  const { workspaces, requires } = deps;
  const router = Router();
  const ctx = (req: Parameters<typeof contextOf>[0]) => ({ ...contextOf(req), actor: actorOf(req) });

  router.get("/api/workspaces", requires({ kind: "session" }), async (req, res) => {
    res.json({ workspaces: await workspaces.list(sessionOf(req).user.id) });
  });

  router.post(
    "/api/workspaces",
    requires({ kind: "session" }),
    validated({ body: createWorkspaceBody }, async (req, res, { body }) => {
      res
        .status(201)
        .json({ workspace: await workspaces.create(sessionOf(req).user.id, body.name, ctx(req)) });
    }),
  );

  router.get(
    "/api/workspaces/:id",
    requires({ kind: "workspace", role: "viewer", scope: "workspaces:read" }),
    async (req, res) => {
      const access = workspaceOf(req);
      res.json({ workspace: await workspaces.get(access.workspaceId, access.role) });
    },
  );

  router.patch(
    "/api/workspaces/:id",
    requires({ kind: "workspace", role: "admin", sessionOnly: true }),
    validated({ body: updateWorkspaceBody }, async (req, res, { body }) => {
      res.json({
        workspace: await workspaces.rename(
          workspaceOf(req).workspaceId,
          sessionOf(req).user.id,
          body.name,
          ctx(req),
        ),
      });
    }),
  );

  router.delete(
    "/api/workspaces/:id",
    requires({ kind: "workspace", role: "owner", sessionOnly: true }),
    async (req, res) => {
      await workspaces.remove(workspaceOf(req).workspaceId, sessionOf(req).user.id, ctx(req));
      res.status(204).end();
    },
  );

  router.get(
    "/api/workspaces/:id/members",
    requires({ kind: "workspace", role: "viewer", scope: "workspaces:read" }),
    async (req, res) => {
      res.json({ members: await workspaces.members(workspaceOf(req).workspaceId) });
    },
  );

  router.patch(
    "/api/workspaces/:id/members/:userId",
    requires({ kind: "workspace", role: "admin", sessionOnly: true }),
    validated({ params: memberParams, body: updateMemberBody }, async (req, res, { params, body }) => {
      const callerId = sessionOf(req).user.id;
      await workspaces.changeRole(workspaceOf(req).workspaceId, callerId, params.userId, body.role, ctx(req));
      res.status(204).end();
    }),
  );

  // Viewer suffices to reach the handler: any member may leave; removing someone else needs admin (checked in the service).
  router.delete(
    "/api/workspaces/:id/members/:userId",
    requires({ kind: "workspace", role: "viewer", sessionOnly: true }),
    validated({ params: memberParams }, async (req, res, { params }) => {
      const callerId = sessionOf(req).user.id;
      await workspaces.removeMember(workspaceOf(req).workspaceId, callerId, params.userId, ctx(req));
      res.status(204).end();
    }),
  );

  return router;
}

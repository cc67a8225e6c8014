import type { AdminService } from "@nora/domain/admin/service";
import { Router } from "express";
import { actorOf } from "../http/auth-context.js";
import type { Requires } from "../http/authorize.js";
import { contextOf } from "../http/request-context.js";
import { validated } from "../http/validate.js";
import { listUsersQuery, updateUserBody, userParams } from "./schemas/admin.js";

/** Everything under /api/admin is guarded by the one platformAdmin requirement. */
export function adminRoutes(deps: { admin: AdminService; requires: Requires }): Router {
  const { admin, requires } = deps;
  const router = Router();
  const adminOnly = requires({ kind: "platformAdmin" });

  router.get(
    "/api/admin/users",
    adminOnly,
    validated({ query: listUsersQuery }, async (_req, res, { query }) => {
      res.json({ users: await admin.listUsers(query) });
    }),
  );

  router.patch(
    "/api/admin/users/:userId",
    adminOnly,
    validated({ params: userParams, body: updateUserBody }, async (req, res, { params, body }) => {
      const change = {
        ...(body.role !== undefined ? { role: body.role } : {}),
        ...(body.disabled !== undefined ? { disabled: body.disabled } : {}),
      };
      res.json({
        user: await admin.updateUser(params.userId, change, { ...contextOf(req), actor: actorOf(req) }),
      });
    }),
  );

  return router;
}

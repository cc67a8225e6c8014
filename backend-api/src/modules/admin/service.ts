import { AppError, notFound, type Pool, withTransaction } from "@nora/core";
import { type ActionContext, auditFieldsOf } from "../audit/context.js";
import { recordAudit } from "../audit/service.js";
import { revokeUserSessions } from "../auth/repo.js";
import { listUsers, lockActiveAdmins, updateUser } from "./repo.js";

export function createAdminService(deps: { pool: Pool }) {
  const { pool } = deps;
  return {
    listUsers: (filter: { q?: string; limit: number; offset: number }) => listUsers(pool, filter),

    /**
     * Changes a user's platform role or disables them. Disabling ends their sessions at once (and their
     * API keys stop working, since keys act only for an enabled creator). One active admin always remains.
     */
    async updateUser(
      userId: string,
      change: { role?: "user" | "admin"; disabled?: boolean },
      ctx: ActionContext,
    ) {
      return withTransaction(pool, async (tx) => {
        const admins = await lockActiveAdmins(tx);
        const losesAdmin = admins.includes(userId) && (change.role === "user" || change.disabled === true);
        if (losesAdmin && admins.length === 1) {
          throw new AppError(409, "last_admin", "The platform must keep at least one active admin");
        }
        const user = await updateUser(tx, userId, change);
        if (!user) throw notFound("User not found");
        const revoked = change.disabled ? await revokeUserSessions(tx, userId, "user_disabled") : 0;
        await recordAudit(tx, {
          ...auditFieldsOf(ctx),
          action: "admin.user_updated",
          target: { type: "user", id: userId },
          metadata: { ...change, sessionsRevoked: revoked },
        });
        return user;
      });
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;

import type { AdminAgentsQuery } from "@nora/api-contract";
import { AppError, notFound, type Pool } from "@nora/core";
import { listFleet } from "../agents/fleet.js";
import { revokeCreatorKeys } from "../api-keys/creator-keys.js";
import { type ActionContext, auditFieldsOf } from "../audit/context.js";
import { recordAudit } from "../audit/service.js";
import { revokeSessionsOf } from "../auth/service.js";
import { inMembershipTransaction } from "../workspaces/membership.js";
import { listUsers, lockActiveAdmins, updateUser } from "./repo.js";

export function createAdminService(deps: { pool: Pool }) {
  const { pool } = deps;
  return {
    listUsers: (filter: { q?: string; limit: number; offset: number }) => listUsers(pool, filter),

    /** The fleet: every agent across workspaces, a page at a time (asks one more row to know if more follow). */
    listAgents: (query: AdminAgentsQuery) => listFleet(pool, query),

    /**
     * Changes a user's platform role or disables them. Disabling ends their sessions and revokes their API
     * keys in every workspace (one audit record per key), in the same transaction: re-enabling the user
     * later brings neither back. One active admin always remains.
     */
    async updateUser(
      userId: string,
      change: { role?: "user" | "admin"; disabled?: boolean },
      ctx: ActionContext,
    ) {
      return inMembershipTransaction(pool, async (tx) => {
        const admins = await lockActiveAdmins(tx);
        const losesAdmin = admins.includes(userId) && (change.role === "user" || change.disabled === true);
        if (losesAdmin && admins.length === 1) {
          throw new AppError(409, "last_admin", "The platform must keep at least one active admin");
        }
        const user = await updateUser(tx, userId, change);
        if (!user) throw notFound("User not found");
        const revoked = change.disabled ? await revokeSessionsOf(tx, userId, "user_disabled") : 0;
        const keysRevoked = change.disabled
          ? await revokeCreatorKeys(tx, { userId }, "user_disabled", ctx)
          : 0;
        await recordAudit(tx, {
          ...auditFieldsOf(ctx),
          action: "admin.user_updated",
          target: { type: "user", id: userId },
          metadata: { ...change, sessionsRevoked: revoked, apiKeysRevoked: keysRevoked },
        });
        return user;
      });
    },
  };
}

export type AdminService = ReturnType<typeof createAdminService>;

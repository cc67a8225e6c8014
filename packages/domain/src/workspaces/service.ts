import { AppError, forbidden, notFound, type Pool, type Queryable, withTransaction } from "@nora/core";
import { revokeCreatorKeys } from "../api-keys/creator-keys.js";
import { type ActionContext, auditFieldsOf } from "../audit/context.js";
import { recordAudit } from "../audit/service.js";
import type { ReadThrough } from "../shared/read-through.js";
import { inMembershipTransaction, lockMembershipOf } from "./membership.js";
import {
  addMember,
  deleteWorkspace,
  findRole,
  findWorkspace,
  insertWorkspace,
  listMembers,
  listWorkspacesFor,
  removeMember,
  renameWorkspace,
  setMemberRole,
} from "./repo.js";
import { roleAtLeast, type WorkspaceRole } from "./roles.js";

/*
 * Every change below that depends on the caller's role re-reads that role inside its transaction, under
 * the workspace's member row locks (membership.ts): the role the request was admitted with may be stale
 * by the time the change is made (another owner demoted or removed the caller meanwhile).
 */

const lastOwner = () => new AppError(409, "last_owner", "A workspace must keep at least one owner");

export function createWorkspaceService(deps: {
  pool: Pool;
  /** A cache in front of the workspace and role lookups; the API passes its auth cache's. */
  readThrough?: ReadThrough;
}) {
  const { pool } = deps;
  const readThrough: ReadThrough = deps.readThrough ?? ((_kind, _key, load) => load());
  const readWorkspace = (id: string) => readThrough("workspaces", id, () => findWorkspace(pool, id));

  return {
    list: (userId: string) => listWorkspacesFor(pool, userId),

    /** The caller's role in a workspace, or null when not a member (authorization looks this up). */
    async roleOf(workspaceId: string, userId: string): Promise<WorkspaceRole | null> {
      const load = () => findRole(pool, workspaceId, userId);
      return (await readThrough("roles", `${workspaceId}:${userId}`, load)) ?? null;
    },

    async create(userId: string, name: string, ctx: ActionContext) {
      return withTransaction(pool, async (tx) => {
        const workspace = await insertWorkspace(tx, name, userId);
        await recordAudit(tx, {
          ...auditFieldsOf(ctx),
          action: "workspace.created",
          workspaceId: workspace.id,
          target: { type: "workspace", id: workspace.id },
          metadata: { name },
        });
        return { ...workspace, role: "owner" as const };
      });
    },

    async get(workspaceId: string, role: WorkspaceRole) {
      const workspace = await readWorkspace(workspaceId);
      if (!workspace) throw notFound("Workspace not found");
      return { ...workspace, role };
    },

    async rename(workspaceId: string, callerId: string, name: string, ctx: ActionContext) {
      return inMembershipTransaction(pool, async (tx) => {
        await lockMembershipOf(tx, workspaceId, callerId, "admin");
        const workspace = await renameWorkspace(tx, workspaceId, name);
        if (!workspace) throw notFound("Workspace not found");
        await recordAudit(tx, {
          ...auditFieldsOf(ctx),
          action: "workspace.renamed",
          workspaceId,
          target: { type: "workspace", id: workspaceId },
          metadata: { name },
        });
        return workspace;
      });
    },

    async remove(workspaceId: string, callerId: string, ctx: ActionContext) {
      await inMembershipTransaction(pool, async (tx) => {
        await lockMembershipOf(tx, workspaceId, callerId, "owner");
        if (!(await deleteWorkspace(tx, workspaceId))) throw notFound("Workspace not found");
        await recordAudit(tx, {
          ...auditFieldsOf(ctx),
          action: "workspace.deleted",
          workspaceId,
          target: { type: "workspace", id: workspaceId },
        });
      });
    },

    members: (workspaceId: string) => listMembers(pool, workspaceId),

    /**
     * Changes a member's role. Admins manage members but only owners grant or take away ownership;
     * the last owner cannot be demoted. A role change keeps the member's API keys: a key never acts
     * above its creator's current role.
     */
    async changeRole(
      workspaceId: string,
      callerId: string,
      userId: string,
      role: WorkspaceRole,
      ctx: ActionContext,
    ) {
      await inMembershipTransaction(pool, async (tx) => {
        const { members, callerRole } = await lockMembershipOf(tx, workspaceId, callerId, "admin");
        const target = members.find((m) => m.userId === userId);
        if (!target) throw notFound("Member not found");
        if ((target.role === "owner" || role === "owner") && !roleAtLeast(callerRole, "owner")) {
          throw forbidden("Only owners can grant or remove ownership");
        }
        if (
          target.role === "owner" &&
          role !== "owner" &&
          members.filter((m) => m.role === "owner").length === 1
        ) {
          throw lastOwner();
        }
        if (target.role === role) return;
        await setMemberRole(tx, workspaceId, userId, role);
        await recordAudit(tx, {
          ...auditFieldsOf(ctx),
          action: "workspace.member.role_changed",
          workspaceId,
          target: { type: "user", id: userId },
          metadata: { from: target.role, to: role },
        });
      });
    },

    /**
     * Removes a member (admin+), or lets any member leave. The last owner can do neither. The member's
     * API keys in this workspace are revoked in the same transaction.
     */
    async removeMember(workspaceId: string, callerId: string, userId: string, ctx: ActionContext) {
      const leaving = callerId === userId;
      await inMembershipTransaction(pool, async (tx) => {
        const { members, callerRole } = await lockMembershipOf(tx, workspaceId, callerId, "viewer");
        const target = members.find((m) => m.userId === userId);
        if (!target) throw notFound("Member not found");
        if (!leaving && !roleAtLeast(callerRole, "admin")) {
          throw forbidden("This action needs the admin role");
        }
        if (!leaving && target.role === "owner" && !roleAtLeast(callerRole, "owner")) {
          throw forbidden("Only owners can remove an owner");
        }
        if (target.role === "owner" && members.filter((m) => m.role === "owner").length === 1)
          throw lastOwner();
        await removeMember(tx, workspaceId, userId);
        await recordAudit(tx, {
          ...auditFieldsOf(ctx),
          action: leaving ? "workspace.member.left" : "workspace.member.removed",
          workspaceId,
          target: { type: "user", id: userId },
          metadata: { role: target.role },
        });
        await revokeCreatorKeys(tx, { userId, workspaceId }, leaving ? "member_left" : "member_removed", ctx);
      });
    },
  };
}

export type WorkspaceService = ReturnType<typeof createWorkspaceService>;

/* Operations the invitations domain runs inside its own transactions. */

export const workspaceById = (db: Queryable, workspaceId: string) => findWorkspace(db, workspaceId);

/** Adds a member (no-op when already one); true when a row was added. */
export const addWorkspaceMember = (db: Queryable, workspaceId: string, userId: string, role: WorkspaceRole) =>
  addMember(db, workspaceId, userId, role);
export type { WorkspaceRow } from "./repo.js";

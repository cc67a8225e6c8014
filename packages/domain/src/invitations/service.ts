import { createHmac, randomBytes } from "node:crypto";
import type { createInvitationBody } from "@nora/api-contract";
import {
  AppError,
  badRequest,
  type Config,
  type Logger,
  notFound,
  type Pool,
  type Queryable,
  unauthorized,
  withTransaction,
} from "@nora/core";
import type { z } from "zod";
import { type ActionContext, auditFieldsOf } from "../audit/context.js";
import { recordAudit } from "../audit/service.js";
import { userById } from "../auth/service.js";
import { inMembershipTransaction, lockMembershipOf } from "../workspaces/membership.js";
import { addWorkspaceMember, workspaceById } from "../workspaces/service.js";
import type { Mailer } from "./mailer.js";
import {
  hasPendingInvitation,
  type InvitationRow,
  insertInvitation,
  listInvitations,
  lockInvitationByHash,
  markAccepted,
  revokeInvitation,
} from "./repo.js";

export function invitationStatus(inv: InvitationRow): "pending" | "accepted" | "revoked" | "expired" {
  if (inv.acceptedAt) return "accepted";
  if (inv.revokedAt) return "revoked";
  if (inv.expiresAt.getTime() <= Date.now()) return "expired";
  return "pending";
}

/** Invitation tokens are stored only as this HMAC. */
export const hashInvitationToken = (config: Config, token: string) =>
  createHmac("sha256", config.identity.inviteHashKey).update(token).digest();

/** Makes the user a member as the (locked, pending) invitation says, and uses it up, in `tx`. */
export async function acceptLockedInvitation(
  tx: Queryable,
  invitation: InvitationRow,
  userId: string,
  ctx: ActionContext,
) {
  const added = await addWorkspaceMember(tx, invitation.workspaceId, userId, invitation.role);
  await markAccepted(tx, invitation.id, userId);
  await recordAudit(tx, {
    ...auditFieldsOf(ctx),
    action: "workspace.invitation.accepted",
    workspaceId: invitation.workspaceId,
    target: { type: "invitation", id: invitation.id },
    metadata: { role: invitation.role, alreadyMember: !added },
  });
  return { workspaceId: invitation.workspaceId, role: invitation.role, alreadyMember: !added };
}

const publicInvitation = (inv: InvitationRow) => ({
  id: inv.id,
  email: inv.email,
  role: inv.role,
  status: invitationStatus(inv),
  invitedBy: inv.invitedBy,
  createdAt: inv.createdAt,
  expiresAt: inv.expiresAt,
  acceptedAt: inv.acceptedAt,
});

export function createInvitationService(deps: {
  config: Config;
  pool: Pool;
  logger: Logger;
  mailer?: Mailer;
}) {
  const { config, pool } = deps;
  const hashToken = (token: string) => hashInvitationToken(config, token);
  const invalid = () =>
    badRequest("invalid_invitation", "This invitation is invalid, expired or already used");

  return {
    list: async (workspaceId: string) => (await listInvitations(pool, workspaceId)).map(publicInvitation),

    /**
     * Creates an invitation with a random token stored only as an HMAC. With SMTP the accept link is
     * emailed; without it the link is returned to the inviter, this once.
     */
    async create(
      workspaceId: string,
      inviterId: string,
      input: z.infer<typeof createInvitationBody>,
      ctx: ActionContext,
    ) {
      const token = randomBytes(32).toString("base64url");
      const expiresAt = new Date(Date.now() + config.identity.invitationTtlDays * 86_400_000);
      const invitation = await inMembershipTransaction(pool, async (tx) => {
        // Inviting needs admin at the moment the invitation is made, not when the request was admitted.
        await lockMembershipOf(tx, workspaceId, inviterId, "admin");
        const created = await insertInvitation(tx, {
          workspaceId,
          email: input.email,
          role: input.role,
          tokenHash: hashToken(token),
          invitedBy: inviterId,
          expiresAt,
        });
        await recordAudit(tx, {
          ...auditFieldsOf(ctx),
          action: "workspace.invitation.created",
          workspaceId,
          target: { type: "invitation", id: created.id },
          metadata: { email: input.email, role: input.role },
        });
        return created;
      });
      const acceptUrl = `${new URL(config.api.publicUrl).origin}/app/invitations/accept#token=${token}`;
      if (deps.mailer) {
        const [workspace, inviter] = await Promise.all([
          workspaceById(pool, workspaceId),
          userById(pool, inviterId),
        ]);
        try {
          await deps.mailer({
            to: input.email,
            workspaceName: workspace?.name ?? "a workspace",
            inviterEmail: inviter?.email ?? "A Nora user",
            acceptUrl,
            expiresAt,
          });
          return { invitation: publicInvitation(invitation), delivery: "email" as const };
        } catch (error) {
          deps.logger.error(
            { err: error, invitationId: invitation.id },
            "invitation email failed; showing the link instead",
          );
        }
      }
      return { invitation: publicInvitation(invitation), delivery: "link" as const, acceptUrl };
    },

    /** Needs admin at the moment it is made: the caller (the actor) is judged under the member locks. */
    async revoke(workspaceId: string, invitationId: string, ctx: ActionContext) {
      const callerId = ctx.actor.type === "system" ? undefined : ctx.actor.userId;
      if (!callerId) throw unauthorized();
      await inMembershipTransaction(pool, async (tx) => {
        await lockMembershipOf(tx, workspaceId, callerId, "admin");
        if (!(await revokeInvitation(tx, workspaceId, invitationId)))
          throw notFound("No pending invitation with this id");
        await recordAudit(tx, {
          ...auditFieldsOf(ctx),
          action: "workspace.invitation.revoked",
          workspaceId,
          target: { type: "invitation", id: invitationId },
        });
      });
    },

    /** Single use, unexpired, unrevoked, and only by the signed-in user whose email it was sent to. */
    async accept(token: string, userId: string, ctx: ActionContext) {
      return withTransaction(pool, async (tx) => {
        const invitation = await lockInvitationByHash(tx, hashToken(token));
        if (!invitation || invitationStatus(invitation) !== "pending") throw invalid();
        const user = await userById(tx, userId);
        if (!user || user.email !== invitation.email) {
          throw new AppError(
            403,
            "invitation_email_mismatch",
            "This invitation was sent to another email address",
          );
        }
        return acceptLockedInvitation(tx, invitation, userId, ctx);
      });
    },
  };
}

export type InvitationService = ReturnType<typeof createInvitationService>;

/* Operations the auth domain runs inside its signup transaction. */

/** Locks the invitation an invitation link's token names, for the rest of the transaction. */
export const lockInvitationByToken = (db: Queryable, config: Config, token: string) =>
  lockInvitationByHash(db, hashInvitationToken(config, token));

export const hasPendingInvitationFor = (db: Queryable, email: string) => hasPendingInvitation(db, email);

export type { InvitationRow } from "./repo.js";

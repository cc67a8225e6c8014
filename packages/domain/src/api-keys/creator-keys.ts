import type { Queryable } from "@nora/core";
import { type ActionContext, auditFieldsOf } from "../audit/context.js";
import { recordAudit } from "../audit/service.js";
import { revokeKeysCreatedBy } from "./repo.js";

export type CreatorKeyRevocation = "member_removed" | "member_left" | "user_disabled";

/**
 * A key dies with its creator's standing: when a member is removed or leaves (their keys in that
 * workspace) or a user is disabled (their keys everywhere), their keys are revoked in the transaction that
 * makes the change, one audit record per key. Nothing later (a re-invitation, a re-enable) revives them.
 */
export async function revokeCreatorKeys(
  tx: Queryable,
  creator: { userId: string; workspaceId?: string },
  reason: CreatorKeyRevocation,
  ctx: ActionContext,
): Promise<number> {
  const revoked = await revokeKeysCreatedBy(tx, creator);
  for (const key of revoked) {
    await recordAudit(tx, {
      ...auditFieldsOf(ctx),
      action: "api_key.revoked",
      workspaceId: key.workspaceId,
      target: { type: "api_key", id: key.id },
      metadata: { reason, createdBy: creator.userId },
    });
  }
  return revoked.length;
}

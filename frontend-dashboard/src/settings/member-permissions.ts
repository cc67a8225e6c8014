import { WORKSPACE_ROLES } from "@nora/api-contract";
import { atLeast, type WorkspaceRole } from "../roles";

export interface MemberPermissions {
  changeRole: boolean;
  remove: boolean;
  /** The roles the caller may set on this member. */
  grantable: WorkspaceRole[];
  /** Why an action is not offered, shown beside the disabled control. */
  reason?: string;
}

/**
 * What the caller may do to one member, as the API judges it: admins change roles and remove
 * members, only owners grant or take away ownership, and anyone may leave. The API refuses regardless.
 */
export function memberPermissions(
  callerRole: WorkspaceRole,
  member: { userId: string; role: WorkspaceRole },
  callerId: string,
  ownerCount: number,
): MemberPermissions {
  const self = member.userId === callerId;
  if (member.role === "owner" && ownerCount <= 1) {
    return {
      changeRole: false,
      remove: false,
      grantable: [...WORKSPACE_ROLES],
      reason: "The last owner can neither leave nor lose ownership: make someone else owner first",
    };
  }
  const owner = callerRole === "owner";
  const grantable = WORKSPACE_ROLES.filter((r) => owner || r !== "owner");
  if (!atLeast(callerRole, "admin")) {
    return {
      changeRole: false,
      remove: self,
      grantable,
      reason: "Only admins and owners manage members",
    };
  }
  if (member.role === "owner" && !owner) {
    return { changeRole: false, remove: self, grantable, reason: "Only owners change or remove an owner" };
  }
  if (self)
    return { changeRole: false, remove: true, grantable, reason: "Another admin or owner changes your role" };
  return { changeRole: true, remove: true, grantable };
}

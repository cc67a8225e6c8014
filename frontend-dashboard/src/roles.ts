import { WORKSPACE_ROLES } from "@nora/api-contract";

export type WorkspaceRole = (typeof WORKSPACE_ROLES)[number];

/** Whether `role` is `min` or above (viewer < editor < admin < owner), as the API judges it. */
export function atLeast(role: WorkspaceRole | undefined, min: WorkspaceRole): boolean {
  if (!role) return false;
  return WORKSPACE_ROLES.indexOf(role) >= WORKSPACE_ROLES.indexOf(min);
}

/** What an admin may ask of a user row, and how the dialog names it. */
export type UserChange =
  | { kind: "disable"; userId: string; email: string }
  | { kind: "enable"; userId: string; email: string }
  | { kind: "role"; userId: string; email: string; role: "user" | "admin" };

export function changeBody(change: UserChange): { disabled?: boolean; role?: "user" | "admin" } {
  if (change.kind === "role") return { role: change.role };
  return { disabled: change.kind === "disable" };
}

export function changeTitle(change: UserChange): string {
  switch (change.kind) {
    case "disable":
      return `Disable ${change.email}?`;
    case "enable":
      return `Enable ${change.email}?`;
    case "role":
      return change.role === "admin"
        ? `Make ${change.email} a platform admin?`
        : `Remove ${change.email}'s platform admin role?`;
  }
}

export function changeDescription(change: UserChange): string {
  switch (change.kind) {
    case "disable":
      return "Their sessions end at once and their API keys are revoked in every workspace. Enabling them later brings neither back.";
    case "enable":
      return "They can sign in again. Revoked API keys stay revoked.";
    case "role":
      return change.role === "admin"
        ? "Platform admins govern the whole server: users, settings, the fleet, queues, keys and clusters."
        : "They keep their workspace memberships but lose the admin app.";
  }
}

/** The refusal that keeps one active admin: worth its own words on the page. */
export const LAST_ADMIN = "last_admin";

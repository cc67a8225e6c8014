import type { WorkspaceRole } from "../workspaces/roles.js";
import type { KeyForAuth } from "./repo.js";

/** A key able to act: what `keyUsableAt` narrows a looked-up key to. */
export type UsableKey = KeyForAuth & { creatorRole: WorkspaceRole };

/**
 * The one rule for whether a key may act at `now` (epoch ms): not revoked, not expired, its creator
 * enabled and still a member of the key's workspace. Applied to every lookup, cached or fresh.
 */
export function keyUsableAt(key: KeyForAuth, now: number): key is UsableKey {
  return (
    key.revokedAt === null &&
    (key.expiresAt === null || key.expiresAt.getTime() > now) &&
    key.creatorDisabledAt === null &&
    key.creatorRole !== null
  );
}

import type { WorkspaceRole } from "../workspaces/roles.js";
import type { WorkspaceRow } from "../workspaces/service.js";

/** The lookups a process may cache, by kind. */
export interface CachedLookups {
  workspaces: WorkspaceRow;
  roles: WorkspaceRole | null;
}

/**
 * Serves `key` of `kind` from a cache when the process has one, else `load`s it. The API injects its
 * auth cache (invalidated on every access change); a worker injects nothing and always loads.
 */
export type ReadThrough = <K extends keyof CachedLookups>(
  kind: K,
  key: string,
  load: () => Promise<CachedLookups[K] | undefined>,
) => Promise<CachedLookups[K] | undefined>;

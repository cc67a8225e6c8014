import type { OpenGateway } from "../runtime-access/target.js";
import type { WorkspaceRole } from "../workspaces/roles.js";
import type { WorkspaceRow } from "../workspaces/service.js";

/** The lookups a process may cache, by kind. */
export interface CachedLookups {
  workspaces: WorkspaceRow;
  roles: WorkspaceRole | null;
  /** An agent's workspace, by agent id (authorization asks it on every agent route). */
  agentWorkspaces: string;
  /**
   * An agent's gateway or dashboard as `openAgentGateway` opened it (row read, address judged and
   * pinned, token opened), by `<server>:<agent id>`. Only a usable one is ever stored: a refusal is
   * thrown, never cached.
   */
  agentGateways: OpenGateway;
}

/**
 * Serves `key` of `kind` from a cache when the process has one, else `load`s it. The API injects its
 * auth cache (invalidated on every access change, and on every change to an agent's status, address or
 * token); a worker injects nothing and always loads.
 */
export type ReadThrough = <K extends keyof CachedLookups>(
  kind: K,
  key: string,
  load: () => Promise<CachedLookups[K] | undefined>,
) => Promise<CachedLookups[K] | undefined>;

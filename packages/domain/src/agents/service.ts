import type { Pool, Queryable } from "@nora/core";
import { agentInWorkspace, findAgentWorkspace } from "./repo.js";

/** What other domains and the API ask about an agent (the agents domain proper arrives with deployments). */
export function createAgentService(deps: { pool: Pool }) {
  const { pool } = deps;
  return {
    /** The workspace an agent belongs to, or null for an unknown agent (authorization looks this up). */
    workspaceOf: (agentId: string) => findAgentWorkspace(pool, agentId),
  };
}
/** Whether the agent belongs to the workspace; runs in the caller's transaction. */
export const agentBelongsTo = (db: Queryable, workspaceId: string, agentId: string) =>
  agentInWorkspace(db, workspaceId, agentId);

export type AgentService = ReturnType<typeof createAgentService>;

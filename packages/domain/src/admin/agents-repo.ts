import type { Queryable } from "@nora/core";
import { AGENT_COLUMNS, type AgentFilter, type AgentRow } from "../agents/repo.js";

export type FleetAgentRow = AgentRow & { workspaceName: string };

/** Every agent across workspaces, newest first (keyset on created_at, id), with its workspace's name. */
export async function listFleetAgents(
  db: Queryable,
  f: AgentFilter & { workspaceId?: string | undefined },
): Promise<FleetAgentRow[]> {
  const { rows } = await db.query<FleetAgentRow>(
    `SELECT ${AGENT_COLUMNS}, w.name AS "workspaceName" FROM agents a
     JOIN workspaces w ON w.id = a.workspace_id
     WHERE ($1::uuid IS NULL OR a.workspace_id = $1)
       AND ($2::text IS NULL OR a.status = $2)
       AND ($3::text IS NULL OR a.runtime_family = $3)
       AND ($4::text IS NULL OR a.deploy_target = $4)
       AND ($5::text IS NULL OR strpos(lower(a.name), lower($5)) > 0)
       AND ($6::uuid IS NULL OR (a.created_at, a.id) < (SELECT c.created_at, c.id FROM agents c WHERE c.id = $6))
     ORDER BY a.created_at DESC, a.id DESC
     LIMIT $7`,
    [
      f.workspaceId ?? null,
      f.status ?? null,
      f.family ?? null,
      f.target ?? null,
      f.q ?? null,
      f.afterId ?? null,
      f.limit,
    ],
  );
  return rows;
}

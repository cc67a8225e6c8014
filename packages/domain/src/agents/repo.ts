import type { Queryable } from "@nora/core";

export async function findAgentWorkspace(db: Queryable, agentId: string): Promise<string | null> {
  const { rows } = await db.query<{ workspaceId: string }>({
    name: "agents.workspace_of",
    text: `SELECT workspace_id AS "workspaceId" FROM agents WHERE id = $1`,
    values: [agentId],
  });
  return rows[0]?.workspaceId ?? null;
}

export async function agentInWorkspace(
  db: Queryable,
  workspaceId: string,
  agentId: string,
): Promise<boolean> {
  const { rows } = await db.query("SELECT 1 FROM agents WHERE id = $1 AND workspace_id = $2", [
    agentId,
    workspaceId,
  ]);
  return rows.length > 0;
}

export interface AgentRuntimeRow {
  id: string;
  workspaceId: string;
  status: string;
  runtimeUrl: string | null;
  runtimeTokenSealed: string | null;
}

export async function findAgentRuntime(db: Queryable, agentId: string): Promise<AgentRuntimeRow | undefined> {
  const { rows } = await db.query<AgentRuntimeRow>(
    `SELECT id, workspace_id AS "workspaceId", status, runtime_url AS "runtimeUrl",
       runtime_token_sealed AS "runtimeTokenSealed"
     FROM agents WHERE id = $1`,
    [agentId],
  );
  return rows[0];
}

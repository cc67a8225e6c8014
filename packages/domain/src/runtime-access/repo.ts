import type { RuntimeFamily } from "@nora/agent-runtime";
import type { Queryable } from "@nora/core";

/** What reaching an agent's runtime needs from its row: never shown to a caller. */
export interface AgentRuntimeRow {
  id: string;
  workspaceId: string;
  status: string;
  runtimeUrl: string | null;
  runtimeTokenSealed: string | null;
  /** The providers the agent receives; null means all of the workspace's. */
  providerIds: string[] | null;
}

export async function findAgentRuntime(db: Queryable, agentId: string): Promise<AgentRuntimeRow | undefined> {
  const { rows } = await db.query<AgentRuntimeRow>(
    `SELECT id, workspace_id AS "workspaceId", status, runtime_url AS "runtimeUrl",
       runtime_token_sealed AS "runtimeTokenSealed", provider_ids::text[] AS "providerIds"
     FROM agents WHERE id = $1`,
    [agentId],
  );
  return rows[0];
}

/** What reaching an agent's gateway or dashboard needs from its row: never shown to a caller. */
export interface AgentGatewayRow {
  id: string;
  workspaceId: string;
  status: string;
  runtimeFamily: RuntimeFamily;
  gatewayUrl: string | null;
  dashboardUrl: string | null;
  gatewayTokenSealed: string | null;
  /** OpenClaw: the private key of the device Nora connects to the gateway's WebSocket as. */
  gatewayDeviceKeySealed: string | null;
}

export async function findAgentGateway(db: Queryable, agentId: string): Promise<AgentGatewayRow | undefined> {
  const { rows } = await db.query<AgentGatewayRow>(
    `SELECT id, workspace_id AS "workspaceId", status, runtime_family AS "runtimeFamily",
       gateway_url AS "gatewayUrl", dashboard_url AS "dashboardUrl",
       gateway_token_sealed AS "gatewayTokenSealed",
       gateway_device_key_sealed AS "gatewayDeviceKeySealed"
     FROM agents WHERE id = $1`,
    [agentId],
  );
  return rows[0];
}

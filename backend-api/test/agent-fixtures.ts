import { Keyring } from "@nora/core";
import type { TestApp } from "./helpers.js";

export interface AgentFixture {
  workspaceId: string;
  status?: string;
  family?: "openclaw" | "hermes";
  runtimeUrl?: string | null;
  gatewayUrl?: string | null;
  dashboardUrl?: string | null;
  /** Sealed into the row as the provisioner would (AES-GCM, bound to the row and column). */
  runtimeToken?: string;
  gatewayToken?: string;
  /** The gateway device's private key (PKCS#8 PEM), sealed as the provisioner seals it. */
  gatewayDeviceKey?: string;
}

/** An agent row written directly, as if provisioned: where its runtime is, and its sealed tokens. */
export async function insertAgent(app: TestApp, agent: AgentFixture): Promise<string> {
  const { rows } = await app.db.pool.query<{ id: string }>(
    `INSERT INTO agents (workspace_id, name, status, runtime_family, runtime_url, gateway_url, dashboard_url)
     VALUES ($1, 'a-' || gen_random_uuid(), $2, $3, $4, $5, $6) RETURNING id`,
    [
      agent.workspaceId,
      agent.status ?? "running",
      agent.family ?? "openclaw",
      agent.runtimeUrl ?? null,
      agent.gatewayUrl ?? null,
      agent.dashboardUrl ?? null,
    ],
  );
  const id = rows[0]?.id as string;
  const keyring = Keyring.fromConfig(app.config);
  const seal = (column: string, token: string) => keyring.seal(token, { table: "agents", column, rowId: id });
  if (agent.runtimeToken !== undefined) {
    await app.db.pool.query("UPDATE agents SET runtime_token_sealed = $2 WHERE id = $1", [
      id,
      seal("runtime_token_sealed", agent.runtimeToken),
    ]);
  }
  if (agent.gatewayToken !== undefined) {
    await app.db.pool.query("UPDATE agents SET gateway_token_sealed = $2 WHERE id = $1", [
      id,
      seal("gateway_token_sealed", agent.gatewayToken),
    ]);
  }
  if (agent.gatewayDeviceKey !== undefined) {
    await app.db.pool.query("UPDATE agents SET gateway_device_key_sealed = $2 WHERE id = $1", [
      id,
      seal("gateway_device_key_sealed", agent.gatewayDeviceKey),
    ]);
  }
  return id;
}

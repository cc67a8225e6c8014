import type { AgentStatus, DeploymentAction, DeploymentStatus } from "@nora/api-contract";
import type { PoolClient, Queryable } from "@nora/core";

/** The SQL of the provisioner: what a deploy job reads and writes. */

export interface DeploymentJobRow {
  id: string;
  agentId: string;
  workspaceId: string;
  revisionId: string | null;
  action: DeploymentAction;
  status: DeploymentStatus;
  attempts: number;
  options: { keepData?: boolean; overrideDrift?: boolean };
  createdAt: Date;
}

export interface ProvisionedAgentRow {
  id: string;
  workspaceId: string;
  name: string;
  status: AgentStatus;
  desiredState: "running" | "stopped" | "deleted";
  family: "openclaw" | "hermes";
  target: "docker" | "k8s" | "proxmox";
  profile: "standard" | "nemoclaw";
  providerIds: string[] | null;
  runtimeTokenSealed: string | null;
  gatewayTokenSealed: string | null;
  /** OpenClaw: the private key of the device Nora connects to the gateway's WebSocket as. */
  gatewayDeviceKeySealed: string | null;
  runtimeUrl: string | null;
  gatewayUrl: string | null;
  dashboardUrl: string | null;
  runtimeRef: string | null;
  currentRevisionId: string | null;
  /** The Kubernetes cluster a k8s agent runs on. */
  clusterId: string | null;
}

const AGENT_COLUMNS = `id, workspace_id AS "workspaceId", name, status, desired_state AS "desiredState",
  runtime_family AS family, deploy_target AS target, sandbox_profile AS profile, provider_ids::text[] AS "providerIds",
  runtime_token_sealed AS "runtimeTokenSealed", gateway_token_sealed AS "gatewayTokenSealed",
  gateway_device_key_sealed AS "gatewayDeviceKeySealed",
  runtime_url AS "runtimeUrl", gateway_url AS "gatewayUrl", dashboard_url AS "dashboardUrl", runtime_ref AS "runtimeRef",
  current_revision_id AS "currentRevisionId", cluster_id AS "clusterId"`;

export async function deploymentForJob(db: Queryable, id: string): Promise<DeploymentJobRow | undefined> {
  const { rows } = await db.query<DeploymentJobRow>(
    `SELECT id, agent_id AS "agentId", workspace_id AS "workspaceId", revision_id AS "revisionId", action, status,
       attempts, options, created_at AS "createdAt"
     FROM deployments WHERE id = $1`,
    [id],
  );
  return rows[0];
}

export async function agentForJob(db: Queryable, id: string): Promise<ProvisionedAgentRow | undefined> {
  const { rows } = await db.query<ProvisionedAgentRow>(`SELECT ${AGENT_COLUMNS} FROM agents WHERE id = $1`, [
    id,
  ]);
  return rows[0];
}

/** Records the image digest of a revision the first time it is resolved (the trigger allows only that). */
export async function recordRevisionDigest(db: Queryable, id: string, digest: string): Promise<void> {
  await db.query("UPDATE agent_revisions SET image_digest = $2 WHERE id = $1 AND image_digest IS NULL", [
    id,
    digest,
  ]);
}

/**
 * A deployment of the same agent asked for after this one, whatever became of it: the newer intent
 * wins, so an older request never runs after a newer one (even one already done). Compared in SQL on
 * the rows' own microsecond times: two requests in one millisecond would look alike in JavaScript.
 */
export async function newerDeployment(db: Queryable, deployment: DeploymentJobRow): Promise<string | null> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT d.id FROM deployments d, deployments me
      WHERE me.id = $2 AND d.agent_id = $1 AND d.id <> me.id AND (d.created_at, d.id) > (me.created_at, me.id)
      ORDER BY d.created_at DESC LIMIT 1`,
    [deployment.agentId, deployment.id],
  );
  return rows[0]?.id ?? null;
}

export async function markDeploymentStarted(db: Queryable, id: string): Promise<void> {
  await db.query(
    `UPDATE deployments SET status = 'in_progress', attempts = attempts + 1, started_at = coalesce(started_at, now())
      WHERE id = $1`,
    [id],
  );
}

export async function finishDeployment(
  db: Queryable,
  id: string,
  outcome: { status: Exclude<DeploymentStatus, "queued" | "in_progress">; reason: string | null },
): Promise<void> {
  await db.query(
    `UPDATE deployments SET status = $2, reason = $3, finished_at = now()
      WHERE id = $1 AND status IN ('queued', 'in_progress')`,
    [id, outcome.status, outcome.reason?.slice(0, 2000) ?? null],
  );
}

export async function recordDelivered(
  db: Queryable,
  id: string,
  delivered: Record<string, unknown>,
): Promise<void> {
  await db.query("UPDATE deployments SET delivered = $2 WHERE id = $1", [id, JSON.stringify(delivered)]);
}

/**
 * Moves an agent to `to` if its current status is one of `from`, in one statement (two writers cannot
 * both pass the check). Returns the status it left, or null when the transition was refused, with the
 * status that refused it.
 */
export async function transitionAgent(
  db: Queryable,
  agentId: string,
  to: AgentStatus,
  from: readonly AgentStatus[],
  reason: string | null,
): Promise<{ moved: true; previous: AgentStatus } | { moved: false; current: AgentStatus | null }> {
  const { rows } = await db.query<{ previous: AgentStatus }>(
    `UPDATE agents a SET status = $2, status_reason = $3, status_changed_at = now(), updated_at = now()
       FROM (SELECT id, status FROM agents WHERE id = $1 FOR UPDATE) old
      WHERE a.id = old.id AND old.status = ANY($4::text[])
      RETURNING old.status AS previous`,
    [agentId, to, reason?.slice(0, 2000) ?? null, from],
  );
  if (rows[0]) return { moved: true, previous: rows[0].previous };
  const current = await db.query<{ status: AgentStatus }>("SELECT status FROM agents WHERE id = $1", [
    agentId,
  ]);
  return { moved: false, current: current.rows[0]?.status ?? null };
}

export async function recordRuntime(
  db: Queryable,
  agentId: string,
  runtime: {
    runtimeUrl: string;
    gatewayUrl: string;
    dashboardUrl: string | null;
    runtimeRef: string;
    enforcement: Record<string, unknown>;
    revisionId: string;
  },
): Promise<void> {
  await db.query(
    `UPDATE agents SET runtime_url = $2, gateway_url = $3, runtime_ref = $4, enforcement = $5,
       current_revision_id = $6, dashboard_url = $7, updated_at = now()
     WHERE id = $1`,
    [
      agentId,
      runtime.runtimeUrl,
      runtime.gatewayUrl,
      runtime.runtimeRef,
      JSON.stringify(runtime.enforcement),
      runtime.revisionId,
      runtime.dashboardUrl,
    ],
  );
}

export async function deleteAgentRow(db: Queryable, agentId: string): Promise<void> {
  await db.query("DELETE FROM agents WHERE id = $1", [agentId]);
}

/* Allocations: the unique keys are the guarantee; a race loses an INSERT and tries the next value. */

export async function subnetIndexOf(db: Queryable, agentId: string): Promise<number | null> {
  const { rows } = await db.query<{ index: number }>(
    `SELECT subnet_index AS index FROM agent_networks WHERE agent_id = $1`,
    [agentId],
  );
  return rows[0]?.index ?? null;
}

/** The lowest free subnet index at or above `from`, claimed for the agent; null when the pool is full. */
export async function claimSubnetIndex(
  db: Queryable,
  agentId: string,
  from: number,
  last: number,
): Promise<number | null> {
  const { rows } = await db.query<{ index: number }>(
    `INSERT INTO agent_networks (agent_id, subnet_index)
     SELECT $1, i FROM generate_series($2::int, $3::int) i
      WHERE NOT EXISTS (SELECT 1 FROM agent_networks n WHERE n.subnet_index = i)
      ORDER BY i LIMIT 1
     ON CONFLICT DO NOTHING
     RETURNING subnet_index AS index`,
    [agentId, from, last],
  );
  return rows[0]?.index ?? null;
}

export async function releaseSubnet(db: Queryable, agentId: string): Promise<void> {
  await db.query("DELETE FROM agent_networks WHERE agent_id = $1", [agentId]);
}

export async function hostPortOf(
  db: Queryable,
  agentId: string,
  containerPort: number,
): Promise<number | null> {
  const { rows } = await db.query<{ port: number }>(
    "SELECT port FROM agent_host_ports WHERE agent_id = $1 AND container_port = $2",
    [agentId, containerPort],
  );
  return rows[0]?.port ?? null;
}

export async function claimHostPort(
  db: Queryable,
  agentId: string,
  containerPort: number,
  from: number,
  last: number,
): Promise<number | null> {
  const { rows } = await db.query<{ port: number }>(
    `INSERT INTO agent_host_ports (port, agent_id, container_port)
     SELECT p, $1, $2 FROM generate_series($3::int, $4::int) p
      WHERE NOT EXISTS (SELECT 1 FROM agent_host_ports h WHERE h.port = p)
      ORDER BY p LIMIT 1
     ON CONFLICT DO NOTHING
     RETURNING port`,
    [agentId, containerPort, from, last],
  );
  return rows[0]?.port ?? null;
}

export async function releaseHostPorts(db: Queryable, agentId: string): Promise<void> {
  await db.query("DELETE FROM agent_host_ports WHERE agent_id = $1", [agentId]);
}

/* The per-agent advisory lock that serialises jobs on one agent (held on a dedicated connection). */

export async function tryLockAgent(client: PoolClient, agentId: string): Promise<boolean> {
  const { rows } = await client.query<{ locked: boolean }>(
    "SELECT pg_try_advisory_lock(hashtextextended('nora.agent:' || $1, 0)) AS locked",
    [agentId],
  );
  return rows[0]?.locked === true;
}

export async function unlockAgent(client: PoolClient, agentId: string): Promise<void> {
  await client.query("SELECT pg_advisory_unlock(hashtextextended('nora.agent:' || $1, 0))", [agentId]);
}

/* Reconciliation */

/** Deployments not finished and older than `olderThanMs`: the sweeper checks each has a job. */
export async function unfinishedDeployments(
  db: Queryable,
  olderThanMs: number,
): Promise<Array<{ id: string; agentId: string; status: DeploymentStatus }>> {
  const { rows } = await db.query<{ id: string; agentId: string; status: DeploymentStatus }>(
    `SELECT id, agent_id AS "agentId", status FROM deployments
      WHERE status IN ('queued', 'in_progress') AND created_at < now() - make_interval(secs => $1::float8 / 1000)
      ORDER BY created_at LIMIT 500`,
    [olderThanMs],
  );
  return rows;
}

export async function existingAgentIds(db: Queryable, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await db.query<{ id: string }>("SELECT id FROM agents WHERE id = ANY($1::uuid[])", [ids]);
  return new Set(rows.map((r) => r.id));
}

export async function workspaceExists(db: Queryable, id: string): Promise<boolean> {
  const { rows } = await db.query("SELECT 1 FROM workspaces WHERE id = $1", [id]);
  return rows.length > 0;
}

/** Agents that should have a runtime (created once, not in flight): reconciliation checks each still has one. */
export async function agentsExpectingRuntime(
  db: Queryable,
  target: string,
  clusterId: string | null = null,
): Promise<ProvisionedAgentRow[]> {
  const { rows } = await db.query<ProvisionedAgentRow>(
    `SELECT ${AGENT_COLUMNS} FROM agents
      WHERE deploy_target = $1 AND runtime_ref IS NOT NULL AND status IN ('running', 'warning', 'stopped')
        AND ($2::uuid IS NULL OR cluster_id = $2)`,
    [target, clusterId],
  );
  return rows;
}

export async function agentsWithStatus(
  db: Queryable,
  statuses: readonly AgentStatus[],
): Promise<ProvisionedAgentRow[]> {
  const { rows } = await db.query<ProvisionedAgentRow>(
    `SELECT ${AGENT_COLUMNS} FROM agents WHERE status = ANY($1::text[]) ORDER BY id LIMIT 1000`,
    [statuses],
  );
  return rows;
}

/**
 * Stores secrets generated for an agent that lacks them: tokens (rows older than the agents API), the
 * gateway device key (agents deployed before it). A value already there is kept.
 */
export async function storeMissingTokens(
  db: Queryable,
  agentId: string,
  sealed: { runtime: string; gateway: string; device: string | null },
): Promise<void> {
  await db.query(
    `UPDATE agents SET runtime_token_sealed = coalesce(runtime_token_sealed, $2),
       gateway_token_sealed = coalesce(gateway_token_sealed, $3),
       gateway_device_key_sealed = coalesce(gateway_device_key_sealed, $4)
     WHERE id = $1`,
    [agentId, sealed.runtime, sealed.gateway, sealed.device],
  );
}

/** This installation's id, made once (the first provisioner to ask) and the same for every process after. */
export async function installationId(db: Queryable): Promise<string> {
  await db.query(
    `INSERT INTO platform_settings (key, value) VALUES ('installation_id', to_jsonb(gen_random_uuid()::text))
     ON CONFLICT (key) DO NOTHING`,
  );
  const { rows } = await db.query<{ id: string }>(
    "SELECT value #>> '{}' AS id FROM platform_settings WHERE key = 'installation_id'",
  );
  return rows[0]?.id as string;
}

import type { AgentStatus } from "@nora/api-contract";
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

/** An agent's desired state and status, as the API shows it (no token, no runtime URL). */
export interface AgentRow {
  id: string;
  workspaceId: string;
  name: string;
  family: string;
  target: string;
  profile: string;
  status: AgentStatus;
  statusReason: string | null;
  statusChangedAt: Date;
  desiredState: "running" | "stopped" | "deleted";
  vcpu: number;
  memoryMb: number;
  diskGb: number;
  image: string | null;
  providerIds: string[] | null;
  currentRevisionId: string | null;
  /** The number of the current revision. */
  revision: number | null;
  enforcement: Record<string, unknown>;
  /** The Kubernetes cluster of a k8s agent. */
  clusterId: string | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The columns of an AgentRow, over `agents a` (the admin fleet list reads the same shape). */
export const AGENT_COLUMNS = `a.id, a.workspace_id AS "workspaceId", a.name, a.runtime_family AS family,
  a.deploy_target AS target, a.sandbox_profile AS profile, a.status, a.status_reason AS "statusReason",
  a.status_changed_at AS "statusChangedAt", a.desired_state AS "desiredState", a.vcpu::float8 AS vcpu,
  a.memory_mb AS "memoryMb", a.disk_gb AS "diskGb", a.image, a.provider_ids::text[] AS "providerIds",
  a.current_revision_id AS "currentRevisionId",
  (SELECT r.number FROM agent_revisions r WHERE r.id = a.current_revision_id) AS revision,
  a.enforcement, a.cluster_id AS "clusterId", a.created_by AS "createdBy", a.created_at AS "createdAt", a.updated_at AS "updatedAt"`;

export async function findAgent(
  db: Queryable,
  agentId: string,
  forUpdate = false,
): Promise<AgentRow | undefined> {
  const { rows } = await db.query<AgentRow>(
    `SELECT ${AGENT_COLUMNS} FROM agents a WHERE a.id = $1${forUpdate ? " FOR UPDATE OF a" : ""}`,
    [agentId],
  );
  return rows[0];
}

export interface AgentFilter {
  status?: string | undefined;
  family?: string | undefined;
  target?: string | undefined;
  q?: string | undefined;
  /** Keyset: rows after this agent in the (created_at, id) DESC order. */
  afterId?: string | undefined;
  limit: number;
}

export async function listAgents(db: Queryable, workspaceId: string, f: AgentFilter): Promise<AgentRow[]> {
  const { rows } = await db.query<AgentRow>(
    `SELECT ${AGENT_COLUMNS} FROM agents a
     WHERE a.workspace_id = $1
       AND ($2::text IS NULL OR a.status = $2)
       AND ($3::text IS NULL OR a.runtime_family = $3)
       AND ($4::text IS NULL OR a.deploy_target = $4)
       AND ($5::text IS NULL OR strpos(lower(a.name), lower($5)) > 0)
       AND ($6::uuid IS NULL OR (a.created_at, a.id) < (SELECT c.created_at, c.id FROM agents c WHERE c.id = $6))
     ORDER BY a.created_at DESC, a.id DESC
     LIMIT $7`,
    [
      workspaceId,
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

/**
 * Serialises agent creation in one workspace for the rest of the transaction (the quota count) and
 * returns the workspace's own quota (null: the configured default).
 */
export async function lockWorkspaceAgents(
  db: Queryable,
  workspaceId: string,
): Promise<{ quota: number | null } | undefined> {
  await db.query("SELECT pg_advisory_xact_lock(hashtextextended('nora.agents.quota:' || $1, 0))", [
    workspaceId,
  ]);
  const { rows } = await db.query<{ quota: number | null }>(
    "SELECT agent_quota AS quota FROM workspaces WHERE id = $1",
    [workspaceId],
  );
  return rows[0];
}

/** Agents that count against the quota: every one not on its way out. */
export async function countLiveAgents(db: Queryable, workspaceId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM agents WHERE workspace_id = $1 AND desired_state <> 'deleted'",
    [workspaceId],
  );
  return rows[0]?.n ?? 0;
}

export interface NewAgent {
  id: string;
  workspaceId: string;
  name: string;
  family: string;
  target: string;
  profile: string;
  vcpu: number;
  memoryMb: number;
  diskGb: number;
  image: string | null;
  providerIds: string[] | null;
  runtimeTokenSealed: string;
  gatewayTokenSealed: string;
  createdBy: string | null;
  /** For target k8s: the cluster it runs on. */
  clusterId?: string | null;
}

export async function insertAgent(db: Queryable, a: NewAgent): Promise<void> {
  await db.query(
    `INSERT INTO agents (id, workspace_id, name, runtime_family, deploy_target, sandbox_profile, status,
       desired_state, vcpu, memory_mb, disk_gb, image, provider_ids, runtime_token_sealed,
       gateway_token_sealed, created_by, cluster_id)
     VALUES ($1, $2, $3, $4, $5, $6, 'queued', 'running', $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
    [
      a.id,
      a.workspaceId,
      a.name,
      a.family,
      a.target,
      a.profile,
      a.vcpu,
      a.memoryMb,
      a.diskGb,
      a.image,
      a.providerIds,
      a.runtimeTokenSealed,
      a.gatewayTokenSealed,
      a.createdBy,
      a.clusterId ?? null,
    ],
  );
}

export async function setCurrentRevision(db: Queryable, agentId: string, revisionId: string): Promise<void> {
  await db.query("UPDATE agents SET current_revision_id = $2, updated_at = now() WHERE id = $1", [
    agentId,
    revisionId,
  ]);
}

/** The desired spec fields an update or a rollback may set; omitted ones are kept. */
export interface DesiredSpecChange {
  name?: string;
  profile?: string;
  vcpu?: number;
  memoryMb?: number;
  diskGb?: number;
  image?: string | null;
  providerIds?: string[] | null;
}

const SPEC_COLUMNS: Record<keyof DesiredSpecChange, string> = {
  name: "name",
  profile: "sandbox_profile",
  vcpu: "vcpu",
  memoryMb: "memory_mb",
  diskGb: "disk_gb",
  image: "image",
  providerIds: "provider_ids",
};

export async function updateDesiredSpec(
  db: Queryable,
  agentId: string,
  change: DesiredSpecChange,
): Promise<void> {
  const sets: string[] = [];
  const values: unknown[] = [agentId];
  for (const [key, column] of Object.entries(SPEC_COLUMNS) as Array<[keyof DesiredSpecChange, string]>) {
    if (change[key] === undefined) continue;
    values.push(change[key]);
    sets.push(`${column} = $${values.length}`);
  }
  if (sets.length === 0) return;
  await db.query(`UPDATE agents SET ${sets.join(", ")}, updated_at = now() WHERE id = $1`, values);
}

/**
 * Moves the agent to `to` only from a status that may lead there (the state machine, checked in the
 * UPDATE itself so two writers cannot race past it), recording the desired state. Null when refused.
 */
export async function transitionAgent(
  db: Queryable,
  agentId: string,
  to: AgentStatus,
  from: readonly AgentStatus[],
  desiredState: "running" | "stopped" | "deleted",
  reason: string | null = null,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE agents SET status = $2, desired_state = $4, status_reason = $5,
       status_changed_at = CASE WHEN status = $2 THEN status_changed_at ELSE now() END, updated_at = now()
     WHERE id = $1 AND status = ANY($3::text[])`,
    [agentId, to, from, desiredState, reason],
  );
  return (rowCount ?? 0) > 0;
}

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

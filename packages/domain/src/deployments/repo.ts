import type { DeploymentAction, DeploymentStatus } from "@nora/api-contract";
import type { Queryable } from "@nora/core";

/** One lifecycle operation the provisioner runs; the deployments queue's job id is its id. */
export interface DeploymentRow {
  id: string;
  agentId: string;
  workspaceId: string;
  revisionId: string | null;
  /** The number of the revision it runs. */
  revision: number | null;
  action: DeploymentAction;
  status: DeploymentStatus;
  reason: string | null;
  attempts: number;
  delivered: Record<string, unknown>;
  options: Record<string, unknown>;
  requestedBy: string | null;
  requestedByKey: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

const DEPLOYMENT_COLUMNS = `d.id, d.agent_id AS "agentId", d.workspace_id AS "workspaceId",
  d.revision_id AS "revisionId",
  (SELECT r.number FROM agent_revisions r WHERE r.id = d.revision_id) AS revision,
  d.action, d.status, d.reason, d.attempts, d.delivered, d.options, d.requested_by AS "requestedBy",
  d.requested_by_key AS "requestedByKey", d.created_at AS "createdAt", d.started_at AS "startedAt",
  d.finished_at AS "finishedAt"`;

export interface NewDeployment {
  agentId: string;
  workspaceId: string;
  revisionId: string | null;
  action: DeploymentAction;
  options?: Record<string, unknown>;
  requestedBy: string | null;
  requestedByKey: string | null;
}

export async function insertDeployment(db: Queryable, d: NewDeployment): Promise<DeploymentRow> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO deployments (agent_id, workspace_id, revision_id, action, options, requested_by,
       requested_by_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [
      d.agentId,
      d.workspaceId,
      d.revisionId,
      d.action,
      JSON.stringify(d.options ?? {}),
      d.requestedBy,
      d.requestedByKey,
    ],
  );
  return (await findDeployment(db, rows[0]?.id as string)) as DeploymentRow;
}

export async function findDeployment(
  db: Queryable,
  deploymentId: string,
): Promise<DeploymentRow | undefined> {
  const { rows } = await db.query<DeploymentRow>(
    `SELECT ${DEPLOYMENT_COLUMNS} FROM deployments d WHERE d.id = $1`,
    [deploymentId],
  );
  return rows[0];
}

/** Newest first, keyset on (created_at, id). */
export async function listDeployments(
  db: Queryable,
  agentId: string,
  afterId: string | null,
  limit: number,
): Promise<DeploymentRow[]> {
  const { rows } = await db.query<DeploymentRow>(
    `SELECT ${DEPLOYMENT_COLUMNS} FROM deployments d
     WHERE d.agent_id = $1
       AND ($2::uuid IS NULL OR (d.created_at, d.id) < (SELECT c.created_at, c.id FROM deployments c WHERE c.id = $2))
     ORDER BY d.created_at DESC, d.id DESC LIMIT $3`,
    [agentId, afterId, limit],
  );
  return rows;
}

/**
 * A deployment whose job is retried from the failed list goes back to `queued` first (from failed, or
 * from in_progress when its worker died); false when there is no such unfinished-or-failed row.
 */
export async function requeueDeployment(db: Queryable, deploymentId: string): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE deployments SET status = 'queued', reason = NULL, finished_at = NULL
     WHERE id = $1 AND status NOT IN ('succeeded', 'warning')`,
    [deploymentId],
  );
  return (rowCount ?? 0) > 0;
}

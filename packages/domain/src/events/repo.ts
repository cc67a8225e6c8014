import type { Queryable } from "@nora/core";

export type EventSeverity = "info" | "warning" | "error";

/** One row of the events table: what happened to an agent or a workspace, for people and monitoring. */
export interface EventRecord {
  /** A decimal string of the table's bigint identity: the SSE stream's event id. */
  id: string;
  workspaceId: string;
  agentId: string | null;
  deploymentId: string | null;
  /** Dotted, e.g. `agent.status_changed`, `deployment.failed`. */
  type: string;
  severity: EventSeverity;
  message: string;
  metadata: Record<string, unknown>;
  createdAt: Date;
}

export type NewEvent = Omit<EventRecord, "id" | "createdAt" | "agentId" | "deploymentId" | "metadata"> & {
  agentId?: string | null;
  deploymentId?: string | null;
  metadata?: Record<string, unknown>;
};

export const EVENT_COLUMNS = `id::text, workspace_id AS "workspaceId", agent_id AS "agentId",
  deployment_id AS "deploymentId", type, severity, message, metadata, created_at AS "createdAt"`;

export async function insertEvent(db: Queryable, event: NewEvent): Promise<EventRecord> {
  const { rows } = await db.query<EventRecord>(
    `INSERT INTO events (workspace_id, agent_id, deployment_id, type, severity, message, metadata)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     RETURNING ${EVENT_COLUMNS}`,
    [
      event.workspaceId,
      event.agentId ?? null,
      event.deploymentId ?? null,
      event.type,
      event.severity,
      event.message.slice(0, 2000),
      JSON.stringify(event.metadata ?? {}),
    ],
  );
  return rows[0] as EventRecord;
}

/** An agent's events after `afterId` (exclusive), oldest first: what an SSE client missed. */
export async function agentEventsAfter(
  db: Queryable,
  agentId: string,
  afterId: string,
  limit: number,
): Promise<EventRecord[]> {
  const { rows } = await db.query<EventRecord>(
    `SELECT ${EVENT_COLUMNS} FROM events WHERE agent_id = $1 AND id > $2::bigint ORDER BY id LIMIT $3`,
    [agentId, afterId, limit],
  );
  return rows;
}

/** The workspace's agent events after `afterId` (exclusive), oldest first: what a list's stream missed. */
export async function workspaceAgentEventsAfter(
  db: Queryable,
  workspaceId: string,
  afterId: string,
  limit: number,
): Promise<EventRecord[]> {
  const { rows } = await db.query<EventRecord>(
    `SELECT ${EVENT_COLUMNS} FROM events
     WHERE workspace_id = $1 AND agent_id IS NOT NULL AND id > $2::bigint ORDER BY id LIMIT $3`,
    [workspaceId, afterId, limit],
  );
  return rows;
}

export interface EventFilter {
  agentId?: string | undefined;
  type?: string | undefined;
  severity?: EventSeverity | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  /** Keyset: events with a smaller id. */
  beforeId?: string | undefined;
  limit: number;
}

/** A workspace's events, newest first. */
export async function listWorkspaceEvents(
  db: Queryable,
  workspaceId: string,
  f: EventFilter,
): Promise<EventRecord[]> {
  const { rows } = await db.query<EventRecord>(
    `SELECT ${EVENT_COLUMNS} FROM events
     WHERE workspace_id = $1
       AND ($2::uuid IS NULL OR agent_id = $2)
       AND ($3::text IS NULL OR type = $3)
       AND ($4::text IS NULL OR severity = $4)
       AND ($5::timestamptz IS NULL OR created_at >= $5)
       AND ($6::timestamptz IS NULL OR created_at <= $6)
       AND ($7::bigint IS NULL OR id < $7)
     ORDER BY id DESC LIMIT $8`,
    [
      workspaceId,
      f.agentId ?? null,
      f.type ?? null,
      f.severity ?? null,
      f.from ?? null,
      f.to ?? null,
      f.beforeId ?? null,
      f.limit,
    ],
  );
  return rows;
}

/** The id of the agent's newest event ("0" when it has none): where a fresh stream starts. */
export async function latestAgentEventId(db: Queryable, agentId: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    "SELECT coalesce(max(id), 0)::text AS id FROM events WHERE agent_id = $1",
    [agentId],
  );
  return rows[0]?.id ?? "0";
}

export async function latestWorkspaceAgentEventId(db: Queryable, workspaceId: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    "SELECT coalesce(max(id), 0)::text AS id FROM events WHERE workspace_id = $1 AND agent_id IS NOT NULL",
    [workspaceId],
  );
  return rows[0]?.id ?? "0";
}

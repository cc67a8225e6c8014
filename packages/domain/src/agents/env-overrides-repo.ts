import type { Queryable } from "@nora/core";

export interface OverrideRow {
  id: string;
  name: string;
  valueSealed: string;
  valueHint: string;
  updatedBy: string | null;
  updatedAt: Date;
}

const COLUMNS = `id, name, value_sealed AS "valueSealed", value_hint AS "valueHint", updated_by AS "updatedBy",
  updated_at AS "updatedAt"`;

export async function listOverrides(db: Queryable, agentId: string): Promise<OverrideRow[]> {
  const { rows } = await db.query<OverrideRow>(
    `SELECT ${COLUMNS} FROM agent_secret_overrides WHERE agent_id = $1 ORDER BY name`,
    [agentId],
  );
  return rows;
}

export async function findOverrideId(
  db: Queryable,
  agentId: string,
  name: string,
): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>(
    "SELECT id FROM agent_secret_overrides WHERE agent_id = $1 AND name = $2 FOR UPDATE",
    [agentId, name],
  );
  return rows[0]?.id;
}

export async function upsertOverride(
  db: Queryable,
  row: {
    id: string;
    agentId: string;
    name: string;
    valueSealed: string;
    valueHint: string;
    updatedBy: string | null;
  },
): Promise<void> {
  await db.query(
    `INSERT INTO agent_secret_overrides (id, agent_id, name, value_sealed, value_hint, updated_by)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (agent_id, name) DO UPDATE
       SET value_sealed = EXCLUDED.value_sealed, value_hint = EXCLUDED.value_hint, updated_by = EXCLUDED.updated_by,
           updated_at = now()`,
    [row.id, row.agentId, row.name, row.valueSealed, row.valueHint, row.updatedBy],
  );
}

export async function deleteOverride(db: Queryable, agentId: string, name: string): Promise<boolean> {
  const { rowCount } = await db.query(
    "DELETE FROM agent_secret_overrides WHERE agent_id = $1 AND name = $2",
    [agentId, name],
  );
  return (rowCount ?? 0) > 0;
}

/** Replaces a value's sealed bytes (re-sealing legacy plaintext on read). */
export async function resealOverride(db: Queryable, id: string, valueSealed: string): Promise<void> {
  await db.query("UPDATE agent_secret_overrides SET value_sealed = $2 WHERE id = $1", [id, valueSealed]);
}

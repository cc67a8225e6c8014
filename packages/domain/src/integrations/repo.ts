import type { Queryable } from "@nora/core";

/** Tables that hold catalog kinds with a sealed credentials document. */
export type CatalogTable = "integrations" | "channels";

export interface CatalogRow {
  id: string;
  workspaceId: string;
  kind: string;
  name: string;
  config: Record<string, unknown>;
  /** Sealed JSON document of the secret fields (an envelope), or null when none is set. */
  credentials: string | null;
  secretHints: Record<string, string | null>;
  credentialsSetAt: Date | null;
  /** channels only */
  agentId?: string | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const columns = (table: CatalogTable) =>
  `id, workspace_id AS "workspaceId", kind, name, config, credentials, secret_hints AS "secretHints",
   credentials_set_at AS "credentialsSetAt", created_by AS "createdBy", created_at AS "createdAt",
   updated_at AS "updatedAt"${table === "channels" ? `, agent_id AS "agentId"` : ""}`;

export async function listRows(
  db: Queryable,
  table: CatalogTable,
  workspaceId: string,
): Promise<CatalogRow[]> {
  const { rows } = await db.query<CatalogRow>(
    `SELECT ${columns(table)} FROM ${table} WHERE workspace_id = $1 ORDER BY created_at, id`,
    [workspaceId],
  );
  return rows;
}

export async function findRow(
  db: Queryable,
  table: CatalogTable,
  workspaceId: string,
  id: string,
  forUpdate = false,
): Promise<CatalogRow | undefined> {
  const { rows } = await db.query<CatalogRow>(
    `SELECT ${columns(table)} FROM ${table} WHERE workspace_id = $1 AND id = $2${forUpdate ? " FOR UPDATE" : ""}`,
    [workspaceId, id],
  );
  return rows[0];
}

export async function insertRow(
  db: Queryable,
  table: CatalogTable,
  row: Omit<CatalogRow, "createdAt" | "updatedAt">,
): Promise<CatalogRow> {
  const agent = table === "channels";
  const { rows } = await db.query<CatalogRow>(
    `INSERT INTO ${table} (id, workspace_id, kind, name, config, credentials, secret_hints, credentials_set_at,
       created_by${agent ? ", agent_id" : ""})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9${agent ? ", $10" : ""}) RETURNING ${columns(table)}`,
    [
      row.id,
      row.workspaceId,
      row.kind,
      row.name,
      JSON.stringify(row.config),
      row.credentials,
      JSON.stringify(row.secretHints),
      row.credentialsSetAt,
      row.createdBy,
      ...(agent ? [row.agentId ?? null] : []),
    ],
  );
  return rows[0] as CatalogRow;
}

export async function updateRow(db: Queryable, table: CatalogTable, row: CatalogRow): Promise<CatalogRow> {
  const agent = table === "channels";
  const { rows } = await db.query<CatalogRow>(
    `UPDATE ${table} SET name = $3, config = $4, credentials = $5, secret_hints = $6, credentials_set_at = $7,
       updated_at = now()${agent ? ", agent_id = $8" : ""}
     WHERE workspace_id = $1 AND id = $2 RETURNING ${columns(table)}`,
    [
      row.workspaceId,
      row.id,
      row.name,
      JSON.stringify(row.config),
      row.credentials,
      JSON.stringify(row.secretHints),
      row.credentialsSetAt,
      ...(agent ? [row.agentId ?? null] : []),
    ],
  );
  return rows[0] as CatalogRow;
}

export async function deleteRow(
  db: Queryable,
  table: CatalogTable,
  workspaceId: string,
  id: string,
): Promise<CatalogRow | undefined> {
  const { rows } = await db.query<CatalogRow>(
    `DELETE FROM ${table} WHERE workspace_id = $1 AND id = $2 RETURNING ${columns(table)}`,
    [workspaceId, id],
  );
  return rows[0];
}

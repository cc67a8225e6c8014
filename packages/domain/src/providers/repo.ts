import type { ProviderKind } from "@nora/api-contract";
import type { Queryable } from "@nora/core";

export interface ProviderRow {
  id: string;
  workspaceId: string;
  kind: ProviderKind;
  name: string;
  baseUrl: string | null;
  defaultModel: string | null;
  /** The sealed key (an envelope); never leaves the service. */
  apiKey: string | null;
  keyHint: string | null;
  keySetAt: Date | null;
  isDefault: boolean;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = `id, workspace_id AS "workspaceId", kind, name, base_url AS "baseUrl", default_model AS "defaultModel",
  api_key AS "apiKey", key_hint AS "keyHint", key_set_at AS "keySetAt", is_default AS "isDefault",
  created_by AS "createdBy", created_at AS "createdAt", updated_at AS "updatedAt"`;

export async function listProviders(db: Queryable, workspaceId: string): Promise<ProviderRow[]> {
  const { rows } = await db.query<ProviderRow>(
    `SELECT ${COLUMNS} FROM llm_providers WHERE workspace_id = $1 ORDER BY created_at, id`,
    [workspaceId],
  );
  return rows;
}

export async function findProvider(
  db: Queryable,
  workspaceId: string,
  providerId: string,
  forUpdate = false,
): Promise<ProviderRow | undefined> {
  const { rows } = await db.query<ProviderRow>(
    `SELECT ${COLUMNS} FROM llm_providers WHERE workspace_id = $1 AND id = $2${forUpdate ? " FOR UPDATE" : ""}`,
    [workspaceId, providerId],
  );
  return rows[0];
}

export async function countProviders(db: Queryable, workspaceId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM llm_providers WHERE workspace_id = $1",
    [workspaceId],
  );
  return rows[0]?.n ?? 0;
}

/** Clears the workspace's default (before another provider becomes it, in the same transaction). */
export async function clearDefault(db: Queryable, workspaceId: string, exceptId?: string): Promise<void> {
  await db.query(
    "UPDATE llm_providers SET is_default = false, updated_at = now() WHERE workspace_id = $1 AND is_default AND id <> $2",
    [workspaceId, exceptId ?? "00000000-0000-0000-0000-000000000000"],
  );
}

export async function insertProvider(
  db: Queryable,
  p: Omit<ProviderRow, "createdAt" | "updatedAt">,
): Promise<ProviderRow> {
  const { rows } = await db.query<ProviderRow>(
    `INSERT INTO llm_providers (id, workspace_id, kind, name, base_url, default_model, api_key, key_hint, key_set_at,
       is_default, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${COLUMNS}`,
    [
      p.id,
      p.workspaceId,
      p.kind,
      p.name,
      p.baseUrl,
      p.defaultModel,
      p.apiKey,
      p.keyHint,
      p.keySetAt,
      p.isDefault,
      p.createdBy,
    ],
  );
  return rows[0] as ProviderRow;
}

export async function updateProvider(
  db: Queryable,
  p: Pick<
    ProviderRow,
    | "id"
    | "workspaceId"
    | "name"
    | "baseUrl"
    | "defaultModel"
    | "apiKey"
    | "keyHint"
    | "keySetAt"
    | "isDefault"
  >,
): Promise<ProviderRow> {
  const { rows } = await db.query<ProviderRow>(
    `UPDATE llm_providers SET name = $3, base_url = $4, default_model = $5, api_key = $6, key_hint = $7,
       key_set_at = $8, is_default = $9, updated_at = now()
     WHERE workspace_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
    [p.workspaceId, p.id, p.name, p.baseUrl, p.defaultModel, p.apiKey, p.keyHint, p.keySetAt, p.isDefault],
  );
  return rows[0] as ProviderRow;
}

export async function deleteProvider(
  db: Queryable,
  workspaceId: string,
  providerId: string,
): Promise<ProviderRow | undefined> {
  const { rows } = await db.query<ProviderRow>(
    `DELETE FROM llm_providers WHERE workspace_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
    [workspaceId, providerId],
  );
  return rows[0];
}

/** Serializes provider changes per workspace (the default flag is decided under it). */
export async function lockWorkspaceProviders(db: Queryable, workspaceId: string): Promise<void> {
  await db.query("SELECT pg_advisory_xact_lock(hashtextextended('llm_providers:' || $1::text, 0))", [
    workspaceId,
  ]);
}

/** Makes the workspace's oldest provider the default; returns its id (none when none remain). */
export async function promoteOldestToDefault(
  db: Queryable,
  workspaceId: string,
): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>(
    `UPDATE llm_providers SET is_default = true, updated_at = now()
     WHERE id = (SELECT id FROM llm_providers WHERE workspace_id = $1 ORDER BY created_at, id LIMIT 1)
     RETURNING id`,
    [workspaceId],
  );
  return rows[0]?.id;
}

import type { ClusterCheckResult, ServiceType } from "@nora/api-contract";
import type { Queryable } from "@nora/core";

export interface ClusterRow {
  id: string;
  name: string;
  namespace: string;
  source: "api" | "file";
  /** The sealed kubeconfig (an envelope); never leaves the domain. */
  kubeconfigSealed: string | null;
  serverHost: string | null;
  insecureTls: boolean;
  serviceType: ServiceType;
  storageClass: string | null;
  isDefault: boolean;
  lastCheck: ClusterCheckResult | null;
  lastCheckId: string | null;
  lastCheckedAt: Date | null;
  agentCount: number;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = `c.id, c.name, c.namespace, c.source, c.kubeconfig_sealed AS "kubeconfigSealed",
  c.server_host AS "serverHost", c.insecure_tls AS "insecureTls", c.service_type AS "serviceType",
  c.storage_class AS "storageClass", c.is_default AS "isDefault", c.last_check AS "lastCheck",
  c.last_check_id AS "lastCheckId", c.last_checked_at AS "lastCheckedAt",
  (SELECT count(*)::int FROM agents a WHERE a.cluster_id = c.id) AS "agentCount",
  c.created_by AS "createdBy", c.created_at AS "createdAt", c.updated_at AS "updatedAt"`;

export async function listClusters(db: Queryable): Promise<ClusterRow[]> {
  const { rows } = await db.query<ClusterRow>(
    `SELECT ${COLUMNS} FROM clusters c ORDER BY c.created_at, c.id`,
  );
  return rows;
}

export async function findCluster(
  db: Queryable,
  id: string,
  forUpdate = false,
): Promise<ClusterRow | undefined> {
  const { rows } = await db.query<ClusterRow>(
    `SELECT ${COLUMNS} FROM clusters c WHERE c.id = $1${forUpdate ? " FOR UPDATE OF c" : ""}`,
    [id],
  );
  return rows[0];
}

export async function findDefaultCluster(db: Queryable): Promise<ClusterRow | undefined> {
  const { rows } = await db.query<ClusterRow>(`SELECT ${COLUMNS} FROM clusters c WHERE c.is_default`);
  return rows[0];
}

export async function findFileCluster(db: Queryable): Promise<ClusterRow | undefined> {
  const { rows } = await db.query<ClusterRow>(`SELECT ${COLUMNS} FROM clusters c WHERE c.source = 'file'`);
  return rows[0];
}

/** Serializes cluster changes (the default flag is decided under it). */
export async function lockClusters(db: Queryable): Promise<void> {
  await db.query("SELECT pg_advisory_xact_lock(hashtextextended('nora.clusters', 0))");
}

export async function clearDefaultCluster(db: Queryable, exceptId: string): Promise<void> {
  await db.query("UPDATE clusters SET is_default = false, updated_at = now() WHERE is_default AND id <> $1", [
    exceptId,
  ]);
}

export interface NewCluster {
  id: string;
  name: string;
  namespace: string;
  source: "api" | "file";
  kubeconfigSealed: string | null;
  serverHost: string | null;
  insecureTls: boolean;
  serviceType: ServiceType;
  storageClass: string | null;
  isDefault: boolean;
  createdBy: string | null;
}

export async function insertCluster(db: Queryable, c: NewCluster): Promise<void> {
  await db.query(
    `INSERT INTO clusters (id, name, namespace, source, kubeconfig_sealed, server_host, insecure_tls, service_type,
       storage_class, is_default, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      c.id,
      c.name,
      c.namespace,
      c.source,
      c.kubeconfigSealed,
      c.serverHost,
      c.insecureTls,
      c.serviceType,
      c.storageClass,
      c.isDefault,
      c.createdBy,
    ],
  );
}

export type ClusterChange = Partial<
  Pick<
    NewCluster,
    | "name"
    | "namespace"
    | "kubeconfigSealed"
    | "serverHost"
    | "insecureTls"
    | "serviceType"
    | "storageClass"
    | "isDefault"
  >
>;

const CHANGE_COLUMNS: Record<keyof ClusterChange, string> = {
  name: "name",
  namespace: "namespace",
  kubeconfigSealed: "kubeconfig_sealed",
  serverHost: "server_host",
  insecureTls: "insecure_tls",
  serviceType: "service_type",
  storageClass: "storage_class",
  isDefault: "is_default",
};

/**
 * Applies a change. A new kubeconfig or namespace makes the last check stale, so it is cleared: the
 * catalog must not call a cluster usable on the strength of a check of other credentials.
 */
export async function updateCluster(db: Queryable, id: string, change: ClusterChange): Promise<void> {
  const sets: string[] = [];
  const values: unknown[] = [id];
  for (const [key, column] of Object.entries(CHANGE_COLUMNS) as Array<[keyof ClusterChange, string]>) {
    if (change[key] === undefined) continue;
    values.push(change[key]);
    sets.push(`${column} = $${values.length}`);
  }
  if (sets.length === 0) return;
  if (
    change.kubeconfigSealed !== undefined ||
    change.namespace !== undefined ||
    change.serverHost !== undefined
  ) {
    sets.push("last_check = NULL, last_check_id = NULL, last_checked_at = NULL");
  }
  await db.query(`UPDATE clusters SET ${sets.join(", ")}, updated_at = now() WHERE id = $1`, values);
}

export async function deleteCluster(db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query("DELETE FROM clusters WHERE id = $1", [id]);
  return (rowCount ?? 0) > 0;
}

/**
 * Stores a check of the row as it was at `version` (its updated_at): a check that ran against a
 * kubeconfig or namespace replaced meanwhile is dropped (false), never shown as the current one.
 */
export async function storeCheck(
  db: Queryable,
  id: string,
  checkId: string,
  check: ClusterCheckResult,
  version: Date,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE clusters SET last_check = $3::jsonb, last_check_id = $2, last_checked_at = clock_timestamp()
      WHERE id = $1 AND date_trunc('milliseconds', updated_at) = $4`,
    [id, checkId, JSON.stringify(check), version],
  );
  return (rowCount ?? 0) > 0;
}

/** The database's clock: check times and request times are compared on one clock. */
export async function databaseNow(db: Queryable): Promise<Date> {
  const { rows } = await db.query<{ now: Date }>("SELECT clock_timestamp() AS now");
  return (rows[0] as { now: Date }).now;
}

/**
 * The stored check, once the check `checkId` has been stored or another one (the provisioner's
 * periodic check) was stored after `since`: either answers a request made at `since`.
 */
export async function findCheck(
  db: Queryable,
  id: string,
  checkId: string,
  since: Date,
): Promise<{ check: ClusterCheckResult; checkedAt: Date } | undefined> {
  const { rows } = await db.query<{ check: ClusterCheckResult; checkedAt: Date }>(
    `SELECT last_check AS "check", last_checked_at AS "checkedAt" FROM clusters
      WHERE id = $1 AND last_check IS NOT NULL AND (last_check_id = $2 OR last_checked_at >= $3)`,
    [id, checkId, since],
  );
  return rows[0];
}

/**
 * The file cluster (KUBECONFIG_PATH) as the provisioner found it at start: inserted once, then kept
 * up to date (name, namespace, server). A changed server or namespace clears the last check.
 */
export async function upsertFileCluster(
  db: Queryable,
  c: { id: string; name: string; namespace: string; serverHost: string; insecureTls: boolean },
): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO clusters (id, name, namespace, source, server_host, insecure_tls, is_default)
     VALUES ($1, $2, $3, 'file', $4, $5, NOT EXISTS (SELECT 1 FROM clusters WHERE is_default))
     ON CONFLICT (source) WHERE source = 'file' DO UPDATE SET
       name = EXCLUDED.name, namespace = EXCLUDED.namespace, server_host = EXCLUDED.server_host,
       insecure_tls = EXCLUDED.insecure_tls,
       last_check = CASE WHEN clusters.namespace = EXCLUDED.namespace AND clusters.server_host = EXCLUDED.server_host
         THEN clusters.last_check END,
       last_check_id = CASE WHEN clusters.namespace = EXCLUDED.namespace AND clusters.server_host = EXCLUDED.server_host
         THEN clusters.last_check_id END,
       last_checked_at = CASE WHEN clusters.namespace = EXCLUDED.namespace AND clusters.server_host = EXCLUDED.server_host
         THEN clusters.last_checked_at END,
       updated_at = now()
     RETURNING id`,
    [c.id, c.name, c.namespace, c.serverHost, c.insecureTls],
  );
  return (rows[0] as { id: string }).id;
}

/** Whether agents are recorded on the cluster (deleting it is refused then). */
export async function clusterInUse(db: Queryable, id: string): Promise<boolean> {
  const { rows } = await db.query("SELECT 1 FROM agents WHERE cluster_id = $1 LIMIT 1", [id]);
  return rows.length > 0;
}

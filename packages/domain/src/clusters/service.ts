import { randomUUID } from "node:crypto";
import type { CreateClusterInput, UpdateClusterInput } from "@nora/api-contract";
import { KubeconfigError, parseKubeconfig } from "@nora/backends/kubernetes-cluster";
import {
  AppError,
  badRequest,
  type Config,
  conflict,
  type Keyring,
  type Logger,
  notFound,
  type Pool,
  type Queryable,
  sealOrFail,
  serviceUnavailable,
  withTransaction,
} from "@nora/core";
import { type ActionContext, auditFieldsOf } from "../audit/context.js";
import { recordAudit } from "../audit/service.js";
import type { QueueAccess } from "../deployments/queue-producer.js";
import { ENQUEUE_TIMEOUT_MS, withTimeout } from "../deployments/queue-producer.js";
import { isUniqueViolation } from "../shared/sealed-resource.js";
import {
  type ClusterChange,
  type ClusterRow,
  clearDefaultCluster,
  clusterInUse,
  databaseNow,
  deleteCluster,
  findCheck,
  findCluster,
  findDefaultCluster,
  insertCluster,
  listClusters,
  lockClusters,
  updateCluster,
} from "./repo.js";

export const KUBECONFIG_COLUMN = { table: "clusters", column: "kubeconfig_sealed" } as const;
export const sealContextOf = (rowId: string) => ({ ...KUBECONFIG_COLUMN, rowId });

const INSECURE_WARNING =
  "TLS verification is skipped for this cluster (insecure-skip-tls-verify, allowed by KUBERNETES_ALLOW_INSECURE_TLS): its API server's identity is not checked";

/** A cluster as admins see it: whether a kubeconfig is stored, never the kubeconfig. */
export function publicCluster(row: ClusterRow) {
  return {
    id: row.id,
    name: row.name,
    namespace: row.namespace,
    source: row.source,
    hasKubeconfig: row.kubeconfigSealed !== null,
    serverHost: row.serverHost,
    serviceType: row.serviceType,
    storageClass: row.storageClass,
    isDefault: row.isDefault,
    lastCheck: row.lastCheck,
    lastCheckedAt: row.lastCheckedAt,
    warnings: row.insecureTls ? [INSECURE_WARNING] : [],
    agentCount: row.agentCount,
    createdBy: row.createdBy,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
export type PublicCluster = ReturnType<typeof publicCluster>;

/** Why a cluster cannot take agents now, or null when its last check passed. */
export function unusableReason(row: ClusterRow): string | null {
  if (!row.lastCheck) return `cluster "${row.name}" was never checked`;
  if (!row.lastCheck.ok) return `the last check of cluster "${row.name}" failed: ${row.lastCheck.message}`;
  return null;
}

/** host:port of a server URL (what admins are shown of a kubeconfig). */
function hostOf(server: string): string {
  const url = new URL(server);
  return url.port ? `${url.hostname}:${url.port}` : url.hostname;
}

const userIdOf = (ctx: ActionContext) =>
  ctx.actor.type === "user"
    ? ctx.actor.userId
    : ctx.actor.type === "api_key"
      ? (ctx.actor.userId ?? null)
      : null;

/**
 * The cluster for a k8s deploy: the request's `clusterId`, else the default cluster. Refused with a
 * 400 naming why unless that cluster's last connectivity check passed.
 */
export async function clusterForDeploy(db: Queryable, clusterId: string | undefined): Promise<ClusterRow> {
  const row = clusterId ? await findCluster(db, clusterId) : await findDefaultCluster(db);
  if (!row) {
    throw clusterId
      ? badRequest("unknown_cluster", "No cluster has this id", { clusterId })
      : badRequest(
          "no_cluster",
          'deploy target "k8s" needs a Kubernetes cluster: a platform admin adds one (or sets KUBECONFIG_PATH) and tests it',
        );
  }
  const reason = unusableReason(row);
  if (reason) {
    throw badRequest("cluster_unavailable", `${reason}; a platform admin tests it again once fixed`, {
      clusterId: row.id,
    });
  }
  return row;
}

export function createClusterService(deps: {
  config: Config;
  pool: Pool;
  keyring: Keyring;
  logger: Logger;
  producer: QueueAccess;
  /** How often the test route looks for the provisioner's answer. */
  pollMs?: number;
}) {
  const { config, pool, keyring, producer } = deps;
  const pollMs = deps.pollMs ?? 200;

  /** Parses a kubeconfig as the API stores it; the 400 names the broken rule, never a value. */
  function parsed(kubeconfig: string) {
    try {
      return parseKubeconfig(kubeconfig, {
        source: "api",
        allowInsecureTls: config.clusters.allowInsecureTls,
      });
    } catch (error) {
      if (error instanceof KubeconfigError) {
        throw badRequest("kubeconfig_invalid", `The kubeconfig is refused: ${error.message}`, {
          rule: error.rule,
        });
      }
      throw error;
    }
  }

  async function mustFind(db: Queryable, id: string, forUpdate = false): Promise<ClusterRow> {
    const row = await findCluster(db, id, forUpdate);
    if (!row) throw notFound("Cluster not found");
    return row;
  }

  function rethrowName(error: unknown): never {
    if (isUniqueViolation(error, "clusters_name_idx")) {
      throw conflict("name_taken", "A cluster with this name already exists");
    }
    throw error;
  }

  return {
    async list(): Promise<PublicCluster[]> {
      return (await listClusters(pool)).map(publicCluster);
    },

    async get(id: string): Promise<PublicCluster> {
      return publicCluster(await mustFind(pool, id));
    },

    async create(input: CreateClusterInput, ctx: ActionContext): Promise<PublicCluster> {
      const kube = parsed(input.kubeconfig);
      const id = randomUUID();
      const kubeconfigSealed = sealOrFail(keyring, input.kubeconfig, sealContextOf(id));
      try {
        return await withTransaction(pool, async (tx) => {
          await lockClusters(tx);
          const isDefault = input.isDefault ?? !(await findDefaultCluster(tx));
          if (isDefault) await clearDefaultCluster(tx, id);
          await insertCluster(tx, {
            id,
            name: input.name,
            namespace: input.namespace,
            source: "api",
            kubeconfigSealed,
            serverHost: hostOf(kube.server),
            insecureTls: kube.insecureSkipTlsVerify,
            serviceType: input.serviceType ?? "ClusterIP",
            storageClass: input.storageClass ?? null,
            isDefault,
            createdBy: userIdOf(ctx),
          });
          await recordAudit(tx, {
            ...auditFieldsOf(ctx),
            action: "cluster.created",
            target: { type: "cluster", id },
            metadata: {
              name: input.name,
              namespace: input.namespace,
              serverHost: hostOf(kube.server),
              isDefault,
            },
          });
          return publicCluster(await mustFind(tx, id));
        });
      } catch (error) {
        rethrowName(error);
      }
    },

    async update(id: string, input: UpdateClusterInput, ctx: ActionContext): Promise<PublicCluster> {
      const kube = input.kubeconfig !== undefined ? parsed(input.kubeconfig) : undefined;
      try {
        return await withTransaction(pool, async (tx) => {
          await lockClusters(tx);
          const current = await mustFind(tx, id, true);
          if (
            current.source === "file" &&
            (input.kubeconfig !== undefined || input.namespace !== undefined)
          ) {
            throw badRequest(
              "file_cluster_readonly",
              "This cluster comes from KUBECONFIG_PATH: change its kubeconfig and namespace in the provisioner's configuration",
            );
          }
          const change: ClusterChange = {
            ...(input.name !== undefined ? { name: input.name } : {}),
            ...(input.namespace !== undefined ? { namespace: input.namespace } : {}),
            ...(input.serviceType !== undefined ? { serviceType: input.serviceType } : {}),
            ...(input.storageClass !== undefined ? { storageClass: input.storageClass } : {}),
            ...(input.isDefault !== undefined ? { isDefault: input.isDefault } : {}),
            ...(kube && input.kubeconfig !== undefined
              ? {
                  kubeconfigSealed: sealOrFail(keyring, input.kubeconfig, sealContextOf(id)),
                  serverHost: hostOf(kube.server),
                  insecureTls: kube.insecureSkipTlsVerify,
                }
              : {}),
          };
          if (input.isDefault === true) await clearDefaultCluster(tx, id);
          await updateCluster(tx, id, change);
          // What changed, by name: the kubeconfig is named, never shown.
          const fields = Object.keys(input).sort();
          await recordAudit(tx, {
            ...auditFieldsOf(ctx),
            action: "cluster.updated",
            target: { type: "cluster", id },
            metadata: {
              fields,
              ...(kube ? { serverHost: { from: current.serverHost, to: hostOf(kube.server) } } : {}),
            },
          });
          return publicCluster(await mustFind(tx, id));
        });
      } catch (error) {
        rethrowName(error);
      }
    },

    async remove(id: string, ctx: ActionContext): Promise<void> {
      try {
        await withTransaction(pool, async (tx) => {
          await lockClusters(tx);
          const current = await mustFind(tx, id, true);
          if (await clusterInUse(tx, id)) {
            throw conflict(
              "cluster_in_use",
              "Agents are recorded on this cluster; delete or move them first",
            );
          }
          await deleteCluster(tx, id);
          await recordAudit(tx, {
            ...auditFieldsOf(ctx),
            action: "cluster.deleted",
            target: { type: "cluster", id },
            metadata: { name: current.name, source: current.source },
          });
        });
      } catch (error) {
        // An agent recorded on it between the check and the delete (ON DELETE RESTRICT).
        if ((error as { code?: string }).code === "23503") {
          throw conflict("cluster_in_use", "Agents are recorded on this cluster; delete or move them first");
        }
        throw error;
      }
    },

    /**
     * The connectivity check: the provisioner runs it (it holds the kubeconfigs' use), stores the
     * result on the row, and this waits for that row, at most CLUSTER_CHECK_WAIT_MS.
     */
    async test(id: string): Promise<{ check: NonNullable<ClusterRow["lastCheck"]>; checkedAt: Date }> {
      await mustFind(pool, id);
      const checkId = randomUUID();
      const since = await databaseNow(pool);
      try {
        await withTimeout(
          producer.queues().clusters.add({ clusterId: id, checkId }, { jobId: checkId }),
          ENQUEUE_TIMEOUT_MS,
          "enqueueing the cluster check",
        );
      } catch (error) {
        deps.logger.warn({ err: error, clusterId: id }, "cluster check not queued (is Redis reachable?)");
        throw serviceUnavailable(
          "cluster_check_unavailable",
          "The check cannot be queued; is Redis reachable?",
        );
      }
      const deadline = Date.now() + config.clusters.checkWaitMs;
      for (;;) {
        const found = await findCheck(pool, id, checkId, since);
        if (found) return found;
        if (Date.now() >= deadline) break;
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
      throw new AppError(
        503,
        "cluster_check_timeout",
        `No provisioner answered the check within ${config.clusters.checkWaitMs} ms; is the provisioner running?`,
      );
    },

    /** k8s availability for the catalog: a default cluster (or any) whose last check passed. */
    async k8sAvailability(): Promise<{ available: boolean; reason: string | null }> {
      const rows = await listClusters(pool);
      if (rows.length === 0) return { available: false, reason: "no Kubernetes cluster is configured" };
      const candidate = rows.find((r) => r.isDefault) ?? rows[0];
      const reasons = rows.map(unusableReason);
      if (reasons.some((r) => r === null)) return { available: true, reason: null };
      return { available: false, reason: unusableReason(candidate as ClusterRow) };
    },
  };
}

export type ClusterService = ReturnType<typeof createClusterService>;

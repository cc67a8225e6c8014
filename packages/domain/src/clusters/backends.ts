import { createKubernetesBackend, type RuntimeBackend } from "@nora/backends";
import { KubeconfigError } from "@nora/backends/kubernetes-cluster";
import type { Config, Keyring, Logger, Pool } from "@nora/core";
import { openClusterKubeconfig } from "./kubeconfig.js";
import { type ClusterRow, findCluster, listClusters } from "./repo.js";

export type ClusterBackend = { backend: RuntimeBackend } | { unavailable: string };

/**
 * The provisioner's Kubernetes backends, one per cluster, built from the cluster's row and kubeconfig
 * on first use and rebuilt when the row changes (a replaced kubeconfig, another namespace).
 */
export function createClusterBackends(deps: {
  config: Config;
  pool: Pool;
  keyring: Keyring;
  logger: Logger;
  installationId: string;
  /** Labels on everything created (tests mark their objects with them). */
  extraLabels?: Readonly<Record<string, string>>;
  /** Test clusters without a kubelet name a scheduler here. */
  schedulerName?: string;
}) {
  const { config, pool, keyring, logger, installationId } = deps;
  const cache = new Map<string, { version: number; backend: RuntimeBackend }>();

  function build(row: ClusterRow): RuntimeBackend {
    const { kubeConfig } = openClusterKubeconfig({ config, keyring, logger }, row);
    return createKubernetesBackend({
      kubeConfig,
      namespace: row.namespace,
      installationId,
      logger: logger.child({ backend: "k8s", clusterId: row.id }),
      serviceType: row.serviceType,
      storageClassName: row.storageClass,
      controlPlane: config.clusters.controlPlane,
      egressAllowlist: config.clusters.egressAllow,
      ...(config.clusters.nodeAddress ? { nodeAddress: config.clusters.nodeAddress } : {}),
      ...(deps.extraLabels ? { extraLabels: deps.extraLabels } : {}),
      ...(deps.schedulerName ? { schedulerName: deps.schedulerName } : {}),
    });
  }

  function backendOf(row: ClusterRow): ClusterBackend {
    const version = row.updatedAt.getTime();
    const cached = cache.get(row.id);
    if (cached?.version === version) return { backend: cached.backend };
    try {
      const backend = build(row);
      cache.set(row.id, { version, backend });
      return { backend };
    } catch (error) {
      if (!(error instanceof KubeconfigError)) throw error;
      return { unavailable: `the kubeconfig of cluster "${row.name}" is not usable: ${error.message}` };
    }
  }

  return {
    async forCluster(clusterId: string | null): Promise<ClusterBackend> {
      if (!clusterId) return { unavailable: "the agent names no Kubernetes cluster; redeploy it to one" };
      const row = await findCluster(pool, clusterId);
      if (!row) return { unavailable: "the agent's Kubernetes cluster no longer exists" };
      return backendOf(row);
    },
    /** Every cluster whose kubeconfig opens, for the reconcilers at start. */
    async all(): Promise<{ clusterId: string; backend: RuntimeBackend }[]> {
      const usable: { clusterId: string; backend: RuntimeBackend }[] = [];
      for (const row of await listClusters(pool)) {
        const result = backendOf(row);
        if ("backend" in result) usable.push({ clusterId: row.id, backend: result.backend });
        else logger.warn({ clusterId: row.id }, result.unavailable);
      }
      return usable;
    },
  };
}

export type ClusterBackends = ReturnType<typeof createClusterBackends>;

import { randomUUID } from "node:crypto";
import { KubeconfigError, loadKubeconfigFile } from "@nora/backends/kubernetes-cluster";
import type { Config, Logger, Pool } from "@nora/core";
import { isUniqueViolation } from "../shared/sealed-resource.js";
import { upsertFileCluster } from "./repo.js";

/**
 * At provisioner start: KUBECONFIG_PATH becomes (or updates) the one `source = 'file'` cluster row,
 * named KUBERNETES_CLUSTER_NAME in KUBERNETES_NAMESPACE, with no kubeconfig stored (the file stays on
 * the provisioner). Its server host is recorded for admins. Returns the row id, or null when
 * KUBECONFIG_PATH is unset or unusable (logged: the provisioner keeps serving Docker).
 */
export async function registerFileCluster(deps: {
  config: Config;
  pool: Pool;
  logger: Logger;
}): Promise<string | null> {
  const { config, pool, logger } = deps;
  const path = config.clusters.kubeconfigPath;
  if (!path) return null;
  let server: string;
  let insecureTls: boolean;
  try {
    const parsed = loadKubeconfigFile(path, { allowInsecureTls: config.clusters.allowInsecureTls });
    server = parsed.server;
    insecureTls = parsed.insecureSkipTlsVerify;
  } catch (error) {
    if (!(error instanceof KubeconfigError)) throw error;
    logger.error({ rule: error.rule }, `KUBECONFIG_PATH is not usable: ${error.message}`);
    return null;
  }
  const url = new URL(server);
  try {
    const id = await upsertFileCluster(pool, {
      id: randomUUID(),
      name: config.clusters.fileClusterName,
      namespace: config.clusters.namespace,
      serverHost: url.port ? `${url.hostname}:${url.port}` : url.hostname,
      insecureTls,
    });
    if (insecureTls) {
      logger.warn({ clusterId: id }, "INSECURE: the KUBECONFIG_PATH cluster skips TLS verification");
    }
    return id;
  } catch (error) {
    if (isUniqueViolation(error, "clusters_name_idx")) {
      logger.error(
        `KUBERNETES_CLUSTER_NAME "${config.clusters.fileClusterName}" is taken by a cluster stored through the API; rename one`,
      );
      return null;
    }
    throw error;
  }
}

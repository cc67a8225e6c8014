import type { ClusterCheckResult } from "@nora/api-contract";
import { type ClusterCheck, checkCluster, KubeconfigError } from "@nora/backends/kubernetes-cluster";
import { AppError, type Config, type JobHandler, type Keyring, type Logger, type Pool } from "@nora/core";
import { openClusterKubeconfig } from "./kubeconfig.js";
import { type ClusterRow, findCluster, storeCheck } from "./repo.js";

/** A check that never reached the cluster: why, in words (no kubeconfig content). */
function notRun(message: string): ClusterCheck {
  return {
    reachable: false,
    version: null,
    namespaceExists: null,
    permissions: [],
    missing: [],
    ok: false,
    message,
  };
}

/**
 * The `check-cluster` handler (the provisioner's, registered in deployments/provisioner.ts): opens
 * the cluster's sealed kubeconfig, or reads KUBECONFIG_PATH for the file cluster, runs the
 * connectivity check and stores its result on the row, where the waiting API request finds it.
 * A kubeconfig that no longer opens or parses is a stored failed check, not a job failure.
 */
export function createClusterCheckJob(deps: {
  config: Config;
  pool: Pool;
  keyring: Keyring;
  logger: Logger;
  /** Deadline of each API server call. */
  timeoutMs?: number;
}): JobHandler<"clusters"> {
  const { config, pool, keyring, logger } = deps;

  const kubeconfigOf = (row: ClusterRow) => openClusterKubeconfig({ config, keyring, logger }, row);

  return async ({ clusterId, checkId }, { logger: jobLogger }) => {
    const row = await findCluster(pool, clusterId);
    if (!row) {
      jobLogger.info({ clusterId }, "cluster check skipped: the cluster is gone");
      return { skipped: true };
    }
    let result: ClusterCheck;
    try {
      result = await checkCluster(kubeconfigOf(row).kubeConfig, row.namespace, {
        ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
      });
    } catch (error) {
      if (error instanceof KubeconfigError) result = notRun(`the kubeconfig is refused: ${error.message}`);
      else if (error instanceof AppError) result = notRun(error.message);
      else {
        jobLogger.error({ err: error, clusterId }, "cluster check failed unexpectedly");
        result = notRun("the check failed unexpectedly; the provisioner's log has the cause");
      }
    }
    const stored: ClusterCheckResult = result;
    await storeCheck(pool, clusterId, checkId, stored);
    jobLogger.info({ clusterId, ok: result.ok, reachable: result.reachable }, "cluster checked");
    return { ok: result.ok };
  };
}

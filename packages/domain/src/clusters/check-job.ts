import { randomUUID } from "node:crypto";
import type { ClusterCheckResult } from "@nora/api-contract";
import { type ClusterCheck, checkCluster, KubeconfigError } from "@nora/backends/kubernetes-cluster";
import { AppError, type Config, type JobHandler, type Keyring, type Logger, type Pool } from "@nora/core";
import { sleep } from "../deployments/readiness.js";
import { openClusterKubeconfig } from "./kubeconfig.js";
import { type ClusterRow, findCluster, listClusters, storeCheck } from "./repo.js";

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
 * The provisioner's cluster checks: the `check-cluster` handler (an admin's `POST …/test`, registered
 * in deployments/provisioner.ts) and the periodic check of every cluster (at start and every
 * CLUSTER_RECHECK_INTERVAL_MS), so a KUBECONFIG_PATH cluster is usable without anyone pressing test and
 * a cluster that stops answering leaves the catalog. Each opens the cluster's sealed kubeconfig, or
 * reads KUBECONFIG_PATH for the file cluster, runs the connectivity check and stores its result on the
 * row. A kubeconfig that no longer opens or parses is a stored failed check, not a job failure.
 */
export function createClusterChecker(deps: {
  config: Config;
  pool: Pool;
  keyring: Keyring;
  logger: Logger;
  /** Deadline of each API server call. */
  timeoutMs?: number;
}) {
  const { config, pool, keyring, logger } = deps;

  const kubeconfigOf = (row: ClusterRow) => openClusterKubeconfig({ config, keyring, logger }, row);

  async function checkRow(row: ClusterRow, checkId: string, log: Logger): Promise<ClusterCheck> {
    let result: ClusterCheck;
    try {
      result = await checkCluster(kubeconfigOf(row).kubeConfig, row.namespace, {
        ...(deps.timeoutMs ? { timeoutMs: deps.timeoutMs } : {}),
      });
    } catch (error) {
      if (error instanceof KubeconfigError) result = notRun(`the kubeconfig is refused: ${error.message}`);
      else if (error instanceof AppError) result = notRun(error.message);
      else {
        log.error({ err: error, clusterId: row.id }, "cluster check failed unexpectedly");
        result = notRun("the check failed unexpectedly; the provisioner's log has the cause");
      }
    }
    const stored: ClusterCheckResult = result;
    const kept = await storeCheck(pool, row.id, checkId, stored, row.updatedAt);
    log.info({ clusterId: row.id, ok: result.ok, reachable: result.reachable, kept }, "cluster checked");
    return result;
  }

  const handler: JobHandler<"clusters"> = async ({ clusterId, checkId }, { logger: jobLogger }) => {
    const row = await findCluster(pool, clusterId);
    if (!row) {
      jobLogger.info({ clusterId }, "cluster check skipped: the cluster is gone");
      return { skipped: true };
    }
    return { ok: (await checkRow(row, checkId, jobLogger)).ok };
  };

  /** Checks every cluster now, then every CLUSTER_RECHECK_INTERVAL_MS (0: at start only). */
  async function recheckLoop(signal: AbortSignal): Promise<void> {
    const log = logger.child({ component: "cluster-checks" });
    while (!signal.aborted) {
      const rows = await listClusters(pool).catch((error: unknown) => {
        log.error({ err: error }, "clusters not listed for their periodic check");
        return [];
      });
      for (const row of rows) {
        if (signal.aborted) return;
        await checkRow(row, randomUUID(), log).catch((error: unknown) =>
          log.error({ err: error, clusterId: row.id }, "periodic cluster check not stored"),
        );
      }
      const interval = config.clusters.recheckIntervalMs;
      if (interval === 0) return;
      // Aborted while the work above ran: no abort event comes any more, so sleep() checks first.
      await sleep(interval, signal);
    }
  }

  return { handler, checkRow, recheckLoop };
}

/** The `check-cluster` handler alone (tests drive it through a real BullMQ worker). */
export function createClusterCheckJob(
  deps: Parameters<typeof createClusterChecker>[0],
): JobHandler<"clusters"> {
  return createClusterChecker(deps).handler;
}

import type { DeployTarget } from "@nora/agent-runtime";
import { createDockerBackend, type RuntimeBackend } from "@nora/backends";
import {
  type BackgroundTask,
  type Config,
  closeRedis,
  createRedis,
  type JobHandlers,
  Keyring,
  type Logger,
  NoraQueue,
  type Pool,
  type Redis,
} from "@nora/core";
import { createClusterBackends } from "../clusters/backends.js";
import { createClusterChecker } from "../clusters/check-job.js";
import { registerFileCluster } from "../clusters/file-cluster.js";
import type { Domain } from "../index.js";
import { createDeploymentJobs } from "./jobs.js";
import { createProvisionerEvents } from "./provisioner-events.js";
import { installationId } from "./provisioner-repo.js";
import { createReconciler } from "./reconcile.js";

export interface ProvisionerDependencies {
  config: Config;
  pool: Pool;
  redis: Redis;
  logger: Logger;
  /** The process's domain (createDomain): providers and secret overrides are read through it. */
  domain: Domain;
  /**
   * Where runtimes run, by target. Only the provisioner holds these (the Docker socket); by default
   * the Docker backend of `config.provisioning.docker`.
   */
  backends?: Partial<Record<DeployTarget, RuntimeBackend>>;
  /** Kubernetes backends (one per cluster) are built from the clusters table unless this is false. */
  kubernetes?: boolean;
}

/**
 * The provisioner's work: the `deploy-agent` handler and the background tasks that keep agent
 * statuses true (reconciliation at start, the sweep, runtime events), built once per worker process.
 */
export async function createProvisioner(deps: ProvisionerDependencies) {
  const { config, pool, redis, logger, domain } = deps;
  const keyring = Keyring.fromConfig(config);
  const docker = config.provisioning.docker;
  const installation = await installationId(pool);
  const backends = deps.backends ?? {
    docker: createDockerBackend({
      socketPath: docker.socketPath,
      access: docker.access,
      bindIp: docker.bindIp,
      peerLabel: docker.peerLabel,
      logger: logger.child({ backend: "docker" }),
      installationId: installation,
    }),
  };
  // KUBECONFIG_PATH becomes the file cluster before anything looks clusters up.
  if (deps.kubernetes !== false) await registerFileCluster({ config, pool, logger });
  const clusters = createClusterBackends({ config, pool, keyring, logger, installationId: installation });
  const events = createProvisionerEvents({ pool, redis, keyPrefix: config.redis.keyPrefix, logger });
  const jobs = createDeploymentJobs({
    config,
    pool,
    logger,
    keyring,
    events,
    backendFor: async (agent) => {
      if (agent.target === "k8s" && deps.kubernetes !== false && !backends.k8s) {
        return clusters.forCluster(agent.clusterId);
      }
      const backend = backends[agent.target];
      return backend
        ? { backend }
        : { unavailable: `this provisioner has no backend for the ${agent.target} target` };
    },
    providers: async (workspaceId, only) => {
      const assembled = await domain.providerSync.assemble(workspaceId, only);
      return {
        providers: assembled.providers.map(({ kind: _kind, ...material }) => material),
        defaultModel: assembled.defaultModel,
      };
    },
    secretEnv: (agentId) => domain.envOverrides.values(agentId),
  });
  // The sweep re-enqueues deployments Redis lost: a producer of its own, on a BullMQ connection.
  const queueConnection = createRedis(config.redis, "provisioner-sweep", "bullmq");
  const queue = new NoraQueue("deployments", config, queueConnection);
  const clusterBackends = deps.kubernetes === false || backends.k8s ? [] : await clusters.all();
  const reconcilers = [
    ...Object.values(backends).map((backend, i) =>
      createReconciler({
        config,
        pool,
        logger,
        keyring,
        events,
        backend: backend as RuntimeBackend,
        queue,
        sweeps: i === 0,
      }),
    ),
    ...clusterBackends.map(({ clusterId, backend }) =>
      createReconciler({ config, pool, logger, keyring, events, backend, queue, clusterId, sweeps: false }),
    ),
  ];

  const clusterChecks = createClusterChecker({ config, pool, keyring, logger });
  const handlers: JobHandlers = {
    deployments: jobs.deployAgent,
    clusters: clusterChecks.handler,
  };
  const tasks: BackgroundTask[] = [
    ...reconcilers.flatMap((reconciler, i) => [
      { name: `reconcile-${i}`, run: (signal: AbortSignal) => reconciler.loop(signal) },
      { name: `runtime-events-${i}`, run: (signal: AbortSignal) => reconciler.watchEvents(signal) },
    ]),
    ...(deps.kubernetes === false
      ? []
      : [{ name: "cluster-checks", run: (signal: AbortSignal) => clusterChecks.recheckLoop(signal) }]),
  ];

  return {
    handlers,
    tasks,
    reconcilers,
    jobs,
    async close() {
      await queue.close();
      await closeRedis(queueConnection);
    },
  };
}

export type Provisioner = Awaited<ReturnType<typeof createProvisioner>>;

import { createHash, randomBytes } from "node:crypto";
import {
  AGENT_PORTS,
  assembleRuntime,
  gatewayDeviceIdentity,
  generateGatewayDeviceKey,
  isRuntimeFamily,
  isSandboxProfile,
  type ProviderMaterial,
  RUNTIME_PORTS,
  type RuntimeAssembly,
  RuntimeAssemblyError,
} from "@nora/agent-runtime";
import type { DeploymentStatus } from "@nora/api-contract";
import { type CreatedRuntime, isBackendError, type RuntimeBackend } from "@nora/backends";
import {
  type Config,
  type JobContext,
  type JobPayload,
  type Keyring,
  type Logger,
  openSealed,
  type Pool,
  type PoolClient,
  sealOrFail,
  withTransaction,
} from "@nora/core";
import { revisionById } from "../agents/service.js";
import {
  agentHostPorts,
  agentSubnetIndex,
  releaseAgentHostPorts,
  subnetPool,
} from "./provisioner-allocation.js";
import type { ProvisionerEvents } from "./provisioner-events.js";
import {
  agentForJob,
  type DeploymentJobRow,
  deleteAgentRow,
  deploymentForJob,
  finishDeployment,
  markDeploymentStarted,
  newerDeployment,
  type ProvisionedAgentRow,
  recordDelivered,
  recordRevisionDigest,
  recordRuntime,
  storeMissingTokens,
  tryLockAgent,
  unlockAgent,
} from "./provisioner-repo.js";
import { waitUntilBackendReady, waitUntilReady } from "./readiness.js";

export interface DeploymentJobDeps {
  config: Config;
  pool: Pool;
  logger: Logger;
  keyring: Keyring;
  events: ProvisionerEvents;
  /** The agent's backend (Docker, or its Kubernetes cluster's), or why this worker has none for it. */
  backendFor: (agent: ProvisionedAgentRow) => Promise<{ backend: RuntimeBackend } | { unavailable: string }>;
  /** The workspace's providers as the runtime receives them (keys opened), limited to `only` when set. */
  providers: (
    workspaceId: string,
    only: readonly string[] | null,
  ) => Promise<{ providers: ProviderMaterial[]; defaultModel: string | undefined }>;
  /** The agent's secret environment overrides, opened. */
  secretEnv: (agentId: string) => Promise<Record<string, string>>;
}

type Outcome = { status: Exclude<DeploymentStatus, "queued" | "in_progress">; reason: string | null };

const TERMINAL: ReadonlySet<DeploymentStatus> = new Set(["succeeded", "warning", "failed", "cancelled"]);
const LOCK_POLL_MS = 250;
const STOP_TIMEOUT_SECONDS = 20;
const MAX_ALLOCATION_ATTEMPTS = 10;
const CONTENT_ID = /^sha256:[0-9a-f]{64}$/;

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** A failure of the deployment itself (not of the provisioner): recorded, never retried. */
class DeploymentFailed extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "DeploymentFailed";
  }
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message.slice(0, 500);
  return String(error).slice(0, 500);
}

/**
 * The `deploy-agent` job: runs one deployment row (deploy, redeploy, rollback, start, stop, restart,
 * delete) against the agent's backend. Jobs on one agent are serialised by a PostgreSQL advisory lock;
 * every step reads the database first, so a job retried after a crash resumes rather than repeats, and
 * `create` replaces what a killed attempt left, so an agent never has two runtimes.
 */
export function createDeploymentJobs(deps: DeploymentJobDeps) {
  const { config, pool, logger, keyring, events } = deps;
  const docker = config.provisioning.docker;
  const subnets = subnetPool(docker.subnetPool);

  async function lockAgent(client: PoolClient, agentId: string, signal: AbortSignal): Promise<void> {
    while (!(await tryLockAgent(client, agentId))) {
      if (signal.aborted) throw new Error("shutdown while waiting for the agent's lock");
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
  }

  const openColumn = (agent: ProvisionedAgentRow, sealed: string, column: string) =>
    openSealed(keyring, sealed, { table: "agents", column, rowId: agent.id }, logger).value;

  function tokensOf(agent: ProvisionedAgentRow): { runtimeToken: string; gatewayToken: string } {
    return {
      runtimeToken: openColumn(agent, agent.runtimeTokenSealed as string, "runtime_token_sealed"),
      gatewayToken: openColumn(agent, agent.gatewayTokenSealed as string, "gateway_token_sealed"),
    };
  }

  /** The public half of the agent's gateway device (OpenClaw), which its runtime pairs. */
  function devicePublicKeyOf(agent: ProvisionedAgentRow): string | undefined {
    if (agent.family !== "openclaw" || !agent.gatewayDeviceKeySealed) return undefined;
    const privateKeyPem = openColumn(agent, agent.gatewayDeviceKeySealed, "gateway_device_key_sealed");
    return gatewayDeviceIdentity(privateKeyPem).publicKey;
  }

  /** Makes what the agent lacks: its tokens, and for OpenClaw the gateway device's key pair. */
  async function ensureTokens(agent: ProvisionedAgentRow): Promise<ProvisionedAgentRow> {
    const needsDevice = agent.family === "openclaw" && !agent.gatewayDeviceKeySealed;
    if (agent.runtimeTokenSealed && agent.gatewayTokenSealed && !needsDevice) return agent;
    const seal = (column: string, value: string) =>
      sealOrFail(keyring, value, { table: "agents", column, rowId: agent.id });
    const token = () => randomBytes(32).toString("hex");
    await storeMissingTokens(pool, agent.id, {
      runtime: seal("runtime_token_sealed", token()),
      gateway: seal("gateway_token_sealed", token()),
      device: needsDevice
        ? seal("gateway_device_key_sealed", generateGatewayDeviceKey().privateKeyPem)
        : null,
    });
    return (await agentForJob(pool, agent.id)) as ProvisionedAgentRow;
  }

  /** Why a runtime cannot become ready, from the backend: exited, OOM-killed, gone; null while it runs. */
  async function deadReason(backend: RuntimeBackend, agentId: string): Promise<string | null> {
    const state = await backend.inspect(agentId);
    if (state === null) return "the runtime disappeared while starting";
    if (state.running) return null;
    const lastLine = (await backend.logs(agentId, { tail: 5 }).catch(() => ""))
      .trim()
      .split("\n")
      .at(-1)
      ?.slice(0, 300);
    const cause = state.oomKilled
      ? "it ran out of memory (OOM-killed): give the agent more memory"
      : `it exited with code ${state.exitCode ?? "unknown"}`;
    return `the runtime stopped before it was ready: ${cause}${lastLine ? `; its last output: ${lastLine}` : ""}`;
  }

  async function awaitReady(
    agent: ProvisionedAgentRow,
    backend: RuntimeBackend,
    runtimeUrl: string,
    deploymentId: string,
    signal: AbortSignal,
  ): Promise<Outcome> {
    if (!(await events.moveAgent(agent, "starting", null, deploymentId))) {
      return { status: "cancelled", reason: "the agent changed while this deployment ran" };
    }
    const readiness =
      backend.readiness === "backend"
        ? await waitUntilBackendReady({
            inspect: () => backend.inspect(agent.id),
            timeoutMs: config.provisioning.backendReadyTimeoutMs,
            signal,
          })
        : await waitUntilReady({
            runtimeUrl,
            token: tokensOf(agent).runtimeToken,
            attempts: config.provisioning.readyAttempts,
            signal,
            deadReason: () => deadReason(backend, agent.id),
          });
    const reason = readiness.outcome === "running" ? null : readiness.reason;
    if (!(await events.moveAgent(agent, readiness.outcome, reason, deploymentId))) {
      return { status: "cancelled", reason: "the agent changed while this deployment ran" };
    }
    const status = readiness.outcome === "running" ? "succeeded" : readiness.outcome;
    return { status, reason };
  }

  function assemble(
    agent: ProvisionedAgentRow,
    revision: { family: "openclaw" | "hermes"; template: Record<string, string> },
    providers: Awaited<ReturnType<DeploymentJobDeps["providers"]>>,
    secretEnv: Record<string, string>,
  ): RuntimeAssembly {
    const gatewayDevicePublicKey = devicePublicKeyOf(agent);
    try {
      return assembleRuntime({
        agent: {
          agentId: agent.id,
          name: agent.name,
          family: revision.family,
          template: revision.template,
          allowedOrigins: [new URL(config.api.publicUrl).origin],
          ...(providers.defaultModel ? { defaultModel: providers.defaultModel } : {}),
          ...(gatewayDevicePublicKey === undefined ? {} : { gatewayDevicePublicKey }),
        },
        secrets: tokensOf(agent),
        providers: providers.providers,
        overrides: { env: {}, secretEnv },
      });
    } catch (error) {
      if (error instanceof RuntimeAssemblyError) {
        throw new DeploymentFailed(`the agent's configuration is invalid: ${error.issues.join("; ")}`);
      }
      throw error;
    }
  }

  /** Creates (or replaces) the runtime from a revision and waits until it is ready. */
  async function provision(
    deployment: DeploymentJobRow,
    agent: ProvisionedAgentRow,
    backend: RuntimeBackend,
    signal: AbortSignal,
  ): Promise<Outcome> {
    if (!(await events.moveAgent(agent, "provisioning", null, deployment.id))) {
      return { status: "cancelled", reason: "the agent changed before this deployment ran" };
    }
    const revisionId = deployment.revisionId ?? agent.currentRevisionId;
    const stored = revisionId ? await revisionById(pool, revisionId) : undefined;
    if (!stored) throw new DeploymentFailed("the deployment has no revision to run; redeploy the agent");
    const { family, profile } = stored;
    if (!isRuntimeFamily(family) || !isSandboxProfile(profile)) {
      throw new DeploymentFailed(`revision ${stored.number} names an unknown family or profile`);
    }
    const revision = { ...stored, family, profile };

    const digest = await backend.resolveImage(revision.imageDigest ?? revision.image);
    if (digest === null) {
      throw new DeploymentFailed(
        revision.imageDigest
          ? `the image of revision ${revision.number} (${revision.image}, ${revision.imageDigest}) is no longer on the Docker host; redeploy to run the current image`
          : `the image ${revision.image} is not on the Docker host; build or load it there (docs/provisioning.md)`,
      );
    }
    // A content id is the engine's (Docker); a cluster pulls a reference, pinned only if it names a digest.
    if (!revision.imageDigest && CONTENT_ID.test(digest))
      await recordRevisionDigest(pool, revision.id, digest);

    const withTokens = await ensureTokens(agent);
    const assembly = assemble(
      withTokens,
      revision,
      await deps.providers(agent.workspaceId, revision.providerIds),
      await deps.secretEnv(agent.id),
    );

    const { gateway, dashboard } = AGENT_PORTS[revision.family];
    const ports = { contract: RUNTIME_PORTS.contract, gateway, dashboard };
    let created: CreatedRuntime | undefined;
    // A subnet or host port the database gave out may be taken on the host by something not Nora's:
    // move past it and try again.
    let subnetFrom = 0;
    let portFrom = docker.portRange.first;
    // Subnets and host ports are Docker's: other backends get none.
    const onDocker = backend.target === "docker";
    for (let attempt = 1; created === undefined; attempt++) {
      const subnetIndex = onDocker ? await agentSubnetIndex(pool, agent.id, subnets.count, subnetFrom) : null;
      const hostPorts =
        onDocker && docker.access === "published"
          ? await agentHostPorts(pool, agent.id, ports, docker.portRange, portFrom)
          : null;
      try {
        created = await backend.create(
          {
            agentId: agent.id,
            workspaceId: agent.workspaceId,
            revisionId: revision.id,
            deploymentId: deployment.id,
            family: revision.family,
            profile: revision.profile,
            image: digest,
            resources: { vcpu: revision.vcpu, memoryMb: revision.memoryMb, diskGb: revision.diskGb },
            env: assembly.env,
            files: assembly.files,
            secretFiles: assembly.secretFiles,
            ports,
            hostPorts,
            subnet: subnetIndex === null ? null : subnets.subnet(subnetIndex),
          },
          { force: deployment.options.overrideDrift === true },
        );
      } catch (error) {
        if (
          isBackendError(error, "drift") ||
          isBackendError(error, "forbidden") ||
          isBackendError(error, "invalid_spec")
        ) {
          throw new DeploymentFailed(error.message);
        }
        if (isBackendError(error, "image_not_found")) {
          throw new DeploymentFailed(
            `the image ${revision.image} is not on the Docker host; build or load it there`,
          );
        }
        if (attempt >= MAX_ALLOCATION_ATTEMPTS) throw error;
        if (isBackendError(error, "network_conflict")) {
          logger.warn({ agentId: agent.id, subnetIndex }, "agent subnet taken on the host; trying the next");
          subnetFrom = (subnetIndex ?? 0) + 1;
        } else if (isBackendError(error, "port_conflict") && hostPorts) {
          logger.warn({ agentId: agent.id, hostPorts }, "agent host port taken on the host; trying the next");
          await releaseAgentHostPorts(pool, agent.id);
          portFrom = Math.max(hostPorts.contract, hostPorts.gateway, hostPorts.dashboard ?? 0) + 1;
        } else {
          throw error;
        }
      }
    }
    await recordRuntime(pool, agent.id, {
      runtimeUrl: created.endpoints.runtimeUrl,
      gatewayUrl: created.endpoints.gatewayUrl,
      dashboardUrl: created.endpoints.dashboardUrl,
      runtimeRef: created.ref,
      enforcement: { ...created.enforcement },
      revisionId: revision.id,
    });
    const secretEnvNames = Object.keys(
      JSON.parse(assembly.secretFiles.find((f) => f.path.endsWith(".json"))?.content ?? "{}") as object,
    ).sort();
    await recordDelivered(pool, deployment.id, {
      imageDigest: created.imageDigest,
      files: Object.fromEntries(assembly.files.map((f) => [f.path, sha256(f.content)])),
      secretFiles: assembly.secretFiles.map((f) => f.path),
      secretEnvNames,
      enforcement: created.enforcement,
    });
    if (created.enforcement.diskQuota === "not_enforced") {
      await events.record({
        workspaceId: agent.workspaceId,
        agentId: agent.id,
        deploymentId: deployment.id,
        type: "deployment.limit_not_enforced",
        severity: "warning",
        message: `the ${revision.diskGb} GB disk limit is not enforced: ${created.enforcement.diskQuotaReason ?? "the backend cannot"}`,
        metadata: { limit: "disk", reason: created.enforcement.diskQuotaReason ?? null },
      });
    }
    return awaitReady(withTokens, backend, created.endpoints.runtimeUrl, deployment.id, signal);
  }

  async function run(
    deployment: DeploymentJobRow,
    agent: ProvisionedAgentRow,
    backend: RuntimeBackend,
    signal: AbortSignal,
  ): Promise<Outcome> {
    switch (deployment.action) {
      case "deploy":
      case "redeploy":
      case "rollback":
        return provision(deployment, agent, backend, signal);
      case "start":
      case "restart": {
        const existing = await backend.inspect(agent.id);
        if (existing === null || !agent.runtimeUrl) return provision(deployment, agent, backend, signal);
        if (deployment.action === "start") await backend.start(agent.id);
        else await backend.restart(agent.id, { timeoutSeconds: STOP_TIMEOUT_SECONDS });
        return awaitReady(await ensureTokens(agent), backend, agent.runtimeUrl, deployment.id, signal);
      }
      case "stop": {
        if (!(await events.moveAgent(agent, "stopping", null, deployment.id))) {
          return { status: "cancelled", reason: "the agent changed before this deployment ran" };
        }
        if ((await backend.inspect(agent.id)) !== null) {
          await backend.stop(agent.id, { timeoutSeconds: STOP_TIMEOUT_SECONDS });
        }
        await events.moveAgent(agent, "stopped", null, deployment.id);
        return { status: "succeeded", reason: null };
      }
      case "delete": {
        const keepData = deployment.options.keepData === true;
        await backend.remove(agent.id, { keepData });
        await events.record({
          workspaceId: agent.workspaceId,
          agentId: agent.id,
          deploymentId: deployment.id,
          type: "agent.deleted",
          severity: "info",
          message: keepData ? `${agent.name} deleted; its volumes were kept` : `${agent.name} deleted`,
          metadata: { keepData },
        });
        // The agent row goes (its deployments with it) as the deployment ends: nobody sees one without the other.
        await withTransaction(pool, async (tx) => {
          await finishDeployment(tx, deployment.id, { status: "succeeded", reason: null });
          await deleteAgentRow(tx, agent.id);
        });
        return { status: "succeeded", reason: null };
      }
    }
  }

  async function finish(deployment: DeploymentJobRow, outcome: Outcome): Promise<void> {
    await finishDeployment(pool, deployment.id, outcome);
    if (deployment.action === "delete" && outcome.status === "succeeded") return;
    await events.record({
      workspaceId: deployment.workspaceId,
      agentId: deployment.agentId,
      deploymentId: deployment.id,
      type: `deployment.${outcome.status}`,
      severity: outcome.status === "failed" ? "error" : outcome.status === "warning" ? "warning" : "info",
      message: `${deployment.action} ${outcome.status}${outcome.reason ? `: ${outcome.reason}` : ""}`,
      metadata: { action: deployment.action, ...(outcome.reason ? { reason: outcome.reason } : {}) },
    });
  }

  async function deployAgent(payload: JobPayload<"deployments">, context: JobContext) {
    const { job, signal } = context;
    const log = context.logger.child({ deploymentId: payload.deploymentId, agentId: payload.agentId });
    const first = await deploymentForJob(pool, payload.deploymentId);
    if (!first || TERMINAL.has(first.status)) return { skipped: first?.status ?? "gone" };

    const client = await pool.connect();
    let clientBroken = false;
    // A connection PostgreSQL ends while we hold it (a restart, a terminated backend) must fail this
    // job, not the process: the lock goes with the session, and the retry takes a fresh connection.
    const onClientError = (error: Error) => {
      clientBroken = true;
      log.warn({ err: error }, "the agent lock's database connection failed");
    };
    client.on("error", onClientError);
    try {
      await lockAgent(client, payload.agentId, signal);
      // Another job may have finished or superseded this one while we waited for the lock.
      const deployment = await deploymentForJob(pool, payload.deploymentId);
      if (!deployment || TERMINAL.has(deployment.status)) return { skipped: deployment?.status ?? "gone" };
      const newer = deployment.action === "delete" ? null : await newerDeployment(pool, deployment);
      if (newer) {
        await finish(deployment, { status: "cancelled", reason: `superseded by a newer request (${newer})` });
        return { status: "cancelled" };
      }
      const agent = await agentForJob(pool, deployment.agentId);
      if (!agent) {
        await finishDeployment(pool, deployment.id, { status: "cancelled", reason: "the agent is gone" });
        return { status: "cancelled" };
      }
      await markDeploymentStarted(pool, deployment.id);
      const resolved = await deps.backendFor(agent);
      try {
        if ("unavailable" in resolved) throw new DeploymentFailed(resolved.unavailable);
        const outcome = await run(deployment, agent, resolved.backend, signal);
        if (deployment.action !== "delete") await finish(deployment, outcome);
        log.info({ action: deployment.action, status: outcome.status }, "deployment finished");
        return { status: outcome.status };
      } catch (error) {
        if (signal.aborted) throw error;
        if (error instanceof DeploymentFailed) {
          await events.moveAgent(
            agent,
            deployment.action === "delete" ? "error" : "failed",
            error.reason,
            deployment.id,
          );
          await finish(deployment, { status: "failed", reason: error.reason });
          log.warn({ reason: error.reason }, "deployment failed");
          return { status: "failed" };
        }
        const attempts = job.opts.attempts ?? 1;
        const attempt = job.attemptsMade + 1;
        const reason = errorText(error);
        if (attempt >= attempts) {
          await events.moveAgent(
            agent,
            "error",
            `the provisioner gave up after ${attempts} attempts: ${reason}`,
            deployment.id,
          );
          await finish(deployment, { status: "failed", reason });
        } else {
          await events.record({
            workspaceId: agent.workspaceId,
            agentId: agent.id,
            deploymentId: deployment.id,
            type: "deployment.attempt_failed",
            severity: "warning",
            message: `attempt ${attempt} of ${attempts} failed, retrying: ${reason}`,
            metadata: { attempt, attempts, reason },
          });
        }
        throw error;
      }
    } catch (error) {
      clientBroken ||= !(error instanceof Error) || /connection|terminat/i.test(error.message);
      throw error;
    } finally {
      await unlockAgent(client, payload.agentId).catch(() => {
        clientBroken = true;
      });
      client.off("error", onClientError);
      client.release(clientBroken);
    }
  }

  return { deployAgent };
}

export type DeploymentJobs = ReturnType<typeof createDeploymentJobs>;

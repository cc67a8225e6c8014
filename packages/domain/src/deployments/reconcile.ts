import { RuntimeClient } from "@nora/agent-runtime";
import type { RuntimeBackend, RuntimeEvent } from "@nora/backends";
import { type Config, type Keyring, type Logger, type NoraQueue, openSealed, type Pool } from "@nora/core";
import type { ProvisionerEvents } from "./provisioner-events.js";
import {
  agentForJob,
  agentsExpectingRuntime,
  agentsWithStatus,
  existingAgentIds,
  finishDeployment,
  type ProvisionedAgentRow,
  unfinishedDeployments,
  workspaceExists,
} from "./provisioner-repo.js";
import { sleep, waitUntilBackendReady, waitUntilReady } from "./readiness.js";

/** A deployment is left alone this long after it was written: its API request may still be enqueueing it. */
const SWEEP_GRACE_MS = 5_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Probes when a runtime restarted on its own (Docker's restart policy) before it counts as ready again. */
const RECHECK_ATTEMPTS = 60;
const EVENTS_RECONNECT_MS = 2_000;
const EVENTS_RECONNECT_MAX_MS = 60_000;

/**
 * Keeps agent statuses true outside of deployments: at provisioner start (orphans, vanished runtimes),
 * on a timer (deployments whose job Redis lost, agents in `warning`), and from the backend's events
 * (a runtime that dies or restarts on its own).
 */
export function createReconciler(deps: {
  config: Config;
  pool: Pool;
  logger: Logger;
  keyring: Keyring;
  events: ProvisionerEvents;
  backend: RuntimeBackend;
  queue: NoraQueue<"deployments">;
  /** A Kubernetes backend serves one cluster: only that cluster's agents are its. */
  clusterId?: string;
  /** The sweep and the warning re-probes concern every agent: one reconciler per process runs them. */
  sweeps?: boolean;
}) {
  const { config, pool, logger, keyring, events, backend, queue } = deps;
  const clusterId = deps.clusterId ?? null;
  const log = logger.child({ component: "reconciler", target: backend.target, clusterId });
  const owns = (agent: ProvisionedAgentRow) =>
    agent.target === backend.target && (clusterId === null || agent.clusterId === clusterId);

  const runtimeToken = (agent: ProvisionedAgentRow) =>
    openSealed(keyring, agent.runtimeTokenSealed as string, {
      table: "agents",
      column: "runtime_token_sealed",
      rowId: agent.id,
    }).value;

  /** Managed runtimes no agent owns: reported, and removed (volumes kept) when so configured. */
  async function orphans(): Promise<{ found: number; removed: number }> {
    const managed = await backend.listManaged();
    const owned = await existingAgentIds(
      pool,
      managed.map((m) => m.agentId).filter((id) => UUID.test(id)),
    );
    let removed = 0;
    const found = managed.filter((m) => !owned.has(m.agentId));
    for (const orphan of found) {
      const remove = config.provisioning.docker.removeOrphans;
      log.warn({ ref: orphan.ref, agentId: orphan.agentId, remove }, "runtime without an agent found");
      if (remove) {
        await backend.remove(orphan.agentId, { keepData: true });
        removed++;
      }
      if (UUID.test(orphan.workspaceId) && (await workspaceExists(pool, orphan.workspaceId))) {
        await events.record({
          workspaceId: orphan.workspaceId,
          agentId: orphan.agentId,
          type: remove ? "runtime.orphan_removed" : "runtime.orphan_found",
          severity: "warning",
          message: remove
            ? `runtime ${orphan.ref} had no agent; it was removed (its volumes were kept)`
            : `runtime ${orphan.ref} has no agent; set DOCKER_REMOVE_ORPHANS=true to remove such runtimes${backend.target === "k8s" ? " (on Kubernetes too), or delete its objects by the label nora.agent.id" : ""}`,
          metadata: { ref: orphan.ref },
        });
      }
    }
    return { found: found.length, removed };
  }

  /** Agents whose runtime vanished or stopped while nobody watched: marked failed, redeployable. */
  async function vanished(): Promise<number> {
    let marked = 0;
    for (const agent of await agentsExpectingRuntime(pool, backend.target, clusterId)) {
      const state = await backend.inspect(agent.id);
      if (state === null) {
        await events.moveAgent(
          agent,
          "failed",
          "its runtime is gone (removed outside Nora); redeploy to recreate it",
          null,
        );
        marked++;
      } else if (!state.running && agent.status !== "stopped") {
        const cause = state.oomKilled
          ? "it ran out of memory"
          : `it exited with code ${state.exitCode ?? "unknown"}`;
        await events.moveAgent(agent, "failed", `its runtime is not running: ${cause}`, null);
        marked++;
      }
    }
    return marked;
  }

  /** Every unfinished deployment has a job: re-enqueued when Redis lost it, settled when its job died. */
  async function sweep(): Promise<{ requeued: number; settled: number }> {
    let requeued = 0;
    let settled = 0;
    for (const deployment of await unfinishedDeployments(pool, SWEEP_GRACE_MS)) {
      const job = await queue.queue.getJob(deployment.id);
      if (!job) {
        await queue.add(
          { deploymentId: deployment.id, agentId: deployment.agentId },
          { jobId: deployment.id },
        );
        log.warn({ deploymentId: deployment.id }, "deployment had no job (Redis lost it?); enqueued again");
        requeued++;
        continue;
      }
      const state = await job.getState();
      if (state === "failed" && deployment.status === "queued") {
        // Asked to run again (a dead-letter retry whose Redis half did not happen): retry the job.
        await job.retry("failed");
        log.warn({ deploymentId: deployment.id }, "queued deployment's job had failed; retried it");
        requeued++;
        continue;
      }
      if (state === "failed" || state === "completed") {
        const reason =
          state === "failed"
            ? `the provisioner gave up: ${job.failedReason ?? "unknown reason"}`
            : "the deployment's job ended without finishing it";
        await finishDeployment(pool, deployment.id, { status: "failed", reason });
        const agent = await agentForJob(pool, deployment.agentId);
        if (agent) await events.moveAgent(agent, "error", reason, deployment.id);
        settled++;
      }
    }
    return { requeued, settled };
  }

  /** Agents in `warning` whose gateway now answers move to `running` (and back is the events' job). */
  async function promoteWarnings(): Promise<number> {
    let promoted = 0;
    for (const agent of await agentsWithStatus(pool, ["warning"])) {
      if (!agent.runtimeUrl || !agent.runtimeTokenSealed) continue;
      const client = new RuntimeClient({
        baseUrl: agent.runtimeUrl,
        token: runtimeToken(agent),
        timeoutMs: 2_000,
      });
      const metrics = await client.metrics().catch(() => null);
      if (metrics && (metrics.gateway === null || metrics.gateway.reachable)) {
        if (await events.moveAgent(agent, "running", null, null)) promoted++;
      }
    }
    return promoted;
  }

  /** A runtime event: a death of a running agent fails it; a restart of a failed one is re-probed. */
  async function onEvent(event: RuntimeEvent, signal: AbortSignal): Promise<void> {
    const agent = await agentForJob(pool, event.agentId);
    if (!agent || !owns(agent)) return;
    if (
      (event.type === "die" || event.type === "oom") &&
      (agent.status === "running" || agent.status === "warning")
    ) {
      const cause =
        event.type === "oom" ? "it ran out of memory" : `it exited with code ${event.exitCode ?? "unknown"}`;
      await events.moveAgent(agent, "failed", `the runtime stopped: ${cause}`, null);
      return;
    }
    if (
      event.type === "start" &&
      agent.status === "failed" &&
      agent.desiredState === "running" &&
      agent.runtimeUrl
    ) {
      const readiness =
        backend.readiness === "backend"
          ? await waitUntilBackendReady({
              inspect: () => backend.inspect(agent.id),
              timeoutMs: config.provisioning.backendReadyTimeoutMs,
              signal,
            })
          : await waitUntilReady({
              runtimeUrl: agent.runtimeUrl,
              token: runtimeToken(agent),
              attempts: RECHECK_ATTEMPTS,
              signal,
              deadReason: async () =>
                (await backend.inspect(agent.id))?.running ? null : "it stopped again",
            });
      const current = await agentForJob(pool, agent.id);
      if (current?.status !== "failed") return;
      await events.moveAgent(
        agent,
        readiness.outcome,
        readiness.outcome === "running" ? null : readiness.reason,
        null,
      );
    }
  }

  async function watchEvents(signal: AbortSignal): Promise<void> {
    let delay = EVENTS_RECONNECT_MS;
    while (!signal.aborted) {
      try {
        for await (const event of backend.events(signal)) {
          delay = EVENTS_RECONNECT_MS;
          await onEvent(event, signal).catch((error: unknown) =>
            log.error({ err: error, agentId: event.agentId }, "runtime event not handled"),
          );
        }
      } catch (error) {
        if (signal.aborted) return;
        log.warn({ err: error, retryInMs: delay }, "runtime events stream ended; reconnecting");
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      // A backend that stays away (no Docker engine on this host) is retried ever less often.
      delay = Math.min(delay * 2, EVENTS_RECONNECT_MAX_MS);
    }
  }

  async function loop(signal: AbortSignal): Promise<void> {
    const atStart = await Promise.all([orphans(), vanished()]).catch((error: unknown) => {
      log.error({ err: error }, "reconciliation at start failed");
      return null;
    });
    if (atStart) log.info({ orphans: atStart[0], vanished: atStart[1] }, "reconciled runtimes at start");
    while (!signal.aborted) {
      const work = deps.sweeps === false ? [] : [sweep(), promoteWarnings()];
      await Promise.all([...work, backend.reconcileAccess()]).catch((error: unknown) =>
        log.error({ err: error }, "sweep failed"),
      );
      // Aborted while the work above ran: no abort event comes any more, so sleep() checks first.
      await sleep(config.provisioning.sweepIntervalMs, signal);
    }
  }

  return { orphans, vanished, sweep, promoteWarnings, watchEvents, loop };
}

export type Reconciler = ReturnType<typeof createReconciler>;

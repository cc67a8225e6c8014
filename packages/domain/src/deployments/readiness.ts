import { RuntimeClient } from "@nora/agent-runtime";
import type { RuntimeInspection } from "@nora/backends";

export type Readiness =
  | { outcome: "running" }
  | { outcome: "warning"; reason: string }
  | { outcome: "failed"; reason: string };

export interface ReadinessProbe {
  runtimeUrl: string;
  token: string;
  /** Probes in all (9090 first, then the gateway through the runtime's metrics). */
  attempts: number;
  signal: AbortSignal;
  /** Why the runtime cannot become ready (it exited, was OOM-killed), or null while it still runs. */
  deadReason: () => Promise<string | null>;
}

const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 1_000;
const PROBE_TIMEOUT_MS = 2_000;
/** A failing probe checks the runtime still runs this often, so a crash ends the wait at once. */
const LIVENESS_EVERY = 3;

/** Short exponential backoff: new runtimes are noticed within ~100 ms of answering, not a poll period. */
export function probeDelay(attempt: number): number {
  return Math.min(MAX_DELAY_MS, Math.round(FIRST_DELAY_MS * 1.5 ** attempt));
}

/** Waits `ms`, or less when `signal` aborts (at once when it already has). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

const describe = (status: number | null): string => (status === null ? "no connection" : `HTTP ${status}`);

/**
 * Waits until the runtime server answers `/health`, then until the agent's gateway answers, and its
 * dashboard where the family has one (as the runtime server's metrics report them; a runtime without
 * a gateway to probe is ready with its server).
 * Ends `failed` when the runtime dies or the server never answers within the attempts, `warning` when
 * the server answers and the gateway does not.
 */
export async function waitUntilReady(probe: ReadinessProbe): Promise<Readiness> {
  const client = new RuntimeClient({
    baseUrl: probe.runtimeUrl,
    token: probe.token,
    timeoutMs: PROBE_TIMEOUT_MS,
  });
  let attempt = 0;
  let serverUp = false;
  let lastGateway = "the gateway was not probed";
  for (; attempt < probe.attempts && !probe.signal.aborted; attempt++) {
    if (!serverUp) {
      serverUp = await client.health().then(
        () => true,
        () => false,
      );
    }
    if (serverUp) {
      const metrics = await client.metrics().catch(() => null);
      const gatewayUp = metrics !== null && (metrics.gateway === null || metrics.gateway.reachable);
      // A family with a separate dashboard (Hermes) is ready once that answers too.
      const dashboardUp = metrics !== null && (metrics.dashboard === null || metrics.dashboard.reachable);
      if (gatewayUp && dashboardUp) return { outcome: "running" };
      lastGateway =
        metrics === null
          ? "the runtime server answered /health but not /metrics"
          : !gatewayUp && metrics.gateway !== null
            ? `the agent's gateway did not answer (${describe(metrics.gateway.status)}; agent process ${metrics.agent.state}, ${metrics.agent.restarts} restarts)`
            : `the agent's dashboard did not answer (${describe(metrics.dashboard?.status ?? null)}; dashboard process ${metrics.dashboardProcess?.state ?? "unknown"}, ${metrics.dashboardProcess?.restarts ?? 0} restarts)`;
    }
    if (attempt % LIVENESS_EVERY === LIVENESS_EVERY - 1) {
      const dead = await probe.deadReason();
      if (dead !== null) return { outcome: "failed", reason: dead };
    }
    await sleep(probeDelay(attempt), probe.signal);
  }
  if (probe.signal.aborted) throw new Error("readiness wait aborted by shutdown");
  if (serverUp) return { outcome: "warning", reason: `${lastGateway} after ${attempt} probes` };
  const dead = await probe.deadReason();
  return {
    outcome: "failed",
    reason:
      dead ??
      `the runtime server did not answer /health after ${attempt} probes; check the image runs Nora's runtime server on port 9090 and the runtime's log`,
  };
}

export interface BackendReadinessProbe {
  /** The backend's view of the runtime (Kubernetes: the Deployment's and its Pod's conditions). */
  inspect: () => Promise<RuntimeInspection | null>;
  /** How long an orchestrator may take (image pulls, scheduling) before the deployment fails. */
  timeoutMs: number;
  signal: AbortSignal;
}

/**
 * Waits until the backend reports the runtime ready (its probes on the 9090 server pass), failing at
 * once on a problem it reports (an image that cannot be pulled, a crash loop, no node that fits).
 */
export async function waitUntilBackendReady(probe: BackendReadinessProbe): Promise<Readiness> {
  const deadline = Date.now() + probe.timeoutMs;
  let last: RuntimeInspection | null = null;
  for (let attempt = 0; !probe.signal.aborted; attempt++) {
    last = await probe.inspect();
    if (last === null) return { outcome: "failed", reason: "the runtime disappeared while starting" };
    if (last.ready) return { outcome: "running" };
    if (last.problem) return { outcome: "failed", reason: last.problem.message };
    if (Date.now() >= deadline) break;
    await sleep(Math.min(probeDelay(attempt), Math.max(0, deadline - Date.now())), probe.signal);
  }
  if (probe.signal.aborted) throw new Error("readiness wait aborted by shutdown");
  return {
    outcome: "failed",
    reason: `the runtime was not ready after ${Math.round(probe.timeoutMs / 1000)} s (state ${last?.state ?? "unknown"}${last?.waitingFor ? `: ${last.waitingFor}` : ""}); check its pod's events and log`,
  };
}

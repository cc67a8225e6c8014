import type { RuntimeClient } from "@nora/agent-runtime";
import { AppError } from "@nora/core";
import { runtimeCallFailed } from "../agents/runtime-errors.js";
import type { RuntimeTarget } from "./target.js";

const METRICS_CALL_TIMEOUT_MS = 5_000;
export const METRICS_INTERVAL = { defaultMs: 5_000, minMs: 2_000, maxMs: 60_000 } as const;

type RuntimeMetrics = Awaited<ReturnType<RuntimeClient["metrics"]>>;
type ProcessStatus = RuntimeMetrics["agent"];

/** One sample as the stream sends it: the runtime's numbers, without its internal probe URLs. */
export interface MetricsSample {
  type: "metrics";
  at: string;
  cpu: {
    count: number;
    loadAverage: number[];
    /** CPU seconds used (the agent's cgroup, or the runtime server where there is none). */
    usageSeconds: number;
    /** Share of one core over the last interval (usageSeconds' change over wall time); null at first. */
    usagePercent: number | null;
  };
  memory: RuntimeMetrics["memory"];
  /** The container's traffic beyond loopback, with rates since the previous frame (null in the first). */
  network: {
    rxBytes: number;
    txBytes: number;
    rxBytesPerSecond: number | null;
    txBytesPerSecond: number | null;
  } | null;
  processes: { agent: ProcessStatus; dashboard: ProcessStatus | null };
  /** Reachability of the agent's own servers from inside its runtime (no address is repeated). */
  probes: {
    gateway: { reachable: boolean; status: number | null; latencyMs: number | null } | null;
    dashboard: { reachable: boolean; status: number | null; latencyMs: number | null } | null;
  };
}

export interface MetricsFailure {
  type: "error";
  at: string;
  error: string;
  message: string;
}

/** Why a metrics stream ended: the agent stopped or was removed (the stream is over, not failing). */
export class AgentGone extends Error {
  constructor(readonly code: string) {
    super("the agent is no longer running");
  }
}

const probe = (p: RuntimeMetrics["gateway"]) =>
  p === null ? null : { reachable: p.reachable, status: p.status, latencyMs: p.latencyMs };

type Previous = { usage: number; at: number; network: RuntimeMetrics["network"] };

function rate(now: number, before: number | undefined, elapsed: number): number | null {
  if (before === undefined || elapsed <= 0 || now < before) return null;
  return Math.round((now - before) / elapsed);
}

function sampleOf(metrics: RuntimeMetrics, previous: Previous | null, at: number) {
  const elapsed = previous ? (at - previous.at) / 1000 : 0;
  const net = metrics.network;
  const usagePercent =
    previous && elapsed > 0
      ? Math.max(0, Math.round(((metrics.cpu.usageSeconds - previous.usage) / elapsed) * 1000) / 10)
      : null;
  const sample: MetricsSample = {
    type: "metrics",
    at: new Date(at).toISOString(),
    cpu: { ...metrics.cpu, usagePercent },
    memory: metrics.memory,
    network: net
      ? {
          rxBytes: net.rxBytes,
          txBytes: net.txBytes,
          rxBytesPerSecond: rate(net.rxBytes, previous?.network?.rxBytes, elapsed),
          txBytesPerSecond: rate(net.txBytes, previous?.network?.txBytes, elapsed),
        }
      : null,
    processes: { agent: metrics.agent, dashboard: metrics.dashboardProcess },
    probes: { gateway: probe(metrics.gateway), dashboard: probe(metrics.dashboard) },
  };
  return sample;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
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

const failure = (error: unknown, at: number): MetricsFailure => {
  const mapped = runtimeCallFailed(error, "runtime_metrics_failed", "The agent's runtime refused /metrics");
  return mapped instanceof AppError
    ? { type: "error", at: new Date(at).toISOString(), error: mapped.code, message: mapped.message }
    : {
        type: "error",
        at: new Date(at).toISOString(),
        error: "metrics_failed",
        message: "Could not read metrics",
      };
};

/**
 * An agent's metrics every `intervalMs`, from its runtime's `/metrics` through `openAgentRuntime`: one
 * runtime call at a time (the next starts `intervalMs` after the previous one started, or right after
 * it when it took longer; never two at once), and the consumer's `await` of each sample holds the next
 * one back. A failed call is a failure sample and the stream goes on; it ends (AgentGone) when the
 * agent is no longer running. The agent is looked up (openAgentRuntime) before the samples are
 * returned, so one that is not running is refused (409) before the caller commits to a stream.
 */
export async function followAgentMetrics(
  target: RuntimeTarget,
  agentId: string,
  options: { intervalMs: number; requestId: string; signal: AbortSignal },
): Promise<AsyncIterable<MetricsSample | MetricsFailure>> {
  const open = () =>
    target.openAgentRuntime(agentId, { requestId: options.requestId, timeoutMs: METRICS_CALL_TIMEOUT_MS });
  let first: Awaited<ReturnType<typeof open>> | undefined = await open();
  const { signal, intervalMs } = options;

  async function* samples(): AsyncGenerator<MetricsSample | MetricsFailure> {
    let previous: Previous | null = null;
    while (!signal.aborted) {
      const started = Date.now();
      let client: RuntimeClient | undefined;
      try {
        // Each sample reads the agent's row again: a stopped or removed agent ends the stream, and
        // its address is judged again.
        client = (first ?? (await open())).client;
        first = undefined;
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof AppError && (error.status === 404 || error.code === "agent_not_running")) {
          throw new AgentGone(error.code === "not_found" ? "agent_not_found" : error.code);
        }
        yield failure(error, Date.now());
      }
      if (client) {
        try {
          const metrics = await client.metrics({ signal });
          const at = Date.now();
          yield sampleOf(metrics, previous, at);
          previous = { usage: metrics.cpu.usageSeconds, at, network: metrics.network };
        } catch (error) {
          if (signal.aborted) return;
          yield failure(error, Date.now());
        }
      }
      await sleep(Math.max(0, intervalMs - (Date.now() - started)), signal);
    }
  }
  return samples();
}

import { queryInt } from "@nora/api-contract";
import { AppError, type Config } from "@nora/core";
import type { GatewaySocketService } from "@nora/domain/runtime-access/gateway-socket";
import { followAgentLogs } from "@nora/domain/runtime-access/log-stream";
import { AgentGone, followAgentMetrics, METRICS_INTERVAL } from "@nora/domain/runtime-access/metrics-stream";
import type { RuntimeTarget } from "@nora/domain/runtime-access/target";
import type { TerminalService } from "@nora/domain/runtime-access/terminal";
import { z } from "zod";
import { gatewayStreams } from "./gateway-stream.js";
import { terminalStream } from "./terminal-stream.js";
import { CLOSE, defineStream, type StreamChannel, type StreamDefinition } from "./types.js";

export const LOG_TAIL = { default: 200, max: 5_000 } as const;

const logsQuery = z.strictObject({
  tail: queryInt({ min: 0, max: LOG_TAIL.max }).default(LOG_TAIL.default),
  process: z.enum(["agent", "dashboard"]).default("agent"),
});

const metricsQuery = z.strictObject({
  intervalMs: queryInt({ min: METRICS_INTERVAL.minMs, max: METRICS_INTERVAL.maxMs }).default(
    METRICS_INTERVAL.defaultMs,
  ),
});

/** Ends a stream whose runtime failed, with a last frame that says why. */
async function failed(channel: StreamChannel, error: unknown): Promise<void> {
  const known = error instanceof AppError;
  const code = known ? error.code : "stream_failed";
  await channel.send({
    type: "error",
    error: code,
    message: known ? error.message : "The stream failed",
  });
  channel.close(CLOSE.internal, code);
}

/**
 * The agent's log (`/api/ws/agents/:agentId/logs?tail=N&process=agent|dashboard`): the last N lines,
 * then live ones, as `{"type":"lines","lines":[...]}` frames. The runtime is read only as fast as the
 * client takes the frames (`channel.send` waits for room).
 */
export function logsStream(target: RuntimeTarget): StreamDefinition {
  return defineStream({
    name: "logs",
    kind: "stream",
    requirement: { role: "viewer", scope: "agents:read" },
    query: logsQuery,
    async open(ctx) {
      const follow = await followAgentLogs(target, ctx.agentId, ctx.query, {
        requestId: ctx.requestId,
        signal: ctx.signal,
      });
      return {
        transport: "websocket",
        async run(channel) {
          try {
            for await (const lines of follow.batches) {
              if (!(await channel.send({ type: "lines", lines }))) return;
            }
            if (channel.signal.aborted) return;
            await failed(
              channel,
              new AppError(502, "runtime_stream_ended", "The agent's runtime ended the log stream"),
            );
          } catch (error) {
            if (!channel.signal.aborted) await failed(channel, error);
          }
        },
      };
    },
  });
}

/**
 * The agent's metrics (`/api/ws/agents/:agentId/metrics?intervalMs=`): a `{"type":"metrics",...}` frame
 * every interval (default 5 s, 2-60 s), `{"type":"error",...}` when one runtime call fails (the stream
 * goes on), closed with 4409 once the agent is no longer running.
 */
export function metricsStream(target: RuntimeTarget): StreamDefinition {
  return defineStream({
    name: "metrics",
    kind: "stream",
    requirement: { role: "viewer", scope: "agents:read" },
    query: metricsQuery,
    async open(ctx) {
      const samples = await followAgentMetrics(target, ctx.agentId, {
        intervalMs: ctx.query.intervalMs,
        requestId: ctx.requestId,
        signal: ctx.signal,
      });
      return {
        transport: "websocket",
        async run(channel) {
          try {
            for await (const sample of samples) {
              if (!(await channel.send(sample))) return;
            }
          } catch (error) {
            if (channel.signal.aborted) return;
            if (error instanceof AgentGone) {
              await channel.send({ type: "end", reason: error.code });
              channel.close(CLOSE.agentStopped, error.code);
              return;
            }
            await failed(channel, error);
          }
        },
      };
    },
  });
}

/** The streams the door serves. */
export function agentStreams(
  domain: {
    runtimeTarget: RuntimeTarget;
    terminals: TerminalService;
    gatewaySockets: GatewaySocketService;
  },
  config: Config,
): StreamDefinition[] {
  return [
    logsStream(domain.runtimeTarget),
    metricsStream(domain.runtimeTarget),
    terminalStream(domain.terminals),
    ...gatewayStreams({ config, gatewaySockets: domain.gatewaySockets }),
  ];
}

import { RuntimeError } from "@nora/agent-runtime";
import { AppError } from "@nora/core";
import { runtimeCallFailed } from "../agents/runtime-errors.js";
import type { RuntimeTarget } from "./target.js";

/** The deadline covers the runtime's first answer only; the stream then lasts as long as its caller. */
const FOLLOW_OPEN_TIMEOUT_MS = 10_000;
/** A line longer than this is cut (and marked): one runaway line cannot grow a frame without bound. */
export const MAX_LINE_CHARS = 16 * 1024;

export interface LogFollowRequest {
  tail: number;
  process: "agent" | "dashboard";
}

export interface LogFollow {
  /**
   * Batches of complete lines, in order: first the tail, then live lines. Pulled: nothing more is read
   * from the runtime until the consumer asks for the next batch, so a slow consumer slows the runtime's
   * reads (and never makes this buffer). Ends when the runtime ends the stream; throws
   * `runtime_stream_failed` or `runtime_unreachable` when it breaks off.
   */
  batches: AsyncIterable<string[]>;
}

const cut = (line: string) => (line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line);

/** Splits decoded text into complete lines, keeping the unfinished last one for the next chunk. */
export function lineSplitter() {
  let pending = "";
  return {
    push(text: string): string[] {
      const parts = (pending + text).split("\n");
      pending = parts.pop() ?? "";
      if (pending.length > MAX_LINE_CHARS) {
        parts.push(pending);
        pending = "";
      }
      return parts.map((line) => cut(line.endsWith("\r") ? line.slice(0, -1) : line));
    },
    flush(): string[] {
      const rest = pending;
      pending = "";
      return rest === "" ? [] : [cut(rest)];
    },
  };
}

/**
 * Follows an agent's log through its runtime (`GET /logs?follow=1`), reached only through
 * `openAgentRuntime`. Resolves once the runtime has answered, so an agent that is not running (409), an
 * address that is not allowed (409) or a runtime that does not answer (502/504) is refused before the
 * caller commits to a stream. `signal` aborts the runtime request.
 */
export async function followAgentLogs(
  target: RuntimeTarget,
  agentId: string,
  request: LogFollowRequest,
  options: { requestId: string; signal: AbortSignal },
): Promise<LogFollow> {
  const { client } = await target.openAgentRuntime(agentId, {
    requestId: options.requestId,
    timeoutMs: FOLLOW_OPEN_TIMEOUT_MS,
  });
  let stream: Awaited<ReturnType<typeof client.followLogs>>;
  try {
    stream = await client.followLogs(request, { signal: options.signal });
  } catch (error) {
    if (error instanceof RuntimeError && error.answered && error.code === "not_found") {
      throw new AppError(404, "no_dashboard", "This agent's runtime has no dashboard process");
    }
    throw runtimeCallFailed(error, "runtime_logs_failed", "The agent's runtime refused the log stream");
  }
  return { batches: linesOf(stream.body, options.signal) };
}

async function* linesOf(body: ReadableStream<Uint8Array>, signal: AbortSignal): AsyncGenerator<string[]> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const lines = lineSplitter();
  try {
    for (;;) {
      let next: Awaited<ReturnType<typeof reader.read>>;
      try {
        next = await reader.read();
      } catch (error) {
        if (signal.aborted) return;
        throw new AppError(502, "runtime_unreachable", "The agent's runtime stopped answering", {
          cause: error instanceof Error ? error.name : "error",
        });
      }
      if (next.done) {
        const rest = lines.push(decoder.decode()).concat(lines.flush());
        if (rest.length > 0) yield rest;
        return;
      }
      const batch = lines.push(decoder.decode(next.value, { stream: true }));
      if (batch.length > 0) yield batch;
    }
  } finally {
    // Leaving early (the client went away, the stream was ended) cancels the runtime request.
    await reader.cancel().catch(() => undefined);
  }
}

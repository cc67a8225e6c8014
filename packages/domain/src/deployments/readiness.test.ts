import type { RuntimeInspection } from "@nora/backends";
import { describe, expect, it } from "vitest";
import { sleep, waitUntilBackendReady } from "./readiness.js";

const base: RuntimeInspection = {
  agentId: "a",
  workspaceId: "w",
  revisionId: "r",
  ref: "nora-agent-a",
  state: "created",
  running: false,
  exitCode: null,
  oomKilled: false,
  startedAt: null,
  finishedAt: null,
  imageDigest: "img",
  endpoints: null,
};

/** Answers the given inspections in turn (the last one repeats), counting the calls. */
function sequence(...states: (RuntimeInspection | null)[]) {
  let calls = 0;
  return {
    inspect: async () => states[Math.min(calls++, states.length - 1)] ?? null,
    calls: () => calls,
  };
}

describe("waitUntilBackendReady", () => {
  const signal = new AbortController().signal;

  it("is running once the backend reports ready", async () => {
    const s = sequence(base, base, { ...base, state: "running", running: true, ready: true });
    expect(await waitUntilBackendReady({ inspect: s.inspect, timeoutMs: 10_000, signal })).toEqual({
      outcome: "running",
    });
    expect(s.calls()).toBe(3);
  });

  it("fails at once with the problem the backend reports, in its words", async () => {
    const problem = { code: "image_pull" as const, message: 'image "nope:1" cannot be pulled' };
    const s = sequence(base, { ...base, problem });
    expect(await waitUntilBackendReady({ inspect: s.inspect, timeoutMs: 10_000, signal })).toEqual({
      outcome: "failed",
      reason: problem.message,
    });
  });

  it("fails when the runtime disappears, and when the timeout passes", async () => {
    expect(await waitUntilBackendReady({ inspect: sequence(null).inspect, timeoutMs: 1000, signal })).toEqual(
      {
        outcome: "failed",
        reason: "the runtime disappeared while starting",
      },
    );
    const started = Date.now();
    const late = await waitUntilBackendReady({ inspect: sequence(base).inspect, timeoutMs: 400, signal });
    expect(late.outcome).toBe("failed");
    expect(late.outcome === "failed" && late.reason).toMatch(/not ready after 0 s \(state created\)/);
    expect(Date.now() - started).toBeLessThan(2_000);
    const waiting = await waitUntilBackendReady({
      inspect: sequence({ ...base, waitingFor: "its data volume is not bound" }).inspect,
      timeoutMs: 200,
      signal,
    });
    expect(waiting.outcome === "failed" && waiting.reason).toMatch(
      /\(state created: its data volume is not bound\)/,
    );
  });

  it("stops waiting on shutdown", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(
      waitUntilBackendReady({
        inspect: sequence(base).inspect,
        timeoutMs: 60_000,
        signal: controller.signal,
      }),
    ).rejects.toThrow(/aborted by shutdown/);
  });
});

describe("sleep", () => {
  it("returns at once when the signal aborted before it was called (a shutdown during the work before it)", async () => {
    const controller = new AbortController();
    controller.abort();
    const started = Date.now();
    await sleep(60_000, controller.signal);
    expect(Date.now() - started).toBeLessThan(100);
  });
});

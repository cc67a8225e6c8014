import { execFileSync, spawn } from "node:child_process";
import { constants } from "node:fs";
import { open, readdir, readFile, readlink, rm, stat, truncate, writeFile } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeRuntimeDirs, type RuntimeProcess, startRuntime, TOKEN, waitFor } from "./support.js";

async function openFds(pid: number): Promise<number> {
  return (await readdir(`/proc/${pid}/fd`)).length;
}

describe("GET /logs", () => {
  let runtime: RuntimeProcess;
  beforeAll(async () => {
    // A stand-in agent: prints a numbered line every 20 ms.
    const agent = "let i = 0; setInterval(() => console.log('line ' + ++i), 20);";
    runtime = await startRuntime({ agentCommand: [process.execPath, "-e", agent] });
    await waitFor(async () =>
      (await (await runtime.call("/logs?tail=1")).text()).includes("line 20") ? true : undefined,
    );
  });
  afterAll(async () => {
    expect(await runtime.stop()).toBe(0);
  });

  it("returns the last N lines", async () => {
    const text = await (await runtime.call("/logs?tail=5")).text();
    const lines = text.trimEnd().split("\n");
    expect(lines).toHaveLength(5);
    for (const line of lines) expect(line).toMatch(/^line \d+$/);
    const numbers = lines.map((l) => Number(l.split(" ")[1]));
    expect(numbers).toEqual(numbers.map((_, i) => (numbers[0] ?? 0) + i));
    expect(await (await runtime.call("/logs?tail=0")).text()).toBe("");
    expect((await runtime.call("/logs?tail=-1")).status).toBe(400);
  });

  it("follows new lines until the client leaves", async () => {
    const controller = new AbortController();
    const response = await runtime.call("/logs?tail=1&follow=1", { signal: controller.signal });
    expect(response.headers.get("content-type")).toContain("text/plain");
    const reader = response.body?.getReader();
    let text = "";
    const decoder = new TextDecoder();
    while (reader && text.split("\n").length < 10) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    controller.abort();
    const numbers = text
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => Number(l.split(" ")[1]));
    expect(numbers.length).toBeGreaterThanOrEqual(9);
    expect(numbers).toEqual(numbers.map((_, i) => (numbers[0] ?? 0) + i));
  });

  it("leaks no file handles after 100 follow connects and disconnects", async () => {
    const pid = runtime.child.pid ?? 0;
    const before = await openFds(pid);
    for (let round = 0; round < 10; round++) {
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          const controller = new AbortController();
          const response = await fetch(runtime.url("/logs?tail=2&follow=1"), {
            headers: { authorization: `Bearer ${TOKEN}` },
            signal: controller.signal,
          });
          const reader = response.body?.getReader();
          await reader?.read();
          controller.abort();
        }),
      );
    }
    const after = await waitFor(async () => {
      const count = await openFds(pid);
      return count <= before + 2 ? count : undefined;
    }, 5000);
    expect(after).toBeLessThanOrEqual(before + 2);
    const metrics = (await (await runtime.call("/metrics")).json()) as { agent: { state: string } };
    expect(metrics.agent.state).toBe("running");
  });

  it("restarts from the top when the file is truncated", async () => {
    const controller = new AbortController();
    const response = await runtime.call("/logs?tail=0&follow=1", { signal: controller.signal });
    const reader = response.body?.getReader();
    await writeFile(join(runtime.dirs.logs, "agent.log"), "");
    let text = "";
    while (reader && !/line \d+\n/.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    expect(text).toMatch(/line \d+/);
  });
});

describe("agent log rotation", () => {
  it("rotates the log at its size cap and keeps following", async () => {
    const agent = "setInterval(() => console.log('x'.repeat(199)), 5);";
    const runtime = await startRuntime({
      agentCommand: [process.execPath, "-e", agent],
      env: { NORA_LOG_MAX_BYTES: "20000" },
    });
    try {
      // Right after the rename the fresh agent.log may not exist yet: wait for both files.
      await waitFor(async () => {
        const names = await readdir(runtime.dirs.logs);
        return names.includes("agent.log.1") && names.includes("agent.log") ? true : undefined;
      });
      const { size } = await stat(join(runtime.dirs.logs, "agent.log"));
      expect(size).toBeLessThanOrEqual(20000);
      const lines = await waitFor(async () => {
        const text = (await (await runtime.call("/logs?tail=3")).text()).trimEnd().split("\n");
        return text.length === 3 ? text : undefined;
      });
      for (const line of lines) expect(line).toMatch(/^x+$/);
    } finally {
      await runtime.stop();
    }
  });
});

/** Resident set size of a process, from /proc/<pid>/status, in bytes. */
async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  return Number(kb) * 1024;
}

async function peakRss(pid: number, forMs: number): Promise<number> {
  let peak = 0;
  for (const until = Date.now() + forMs; Date.now() < until; ) {
    peak = Math.max(peak, await rssBytes(pid));
    await new Promise((r) => setTimeout(r, 200));
  }
  return peak;
}

/** A follower that sends its request and then never reads: the kernel buffers fill, then the server's. */
function stalledFollower(port: number, path: string): { socket: Socket; closed: Promise<void> } {
  const socket = connect(port, "127.0.0.1");
  socket.write(`GET ${path} HTTP/1.1\r\nhost: runtime\r\nauthorization: Bearer ${TOKEN}\r\n\r\n`);
  socket.pause();
  socket.on("error", () => {});
  return { socket, closed: new Promise((resolve) => socket.once("close", () => resolve())) };
}

describe("slow clients of streaming routes", () => {
  // The bound documented in docs/runtime-contract.md: a follower costs the server at most one read
  // chunk plus the socket's buffer, and one that has had no room for the stall time is dropped.
  const RSS_GROWTH_BOUND = 32 * 1024 * 1024;
  const STALL_MS = 2000;

  it("a follower that never reads is dropped after the stall bound while RSS stays bounded, and a reading follower keeps receiving", async () => {
    // About 25 MB/s of log: 256 KiB every 10 ms.
    const agent =
      "const b = ('x'.repeat(1023) + '\\n').repeat(256); setInterval(() => process.stdout.write(b), 10);";
    const runtime = await startRuntime({
      agentCommand: [process.execPath, "-e", agent],
      env: { NORA_LOG_POLL_MS: "50", NORA_STREAM_STALL_MS: String(STALL_MS) },
    });
    const pid = runtime.child.pid ?? 0;
    const controller = new AbortController();
    try {
      await waitFor(async () => {
        const log = await stat(join(runtime.dirs.logs, "agent.log")).catch(() => undefined);
        return log && log.size > 0 ? true : undefined;
      });
      // The server's own steady state with the agent logging: 25 MB/s through it churns buffers.
      const baseline = await peakRss(pid, 2000);

      let received = 0;
      let lastReceivedAt = 0;
      const response = await runtime.call("/logs?tail=0&follow=1", { signal: controller.signal });
      const reading = (async () => {
        const reader = response.body?.getReader();
        for (;;) {
          const chunk = await reader?.read().catch(() => undefined);
          if (!chunk || chunk.done) return;
          received += chunk.value.length;
          lastReceivedAt = Date.now();
        }
      })();

      const stalled = stalledFollower(runtime.port, "/logs?tail=0&follow=1");
      let dropped = false;
      void stalled.closed.then(() => {
        dropped = true;
      });

      const started = Date.now();
      let peak = baseline;
      let dropLoggedAfterMs: number | undefined;
      while (Date.now() - started < 12_000) {
        peak = Math.max(peak, await rssBytes(pid));
        if (dropLoggedAfterMs === undefined && runtime.output().includes('"msg":"log follower dropped"'))
          dropLoggedAfterMs = Date.now() - started;
        await new Promise((r) => setTimeout(r, 200));
        // A paused socket learns of the server closing only when it reads again: after the stall
        // bound has surely passed, let it read what the kernel holds and see the end.
        if (Date.now() - started > 8000 && stalled.socket.isPaused()) stalled.socket.resume();
      }
      const growth = peak - baseline;
      console.log(
        `slow follower: RSS ${(baseline / 1e6).toFixed(0)} MB -> peak ${(peak / 1e6).toFixed(0)} MB, dropped after ${dropLoggedAfterMs} ms, reader got ${(received / 1e6).toFixed(0)} MB`,
      );
      expect(growth, `RSS grew ${(growth / 1e6).toFixed(0)} MB`).toBeLessThan(RSS_GROWTH_BOUND);
      await Promise.race([stalled.closed, new Promise((r) => setTimeout(r, 3000))]);
      expect(dropped).toBe(true);
      // Dropped once it had had no room for the stall time (the kernel buffers fill within a second).
      expect(dropLoggedAfterMs).toBeGreaterThanOrEqual(STALL_MS);
      expect(dropLoggedAfterMs).toBeLessThan(STALL_MS + 4000);
      expect(runtime.output().match(/"msg":"log follower dropped"/g)).toHaveLength(1);
      // The reading follower was never dropped: it received megabytes and was still receiving at the end.
      expect(received).toBeGreaterThan(20 * 1024 * 1024);
      expect(Date.now() - lastReceivedAt).toBeLessThan(1000);
      controller.abort();
      await reading;
    } finally {
      controller.abort();
      await runtime.stop();
    }
  }, 40_000);

  it("a download client that never reads is dropped after the stall bound and its file closed", async () => {
    const runtime = await startRuntime({ env: { NORA_STREAM_STALL_MS: String(STALL_MS) } });
    const pid = runtime.child.pid ?? 0;
    const file = join(runtime.dirs.workspace, "big.bin");
    await truncate(await writeFile(file, "").then(() => file), 256 * 1024 * 1024);
    const holdsFile = async () => {
      const fds = await readdir(`/proc/${pid}/fd`);
      const targets = await Promise.all(fds.map((fd) => readlink(`/proc/${pid}/fd/${fd}`).catch(() => "")));
      return targets.includes(file);
    };
    try {
      const stalled = stalledFollower(runtime.port, "/files/download?root=workspace&path=big.bin");
      const started = Date.now();
      await waitFor(async () => ((await holdsFile()) ? true : undefined), 5000);
      const released = await waitFor(
        async () => ((await holdsFile()) ? undefined : Date.now() - started),
        10_000,
      );
      expect(released).toBeGreaterThanOrEqual(STALL_MS);
      expect(runtime.output()).toContain('"msg":"download client dropped"');
      stalled.socket.resume();
      await stalled.closed;
    } finally {
      await runtime.stop();
    }
  }, 30_000);
});

describe("agent log backpressure", () => {
  it("stops reading the agent's output while the log cannot keep up, instead of buffering it", async () => {
    // agent.log is a FIFO nobody reads: a log destination slower than the agent, as a slow disk is.
    const dirs = await makeRuntimeDirs();
    const fifo = join(dirs.logs, "agent.log");
    execFileSync("mkfifo", [fifo]);
    const reader = await open(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const agent =
      "const b = ('x'.repeat(1023) + '\\n').repeat(256); setInterval(() => process.stdout.write(b), 10);";
    const runtime = await startRuntime({
      dirs,
      agentCommand: [process.execPath, "-e", agent],
      env: { NORA_LOG_MAX_BYTES: String(1024 * 1024 * 1024) },
    });
    try {
      const baseline = await rssBytes(runtime.child.pid ?? 0);
      const peak = await peakRss(runtime.child.pid ?? 0, 6000);
      expect(peak - baseline, `RSS grew ${((peak - baseline) / 1e6).toFixed(0)} MB`).toBeLessThan(
        32 * 1024 * 1024,
      );
    } finally {
      // A reader that drains the FIFO, so the server's pending log writes finish and it can stop.
      const drain = spawn("cat", [fifo], { stdio: "ignore" });
      await runtime.stop();
      drain.kill();
      await reader.close();
      await rm(dirs.base, { recursive: true, force: true });
    }
  }, 30_000);
});

import { readdir, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RuntimeProcess, startRuntime, TOKEN, waitFor } from "./support.js";

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
      await waitFor(async () => {
        const names = await readdir(runtime.dirs.logs);
        return names.includes("agent.log.1") ? true : undefined;
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

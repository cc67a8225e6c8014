import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alive, json, type RuntimeProcess, startRuntime, waitFor } from "./support.js";

interface ExecResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  truncated: boolean;
  stdout: string;
  stderr: string;
}

describe("POST /exec", () => {
  let runtime: RuntimeProcess;
  beforeAll(async () => {
    runtime = await startRuntime({
      env: { NORA_EXEC_OUTPUT_MAX_BYTES: "100000", NORA_EXEC_TIMEOUT_MAX_MS: "5000" },
    });
  });
  afterAll(async () => {
    await runtime.stop();
  });

  const exec = async (body: unknown): Promise<[number, ExecResult]> => {
    const response = await runtime.call("/exec", json(body));
    return [response.status, (await response.json()) as ExecResult];
  };

  it("runs an argv without a shell and reports the exit code", async () => {
    const [status, result] = await exec({ argv: ["echo", "$HOME; rm -rf / `id`"] });
    expect(status).toBe(200);
    expect(result).toMatchObject({
      exitCode: 0,
      stdout: "$HOME; rm -rf / `id`\n",
      timedOut: false,
      truncated: false,
    });
    const [, failing] = await exec({ argv: ["sh", "-c", "echo oops >&2; exit 3"] });
    expect(failing).toMatchObject({ exitCode: 3, stderr: "oops\n" });
  });

  it("runs in the workspace or a directory inside it, never outside", async () => {
    const [, top] = await exec({ argv: ["pwd"] });
    expect(top.stdout.trim()).toBe(runtime.dirs.workspace);
    await runtime.call("/files/mkdir", json({ root: "workspace", path: "sub" }));
    const [, sub] = await exec({ argv: ["pwd"], cwd: "sub" });
    expect(sub.stdout.trim()).toBe(join(runtime.dirs.workspace, "sub"));
    expect((await exec({ argv: ["pwd"], cwd: "../" }))[0]).toBe(400);
    expect((await exec({ argv: ["pwd"], cwd: "/etc" }))[0]).toBe(400);
  });

  it("refuses a shell string, an empty argv and limits above the ceiling", async () => {
    expect((await exec({ argv: "ls -la" }))[0]).toBe(400);
    expect((await exec({ argv: [] }))[0]).toBe(400);
    expect((await exec({ argv: ["true"], timeoutMs: 60_000 }))[0]).toBe(400);
    expect((await exec({ argv: ["true"], maxOutputBytes: 10_000_000 }))[0]).toBe(400);
    expect((await exec({ argv: ["no-such-command-xyz"] }))[0]).toBe(404);
  });

  it("kills a command at its timeout", async () => {
    const started = Date.now();
    const [status, result] = await exec({ argv: ["sleep", "10"], timeoutMs: 300 });
    expect(status).toBe(200);
    expect(result).toMatchObject({ timedOut: true, signal: "SIGKILL", exitCode: null });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("caps output and stops the command when the cap is reached", async () => {
    const [, result] = await exec({ argv: ["yes"], maxOutputBytes: 1000, timeoutMs: 5000 });
    expect(result.truncated).toBe(true);
    expect(result.timedOut).toBe(false);
    expect(Buffer.byteLength(result.stdout)).toBe(1000);
  });

  it("passes stdin and extra environment", async () => {
    const [, result] = await exec({
      argv: ["sh", "-c", 'cat; echo "$GREETING"'],
      stdin: "in\n",
      env: { GREETING: "hi" },
    });
    expect(result.stdout).toBe("in\nhi\n");
  });

  it("kills the command and its children when the client disconnects", async () => {
    const pidFile = join(runtime.dirs.workspace, "exec.pid");
    const controller = new AbortController();
    const pending = runtime
      .call("/exec", {
        ...json({ argv: ["sh", "-c", "sleep 300 & echo $! > exec.pid; wait"], timeoutMs: 5000 }),
        signal: controller.signal,
      })
      .catch((error: unknown) => error);
    const pid = await waitFor(async () => {
      const text = await readFile(pidFile, "utf8").catch(() => "");
      return text.trim() === "" ? undefined : Number(text);
    });
    expect(alive(pid)).toBe(true);
    controller.abort();
    await pending;
    await waitFor(() => (alive(pid) ? undefined : true), 3000);
    // The server keeps serving.
    expect((await exec({ argv: ["true"] }))[1].exitCode).toBe(0);
  });
});

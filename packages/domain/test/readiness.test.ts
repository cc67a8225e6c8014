import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitUntilReady } from "../src/deployments/readiness.js";

/**
 * waitUntilReady against the real runtime server (the built agent-runtime, as a process), whose
 * /metrics probes two local listeners standing in for a Hermes agent's API server and dashboard.
 */
const SERVER_ENTRY = resolve(
  fileURLToPath(new URL(".", import.meta.url)),
  "../../../agent-runtime/dist/server/main.js",
);
const TOKEN = randomBytes(32).toString("hex");

let base = "";
let runtime: ChildProcess;
let runtimeUrl = "";
let dashboardStatus = 503;
const listeners: Server[] = [];

async function listen(status: () => number): Promise<string> {
  const server = createServer((_req, res) => {
    res.statusCode = status();
    res.end();
  });
  listeners.push(server);
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "nora-readiness-"));
  const dirs = Object.fromEntries(
    ["workspace", "state", "bootstrap", "secrets", "logs"].map((name) => [name, join(base, name)]),
  );
  for (const dir of Object.values(dirs)) await mkdir(dir, { recursive: true });
  await writeFile(join(dirs.secrets as string, "runtime-token"), TOKEN, { mode: 0o600 });
  const gateway = await listen(() => 200);
  const dashboard = await listen(() => dashboardStatus);
  runtime = spawn(process.execPath, [SERVER_ENTRY], {
    env: {
      PATH: process.env.PATH,
      NORA_RUNTIME_HOST: "127.0.0.1",
      NORA_RUNTIME_PORT: "0",
      NORA_RUNTIME_FAMILY: "hermes",
      NORA_WORKSPACE_DIR: dirs.workspace,
      NORA_STATE_DIR: dirs.state,
      NORA_BOOTSTRAP_DIR: dirs.bootstrap,
      NORA_SECRETS_DIR: dirs.secrets,
      NORA_LOG_DIR: dirs.logs,
      NORA_AGENT_COMMAND: "none",
      NORA_DASHBOARD_COMMAND: "none",
      NORA_GATEWAY_HEALTH_URL: gateway,
      NORA_DASHBOARD_HEALTH_URL: dashboard,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  runtimeUrl = await new Promise<string>((done, fail) => {
    runtime.stdout?.on("data", (chunk: Buffer) => {
      const port = /"port":(\d+)/.exec(chunk.toString())?.[1];
      if (port) done(`http://127.0.0.1:${port}`);
    });
    runtime.once("exit", (code) => fail(new Error(`runtime server exited ${code}`)));
  });
});

afterAll(async () => {
  runtime?.kill("SIGTERM");
  for (const server of listeners) server.close();
  await rm(base, { recursive: true, force: true });
});

const wait = (attempts: number) =>
  waitUntilReady({
    runtimeUrl,
    token: TOKEN,
    attempts,
    signal: new AbortController().signal,
    deadReason: async () => null,
  });

describe("waitUntilReady with a family that has a dashboard", () => {
  it("is not running while only the gateway answers, and says the dashboard is what is missing", async () => {
    dashboardStatus = 503;
    const result = await wait(4);
    expect(result.outcome).toBe("warning");
    expect(result).toMatchObject({ reason: expect.stringMatching(/dashboard did not answer \(HTTP 503/) });
  });

  it("is running once the dashboard answers too", async () => {
    dashboardStatus = 200;
    expect(await wait(4)).toEqual({ outcome: "running" });
  });
});

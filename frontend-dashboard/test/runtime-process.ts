import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../../frontend-marketing/test/stack.js";

const SERVER_ENTRY = join(REPO_ROOT, "agent-runtime", "dist", "server", "main.js");
export const RUNTIME_TOKEN = "dashboard-test-runtime-token-".padEnd(64, "x");

export interface RuntimeServer {
  port: number;
  workspaceDir: string;
  stop(): Promise<void>;
}

/**
 * The built runtime server (agent-runtime, the port 9090 contract) as a real process on a loopback
 * port, running `agentCommand` as its agent, as agent-runtime/test/support.ts starts it for its tests.
 */
export async function startRuntimeServer(agentCommand: string[]): Promise<RuntimeServer> {
  const base = await mkdtemp(join(tmpdir(), "nora-dash-runtime-"));
  const dirs = Object.fromEntries(
    ["workspace", "state", "bootstrap", "secrets", "logs"].map((name) => [name, join(base, name)]),
  ) as Record<"workspace" | "state" | "bootstrap" | "secrets" | "logs", string>;
  for (const dir of Object.values(dirs)) await mkdir(dir, { recursive: true });
  await writeFile(join(dirs.secrets, "runtime-token"), `${RUNTIME_TOKEN}\n`, { mode: 0o600 });
  const child: ChildProcess = spawn(process.execPath, [SERVER_ENTRY], {
    env: {
      NODE_ENV: "production",
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      NORA_RUNTIME_HOST: "127.0.0.1",
      NORA_RUNTIME_PORT: "0",
      NORA_RUNTIME_FAMILY: "openclaw",
      NORA_AGENT_ID: "agt_dashboard_test",
      NORA_WORKSPACE_DIR: dirs.workspace,
      NORA_STATE_DIR: dirs.state,
      NORA_BOOTSTRAP_DIR: dirs.bootstrap,
      NORA_SECRETS_DIR: dirs.secrets,
      NORA_LOG_DIR: dirs.logs,
      NORA_AGENT_COMMAND: JSON.stringify(agentCommand),
      NORA_DASHBOARD_COMMAND: "none",
      NORA_DASHBOARD_HEALTH_URL: "none",
      NORA_AGENT_PACKAGE_JSON: join(REPO_ROOT, "agent-runtime", "package.json"),
      NORA_GATEWAY_HEALTH_URL: "none",
      NORA_LOG_POLL_MS: "50",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 15_000;
  let port: number | undefined;
  while (port === undefined) {
    const match = /"msg":"runtime server listening","port":(\d+)/.exec(out);
    if (match?.[1]) port = Number(match[1]);
    else if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`runtime did not start:\n${out}`);
    else await new Promise((r) => setTimeout(r, 20));
  }
  return {
    port,
    workspaceDir: dirs.workspace,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
      await rm(base, { recursive: true, force: true });
    },
  };
}

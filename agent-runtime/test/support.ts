import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const REPO_ROOT = resolve(PACKAGE_ROOT, "..");
export const SERVER_ENTRY = join(PACKAGE_ROOT, "dist/server/main.js");

export const TOKEN = "test-runtime-token-".padEnd(64, "x");

export interface RuntimeDirs {
  base: string;
  workspace: string;
  state: string;
  bootstrap: string;
  secrets: string;
  logs: string;
}

export async function makeRuntimeDirs(): Promise<RuntimeDirs> {
  const base = await mkdtemp(join(tmpdir(), "nora-runtime-"));
  const dirs = {
    base,
    workspace: join(base, "workspace"),
    state: join(base, "state"),
    bootstrap: join(base, "bootstrap"),
    secrets: join(base, "secrets"),
    logs: join(base, "logs"),
  };
  for (const dir of [dirs.workspace, dirs.state, dirs.bootstrap, dirs.secrets, dirs.logs]) {
    await mkdir(dir, { recursive: true });
  }
  return dirs;
}

export interface RuntimeProcess {
  child: ChildProcess;
  dirs: RuntimeDirs;
  port: number;
  url(path: string): string;
  output(): string;
  /** fetch with the bearer token. */
  call(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<number | null>;
}

export interface StartOptions {
  token?: string | null;
  agentCommand?: string[] | null;
  /** The dashboard process (Hermes); none unless given. */
  dashboardCommand?: string[] | null;
  env?: Record<string, string>;
  dirs?: RuntimeDirs;
}

/** Spawns the built runtime server as a real process on an ephemeral loopback port. */
export async function startRuntime(options: StartOptions = {}): Promise<RuntimeProcess> {
  if (!existsSync(SERVER_ENTRY)) {
    throw new Error(
      `${SERVER_ENTRY} is not built; run \`npm run build -w @nora/agent-runtime\` (npm test does)`,
    );
  }
  const dirs = options.dirs ?? (await makeRuntimeDirs());
  const token = options.token === undefined ? TOKEN : options.token;
  if (token !== null) await writeFile(join(dirs.secrets, "runtime-token"), `${token}\n`, { mode: 0o600 });
  const command = options.agentCommand === undefined ? null : options.agentCommand;
  const child = spawn(process.execPath, [SERVER_ENTRY], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      NORA_RUNTIME_HOST: "127.0.0.1",
      NORA_RUNTIME_PORT: "0",
      NORA_RUNTIME_FAMILY: "openclaw",
      NORA_AGENT_ID: "agt_test",
      NORA_WORKSPACE_DIR: dirs.workspace,
      NORA_STATE_DIR: dirs.state,
      NORA_BOOTSTRAP_DIR: dirs.bootstrap,
      NORA_SECRETS_DIR: dirs.secrets,
      NORA_LOG_DIR: dirs.logs,
      NORA_AGENT_COMMAND: command === null ? "none" : JSON.stringify(command),
      NORA_DASHBOARD_COMMAND: options.dashboardCommand ? JSON.stringify(options.dashboardCommand) : "none",
      NORA_DASHBOARD_HEALTH_URL: "none",
      NORA_AGENT_PACKAGE_JSON: join(PACKAGE_ROOT, "package.json"),
      NORA_GATEWAY_HEALTH_URL: "none",
      NORA_RESTART_INITIAL_DELAY_MS: "100",
      NORA_RESTART_MAX_DELAY_MS: "400",
      NORA_LOG_POLL_MS: "50",
      ...options.env,
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
  const exited = new Promise<number | null>((res) => child.once("exit", (code) => res(code)));
  const port = await new Promise<number>((res, rej) => {
    const deadline = Date.now() + 15_000;
    const check = () => {
      const match = /"msg":"runtime server listening","port":(\d+)/.exec(out);
      if (match?.[1]) return res(Number(match[1]));
      if (child.exitCode !== null || Date.now() > deadline)
        return rej(new Error(`server did not start:\n${out}`));
      setTimeout(check, 20);
    };
    check();
  });
  const url = (path: string) => `http://127.0.0.1:${port}${path}`;
  return {
    child,
    dirs,
    port,
    url,
    output: () => out,
    call: (path, init = {}) =>
      fetch(url(path), {
        ...init,
        headers: { authorization: `Bearer ${token ?? ""}`, ...(init.headers as Record<string, string>) },
      }),
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      const code = await exited;
      if (options.dirs === undefined) await rm(dirs.base, { recursive: true, force: true });
      return code;
    },
  };
}

export const json = (body: unknown): RequestInit => ({
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

export async function waitFor<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Delivers an assembly into runtime directories as a backend would: bootstrap files and the agent's secret env. */
export async function deliverAssembly(
  dirs: { bootstrap: string; secrets: string },
  assembly: {
    files: ReadonlyArray<{ path: string; content: string; mode: number }>;
    secretFiles: ReadonlyArray<{ path: string; content: string }>;
  },
): Promise<void> {
  for (const file of assembly.files) {
    await mkdir(join(dirs.bootstrap, file.path, ".."), { recursive: true });
    await writeFile(join(dirs.bootstrap, file.path), file.content, { mode: file.mode });
  }
  const agentEnv = assembly.secretFiles.find((f) => f.path === "agent-env.json");
  await writeFile(join(dirs.secrets, "agent-env.json"), agentEnv?.content ?? "{}", { mode: 0o600 });
}

/** Children of `pid`, from /proc (the PTY shells are the server's direct children). */
export async function childrenOf(pid: number): Promise<number[]> {
  const children: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[1]) === pid) children.push(Number(entry));
  }
  return children;
}

/** The server's file descriptors open on /dev/ptmx (one per live PTY). */
export async function ptmxFds(pid: number): Promise<number> {
  let count = 0;
  for (const fd of await readdir(`/proc/${pid}/fd`).catch(() => [])) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "");
    if (target === "/dev/ptmx" || target.startsWith("/dev/pts/ptmx")) count += 1;
  }
  return count;
}

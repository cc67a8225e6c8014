import { randomBytes } from "node:crypto";
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe } from "vitest";
import { RuntimeClient } from "../src/client/index.js";
import type { RuntimeAssembly } from "../src/environment.js";
import { RUNTIME_CONTAINER_DEFAULTS } from "../src/hardening.js";
import { RUNTIME_LAYOUT, RUNTIME_UID } from "../src/layout.js";
import type { TerminalExit } from "../src/runtime-api.js";
import { docker, dockerAvailable, publishedPort, runCommand } from "./docker.js";
import { PACKAGE_ROOT, REPO_ROOT } from "./support.js";

/**
 * Test harness for a real runtime image: built offline (or reused by its content hash), run with the
 * provisioner's hardening on a private network beside a test LLM container, ports on 127.0.0.1.
 */

const DOCKER = await dockerAvailable();
// The offline builds assemble root filesystems with root- and uid-1000-owned files.
const ROOT = process.getuid?.() === 0;
const REQUIRED = process.env.NORA_CI === "1";

/** `describe` when Docker and root are here (or CI requires them), else `describe.skip`; and a note. */
export const imageSuite = (DOCKER && ROOT) || REQUIRED ? describe : describe.skip;
export const imageSuiteNote =
  DOCKER && ROOT
    ? ""
    : ` (skipped: ${DOCKER ? "needs root" : "no Docker engine"}; NORA_CI=1 turns this into a failure)`;

/** A probe gives up quickly: a published port can accept before the process behind it listens. */
export const quickProbe = (): RequestInit => ({ signal: AbortSignal.timeout(2000) });

const D = RUNTIME_CONTAINER_DEFAULTS;
/** The provisioner's hardening, as docker run flags. */
export const HARDENING = [
  "--user",
  D.user,
  "--hostname",
  D.hostname,
  ...(D.init ? ["--init"] : []),
  ...(D.readOnlyRootFilesystem ? ["--read-only"] : []),
  ...D.capDrop.flatMap((cap) => ["--cap-drop", cap]),
  ...(D.noNewPrivileges ? ["--security-opt", "no-new-privileges"] : []),
  "--pids-limit",
  String(D.pidsLimit),
  ...Object.entries(D.tmpfs).flatMap(([path, options]) => ["--tmpfs", `${path}:${options}`]),
  // Names outside the test network do not resolve.
  "--dns",
  "127.0.0.1",
];

/** Builds (or reuses) an image with one of infra/images' offline scripts; NORA_RUNTIME_IMAGE overrides. */
export async function offlineImage(script: string, repository: string, override?: string): Promise<string> {
  if (override) return override;
  const build = await runCommand(join(REPO_ROOT, "infra/images", script), [], 40 * 60_000);
  if (build.code !== 0) throw new Error(`${script} failed:\n${build.stderr.slice(-4000)}`);
  const tag = build.stdout.trim().split("\n").at(-1) ?? "";
  if (!new RegExp(`^${repository}:[0-9a-f]{16}$`).test(tag)) {
    throw new Error(`${script} printed no ${repository} tag: ${JSON.stringify(build.stdout.slice(-500))}`);
  }
  return tag;
}

async function writeTree(dir: string, files: RuntimeAssembly["files"], owner: number | null): Promise<void> {
  for (const file of files) {
    const path = join(dir, file.path);
    await mkdir(dirname(path), { recursive: true, mode: 0o755 });
    await writeFile(path, file.content, { mode: file.mode });
    await chmod(path, file.mode);
    if (owner !== null) await chown(path, owner, owner);
  }
}

export interface ImageRuntime {
  /** Host port of each container port asked for (9090 always). */
  ports: Record<number, number>;
  llmPort: number;
  container: string;
  /** A call to the runtime server with the runtime token. */
  call(path: string, init?: RequestInit): Promise<Response>;
  post(path: string, body: unknown, method?: string): Promise<Response>;
  /** Reads the host ports again (a restarted container gets new ones). */
  refreshPorts(): Promise<void>;
  /** Requests the test LLM recorded. */
  llmRequests(): Promise<Array<{ authorized: boolean; userMessages: string[]; model: string | null }>>;
  close(): Promise<void>;
}

export interface ImageRuntimeOptions {
  image: string;
  assembly: RuntimeAssembly;
  runtimeToken: string;
  llmKey: string;
  /** Container ports to publish besides 9090. */
  ports: readonly number[];
  memoryMb?: number;
}

/** The test LLM's host name on the test network (providers point at `http://test-llm:8080/v1`). */
export const TEST_LLM_BASE_URL = "http://test-llm:8080/v1";

export async function startImageRuntime(options: ImageRuntimeOptions): Promise<ImageRuntime> {
  const id = randomBytes(4).toString("hex");
  const label = "nora.test=1";
  const network = `nora-test-${id}`;
  const container = `nora-test-runtime-${id}`;
  const llm = `nora-test-llm-${id}`;
  const volumes = [`nora-test-ws-${id}`, `nora-test-state-${id}`];
  const work = await mkdtemp(join(tmpdir(), "nora-image-test-"));
  const close = async () => {
    if (process.env.NORA_KEEP_TEST_CONTAINERS !== "1") {
      await runCommand("docker", ["rm", "-f", container, llm]);
      await runCommand("docker", ["network", "rm", network]);
      await runCommand("docker", ["volume", "rm", ...volumes]);
      // Kept containers keep their bind-mounted bootstrap and secrets.
      await rm(work, { recursive: true, force: true });
    }
  };
  try {
    const bootstrap = join(work, "bootstrap");
    const secrets = join(work, "secrets");
    await mkdir(bootstrap, { mode: 0o755 });
    await mkdir(secrets, { mode: 0o700 });
    await chown(secrets, RUNTIME_UID, RUNTIME_UID);
    await writeTree(bootstrap, options.assembly.files, null);
    await writeTree(secrets, options.assembly.secretFiles, RUNTIME_UID);
    await chmod(work, 0o755);

    await docker(["network", "create", "--label", label, network]);
    for (const volume of volumes) await docker(["volume", "create", "--label", label, volume]);
    await docker([
      "run",
      "-d",
      "--name",
      llm,
      "--label",
      label,
      ...HARDENING,
      "--memory",
      "256m",
      "--network",
      network,
      "--network-alias",
      "test-llm",
      "-p",
      "127.0.0.1::8080",
      "-v",
      `${join(PACKAGE_ROOT, "src/testing/test-llm.ts")}:/opt/test-llm/test-llm.ts:ro`,
      "-e",
      `TEST_LLM_API_KEY=${options.llmKey}`,
      "--entrypoint",
      "/usr/local/bin/node",
      options.image,
      "/opt/test-llm/test-llm.ts",
    ]);
    const envArgs = Object.entries(options.assembly.env).flatMap(([name, value]) => [
      "-e",
      `${name}=${value}`,
    ]);
    const containerPorts = [9090, ...options.ports];
    await docker([
      "run",
      "-d",
      "--name",
      container,
      "--label",
      label,
      ...HARDENING,
      "--memory",
      `${options.memoryMb ?? D.memoryMb}m`,
      "--cpus",
      String(D.cpus),
      "--network",
      network,
      "-v",
      `${volumes[0]}:${RUNTIME_LAYOUT.workspace}`,
      "-v",
      `${volumes[1]}:${RUNTIME_LAYOUT.state}`,
      "-v",
      `${bootstrap}:${RUNTIME_LAYOUT.bootstrap}:ro`,
      "-v",
      `${secrets}:${RUNTIME_LAYOUT.secrets}:ro`,
      ...containerPorts.flatMap((port) => ["-p", `127.0.0.1::${port}`]),
      ...envArgs,
      options.image,
    ]);
    const ports: Record<number, number> = {};
    const refreshPorts = async () => {
      for (const port of containerPorts) ports[port] = await publishedPort(container, port);
    };
    await refreshPorts();
    const llmPort = await publishedPort(llm, 8080);
    const call = (path: string, init: RequestInit = {}) =>
      fetch(`http://127.0.0.1:${ports[9090]}${path}`, {
        ...init,
        headers: {
          authorization: `Bearer ${options.runtimeToken}`,
          ...(init.headers as Record<string, string>),
        },
      });
    return {
      ports,
      llmPort,
      container,
      refreshPorts,
      call,
      post: (path, body, method = "POST") =>
        call(path, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
      async llmRequests() {
        const body = (await (await fetch(`http://127.0.0.1:${llmPort}/_test/requests`)).json()) as {
          requests: Array<{ authorized: boolean; userMessages: string[]; model: string | null }>;
        };
        return body.requests;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * One terminal round trip through the runtime client against a container's 9090: types a command,
 * then `exit 0`. Returns what the terminal printed and the exit message.
 */
export async function terminalRoundTrip(
  port: number,
  token: string,
  command: string,
): Promise<{ output: string; exit: TerminalExit | null }> {
  const client = new RuntimeClient({ baseUrl: `http://127.0.0.1:${port}/`, token, timeoutMs: 10_000 });
  const terminal = await client.openTerminal({ cols: 120, rows: 40 });
  let output = "";
  terminal.onData((chunk) => {
    output += chunk.toString("utf8");
  });
  terminal.write(`${command}\r`);
  terminal.write("exit 0\r");
  const exit = await terminal.exit;
  return { output, exit };
}

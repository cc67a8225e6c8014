import { execFile } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createTestDatabase,
  type DisposableRedis,
  type ServiceProcess,
  spawnService,
  type TestDatabase,
  testServiceUrls,
  uniqueKeyPrefix,
} from "@nora/core/testing";
import { startTestApp, type TestApp } from "./helpers.js";
import { createApiKey, createWorkspace, userWithSession } from "./identity.js";

/**
 * The provisioning stack of the end-to-end tests: the real API (in process) and the real provisioner
 * (its built entry point, as a process a test may SIGKILL and start again), sharing one cloned database
 * and one Redis key prefix, driving the real Docker engine. Host ports and agent subnets are drawn at
 * random per stack so test files running side by side never ask Docker for the same ones.
 */

const REPO_ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
export const PROVISIONER_ENTRY = resolve(REPO_ROOT, "workers/provisioner/dist/main.js");

export function run(
  file: string,
  args: readonly string[],
  timeoutMs = 120_000,
): Promise<{ code: number; out: string; err: string }> {
  return new Promise((done, fail) => {
    execFile(
      file,
      args,
      { timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024, encoding: "utf8" },
      (error, out, err) => {
        if (error && typeof error.code !== "number")
          return fail(new Error(`${file} ${args.join(" ")}: ${error.message}\n${err}`));
        done({ code: error ? Number(error.code) : 0, out, err });
      },
    );
  });
}

export async function docker(args: readonly string[], timeoutMs = 120_000): Promise<string> {
  const result = await run("docker", args, timeoutMs);
  if (result.code !== 0) throw new Error(`docker ${args.join(" ")} exited ${result.code}: ${result.err}`);
  return result.out.trim();
}

/**
 * The host's address on Docker's default bridge (docker0), where a listener the test starts is
 * reachable from the agents' networks. Newer engines leave the default bridge's Gateway out of
 * `network inspect` when it was not configured; the interface then says it.
 */
export async function dockerBridgeAddress(): Promise<string> {
  const fromEngine = await docker([
    "network",
    "inspect",
    "bridge",
    "--format",
    "{{(index .IPAM.Config 0).Gateway}}",
  ]);
  if (fromEngine !== "" && fromEngine !== "<no value>") return fromEngine;
  const bridge = await docker([
    "network",
    "inspect",
    "bridge",
    "--format",
    '{{index .Options "com.docker.network.bridge.name"}}',
  ]).catch(() => "");
  const name = bridge !== "" && bridge !== "<no value>" ? bridge : "docker0";
  // os.networkInterfaces() leaves out an interface with no carrier (a bridge no container uses yet).
  const shown = await run("ip", ["-4", "-o", "addr", "show", "dev", name], 10_000);
  const address = /\binet (\d+\.\d+\.\d+\.\d+)\//.exec(shown.out)?.[1];
  if (!address) throw new Error(`no IPv4 address on Docker's default bridge (${name}): ${shown.err}`);
  return address;
}

export async function dockerInspect<T = Record<string, unknown>>(name: string): Promise<T> {
  return (JSON.parse(await docker(["inspect", name])) as T[])[0] as T;
}

/** The image the end-to-end tests run, built (or found by its content hash) by the given script. */
export async function buildImage(script: string, timeoutMs = 20 * 60_000): Promise<string> {
  const build = await run(resolve(REPO_ROOT, script), [], timeoutMs);
  if (build.code !== 0) throw new Error(`${script} failed:\n${build.err}`);
  return build.out.trim().split("\n").at(-1) ?? "";
}

export interface ProvisioningStack {
  app: TestApp;
  db: TestDatabase;
  env: Record<string, string>;
  provisioner: ServiceProcess;
  /** Starts a provisioner (after the previous one exited or was killed). */
  startProvisioner(extra?: Record<string, string>): Promise<ServiceProcess>;
  /** Every container of this stack's agents (by the agents' label). */
  containersOf(agentId: string): Promise<string[]>;
  close(): Promise<void>;
}

export async function startProvisioningStack(options: {
  image: string;
  env?: Record<string, string>;
  redis?: DisposableRedis;
}): Promise<ProvisioningStack> {
  const db = await createTestDatabase();
  const portBase = 30_000 + randomInt(0, 150) * 200;
  const subnetPool = `10.${200 + randomInt(0, 50)}.${randomInt(0, 16) * 16}.0/20`;
  const env: Record<string, string> = {
    NODE_ENV: "test",
    LOG_LEVEL: "info",
    DATABASE_URL: db.url,
    REDIS_URL: options.redis?.url ?? testServiceUrls().redisUrl,
    REDIS_KEY_PREFIX: uniqueKeyPrefix("prov"),
    PUBLIC_URL: "http://nora.test",
    JWT_SECRET: randomBytes(32).toString("hex"),
    ENCRYPTION_KEY: randomBytes(32).toString("hex"),
    AGENT_IMAGE_OPENCLAW: options.image,
    DOCKER_AGENT_PORT_RANGE: `${portBase}-${portBase + 199}`,
    DOCKER_AGENT_SUBNET_POOL: subnetPool,
    DEPLOYMENT_JOB_LOCK_MS: "3000",
    DEPLOYMENT_SWEEP_INTERVAL_MS: "1000",
    PROVISIONER_HEALTH_PORT: "0",
    SHUTDOWN_TIMEOUT_MS: "5000",
    ...options.env,
  };
  const app = await startTestApp({ db, env: { ...env, RATE_LIMIT_ENABLED: "false" } });
  const processes: ServiceProcess[] = [];
  const startProvisioner = async (extra: Record<string, string> = {}) => {
    const proc = spawnService(PROVISIONER_ENTRY, { ...env, ...extra });
    processes.push(proc);
    await proc.waitForLog((line) => line.msg === "worker started", 30_000);
    return proc;
  };
  const stack: ProvisioningStack = {
    app,
    db,
    env,
    provisioner: await startProvisioner(),
    async startProvisioner(extra) {
      stack.provisioner = await startProvisioner(extra);
      return stack.provisioner;
    },
    async containersOf(agentId) {
      const ids = await docker(["ps", "-aq", "--filter", `label=nora.agent.id=${agentId}`]);
      return ids === "" ? [] : ids.split("\n");
    },
    async close() {
      for (const proc of processes) await proc.stop("SIGKILL");
      const { rows } = await db.pool.query<{ id: string }>("SELECT id FROM agents");
      await removeRuntimes(rows.map((r) => r.id));
      await app.close();
      await db.drop();
    },
  };
  return stack;
}

/** Removes what the provisioner made for these agents (containers, networks, volumes). */
export async function removeRuntimes(agentIds: readonly string[]): Promise<void> {
  for (const id of agentIds) {
    const containers = await docker(["ps", "-aq", "--filter", `label=nora.agent.id=${id}`]).catch(() => "");
    if (containers) await docker(["rm", "-f", ...containers.split("\n")]).catch(() => "");
    await docker(["network", "rm", `nora-agent-${id}`]).catch(() => "");
    const volumes = await docker(["volume", "ls", "-q", "--filter", `name=nora-agent-${id}`]).catch(() => "");
    if (volumes) await docker(["volume", "rm", "-f", ...volumes.split("\n")]).catch(() => "");
  }
}

/** A workspace owner (with a session), their new workspace, and an API key that deploys and watches agents. */
export async function deployingOwner(
  app: TestApp,
): Promise<{ cookie: string; workspaceId: string; apiKey: string }> {
  const owner = await userWithSession(app);
  const workspaceId = await createWorkspace(app, owner.cookie);
  const { key } = await createApiKey(app, owner.cookie, workspaceId, [
    "agents:read",
    "agents:write",
    "monitoring:read",
  ]);
  return { cookie: owner.cookie, workspaceId, apiKey: key };
}

import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createTestDatabase,
  freePort,
  type ServiceProcess,
  spawnService,
  type TestDatabase,
  testServiceUrls,
  uniqueKeyPrefix,
} from "@nora/core/testing";

export const REPO_ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const API_ENTRY = join(REPO_ROOT, "backend-api", "dist", "server.js");
const NEXT_BIN = join(REPO_ROOT, "node_modules", "next", "dist", "bin", "next");

/** Where each app of nginx.conf is, and the upstream name nginx.conf gives it. */
const APPS = [
  { dir: "frontend-marketing", upstream: "http://frontend-marketing:3001", ready: "/" },
  { dir: "frontend-dashboard", upstream: "http://frontend-dashboard:3002", ready: "/app" },
] as const;
const ADMIN_APP = {
  dir: "admin-dashboard",
  upstream: "http://admin-dashboard:3003",
  ready: "/admin",
} as const;
const ADMIN_UPSTREAM = ADMIN_APP.upstream;

function replaceOrFail(text: string, from: string, to: string): string {
  if (!text.includes(from)) throw new Error(`nginx.conf no longer contains ${JSON.stringify(from)}`);
  return text.split(from).join(to);
}

async function waitFor(url: string, what: string, process: { exitCode: number | null }, log: () => string) {
  for (let attempt = 0; attempt < 300; attempt++) {
    const res = await fetch(url).catch(() => undefined);
    if (res && res.status < 500) return;
    if (process.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not come up at ${url}:\n${log()}`);
}

/** The API's ENCRYPTION_KEY in the stack: a test that writes sealed columns itself seals with it. */
export const STACK_ENCRYPTION_KEY = "8e1f4b7a2c5d9e3f6a0b4c8d2e6f1a5b9c3d7e0f4a8b2c6d1e5f9a3b7c0d4e8f";

export interface StackOptions {
  /** More environment for the API (e.g. GATEWAY_ALLOWED_PORTS for a runtime the test started). */
  apiEnv?: Record<string, string>;
  /** Also start the built admin app (otherwise its upstream points at a closed port). */
  admin?: boolean;
}

export interface Stack {
  /** The browser's origin: nginx, as in production. */
  url: string;
  db: TestDatabase;
  /** The API's Redis key prefix (a test that publishes what a worker would, e.g. an event notice). */
  redisKeyPrefix: string;
  stop(): Promise<void>;
}

/**
 * The platform as a browser meets it, on loopback: the built API (own database, own Redis prefix),
 * the built marketing and dashboard apps under `next start`, and nginx with the repository's
 * nginx.conf, its upstreams pointed at them (and the admin app with `{admin: true}`). The API runs
 * with NORA_INSECURE_COOKIES: plain HTTP.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const apps = options.admin ? [...APPS, ADMIN_APP] : APPS;
  for (const [path, what] of [
    [API_ENTRY, "backend-api"],
    ...apps.map((app) => [join(REPO_ROOT, app.dir, ".next", "BUILD_ID"), app.dir]),
  ] as const) {
    if (!existsSync(path))
      throw new Error(`${what} is not built; run \`npx turbo run build\` (npm test does)`);
  }
  const nginxPort = await freePort();
  const url = `http://127.0.0.1:${nginxPort}`;
  const db = await createTestDatabase();
  const started: Array<{ stop(): Promise<unknown> }> = [];
  const redisKeyPrefix = uniqueKeyPrefix("web");
  let dir: string | undefined;
  try {
    const api = spawnService(API_ENTRY, {
      NODE_ENV: "production",
      DATABASE_URL: db.url,
      REDIS_URL: testServiceUrls().redisUrl,
      REDIS_KEY_PREFIX: redisKeyPrefix,
      JWT_SECRET: "Vq3n8Lx2Rk7Pz4Wm9Ty6Hb1Jc5Nd0Gf2",
      ENCRYPTION_KEY: STACK_ENCRYPTION_KEY,
      API_PORT: "0",
      API_HOST: "127.0.0.1",
      PUBLIC_URL: url,
      NORA_INSECURE_COOKIES: "true",
      LOG_LEVEL: "info",
      ...options.apiEnv,
    });
    started.push(api);
    const listening = await api.waitForLog((line) => line.msg === "api listening", 30_000);
    const apiUrl = `http://127.0.0.1:${listening.port as number}`;

    const upstreams = new Map<string, string>([["http://backend-api:4000", apiUrl]]);
    const nextApps: ServiceProcess[] = [];
    for (const app of apps) {
      const port = await freePort();
      const next = spawnService(
        NEXT_BIN,
        { NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
        ["start", "-p", String(port), "-H", "127.0.0.1"],
        join(REPO_ROOT, app.dir),
      );
      started.push(next);
      nextApps.push(next);
      upstreams.set(app.upstream, `http://127.0.0.1:${port}`);
      await waitFor(`http://127.0.0.1:${port}${app.ready}`, app.dir, next.child, next.stderr);
    }

    dir = await mkdtemp(join(tmpdir(), "nora-web-"));
    // Run as root, nginx's workers are `nobody` and must reach their temp paths inside this directory.
    await chmod(dir, 0o755);
    let config = await readFile(join(REPO_ROOT, "nginx.conf"), "utf8");
    config = replaceOrFail(
      config,
      "listen 8080 default_server;",
      `listen 127.0.0.1:${nginxPort} default_server;`,
    );
    // Without the admin app, its upstream points at a closed port.
    if (!upstreams.has(ADMIN_UPSTREAM)) upstreams.set(ADMIN_UPSTREAM, `http://127.0.0.1:${await freePort()}`);
    for (const [from, to] of upstreams) config = replaceOrFail(config, from, to);
    config = replaceOrFail(config, " /tmp/", ` ${dir}/`);
    config = replaceOrFail(config, "access_log /dev/stdout ", `access_log ${dir}/access.log `);
    const configPath = join(dir, "nginx.conf");
    await writeFile(configPath, config);
    const nginx = spawnNginx(configPath, dir);
    started.push(nginx);
    await waitFor(`${url}/nginx-health`, "nginx", nginx.child, nginx.log);

    const workDir = dir;
    return {
      url,
      db,
      redisKeyPrefix,
      async stop() {
        for (const service of started.reverse()) await service.stop();
        await rm(workDir, { recursive: true, force: true });
        await db.drop();
      },
    };
  } catch (error) {
    for (const service of started.reverse()) await service.stop().catch(() => undefined);
    if (dir) await rm(dir, { recursive: true, force: true });
    await db.drop();
    throw error;
  }
}

function nginxBinary(): string {
  for (const candidate of ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error("nginx is not installed (.ci/run installs it)");
}

function spawnNginx(configPath: string, dir: string) {
  const child: ChildProcess = spawn(nginxBinary(), ["-c", configPath, "-p", `${dir}/`, "-g", "daemon off;"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    log += chunk.toString();
  });
  return {
    child,
    log: () => log,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGQUIT");
      await exited;
    },
  };
}

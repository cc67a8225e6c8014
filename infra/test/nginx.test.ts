import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { type AddressInfo, connect, createServer as createTcpServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, replaceOrFail, required, run, tool, withTempDir } from "./support.js";

const nginx = tool("nginx");
const CONFIG = join(REPO_ROOT, "nginx.conf");
const FRONTEND_CSP =
  "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'";
const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * The config writes only under /tmp (pid, temp files) so that it runs on a read-only root, and logs
 * access to /dev/stdout, which cannot be opened when stdout is a socket (as under a test runner).
 * The tests point both into their own directory: nginx runs unprivileged and leaves nothing behind.
 */
function relocate(config: string, dir: string): string {
  const local = replaceOrFail(config, " /tmp/", ` ${dir}/`);
  return replaceOrFail(local, "access_log /dev/stdout ", `access_log ${dir}/access.log `);
}

describe.skipIf(nginx.skip)(`nginx.conf${nginx.note}`, () => {
  it("passes nginx -t as it is, with upstream names unresolvable here", async () => {
    await withTempDir(async (dir) => {
      const copy = join(dir, "nginx.conf");
      await writeFile(copy, relocate(await readFile(CONFIG, "utf8"), dir));
      const result = await run(required(nginx, "nginx"), ["-t", "-c", copy, "-p", `${dir}/`]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain("test is successful");
    });
  });
});

interface Seen {
  upstream: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/** Upstream stand-ins that answer with what they received; the API one also streams and upgrades. */
function mockUpstream(name: string, seen: Seen[]): Server {
  const server = createServer((req, res) => {
    seen.push({ upstream: name, url: req.url ?? "", headers: req.headers });
    if (name === "api") {
      // What the real API's helmet sends: nginx must keep the CSP and own the other headers.
      res.setHeader("Content-Security-Policy", API_CSP);
      res.setHeader("X-Frame-Options", "SAMEORIGIN");
      res.setHeader("X-Content-Type-Options", "nosniff");
      res.setHeader("Referrer-Policy", "no-referrer");
    }
    if (name === "api" && req.url?.includes("/gateway/chat")) {
      res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
      res.write("data: first\n\n");
      setTimeout(() => res.end("data: second\n\n"), 2_000);
      return;
    }
    req.resume();
    req.on("end", () => {
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify({ upstream: name }));
    });
  });
  server.on("upgrade", (req, socket) => {
    seen.push({ upstream: name, url: req.url ?? "", headers: req.headers });
    socket.end("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
  });
  return server;
}

async function listen(server: Server): Promise<number> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return (server.address() as AddressInfo).port;
}

async function freePort(): Promise<number> {
  const probe = createTcpServer();
  probe.listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address() as AddressInfo;
  probe.close();
  await once(probe, "close");
  return port;
}

describe.skipIf(nginx.skip)(`nginx.conf routing and headers${nginx.note}`, () => {
  const seen: Seen[] = [];
  const upstreams = new Map<string, Server>();
  let nginxProcess: ChildProcess | undefined;
  let nginxLog = "";
  let base = "";
  let dir: string | undefined;

  beforeAll(async () => {
    const ports = new Map<string, number>();
    for (const name of ["marketing", "dashboard", "admin", "api"]) {
      const server = mockUpstream(name, seen);
      upstreams.set(name, server);
      ports.set(name, await listen(server));
    }
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;

    let config = await readFile(CONFIG, "utf8");
    config = replaceOrFail(config, "listen 8080 default_server;", `listen 127.0.0.1:${port} default_server;`);
    config = replaceOrFail(
      config,
      "http://frontend-marketing:3001",
      `http://127.0.0.1:${ports.get("marketing")}`,
    );
    config = replaceOrFail(
      config,
      "http://frontend-dashboard:3002",
      `http://127.0.0.1:${ports.get("dashboard")}`,
    );
    config = replaceOrFail(config, "http://admin-dashboard:3003", `http://127.0.0.1:${ports.get("admin")}`);
    config = replaceOrFail(config, "http://backend-api:4000", `http://127.0.0.1:${ports.get("api")}`);

    dir = await mkdtemp(join(tmpdir(), "nora-nginx-"));
    // Run as root, nginx's workers are `nobody` and must reach their temp paths inside this directory.
    await chmod(dir, 0o755);
    const copy = join(dir, "nginx.conf");
    await writeFile(copy, relocate(config, dir));
    nginxProcess = spawn(required(nginx, "nginx"), ["-c", copy, "-p", `${dir}/`, "-g", "daemon off;"], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    nginxProcess.stderr?.on("data", (chunk: Buffer) => {
      nginxLog += chunk.toString();
    });

    for (let attempt = 0; ; attempt++) {
      try {
        if ((await fetch(`${base}/nginx-health`)).ok) break;
      } catch {
        // not listening yet
      }
      if (attempt > 50 || nginxProcess?.exitCode !== null)
        throw new Error(`nginx did not start:\n${nginxLog}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  afterAll(async () => {
    if (nginxProcess && nginxProcess.exitCode === null) {
      const exited = once(nginxProcess, "exit");
      nginxProcess.kill("SIGTERM");
      await exited;
    }
    if (dir) await rm(dir, { recursive: true, force: true });
    for (const server of upstreams.values()) server.closeAllConnections();
    await Promise.all([...upstreams.values()].map((server) => new Promise((r) => server.close(r))));
  });

  async function routed(path: string): Promise<string | undefined> {
    const before = seen.length;
    const response = await fetch(`${base}${path}`, { redirect: "manual" });
    await response.body?.cancel();
    return seen.slice(before).at(-1)?.upstream;
  }

  it("routes each path to its app", async () => {
    expect(await routed("/")).toBe("marketing");
    expect(await routed("/_next/static/chunks/app.js")).toBe("marketing");
    expect(await routed("/application")).toBe("marketing");
    expect(await routed("/app")).toBe("dashboard");
    expect(await routed("/app/agents/1")).toBe("dashboard");
    expect(await routed("/admin")).toBe("admin");
    expect(await routed("/admin/users")).toBe("admin");
    expect(await routed("/administrator")).toBe("marketing");
    expect(await routed("/api/health")).toBe("api");
    expect(await routed("/api/auth/login")).toBe("api");
    expect(await routed("/api/agents/a1/gateway/chat")).toBe("api");
    expect(await routed("/api/agents/a1/gateway/ui/")).toBe("api");
  });

  it("redirects with a relative Location, whatever port it is published on", async () => {
    const response = await fetch(`${base}/api`, { redirect: "manual" });
    expect(response.status).toBe(301);
    expect(response.headers.get("location")).toBe("/api/");
  });

  it("keeps the path and query as the client sent them", async () => {
    await fetch(`${base}/app/agents?id=7&tab=logs`);
    expect(seen.at(-1)).toMatchObject({ upstream: "dashboard", url: "/app/agents?id=7&tab=logs" });
  });

  it("sends the security headers once, with its CSP on the apps and the API's own CSP on /api/", async () => {
    const app = await fetch(`${base}/app`);
    expect(app.headers.get("content-security-policy")).toBe(FRONTEND_CSP);
    const api = await fetch(`${base}/api/health`);
    expect(api.headers.get("content-security-policy")).toBe(API_CSP);

    for (const response of [app, api]) {
      // Fetch joins repeated headers with ", ": an exact match proves each is sent once.
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      expect(response.headers.get("referrer-policy")).toBe("no-referrer");
      expect(response.headers.get("permissions-policy")).toContain("camera=()");
      expect(response.headers.get("server")).toBe("nginx");
    }
  });

  it("forwards the client's address, scheme, host and a sane request id", async () => {
    await fetch(`${base}/api/health`, {
      headers: { "X-Forwarded-For": "203.0.113.9", "X-Request-Id": "trace-42.a" },
    });
    const first = seen.at(-1)?.headers;
    expect(first?.["x-forwarded-for"]).toBe("127.0.0.1");
    expect(first?.["x-forwarded-proto"]).toBe("http");
    expect(first?.["x-forwarded-host"]).toBe(new URL(base).host);
    expect(first?.["x-request-id"]).toBe("trace-42.a");

    await fetch(`${base}/api/health`, { headers: { "X-Request-Id": "not ok\tid" } });
    expect(seen.at(-1)?.headers["x-request-id"]).toMatch(/^[0-9a-f]{32}$/);
  });

  it("rejects bodies over the API's 1 MB limit", async () => {
    const response = await fetch(`${base}/api/health`, { method: "POST", body: "x".repeat(1024 * 1024 + 1) });
    expect(response.status).toBe(413);
  });

  /** Statuses of `count` back-to-back requests; the answers' bodies are drained. */
  async function statusesOf(count: number, path: string, init?: RequestInit): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) {
      const response = await fetch(`${base}${path}`, init);
      await response.body?.cancel();
      statuses.push(response.status);
    }
    return statuses;
  }

  /** burst=10 allows at most 11 back to back, then 429 until the 30 r/min rate refills (one per 2 s). */
  function expectCutOffWithinBurst(statuses: number[]) {
    const firstRejected = statuses.indexOf(429);
    expect(firstRejected).toBeGreaterThan(0);
    expect(firstRejected).toBeLessThanOrEqual(11);
    expect(statuses.slice(0, firstRejected).every((status) => status === 200)).toBe(true);
    expect(statuses.slice(firstRejected).every((status) => status === 429)).toBe(true);
  }

  it("rate-limits credential requests under /api/auth/ per client with 429", async () => {
    const post = { method: "POST", body: "{}", headers: { "content-type": "application/json" } };
    expectCutOffWithinBurst(await statusesOf(15, "/api/auth/login", post));
  });

  it("counts the OAuth hand-offs (GETs) against a limit of their own", async () => {
    expectCutOffWithinBurst(await statusesOf(15, "/api/auth/oauth/github/start"));
  });

  it("leaves auth reads to the general limit, as the API does: pages read them on every load", async () => {
    const statuses = await statusesOf(30, "/api/auth/bootstrap-status");
    expect(statuses.every((status) => status === 200)).toBe(true);
  });

  it("streams gateway chat events without buffering and without the 60 s read timeout", async () => {
    const config = await readFile(CONFIG, "utf8");
    const sse = /location ~ \^\/api\/agents\/\[\^\/\]\+\/gateway\/chat \{([^}]*)\}/.exec(config)?.[1] ?? "";
    expect(sse).toContain("proxy_buffering off;");
    expect(sse).toContain("proxy_read_timeout 1h;");

    const started = Date.now();
    const response = await fetch(`${base}/api/agents/agent-1/gateway/chat`);
    const reader = response.body?.getReader();
    const first = await reader?.read();
    const elapsed = Date.now() - started;
    expect(new TextDecoder().decode(first?.value)).toContain("data: first");
    expect(elapsed).toBeLessThan(1_500);
    await reader?.cancel();
  });

  it("upgrades WebSockets on /api/ws/ and at the Control UI's base path, nowhere else", async () => {
    const handshake = async (path: string): Promise<string> => {
      const socket = connect(Number(new URL(base).port), "127.0.0.1");
      await once(socket, "connect");
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: nora.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
      );
      let reply = "";
      for await (const chunk of socket) {
        reply += (chunk as Buffer).toString();
        if (reply.includes("\r\n\r\n")) break;
      }
      socket.destroy();
      return reply;
    };

    expect(await handshake("/api/ws/terminal")).toMatch(/^HTTP\/1\.1 101 /);
    expect(seen.at(-1)?.headers.upgrade).toBe("websocket");

    expect(await handshake("/api/agents/a1/gateway/ui")).toMatch(/^HTTP\/1\.1 101 /);
    expect(seen.at(-1)?.headers.upgrade).toBe("websocket");
    expect(await handshake("/api/agents/a1/gateway/ui/")).toMatch(/^HTTP\/1\.1 101 /);

    expect(await handshake("/api/agents")).toMatch(/^HTTP\/1\.1 200 /);
    expect(seen.at(-1)?.headers.upgrade).toBeUndefined();
    expect(await handshake("/api/agents/a1/gateway/ui/assets/index.js")).toMatch(/^HTTP\/1\.1 200 /);
    expect(seen.at(-1)?.headers.upgrade).toBeUndefined();
  });
});

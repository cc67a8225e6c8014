import { randomUUID } from "node:crypto";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import {
  createServer,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  request,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { Keyring } from "@nora/core";
import { createRuntimeTarget } from "@nora/domain/runtime-access/target";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { insertAgent } from "./agent-fixtures.js";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { addMember, createApiKey, createWorkspace, ORIGIN, userWithSession } from "./identity.js";

/**
 * The gateway proxy against upstreams this test starts on loopback (a plain node:http server that
 * records what reaches it): headers both ways, streaming, caps, timeouts, redirects, client aborts, and
 * the SSRF refusals, each proven by the absence of any outgoing HTTP request (node's
 * `http.client.request.start` channel) or of any connection to a listener the test owns.
 */

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: number;
}

const GATEWAY_TOKEN = "g".repeat(64);
const MiB = 1024 * 1024;

let app: TestApp;
let upstream: Server;
let upstreamPort: number;
let bystander: Server;
let bystanderPort: number;
let bystanderConnections = 0;
const seen: Seen[] = [];
let owner: { cookie: string; id: string };
let workspaceId: string;
/** A Hermes agent (its API server gets forwarding headers) and an OpenClaw one (it gets none). */
let agentId: string;
let openclawId: string;
let releaseStream: (() => void) | undefined;
let uploadClosed: Promise<void> = Promise.resolve();
let markUploadClosed: () => void = () => {};
let uploadArrived = false;

/** Every node:http request this process starts: the proxy's, and the test's own raw ones (to the app). */
const outgoing: string[] = [];
const onRequestStart = (message: unknown) => {
  const req = (message as { request: { host?: string; path: string; getHeader(n: string): unknown } })
    .request;
  outgoing.push(`${String(req.getHeader("host"))} ${req.path}`);
};

function handle(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://upstream");
  let body = 0;
  if (url.pathname === "/hang-upload") {
    uploadArrived = true;
    uploadClosed = new Promise((resolve) => {
      markUploadClosed = resolve;
    });
    req.on("data", () => {});
    req.on("close", () => markUploadClosed());
    return;
  }
  req.on("data", (chunk: Buffer) => {
    body += chunk.length;
  });
  req.on("end", () => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
    switch (url.pathname) {
      case "/stream": {
        // The first chunk, then nothing until the test has received it: a buffering proxy would hang.
        res.writeHead(200, { "content-type": "application/octet-stream" });
        res.write(Buffer.alloc(64 * 1024, 1));
        releaseStream = () => res.end(Buffer.alloc(2 * MiB, 2));
        return;
      }
      case "/huge":
        res.writeHead(200, { "content-length": String(5 * MiB) });
        res.end(Buffer.alloc(5 * MiB));
        return;
      case "/huge-chunked":
        res.writeHead(200, { "content-type": "application/octet-stream" });
        for (let i = 0; i < 10; i++) res.write(Buffer.alloc(MiB));
        res.end();
        return;
      case "/silent":
        return;
      case "/redirect-in":
        res.writeHead(302, { location: "/target?x=1" });
        res.end();
        return;
      case "/redirect-absolute":
        res.writeHead(301, { location: `http://127.0.0.1:${upstreamPort}/elsewhere` });
        res.end();
        return;
      case "/redirect-out":
        res.writeHead(302, { location: `http://127.0.0.1:${bystanderPort}/steal` });
        res.end();
        return;
      case "/loosen":
        res.writeHead(200, {
          "content-type": "text/html",
          "set-cookie": ["a=1; Path=/", "__Host-nora_session=stolen; Path=/"],
          "content-security-policy": "script-src 'self' 'sha256-abc'; frame-ancestors 'none'",
          "x-frame-options": "ALLOWALL",
          "access-control-allow-origin": "*",
          "access-control-allow-credentials": "true",
          "clear-site-data": '"*"',
          "service-worker-allowed": "/",
          "strict-transport-security": "max-age=0",
          "cache-control": "public, max-age=31536000",
          "x-content-type-options": "sniff",
          connection: "x-upstream-hop",
          "x-upstream-hop": "1",
          "x-kept": "yes",
        });
        res.end("<html></html>");
        return;
      default:
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ url: req.url, body }));
    }
  });
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

const gatewayAgent = (
  gatewayUrl: string,
  family: "openclaw" | "hermes" = "openclaw",
  on: TestApp = app,
  ws = workspaceId,
) =>
  insertAgent(on, {
    workspaceId: ws,
    family,
    gatewayUrl,
    dashboardUrl: family === "hermes" ? gatewayUrl : null,
    gatewayToken: GATEWAY_TOKEN,
  });

/** The proxy's requests to upstreams (the test's own raw requests go to the app). */
const proxied = () => outgoing.filter((r) => !r.startsWith(new URL(app.url).host));

/** A request sent exactly as written (fetch would normalise the path and refuse some headers). */
function raw(
  path: string,
  headers: OutgoingHttpHeaders,
): Promise<{ status: number; headers: IncomingMessage["headers"]; body: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(app.url);
    const req = request({ host: hostname, port, path, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

const gatewayUrl = (id: string, rest: string) => `${app.url}/api/agents/${id}/gateway${rest}`;

function asOwner(init: RequestInit = {}): RequestInit {
  return { ...init, headers: { cookie: owner.cookie, origin: ORIGIN, ...(init.headers ?? {}) } };
}

beforeAll(async () => {
  upstream = createServer(handle);
  upstreamPort = await listen(upstream);
  bystander = createServer((_req, res) => res.end("bystander"));
  bystander.on("connection", () => {
    bystanderConnections++;
  });
  bystanderPort = await listen(bystander);
  app = await startTestApp({
    env: {
      ...NO_RATE_LIMITS,
      ENCRYPTION_KEY: "7a".repeat(32),
      // The kernel's ephemeral range, where the test's listeners are; PostgreSQL's and Redis' ports are outside.
      GATEWAY_ALLOWED_PORTS: "32768-60999",
      GATEWAY_PROXY_REQUEST_MAX_BYTES: String(MiB),
      GATEWAY_PROXY_RESPONSE_MAX_BYTES: String(4 * MiB),
      GATEWAY_PROXY_CONNECT_TIMEOUT_MS: "1000",
      GATEWAY_PROXY_IDLE_TIMEOUT_MS: "800",
      // Most of this file is about the web UIs' mode; the default (off) has its own test at the end.
      GATEWAY_PROXY_WEB_UIS: "true",
    },
  });
  const user = await userWithSession(app);
  owner = { cookie: user.cookie, id: user.id };
  workspaceId = await createWorkspace(app, owner.cookie, "Proxy");
  agentId = await gatewayAgent(`http://127.0.0.1:${upstreamPort}`, "hermes");
  openclawId = await gatewayAgent(`http://127.0.0.1:${upstreamPort}`, "openclaw");
  subscribe("http.client.request.start", onRequestStart);
});

afterAll(async () => {
  unsubscribe("http.client.request.start", onRequestStart);
  await app?.close();
  upstream?.closeAllConnections();
  await new Promise((resolve) => upstream?.close(resolve));
  await new Promise((resolve) => bystander?.close(resolve));
});

beforeEach(() => {
  seen.length = 0;
  outgoing.length = 0;
});

describe("gateway proxy: what crosses", () => {
  it("forwards the path after the prefix (normalised, query kept) with Nora's credential as the only Authorization", async () => {
    const { key } = await createApiKey(app, owner.cookie, workspaceId, ["agents:read"]);
    const res = await raw(`/api/agents/${agentId}/gateway/v1/./a/../models?limit=2&x=%20y`, {
      // A script's key (a browser's cookie is checked below): Nora's credential, never the caller's.
      authorization: `Bearer ${key}`,
      cookie: "other=1",
      // As nginx passes it: the client's own claim, then the address nginx saw (TRUST_PROXY_HOPS=1).
      "x-forwarded-for": "6.6.6.6, 7.7.7.7",
      "x-forwarded-host": "evil.example",
      forwarded: "for=6.6.6.6",
      "x-nora-internal": "1",
      "proxy-authorization": "Basic eA==",
      "x-request-id": "client-chosen-id",
      connection: "x-client-hop",
      "x-client-hop": "1",
      "x-kept": "yes",
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ url: "/v1/models?limit=2&x=%20y", body: 0 });
    const got = seen[0]?.headers ?? {};
    expect(got.authorization).toBe(`Bearer ${GATEWAY_TOKEN}`);
    expect(got.cookie).toBeUndefined();
    expect(got.host).toBe(`127.0.0.1:${upstreamPort}`);
    expect(got["x-forwarded-for"]).toBe("7.7.7.7");
    expect(got["x-forwarded-host"]).toBe(new URL(app.config.api.publicUrl).host);
    expect(got["x-forwarded-prefix"]).toBe(`/api/agents/${agentId}/gateway`);
    expect(got.forwarded).toBeUndefined();
    expect(got["x-nora-internal"]).toBeUndefined();
    expect(got["proxy-authorization"]).toBeUndefined();
    expect(got["x-client-hop"]).toBeUndefined();
    expect(got["x-request-id"]).toBe(res.headers["x-request-id"]);
    expect(got["x-kept"]).toBe("yes");
    expect(JSON.stringify(got)).not.toContain(key);

    const browser = await fetch(gatewayUrl(agentId, "/v1/models"), { headers: { cookie: owner.cookie } });
    expect(browser.status).toBe(200);
    expect(seen[1]?.headers.cookie).toBeUndefined();
    expect(seen[1]?.headers.authorization).toBe(`Bearer ${GATEWAY_TOKEN}`);
    expect(JSON.stringify(seen[1]?.headers)).not.toContain(owner.cookie.split("=")[1] as string);
    // The token never reaches the browser.
    expect(JSON.stringify(res.headers)).not.toContain(GATEWAY_TOKEN);
  });

  it("sends OpenClaw's gateway no forwarding claims (it refuses them from an untrusted peer); its Control UI path stays whole", async () => {
    const res = await raw(`/api/agents/${openclawId}/gateway/ui/assets/a.js?v=1`, {
      cookie: owner.cookie,
      "x-forwarded-for": "6.6.6.6, 7.7.7.7",
      forwarded: "for=6.6.6.6",
      "x-real-ip": "6.6.6.6",
    });
    expect(res.status).toBe(200);
    const got = seen[0];
    expect(got?.url).toBe(`/api/agents/${openclawId}/gateway/ui/assets/a.js?v=1`);
    const forwarded = Object.keys(got?.headers ?? {}).filter(
      (name) => name === "forwarded" || name === "x-real-ip" || name.startsWith("x-forwarded-"),
    );
    expect(forwarded).toEqual([]);
    expect(got?.headers.authorization).toBe(`Bearer ${GATEWAY_TOKEN}`);
    // Elsewhere the prefix is taken off, as for every other upstream.
    await fetch(gatewayUrl(openclawId, "/v1/models"), asOwner());
    expect(seen[1]?.url).toBe("/v1/models");
  });

  it("refuses a path that climbs above the upstream's root, or smuggles an encoded slash, before any request", async () => {
    for (const rest of ["/..%2f..%2fetc", "/a/../../x", "/%2e%2e/x", "/a%5cb", "/a%00", "/../dashboard"]) {
      const res = await raw(`/api/agents/${agentId}/gateway${rest}`, { cookie: owner.cookie });
      expect(res.status, rest).toBe(400);
      const body = JSON.parse(res.body) as { error: string; requestId: string };
      expect(body.error).toBe("invalid_path");
      expect(body.requestId).toBe(res.headers["x-request-id"]);
    }
    expect(proxied()).toEqual([]);
  });

  it("strips what would loosen Nora's headers; the upstream's CSP can only tighten", async () => {
    const res = await fetch(gatewayUrl(agentId, "/loosen"), asOwner());
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).toBeNull();
    // Nora's own CORS answer for its allowed origin stays; the upstream's `*` is gone.
    expect(res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    expect(res.headers.get("clear-site-data")).toBeNull();
    expect(res.headers.get("service-worker-allowed")).toBeNull();
    expect(res.headers.get("x-upstream-hop")).toBeNull();
    expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("strict-transport-security")).not.toBe("max-age=0");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'"); // the upstream's, sent beside Nora's
    expect(res.headers.get("x-kept")).toBe("yes");
    expect(await res.text()).toBe("<html></html>");
  });

  it("streams an answer: the first bytes arrive before the upstream has written the rest", async () => {
    const res = await fetch(gatewayUrl(agentId, "/stream"), asOwner());
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let received = 0;
    while (received < 64 * 1024) {
      const { value } = await reader.read();
      received += value?.length ?? 0;
    }
    expect(releaseStream).toBeTypeOf("function");
    releaseStream?.();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      received += value.length;
    }
    expect(received).toBe(64 * 1024 + 2 * MiB);
  });

  it("streams a request body through, and refuses one over the cap with 413", async () => {
    const ok = await fetch(
      gatewayUrl(agentId, "/upload"),
      asOwner({
        method: "POST",
        body: Buffer.alloc(512 * 1024),
        headers: { "content-type": "application/zip" },
      }),
    );
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ url: "/upload", body: 512 * 1024 });

    const declared = await fetch(
      gatewayUrl(agentId, "/upload"),
      asOwner({ method: "POST", body: Buffer.alloc(2 * MiB) }),
    );
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { error: string }).error).toBe("payload_too_large");
    expect(seen.length).toBe(1);

    // Chunked: cut when it passes the cap.
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 24; i++) controller.enqueue(new Uint8Array(128 * 1024));
        controller.close();
      },
    });
    const chunked = await fetch(gatewayUrl(agentId, "/upload"), {
      ...asOwner({ method: "POST", body: chunks }),
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(seen.every((s) => s.body <= MiB)).toBe(true);
  });

  it("refuses an answer over the cap: 502 when declared, cut short when chunked", async () => {
    const declared = await fetch(gatewayUrl(agentId, "/huge"), asOwner());
    expect(declared.status).toBe(502);
    expect(((await declared.json()) as { error: string }).error).toBe("gateway_response_too_large");
    const chunked = await fetch(gatewayUrl(agentId, "/huge-chunked"), asOwner());
    expect(chunked.status).toBe(200);
    await expect(chunked.arrayBuffer()).rejects.toThrow();
  });

  it("answers 504 when the upstream goes quiet, and 502 gateway_unreachable without its address when it is gone", async () => {
    const silent = await fetch(gatewayUrl(agentId, "/silent"), asOwner());
    expect(silent.status).toBe(504);
    expect(((await silent.json()) as { error: string }).error).toBe("gateway_timeout");

    const closed = createServer();
    const port = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const gone = await gatewayAgent(`http://127.0.0.1:${port}`);
    const res = await fetch(gatewayUrl(gone, "/v1/models"), asOwner());
    const text = await res.text();
    expect(res.status).toBe(502);
    expect(JSON.parse(text)).toMatchObject({
      error: "gateway_unreachable",
      requestId: res.headers.get("x-request-id"),
    });
    expect(text).not.toContain(String(port));
    expect(text).not.toContain("127.0.0.1");
  });

  it("aborts the upstream call when the client goes away", async () => {
    const abort = new AbortController();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(1024));
      },
    });
    uploadArrived = false;
    const pending = fetch(gatewayUrl(agentId, "/hang-upload"), {
      ...asOwner({ method: "POST", body, signal: abort.signal }),
      duplex: "half",
    } as RequestInit).catch(() => null);
    const deadline = Date.now() + 3000;
    while (!uploadArrived && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(uploadArrived).toBe(true);
    abort.abort();
    await pending;
    await uploadClosed;
  });

  it("passes a redirect that stays on the upstream, rewritten under the prefix; refuses one that leaves it", async () => {
    const inside = await fetch(gatewayUrl(agentId, "/redirect-in"), asOwner({ redirect: "manual" }));
    expect(inside.status).toBe(302);
    expect(inside.headers.get("location")).toBe(`/api/agents/${agentId}/gateway/target?x=1`);
    const absolute = await fetch(gatewayUrl(agentId, "/redirect-absolute"), asOwner({ redirect: "manual" }));
    expect(absolute.status).toBe(301);
    expect(absolute.headers.get("location")).toBe(`/api/agents/${agentId}/gateway/elsewhere`);

    const out = await fetch(gatewayUrl(agentId, "/redirect-out"), asOwner({ redirect: "manual" }));
    expect(out.status).toBe(502);
    expect(((await out.json()) as { error: string }).error).toBe("gateway_redirect_refused");
    expect(bystanderConnections).toBe(0);
  });

  it("lets viewers read but not write, and says no_dashboard for OpenClaw", async () => {
    const viewer = await userWithSession(app);
    await addMember(app, workspaceId, viewer.id, "viewer");
    const get = await fetch(gatewayUrl(agentId, "/v1/models"), { headers: { cookie: viewer.cookie } });
    expect(get.status).toBe(200);
    const head = await fetch(gatewayUrl(agentId, "/v1/models"), {
      method: "HEAD",
      headers: { cookie: viewer.cookie },
    });
    expect(head.status).toBe(200);
    expect(seen.at(-1)?.method).toBe("HEAD");
    const post = await fetch(gatewayUrl(agentId, "/v1/chat/completions"), {
      method: "POST",
      headers: { cookie: viewer.cookie, origin: ORIGIN, "content-type": "application/json" },
      body: "{}",
    });
    expect(post.status).toBe(403);
    const dashboard = await fetch(`${app.url}/api/agents/${openclawId}/dashboard/`, asOwner());
    expect(dashboard.status).toBe(404);
    expect(((await dashboard.json()) as { error: string }).error).toBe("no_dashboard");
    expect(seen.filter((s) => s.url.includes("chat")).length).toBe(0);
  });
});

describe("gateway proxy: SSRF", () => {
  const refusedBeforeAnySocket = async (id: string) => {
    const res = await fetch(gatewayUrl(id, "/v1/models"), asOwner());
    const text = await res.text();
    expect(res.status).toBe(409);
    expect(JSON.parse(text).error).toBe("runtime_address_not_allowed");
    expect(proxied()).toEqual([]);
    return text;
  };

  it.each([
    ["cloud metadata", "http://169.254.169.254:18789"],
    ["a private address outside the agent networks", "http://10.0.0.1:18789"],
    ["PostgreSQL's port on loopback", "http://127.0.0.1:5432"],
    ["Redis' port on loopback", "http://127.0.0.1:6379"],
    ["an IPv4-mapped metadata address", "http://[::ffff:169.254.169.254]:18789"],
  ])("refuses %s before any request is made", async (_label, url) => {
    const text = await refusedBeforeAnySocket(await gatewayAgent(url));
    expect(text).not.toContain(new URL(url).hostname);
  });

  it("refuses a name that resolves to a private address (resolved once, every answer judged)", async () => {
    const answers: Record<string, string[]> = {
      "metadata.internal": ["169.254.169.254"],
      "mixed.internal": ["127.0.0.1", "10.0.0.1"],
      "agent.internal": ["127.0.0.1"],
    };
    // The domain's target, with a resolver the test controls (the same factory, the same pool and key).
    Object.assign(
      app.domain.runtimeTarget,
      createRuntimeTarget({
        config: app.config,
        pool: app.db.pool,
        keyring: Keyring.fromConfig(app.config),
        logger: app.logger,
        resolveAll: async (name) => answers[name] ?? [],
      }),
    );
    await refusedBeforeAnySocket(await gatewayAgent(`http://metadata.internal:${upstreamPort}`));
    await refusedBeforeAnySocket(await gatewayAgent(`http://mixed.internal:${upstreamPort}`));
    // A name that passes is pinned to its checked address; the name travels only as Host.
    const pinned = await gatewayAgent(`http://agent.internal:${upstreamPort}`);
    const res = await fetch(gatewayUrl(pinned, "/v1/models"), asOwner());
    expect(res.status).toBe(200);
    expect(seen[0]?.headers.host).toBe(`agent.internal:${upstreamPort}`);
  });

  it("never takes the upstream from the request", async () => {
    const res = await fetch(`${gatewayUrl(agentId, "/v1/models")}?url=http://127.0.0.1:${bystanderPort}/`, {
      headers: { cookie: owner.cookie, host: `127.0.0.1:${bystanderPort}` },
    });
    expect(res.status).toBe(200);
    expect(bystanderConnections).toBe(0);
  });

  it("answers 404 for an unknown agent and for another workspace's agent, before any request", async () => {
    const stranger = await userWithSession(app);
    const strangerWs = await createWorkspace(app, stranger.cookie, "Elsewhere");
    expect(strangerWs).not.toBe(workspaceId);
    const foreign = await fetch(gatewayUrl(agentId, "/v1/models"), { headers: { cookie: stranger.cookie } });
    expect(foreign.status).toBe(404);
    const unknown = await fetch(gatewayUrl(randomUUID(), "/v1/models"), asOwner());
    expect(unknown.status).toBe(404);
    expect(proxied()).toEqual([]);
  });
});

describe("with agents' web UIs off (the default)", () => {
  it("refuses the dashboard and the Control UI before connecting, and sandboxes every proxied answer", async () => {
    const strict = await startTestApp({
      env: { ...NO_RATE_LIMITS, ENCRYPTION_KEY: "7a".repeat(32), GATEWAY_ALLOWED_PORTS: "32768-60999" },
    });
    try {
      const user = await userWithSession(strict);
      const ws = await createWorkspace(strict, user.cookie, "Strict");
      const insert = (family: "openclaw" | "hermes") =>
        gatewayAgent(`http://127.0.0.1:${upstreamPort}`, family, strict, ws);
      const hermes = await insert("hermes");
      const openclaw = await insert("openclaw");
      const headers = { cookie: user.cookie, origin: ORIGIN };
      const before = outgoing.length;
      for (const path of [`/api/agents/${hermes}/dashboard/`, `/api/agents/${openclaw}/gateway/ui/`]) {
        const res = await fetch(`${strict.url}${path}`, { headers });
        expect(res.status).toBe(404);
        const body = (await res.json()) as { error: string; requestId: string };
        expect(body.error).toBe("agent_web_ui_disabled");
        expect(body.requestId).toBe(res.headers.get("x-request-id"));
      }
      expect(outgoing.slice(before).filter((r) => !r.startsWith(new URL(strict.url).host))).toEqual([]);

      const res = await fetch(`${strict.url}/api/agents/${openclaw}/gateway/loosen`, { headers });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-security-policy")).toBe(
        "sandbox; default-src 'none'; frame-ancestors 'none'",
      );
      expect(res.headers.get("x-frame-options")).toBe("DENY");
      await res.text();
    } finally {
      await strict.close();
    }
  });
});

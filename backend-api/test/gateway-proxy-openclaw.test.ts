import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "@nora/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WebSocket } from "ws";
import { openAgentStream, statusIs } from "./agent-stream.js";
import { chromiumMissing, launchChromium, startFront } from "./browser-front.js";
import { addMember, call, userWithSession } from "./identity.js";
import {
  buildImage,
  deployingOwner,
  type ProvisioningStack,
  startProvisioningStack,
} from "./provisioning-harness.js";
import { expectOpen, headersOf, type Opened, startDoor, until } from "./ws-helpers.js";

/**
 * The gateway proxy in front of a real OpenClaw gateway (the offline image, deployed through the API,
 * the built provisioner and the real engine): its OpenAI-compatible API and its Control UI, reached only
 * through `/api/agents/:id/gateway/...` with Nora's credential added server-side.
 */

let stack: ProvisioningStack;
let cookie: string;
let apiKey: string;
let workspaceId: string;
let agentId: string;
let gatewayToken: string;
let door: Awaited<ReturnType<typeof startDoor>>;
/** Where the browser test's single origin listens; chosen first, so CORS_ORIGINS can name it. */
let frontPort: number;

beforeAll(async () => {
  const image = await buildImage("infra/images/build-openclaw-offline.sh");
  frontPort = await freePort();
  stack = await startProvisioningStack({
    image,
    env: {
      DEPLOYMENT_READY_ATTEMPTS: "240",
      GATEWAY_PROXY_WEB_UIS: "true",
      CORS_ORIGINS: `http://127.0.0.1:${frontPort}`,
    },
  });
  ({ cookie, workspaceId, apiKey } = await deployingOwner(stack.app));
  const deploy = await call(stack.app, { apiKey }, "POST", `/api/workspaces/${workspaceId}/agents`, {
    name: "proxy-openclaw",
    memoryMb: 2048,
    vcpu: 1,
    template: { "AGENTS.md": "# proxy agent\n" },
  });
  expect(deploy.status).toBe(202);
  agentId = (deploy.body.agent as { id: string }).id;
  const stream = await openAgentStream(`${stack.app.url}/api/agents/${agentId}/events`, apiKey);
  try {
    const ready = await stream.until(statusIs("running", "warning", "failed", "error"), 300_000);
    expect(ready.metadata.to, ready.message).toBe("running");
  } finally {
    stream.close();
  }
  const { Keyring, openSealed } = await import("@nora/core");
  const { rows } = await stack.db.pool.query<{ sealed: string }>(
    "SELECT gateway_token_sealed AS sealed FROM agents WHERE id = $1",
    [agentId],
  );
  gatewayToken = openSealed(Keyring.fromConfig(stack.app.config), rows[0]?.sealed as string, {
    table: "agents",
    column: "gateway_token_sealed",
    rowId: agentId,
  }).value;
  door = await startDoor(stack.app);
}, 25 * 60_000);

afterAll(async () => {
  await door?.close();
  await stack?.close();
}, 120_000);

const proxied = (rest: string, init: RequestInit = {}) =>
  fetch(`${stack.app.url}/api/agents/${agentId}/gateway${rest}`, { redirect: "manual", ...init });

describe("the gateway proxy in front of a real OpenClaw gateway", () => {
  it("reaches the gateway's API with Nora's credential (an API key caller never holds the gateway token)", async () => {
    const res = await proxied("/v1/models", { headers: { authorization: `Bearer ${apiKey}` } });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect((JSON.parse(text) as { data: Array<{ id: string }> }).data.length).toBeGreaterThan(0);
    expect(text).not.toContain(gatewayToken);
    // Without the proxy's credential the same gateway refuses: it is the credential that opened it.
    const { rows } = await stack.db.pool.query<{ url: string }>(
      "SELECT gateway_url AS url FROM agents WHERE id = $1",
      [agentId],
    );
    expect((await fetch(`${rows[0]?.url}/v1/models`)).status).toBe(401);
  });

  it("serves the Control UI under /gateway/ui/ to a signed-in member, with a CSP that forbids framing elsewhere", async () => {
    const basePath = `/api/agents/${agentId}/gateway/ui`;
    const bare = await proxied("/ui", { headers: { cookie } });
    expect(bare.status).toBe(302);
    expect(bare.headers.get("location")).toBe(`${basePath}/`);

    const res = await proxied("/ui/", { headers: { cookie } });
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(html).toContain(`data-openclaw-control-ui-base-path="${basePath}"`);
    expect(html).toContain(`${basePath}/assets/`);
    expect(html).not.toContain(gatewayToken);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).toContain("frame-ancestors 'none'"); // OpenClaw's own, sent beside Nora's
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("set-cookie")).toBeNull();

    // Its runtime config is gated by the gateway's auth: the proxy's bearer opens it, the browser sends none.
    const config = await proxied("/ui/control-ui-config.json", { headers: { cookie } });
    expect(config.status).toBe(200);
    const body = await config.text();
    expect(JSON.parse(body)).toMatchObject({ basePath });
    expect(body).not.toContain(gatewayToken);

    // An asset named by the page comes through too.
    const asset = /src="([^"]+\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const script = await fetch(`${stack.app.url}${asset}`, { headers: { cookie } });
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/javascript/);
    await script.arrayBuffer();
  });

  it("refuses the Control UI to a caller without access", async () => {
    expect((await proxied("/ui/")).status).toBe(401);
  });
});

/** A client of the gateway's protocol through Nora's door: every text frame it received, raw. */
type GatewayClient = Opened & { raw: string[] };

async function openGatewayClient(path: string, headers: Record<string, string>): Promise<GatewayClient> {
  const opened = await expectOpen(`${door.url}${path}`, headers);
  const raw: string[] = [];
  opened.ws.on("message", (data) => raw.push(String(data)));
  await until(() => opened.messages.find((m) => m.event === "connect.challenge"), 20_000);
  return Object.assign(opened, { raw });
}

/** The connect OpenClaw's Control UI sends, with a token and a device of its own that Nora must ignore. */
function sendConnect(ws: WebSocket) {
  ws.send(
    JSON.stringify({
      type: "req",
      id: "connect-1",
      method: "connect",
      params: {
        minProtocol: 4,
        maxProtocol: 4,
        client: { id: "openclaw-control-ui", version: "2026.9.6", platform: "Linux x86_64", mode: "webchat" },
        role: "operator",
        scopes: [
          "operator.admin",
          "operator.read",
          "operator.write",
          "operator.approvals",
          "operator.pairing",
        ],
        caps: ["tool-events"],
        auth: { token: "not-the-gateway-token-at-all" },
        device: { id: "0".repeat(64), publicKey: "A".repeat(43), signature: "x", signedAt: 1, nonce: "n" },
        locale: "en-US",
        userAgent: "nora-test",
      },
    }),
  );
}

/**
 * Opens the socket and connects, as the Control UI does: a gateway still starting its sidecars answers
 * a retryable UNAVAILABLE (close 1013), and the client comes back after the hinted delay.
 */
async function connectedClient(path: string, headers: Record<string, string>, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = await openGatewayClient(path, headers);
    sendConnect(client.ws);
    const hello = await until(() => client.messages.find((m) => m.id === "connect-1"), timeoutMs);
    const error = hello.error as { code?: string; retryable?: boolean; retryAfterMs?: number } | undefined;
    if (hello.ok || error?.code !== "UNAVAILABLE" || !error.retryable || Date.now() > deadline) {
      return { client, hello };
    }
    expect((await client.closed).code).toBe(1013);
    await new Promise((r) => setTimeout(r, Math.max(error.retryAfterMs ?? 500, 250)));
  }
}

async function rpc(client: GatewayClient, method: string, params: object = {}) {
  const id = `${method}-${Math.random().toString(36).slice(2)}`;
  client.ws.send(JSON.stringify({ type: "req", id, method, params }));
  return until(() => client.messages.find((m) => m.id === id), 30_000);
}

describe("the gateway's WebSocket through Nora, against the real OpenClaw gateway", () => {
  it("a WebSocket round trip to a running agent: connect, hello-ok, RPCs answered; the gateway token in no frame", async () => {
    // First use: the gateway asks to pair Nora's device, the runtime approves it, Nora connects again.
    const { client, hello } = await connectedClient(
      `/api/ws/agents/${agentId}/gateway`,
      headersOf({ apiKey }),
    );
    expect(hello, JSON.stringify(hello)).toMatchObject({
      ok: true,
      payload: { type: "hello-ok", protocol: 4 },
    });
    const auth = (hello.payload as { auth: Record<string, unknown> }).auth;
    // Asked for admin and pairing too: an agents:write key gets Nora's set within what was asked.
    expect(auth).toEqual({
      method: "token",
      role: "operator",
      scopes: ["operator.read", "operator.write", "operator.approvals"],
    });
    expect(await rpc(client, "health")).toMatchObject({ ok: true, payload: { ok: true } });
    expect(await rpc(client, "sessions.list")).toMatchObject({
      ok: true,
      payload: { sessions: expect.any(Array) },
    });
    for (const frame of client.raw) expect(frame).not.toContain(gatewayToken);
    client.ws.close();
    await client.closed;

    const { rows } = await stack.db.pool.query<{ action: string }>(
      "SELECT action FROM audit_log WHERE target_id = $1 AND action LIKE 'agent.gateway_%' ORDER BY id",
      [agentId],
    );
    expect(rows.map((r) => r.action)).toEqual(
      expect.arrayContaining(["agent.gateway_device_paired", "agent.gateway_socket_opened"]),
    );
  }, 120_000);

  it("gives a viewer read scopes only: the gateway itself refuses a write", async () => {
    const viewer = await userWithSession(stack.app);
    const { rows } = await stack.db.pool.query<{ workspaceId: string }>(
      `SELECT workspace_id AS "workspaceId" FROM agents WHERE id = $1`,
      [agentId],
    );
    await addMember(stack.app, rows[0]?.workspaceId as string, viewer.id, "viewer");
    const client = await openGatewayClient(
      `/api/ws/agents/${agentId}/gateway`,
      headersOf({ cookie: viewer.cookie }),
    );
    sendConnect(client.ws);
    const hello = await until(() => client.messages.find((m) => m.id === "connect-1"), 30_000);
    expect((hello.payload as { auth: object }).auth).toMatchObject({ scopes: ["operator.read"] });
    expect(await rpc(client, "sessions.list")).toMatchObject({ ok: true });
    expect(await rpc(client, "sessions.create")).toMatchObject({
      ok: false,
      error: { code: "FORBIDDEN", message: expect.stringContaining("operator.write") },
    });
    client.ws.close();
  }, 60_000);

  it("connects the Control UI's own socket at its base path (its Origin checked by the gateway)", async () => {
    const { client, hello } = await connectedClient(
      `/api/agents/${agentId}/gateway/ui`,
      headersOf({ cookie }),
    );
    expect(hello, JSON.stringify(hello)).toMatchObject({ ok: true, payload: { type: "hello-ok" } });
    expect(await rpc(client, "health")).toMatchObject({ ok: true });
    for (const frame of client.raw) expect(frame).not.toContain(gatewayToken);
    client.ws.close();
  }, 60_000);
});

const ARTIFACTS = fileURLToPath(new URL("../test-artifacts/screenshots", import.meta.url));

describe.skipIf(chromiumMissing)("the Control UI in Chromium, behind Nora", () => {
  it("loads under Nora's CSP, runs, and connects through the door: hello-ok and its own requests answered", async () => {
    const front = await startFront(frontPort, stack.app.url, door.door);
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const separator = cookie.indexOf("=");
      await context.addCookies([
        {
          name: cookie.slice(0, separator),
          value: cookie.slice(separator + 1),
          // A `__Host-` cookie: Secure, path `/`, no Domain; Chromium counts loopback as secure.
          domain: "127.0.0.1",
          path: "/",
          secure: true,
          httpOnly: true,
          sameSite: "Strict",
        },
      ]);
      const page = await context.newPage();
      const problems: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(message.text());
      });
      page.on("pageerror", (error) => problems.push(error.message));
      const received: string[] = [];
      const sockets: string[] = [];
      page.on("websocket", (ws) => {
        sockets.push(ws.url());
        ws.on("framereceived", (frame) => received.push(String(frame.payload)));
      });

      await page.goto(`${front.url}/api/agents/${agentId}/gateway/ui/`);
      // The UI's own socket, at its base path on this origin, answered by the real gateway.
      await until(() => received.some((f) => f.includes('"hello-ok"')), 45_000).catch(() => {
        throw new Error(
          `no hello-ok; sockets ${JSON.stringify(sockets)}, frames ${received.slice(0, 5).join(" | ")}, ` +
            `browser errors ${problems.join(" | ")}`,
        );
      });
      expect(sockets).toContain(`ws://127.0.0.1:${frontPort}/api/agents/${agentId}/gateway/ui`);
      // Past the hello, the UI's own requests (health, sessions, chat history...) come back answered.
      const answered = () =>
        received.filter((f) => {
          const frame = JSON.parse(f) as { type?: string; ok?: boolean };
          return frame.type === "res" && frame.ok === true;
        }).length;
      await until(() => answered() >= 10, 30_000);
      // And the app itself rendered from those answers: its composer is on screen.
      await page.getByPlaceholder(/^Message /).waitFor({ state: "visible", timeout: 45_000 });
      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, "openclaw-control-ui.png"), fullPage: true });

      for (const frame of received) expect(frame).not.toContain(gatewayToken);
      // Whatever the UI stored (its device identity, settings) holds no gateway credential.
      expect(await page.evaluate("JSON.stringify(window.localStorage)")).not.toContain(gatewayToken);
      expect(problems.filter((p) => /Content Security Policy|Refused to/i.test(p))).toEqual([]);
    } finally {
      await browser.close();
      await front.close();
    }
  }, 120_000);
});

import { randomBytes } from "node:crypto";
import { gatewayDeviceIdentity, generateGatewayDeviceKey } from "@nora/agent-runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WebSocket } from "ws";
import { agentStreams } from "../src/ws/agent-streams.js";
import { insertAgent } from "./agent-fixtures.js";
import { type FakeConnection, type FakeGateway, startFakeGateway } from "./fake-openclaw-gateway.js";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { addMember, createApiKey, createWorkspace, userWithSession } from "./identity.js";
import {
  expectOpen,
  headersOf,
  isRefusal,
  type Opened,
  openWs,
  type Refusal,
  startDoor,
  until,
} from "./ws-helpers.js";

/**
 * The gateway's WebSocket relay (`/api/ws/agents/:id/gateway`, the Control UI's socket) against a
 * loopback gateway this test starts, speaking OpenClaw's protocol and checking Nora's connect the way
 * OpenClaw does (fake-openclaw-gateway.ts). The real gateway is gateway-proxy-openclaw.test.ts's.
 */

const GATEWAY_TOKEN = `gt-${randomBytes(24).toString("hex")}`;
const DEVICE_TOKEN = `dt-${randomBytes(24).toString("hex")}`;
const FRAME_CAP = 256 * 1024;
const STREAM_CAP = 6;

let app: TestApp;
let door: Awaited<ReturnType<typeof startDoor>>;
let gateway: FakeGateway;
let owner: { id: string; cookie: string };
let workspaceId: string;
let agentId: string;
const deviceKey = generateGatewayDeviceKey();
const device = gatewayDeviceIdentity(deviceKey.privateKeyPem);

beforeAll(async () => {
  app = await startTestApp({
    env: {
      ...NO_RATE_LIMITS,
      ENCRYPTION_KEY: randomBytes(32).toString("hex"),
      GATEWAY_ALLOWED_PORTS: "9090,18789,20000-65535",
      GATEWAY_PROXY_WEB_UIS: "true",
      GATEWAY_PROXY_WS_MAX_FRAME_BYTES: String(FRAME_CAP),
      STREAMS_PER_USER_MAX: String(STREAM_CAP),
      STREAM_STALL_MS: "20000",
    },
  });
  door = await startDoor(app);
  gateway = await startFakeGateway({ token: GATEWAY_TOKEN, deviceToken: DEVICE_TOKEN });
  gateway.paired.add(device.id);
  owner = await userWithSession(app);
  workspaceId = await createWorkspace(app, owner.cookie);
  agentId = await openclawAgent();
});
afterAll(async () => {
  await door?.close();
  await gateway?.close();
  await app?.close();
});

function openclawAgent(extra: Partial<Parameters<typeof insertAgent>[1]> = {}) {
  return insertAgent(app, {
    workspaceId,
    gatewayUrl: `http://127.0.0.1:${gateway.port}/`,
    // Nothing listens there: a pairing the gateway asks for cannot be approved.
    runtimeUrl: "http://127.0.0.1:20002/",
    gatewayToken: GATEWAY_TOKEN,
    runtimeToken: "r".repeat(40),
    gatewayDeviceKey: deviceKey.privateKeyPem,
    ...extra,
  });
}

const socketUrl = (id = agentId) => `${door.url}/api/ws/agents/${id}/gateway`;
const uiUrl = (id = agentId) => `${door.url}/api/agents/${id}/gateway/ui`;

/** An open relay with every text frame the client received, raw. */
type Client = Opened & { raw: string[] };

async function openClient(url: string, headers: Record<string, string>): Promise<Client> {
  const opened = await expectOpen(url, headers);
  const raw: string[] = [];
  opened.ws.on("message", (data) => raw.push(String(data)));
  await until(() => opened.messages.find((m) => m.event === "connect.challenge"));
  return Object.assign(opened, { raw });
}

/** The connect a browser's Control UI sends: its own token and device, every scope it knows. */
function browserConnect(ws: WebSocket, scopes: string[] | null = null) {
  ws.send(
    JSON.stringify({
      type: "req",
      id: "c1",
      method: "connect",
      params: {
        minProtocol: 4,
        maxProtocol: 4,
        client: { id: "openclaw-control-ui", version: "2026.9.6", platform: "MacIntel", mode: "webchat" },
        role: "node",
        ...(scopes ? { scopes } : {}),
        caps: ["tool-events"],
        commands: ["system.run"],
        auth: { token: "a-token-the-browser-made-up", deviceToken: "browser-device-token" },
        device: { id: "browser", publicKey: "x", signature: "y", signedAt: 1, nonce: "z" },
        locale: "en-US",
        userAgent: "test-browser",
      },
    }),
  );
}

const ALL_UI_SCOPES = [
  "operator.admin",
  "operator.read",
  "operator.write",
  "operator.approvals",
  "operator.questions",
  "operator.pairing",
];

/** `scopes: null` sends a connect naming none. */
async function connected(
  url: string,
  headers: Record<string, string>,
  scopes: string[] | null = ALL_UI_SCOPES,
) {
  const before = gateway.connections.length;
  const client = await openClient(url, headers);
  browserConnect(client.ws, scopes);
  const hello = await until(() => client.messages.find((m) => m.id === "c1"));
  const upstream = gateway.connections.at(-1) as FakeConnection;
  expect(gateway.connections.length).toBe(before + 1);
  return { client, hello, upstream };
}

async function rpc(client: Client, method: string, params: object = {}) {
  const id = `r-${randomBytes(4).toString("hex")}`;
  client.ws.send(JSON.stringify({ type: "req", id, method, params }));
  return until(() => client.messages.find((m) => m.id === id));
}

async function refused(url: string, headers: Record<string, string>): Promise<Refusal> {
  const result = await openWs(url, headers);
  if (!isRefusal(result)) {
    result.ws.terminate();
    throw new Error("the upgrade was accepted");
  }
  return result;
}

describe("the gateway's WebSocket relay", () => {
  it("replaces the client's connect with Nora's: the gateway's token, Nora's device signed over the gateway's nonce", async () => {
    const { client, hello, upstream } = await connected(socketUrl(), headersOf({ cookie: owner.cookie }));
    const connect = upstream.connect as {
      params: {
        auth: object;
        role: string;
        device: object;
        client: object;
        scopes: string[];
        caps: string[];
        commands?: unknown;
      };
    };
    const challenge = client.messages.find((m) => m.event === "connect.challenge") as { payload: object };
    expect(challenge.payload).toMatchObject({ nonce: expect.any(String), ts: expect.any(Number) });
    expect(connect.params.auth).toEqual({ token: GATEWAY_TOKEN });
    expect(connect.params.role).toBe("operator");
    expect(connect.params.device).toMatchObject({ id: device.id, publicKey: device.publicKey });
    expect(connect.params.client).toMatchObject({ id: "gateway-client", mode: "backend", platform: "nora" });
    // Asked for everything; an owner gets Nora's set within what was asked: never admin or pairing.
    expect(connect.params.scopes).toEqual([
      "operator.read",
      "operator.write",
      "operator.approvals",
      "operator.questions",
    ]);
    expect(connect.params.caps).toEqual(["tool-events"]);
    expect(connect.params.commands).toBeUndefined();
    expect(JSON.stringify(connect)).not.toContain("a-token-the-browser-made-up");
    expect(JSON.stringify(connect)).not.toContain("browser-device-token");
    // No forwarding header reaches OpenClaw, and a backend client sends no Origin.
    expect(upstream.headers.origin).toBeUndefined();
    expect(
      Object.keys(upstream.headers).filter((h) => /forwarded|x-real-ip|cookie|authorization/.test(h)),
    ).toEqual([]);

    expect(hello).toMatchObject({ type: "res", ok: true, payload: { type: "hello-ok" } });
    const payload = hello.payload as {
      auth: object;
      pluginSurfaceUrls?: object;
      policy: { maxPayload: number; attachments: { maxBytes: number } };
    };
    expect(payload.auth).toEqual({ method: "token", role: "operator", scopes: connect.params.scopes });
    expect(payload.pluginSurfaceUrls).toBeUndefined();
    expect(payload.policy.maxPayload).toBe(FRAME_CAP);
    expect(payload.policy.attachments.maxBytes).toBeLessThan(FRAME_CAP);

    expect(await rpc(client, "echo", { hello: "world" })).toMatchObject({
      ok: true,
      payload: { hello: "world" },
    });
    expect(await rpc(client, "write")).toMatchObject({ ok: true });
    for (const frame of client.raw) {
      expect(frame).not.toContain(GATEWAY_TOKEN);
      expect(frame).not.toContain(DEVICE_TOKEN);
      expect(frame).not.toContain("hash-of-the-device-token");
    }
    client.ws.close();
    await upstream.closed;
    const audits = await until(async () => {
      const { rows } = await app.db.pool.query<{ action: string; metadata: Record<string, unknown> }>(
        "SELECT action, metadata FROM audit_log WHERE target_id = $1 AND action LIKE 'agent.gateway_socket_%' ORDER BY id",
        [agentId],
      );
      return rows.length >= 2 ? rows : undefined;
    });
    expect(audits[0]).toMatchObject({
      action: "agent.gateway_socket_opened",
      metadata: { client: "backend" },
    });
    expect(audits[1]).toMatchObject({
      action: "agent.gateway_socket_closed",
      metadata: { closedBy: "caller" },
    });
  });

  it("gives a viewer read scopes only: a write is refused by the gateway", async () => {
    const viewer = await userWithSession(app);
    await addMember(app, workspaceId, viewer.id, "viewer");
    const { client, hello, upstream } = await connected(socketUrl(), headersOf({ cookie: viewer.cookie }));
    expect((upstream.connect as { params: { scopes: string[] } }).params.scopes).toEqual(["operator.read"]);
    expect((hello.payload as { auth: object }).auth).toMatchObject({ scopes: ["operator.read"] });
    expect(await rpc(client, "write")).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
    expect(await rpc(client, "echo", { n: 1 })).toMatchObject({ ok: true });
    client.ws.close();
  });

  it("grants keys by scope: agents:read reads, agents:write writes; a connect naming no scopes gets the allowance", async () => {
    const readKey = await createApiKey(app, owner.cookie, workspaceId, ["agents:read"]);
    const reader = await connected(socketUrl(), headersOf({ apiKey: readKey.key }), null);
    expect((reader.upstream.connect as { params: { scopes: string[] } }).params.scopes).toEqual([
      "operator.read",
    ]);
    reader.client.ws.close();
    const writeKey = await createApiKey(app, owner.cookie, workspaceId, ["agents:read", "agents:write"]);
    const { client, upstream } = await connected(socketUrl(), headersOf({ apiKey: writeKey.key }), null);
    expect((upstream.connect as { params: { scopes: string[] } }).params.scopes).toEqual([
      "operator.read",
      "operator.write",
      "operator.approvals",
      "operator.questions",
    ]);
    client.ws.close();
  });

  it("connects the Control UI's own socket at its base path as the Control UI, with Nora's Origin", async () => {
    const { client, upstream } = await connected(uiUrl(), headersOf({ cookie: owner.cookie }));
    expect(upstream.headers.origin).toBe(new URL(app.config.api.publicUrl).origin);
    expect((upstream.connect as { params: { client: object } }).params.client).toMatchObject({
      id: "openclaw-control-ui",
      mode: "webchat",
      platform: "nora",
    });
    expect(await rpc(client, "echo")).toMatchObject({ ok: true });
    client.ws.close();
  });

  it("refuses the Control UI's socket when agents' web UIs are off, before connecting anywhere", async () => {
    const off = {
      ...app.config,
      api: { ...app.config.api, gatewayProxy: { ...app.config.api.gatewayProxy, webUis: false } },
    };
    const offDoor = await startDoor(app, { streams: agentStreams(app.domain, off) });
    try {
      const before = gateway.connections.length;
      const refusal = await refused(
        `${offDoor.url}/api/agents/${agentId}/gateway/ui`,
        headersOf({ cookie: owner.cookie }),
      );
      expect(refusal.status).toBe(404);
      expect(refusal.body.error).toBe("agent_web_ui_disabled");
      expect(gateway.connections.length).toBe(before);
    } finally {
      await offDoor.close();
    }
  });

  it("refuses before the upgrade: no device (redeploy), a Hermes agent, an unreachable gateway, a query", async () => {
    const noDevice = await insertAgent(app, {
      workspaceId,
      gatewayUrl: `http://127.0.0.1:${gateway.port}/`,
      gatewayToken: GATEWAY_TOKEN,
    });
    const old = await refused(socketUrl(noDevice), headersOf({ cookie: owner.cookie }));
    expect(old.status).toBe(409);
    expect(old.body.error).toBe("gateway_device_missing");
    expect(String(old.body.message)).toMatch(/redeploy/);
    const hermes = await openclawAgent({ family: "hermes" });
    expect((await refused(socketUrl(hermes), headersOf({ cookie: owner.cookie }))).status).toBe(404);
    const gone = await openclawAgent({ gatewayUrl: "http://127.0.0.1:20001/" });
    const unreachable = await refused(socketUrl(gone), headersOf({ cookie: owner.cookie }));
    expect(unreachable.status).toBe(502);
    expect(unreachable.body.error).toBe("gateway_unreachable");
    expect(JSON.stringify(unreachable.body)).not.toContain("20001");
    expect((await refused(`${socketUrl()}?x=1`, headersOf({ cookie: owner.cookie }))).status).toBe(400);
  });

  it("closes when the first frame is not a connect, before anything reaches the gateway (1008)", async () => {
    const client = await openClient(socketUrl(), headersOf({ cookie: owner.cookie }));
    const upstream = gateway.connections.at(-1) as FakeConnection;
    client.ws.send(JSON.stringify({ type: "req", id: "e", method: "echo", params: {} }));
    expect((await client.closed).code).toBe(1008);
    await upstream.closed;
    expect(upstream.frames).toEqual([]);
  });

  it("closes on a second connect or a frame that is not a request (1008)", async () => {
    const first = await connected(socketUrl(), headersOf({ cookie: owner.cookie }));
    browserConnect(first.client.ws, ALL_UI_SCOPES);
    expect((await first.client.closed).code).toBe(1008);
    await first.upstream.closed;
    const second = await connected(socketUrl(), headersOf({ cookie: owner.cookie }));
    second.client.ws.send(JSON.stringify({ type: "event", event: "x" }));
    expect((await second.client.closed).code).toBe(1008);
    await second.upstream.closed;
  });

  it("never passes a frame carrying the gateway token: the connection ends instead (1011)", async () => {
    const { client, upstream } = await connected(socketUrl(), headersOf({ cookie: owner.cookie }));
    client.ws.send(JSON.stringify({ type: "req", id: "l1", method: "leak", params: {} }));
    expect((await client.closed).code).toBe(1011);
    expect(client.messages.find((m) => m.id === "l1")).toBeUndefined();
    for (const frame of client.raw) expect(frame).not.toContain(GATEWAY_TOKEN);
    await upstream.closed;
  });

  it("caps frames both ways at GATEWAY_PROXY_WS_MAX_FRAME_BYTES (1009)", async () => {
    const out = await connected(socketUrl(), headersOf({ cookie: owner.cookie }));
    out.client.ws.send(
      JSON.stringify({ type: "req", id: "x", method: "echo", params: { p: "p".repeat(FRAME_CAP) } }),
    );
    expect((await out.client.closed).code).toBe(1009);
    await out.upstream.closed;
    expect(out.upstream.frames.some((f) => f.length > FRAME_CAP)).toBe(false);

    const back = await connected(socketUrl(), headersOf({ cookie: owner.cookie }));
    back.client.ws.send(
      JSON.stringify({ type: "req", id: "b", method: "big", params: { size: FRAME_CAP + 10 } }),
    );
    expect((await back.client.closed).code).toBe(1009);
    await back.upstream.closed;
  });

  it("reads the gateway only as fast as the client takes its frames, and the client only as fast as the gateway", async () => {
    const { client, upstream } = await connected(socketUrl(), headersOf({ cookie: owner.cookie }));
    const clientSocket = (client.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    clientSocket.pause();
    client.ws.send(
      JSON.stringify({ type: "req", id: "f", method: "flood", params: { count: 600, size: 32 * 1024 } }),
    );
    // The relay stopped reading the gateway: the gateway's own send buffer fills (19 MiB in all).
    await until(() => upstream.socket.bufferedAmount > 4 * 1024 * 1024, 10_000);
    clientSocket.resume();
    await until(() => client.messages.filter((m) => m.event === "flood").length === 600, 20_000);
    const seqs = client.messages.filter((m) => m.event === "flood").map((m) => m.seq);
    expect(seqs).toEqual([...Array(600).keys()]);

    // The other way: the gateway stops reading, so the relay stops reading the client.
    const upstreamSocket = (upstream.socket as unknown as { _socket: { pause(): void; resume(): void } })
      ._socket;
    upstreamSocket.pause();
    const body = "q".repeat(200 * 1024);
    for (let i = 0; i < 150; i++)
      client.ws.send(JSON.stringify({ type: "req", id: `q${i}`, method: "echo", params: { body } }));
    await until(() => client.ws.bufferedAmount > 4 * 1024 * 1024, 10_000);
    upstreamSocket.resume();
    await until(() => client.messages.filter((m) => String(m.id).startsWith("q")).length === 150, 30_000);
    client.ws.close();
  }, 60_000);

  it("ends a connection whose gateway takes no input for STREAM_STALL_MS (4408), reading no more of the client meanwhile", async () => {
    const quick = await startDoor({
      ...app,
      config: { ...app.config, streams: { ...app.config.streams, stallMs: 1_500 } },
    });
    try {
      const { client, upstream } = await connected(
        `${quick.url}/api/ws/agents/${agentId}/gateway`,
        headersOf({ cookie: owner.cookie }),
      );
      const upstreamSocket = (upstream.socket as unknown as { _socket: { pause(): void; resume(): void } })
        ._socket;
      upstreamSocket.pause();
      const body = "q".repeat(200 * 1024);
      for (let i = 0; i < 150; i++)
        client.ws.send(JSON.stringify({ type: "req", id: `s${i}`, method: "echo", params: { body } }));
      const started = Date.now();
      // The door stopped reading: most of the 30 MiB stays with the client.
      await until(() => client.ws.bufferedAmount > 4 * 1024 * 1024, 10_000);
      const closed = await client.closed;
      expect(closed.code).toBe(4408);
      expect(Date.now() - started).toBeLessThan(10_000);
      // And the relay let go of the gateway (seen once the gateway reads again).
      upstreamSocket.resume();
      await upstream.closed;
    } finally {
      await quick.close();
    }
  }, 30_000);

  it("closes the gateway's socket when the client leaves, and the client's when the gateway closes", async () => {
    const left = await connected(socketUrl(), headersOf({ cookie: owner.cookie }));
    left.client.ws.terminate();
    await left.upstream.closed;
    const bye = await connected(socketUrl(), headersOf({ cookie: owner.cookie }));
    bye.client.ws.send(JSON.stringify({ type: "req", id: "bye", method: "bye", params: {} }));
    expect(await bye.client.closed).toEqual({ code: 4000, reason: "bye" });
    await until(() => door.door.openStreams() === 0);
  });

  it("ends a connection holding write scopes once its caller is only a viewer (4403), and a revoked key's (4401)", async () => {
    const editor = await userWithSession(app);
    await addMember(app, workspaceId, editor.id, "editor");
    const demoted = await connected(socketUrl(), headersOf({ cookie: editor.cookie }));
    await new Promise((r) => setTimeout(r, 1_100));
    await app.db.pool.query(
      "UPDATE workspace_members SET role = 'viewer' WHERE workspace_id = $1 AND user_id = $2",
      [workspaceId, editor.id],
    );
    expect((await demoted.client.closed).code).toBe(4403);
    await demoted.upstream.closed;

    const { key, id } = await createApiKey(app, owner.cookie, workspaceId, ["agents:read"]);
    const keyed = await connected(socketUrl(), headersOf({ apiKey: key }));
    await new Promise((r) => setTimeout(r, 1_100));
    await app.db.pool.query("UPDATE api_keys SET revoked_at = now() WHERE id = $1", [id]);
    expect((await keyed.client.closed).code).toBe(4401);
    await keyed.upstream.closed;
  });

  it("counts against STREAMS_PER_USER_MAX", async () => {
    const user = await userWithSession(app);
    await addMember(app, workspaceId, user.id, "viewer");
    const open: Client[] = [];
    for (let i = 0; i < STREAM_CAP; i++)
      open.push(await openClient(socketUrl(), headersOf({ cookie: user.cookie })));
    const over = await refused(socketUrl(), headersOf({ cookie: user.cookie }));
    expect(over.status).toBe(429);
    for (const client of open) client.ws.close();
  });

  it("when the gateway asks to pair Nora's device and the runtime cannot approve it, tells the client and closes (1011)", async () => {
    const unpairedKey = generateGatewayDeviceKey();
    const unpaired = await openclawAgent({ gatewayDeviceKey: unpairedKey.privateKeyPem });
    const client = await openClient(socketUrl(unpaired), headersOf({ cookie: owner.cookie }));
    browserConnect(client.ws, ALL_UI_SCOPES);
    const answer = await until(() => client.messages.find((m) => m.id === "c1"), 10_000);
    expect(answer).toMatchObject({ ok: false, error: { code: "UNAVAILABLE" } });
    expect((await client.closed).code).toBe(1011);
    const upstream = gateway.connections.at(-1) as FakeConnection;
    expect((upstream.connect as { params: { device: { id: string } } }).params.device.id).toBe(
      gatewayDeviceIdentity(unpairedKey.privateKeyPem).id,
    );
  });
});

import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { countLeases } from "@nora/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import {
  childrenOf,
  makeRuntimeDirs,
  ptmxFds,
  type RuntimeProcess,
  startRuntime,
  TOKEN,
} from "../../agent-runtime/test/support.js";
import { insertAgent } from "./agent-fixtures.js";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { addMember, call, createApiKey, createWorkspace, userWithSession } from "./identity.js";
import { type CountingRelay, headersOf, startCountingRelay, startDoor, until } from "./ws-helpers.js";

const TERMINAL_CAP = 2;
const STALL_MS = 5_000;

/** A terminal client: its screen (binary frames), its control messages (text) and its close. */
interface Terminal {
  ws: WebSocket;
  screen(): string;
  controls: Array<Record<string, unknown>>;
  closed: Promise<{ code: number; reason: string }>;
  type(text: string): void;
}

function openTerminal(
  url: string,
  headers: Record<string, string>,
): Promise<Terminal | { status: number; error?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    let text = "";
    const controls: Array<Record<string, unknown>> = [];
    ws.on("message", (data, isBinary) => {
      if (isBinary) text += String(data);
      else controls.push(JSON.parse(String(data)) as Record<string, unknown>);
    });
    const closed = new Promise<{ code: number; reason: string }>((r) =>
      ws.once("close", (code, reason) => r({ code, reason: String(reason) })),
    );
    ws.once("open", () =>
      resolve({
        ws,
        screen: () => text,
        controls,
        closed,
        type: (t) => ws.send(Buffer.from(t), { binary: true }),
      }),
    );
    ws.once("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      res.on("end", () => {
        const code = (JSON.parse(body || "{}") as { error?: string }).error;
        resolve({ status: res.statusCode ?? 0, ...(code ? { error: code } : {}) });
      });
    });
    ws.once("error", (error) => {
      if (ws.readyState !== ws.CLOSED) reject(error);
    });
  });
}

async function opened(url: string, headers: Record<string, string>): Promise<Terminal> {
  const result = await openTerminal(url, headers);
  if ("status" in result) throw new Error(`refused ${result.status} ${result.error}`);
  return result;
}

/**
 * The terminal stream through the API's door to a real runtime server process (a real PTY, a real
 * shell), with PostgreSQL and Redis; the runtime sits behind a relay that counts its connections.
 */
describe("terminal over WebSocket", () => {
  let app: TestApp;
  let door: Awaited<ReturnType<typeof startDoor>>;
  let runtime: RuntimeProcess;
  let relay: CountingRelay;
  let editor: { id: string; cookie: string };
  let workspaceId: string;
  let agentId: string;

  beforeAll(async () => {
    app = await startTestApp({
      env: {
        ...NO_RATE_LIMITS,
        ENCRYPTION_KEY: randomBytes(32).toString("hex"),
        TERMINALS_PER_USER_MAX: String(TERMINAL_CAP),
        // A paste held back for this long ends the stream (the door does not read a paused client).
        STREAM_STALL_MS: String(STALL_MS),
      },
    });
    door = await startDoor(app, { recheckMs: 60_000 });
    editor = await userWithSession(app);
    workspaceId = await createWorkspace(app, editor.cookie);
    // HOME in the runtime's own state: the shell reads no ~/.bashrc of this machine.
    const dirs = await makeRuntimeDirs();
    runtime = await startRuntime({
      dirs,
      env: {
        HOME: dirs.state,
        NORA_STREAM_STALL_MS: String(STALL_MS),
        // The runtime's own cap has its tests; here, shells still being reaped must not refuse a cycle.
        NORA_TERMINAL_MAX: "64",
      },
    });
    relay = await startCountingRelay(runtime.port);
    agentId = await insertAgent(app, { workspaceId, runtimeUrl: relay.url, runtimeToken: TOKEN });
  });
  afterAll(async () => {
    await door?.close();
    await relay?.close();
    await runtime?.stop();
    if (runtime) await rm(runtime.dirs.base, { recursive: true, force: true });
    await app?.close();
  });

  const url = (query = "") => `${door.url}/api/ws/agents/${agentId}/terminal${query}`;
  const pid = () => runtime.child.pid ?? -1;
  const terminalSlots = (userId: string) =>
    countLeases(app.redis, `${app.config.redis.keyPrefix}:streams:terminal:${userId}`);
  const nothingLeft = async (userId: string) => {
    await until(async () => (await childrenOf(pid())).length === 0 && (await ptmxFds(pid())) === 0, 10_000);
    await until(() => door.door.openStreams() === 0);
    await until(() => relay.open() === 0);
    expect(await terminalSlots(userId)).toBe(0);
  };

  it("runs `echo hello`, ends with exit code 0, and audits the session without its keystrokes", async () => {
    const t = await opened(url("?cols=100&rows=30"), headersOf({ cookie: editor.cookie }));
    t.type("stty size; echo hel''lo\n");
    await until(() => /30 100/.test(t.screen()) && /\bhello\b/.test(t.screen()));
    t.type("exit 0\n");
    expect(await t.closed).toMatchObject({ code: 1000 });
    expect(t.controls).toContainEqual({ type: "exit", code: 0, signal: null });

    const audit = await until(async () => {
      const { rows } = await app.db.pool.query<{ action: string; metadata: Record<string, unknown> }>(
        "SELECT action, metadata FROM audit_log WHERE target_id = $1 ORDER BY id",
        [agentId],
      );
      return rows.some((r) => r.action === "agent.terminal_closed") ? rows : undefined;
    });
    expect(audit.map((r) => r.action)).toEqual(["agent.terminal_opened", "agent.terminal_closed"]);
    expect(audit[1]?.metadata).toMatchObject({ exitCode: 0, signal: null });
    expect(audit[1]?.metadata.durationMs).toEqual(expect.any(Number));
    expect(JSON.stringify(audit)).not.toContain("hel''lo");
    await nothingLeft(editor.id);
  });

  it("passes resizes on, and closes with 1008 on a control message that is not one", async () => {
    const t = await opened(url(), headersOf({ cookie: editor.cookie }));
    t.ws.send(JSON.stringify({ type: "resize", cols: 120, rows: 40 }));
    await new Promise((r) => setTimeout(r, 100));
    t.type("stty size\n");
    await until(() => /40 120/.test(t.screen()));
    t.ws.send(JSON.stringify({ type: "resize", cols: 0, rows: 40 }));
    expect((await t.closed).code).toBe(1008);
    await nothingLeft(editor.id);
  });

  it("is for editors: a viewer and a read-only key are refused, a key with agents:write is served", async () => {
    const viewer = await userWithSession(app);
    await addMember(app, workspaceId, viewer.id, "viewer");
    expect(await openTerminal(url(), headersOf({ cookie: viewer.cookie }))).toMatchObject({ status: 403 });
    const readKey = await createApiKey(app, editor.cookie, workspaceId, ["agents:read"]);
    expect(await openTerminal(url(), headersOf({ apiKey: readKey.key }))).toMatchObject({ status: 403 });
    const outsider = await userWithSession(app);
    expect(await openTerminal(url(), headersOf({ cookie: outsider.cookie }))).toMatchObject({ status: 404 });
    expect(await openTerminal(url("?token=abc"), headersOf({ cookie: editor.cookie }))).toMatchObject({
      status: 400,
    });
    expect(await openTerminal(url(), {})).toMatchObject({ status: 401 });

    const writeKey = await createApiKey(app, editor.cookie, workspaceId, ["agents:write"]);
    const t = await opened(url(), headersOf({ apiKey: writeKey.key }));
    t.type("exit 3\n");
    await t.closed;
    expect(t.controls).toContainEqual({ type: "exit", code: 3, signal: null });
    expect(await childrenOf(pid())).toEqual([]);
    expect(relay.open()).toBe(0);
    // Nothing was spawned for any refusal: only the served key's session is in the audit log.
    const { rows } = await app.db.pool.query(
      "SELECT 1 FROM audit_log WHERE action = 'agent.terminal_opened' AND actor_api_key_id IS NOT NULL",
    );
    expect(rows).toHaveLength(1);
  });

  it("caps terminals per user (429), and closing one frees its slot", async () => {
    const first = await opened(url(), headersOf({ cookie: editor.cookie }));
    const second = await opened(url(), headersOf({ cookie: editor.cookie }));
    expect(await openTerminal(url(), headersOf({ cookie: editor.cookie }))).toEqual({
      status: 429,
      error: "too_many_terminals",
    });
    first.ws.close();
    await first.closed;
    await until(async () => (await terminalSlots(editor.id)) === 1);
    const third = await opened(url(), headersOf({ cookie: editor.cookie }));
    for (const t of [second, third]) t.ws.close();
    await Promise.all([second.closed, third.closed]);
    await nothingLeft(editor.id);
  });

  it("ends the shell when the session is signed out mid-terminal (4401)", async () => {
    const person = await userWithSession(app);
    await addMember(app, workspaceId, person.id, "editor");
    const t = await opened(url(), headersOf({ cookie: person.cookie }));
    t.type("echo ready\n");
    await until(() => /ready/.test(t.screen()));
    expect((await call(app, { cookie: person.cookie }, "POST", "/api/auth/logout")).status).toBe(204);
    expect((await t.closed).code).toBe(4401);
    await nothingLeft(person.id);
  });

  it("relays a paste only as fast as the shell takes it: what it does not read waits in the client", async () => {
    const t = await opened(url(), headersOf({ cookie: editor.cookie }));
    t.type("stty raw -echo; echo REA''DY; sleep 30\n");
    await until(() => /READY/.test(t.screen()));
    const before = process.memoryUsage().arrayBuffers;
    const chunk = Buffer.alloc(60 * 1024, "x");
    for (let i = 0; i < 820; i++) t.ws.send(chunk, { binary: true });
    // 48 MiB toward a shell that reads nothing: the runtime stops reading, then the door does. Socket
    // buffers between them take some (loopback's grow to several MiB); the rest waits in this client.
    let last = -1;
    await until(async () => {
      const now = t.ws.bufferedAmount;
      const settled = now === last;
      last = now;
      await new Promise((r) => setTimeout(r, 300));
      return settled || undefined;
    }, 15_000);
    expect(t.ws.bufferedAmount).toBeGreaterThan(0);
    // This process's buffers beyond the client's own queue are what the door holds: about its
    // high-water mark, not the tens of MiB a door that read on regardless would have taken.
    const heldByDoor = process.memoryUsage().arrayBuffers - before - t.ws.bufferedAmount;
    expect(heldByDoor).toBeLessThan(8 * 1024 * 1024);
    // Neither the door nor the runtime reads on to see this client leave: their stall bounds end it.
    t.ws.terminate();
    await t.closed;
    await nothingLeft(editor.id);
  }, 60_000);

  it("200 open/close cycles leave no PTYs, shells, sockets or slots behind", async () => {
    const sockets = () => process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap").length;
    const baseline = sockets();
    for (let i = 0; i < 200; i++) {
      const t = await opened(url(), headersOf({ cookie: editor.cookie }));
      t.ws.close();
      await t.closed;
      // The client may see its close before the door's socket does; the slot frees on the door's.
      await until(() => door.door.openStreams() === 0);
    }
    await nothingLeft(editor.id);
    await until(() => sockets() <= baseline || undefined);
  }, 180_000);
});

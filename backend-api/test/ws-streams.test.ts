import { randomBytes } from "node:crypto";
import { appendFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { countLeases } from "@nora/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RuntimeProcess, startRuntime, TOKEN } from "../../agent-runtime/test/support.js";
import { insertAgent } from "./agent-fixtures.js";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { addMember, call, createApiKey, createWorkspace, userWithSession } from "./identity.js";
import {
  type CountingRelay,
  expectOpen,
  headersOf,
  isRefusal,
  type Opened,
  openWs,
  type Refusal,
  startCountingRelay,
  startDoor,
  until,
} from "./ws-helpers.js";

const STALL_MS = 1_000;
const CAP = 3;

/**
 * The WebSocket door and its logs and metrics streams, against the real app (PostgreSQL, Redis) and a
 * real runtime server process behind a counting relay, with a real `ws` client.
 */
describe("WebSocket streams", () => {
  let app: TestApp;
  let door: Awaited<ReturnType<typeof startDoor>>;
  let runtime: RuntimeProcess;
  let relay: CountingRelay;
  let owner: { id: string; cookie: string; email: string };
  let workspaceId: string;
  let agentId: string;
  let logFile: string;

  beforeAll(async () => {
    app = await startTestApp({
      env: {
        ...NO_RATE_LIMITS,
        ENCRYPTION_KEY: randomBytes(32).toString("hex"),
        STREAM_STALL_MS: String(STALL_MS),
        STREAMS_PER_USER_MAX: String(CAP),
      },
    });
    door = await startDoor(app);
    owner = await userWithSession(app);
    workspaceId = await createWorkspace(app, owner.cookie);
    runtime = await startRuntime({ env: { NORA_STREAM_STALL_MS: "60000" } });
    logFile = join(runtime.dirs.logs, "agent.log");
    await writeFile(logFile, "");
    relay = await startCountingRelay(runtime.port);
    agentId = await agent("running", relay.url);
  });
  afterAll(async () => {
    await door?.close();
    await relay?.close();
    await runtime?.stop();
    if (runtime) await rm(runtime.dirs.base, { recursive: true, force: true });
    await app?.close();
  });

  const agent = (status: string, runtimeUrl: string | null, inWorkspace = workspaceId) =>
    insertAgent(app, { workspaceId: inWorkspace, status, runtimeUrl, runtimeToken: TOKEN });

  const url = (stream: string, query = "", id = agentId) =>
    `${door.url}/api/ws/agents/${id}/${stream}${query}`;
  const slots = (userId: string) =>
    countLeases(app.redis, `${app.config.redis.keyPrefix}:streams:stream:${userId}`);
  const lines = (o: Opened) => o.messages.flatMap((m) => (m.type === "lines" ? (m.lines as string[]) : []));

  async function refused(target: string, headers: Record<string, string>): Promise<Refusal> {
    const result = await openWs(target, headers);
    if (!isRefusal(result)) {
      result.ws.terminate();
      throw new Error("the upgrade was accepted");
    }
    expect(result.body.requestId).toBeTruthy();
    expect(result.body.requestId).toBe(result.headers["x-request-id"]);
    return result;
  }

  describe("refusals at the upgrade", () => {
    it("refuses a caller without credentials (401)", async () => {
      const r = await refused(url("logs"), {});
      expect([r.status, r.body.error]).toEqual([401, "unauthorized"]);
    });

    it("refuses a credential in the query string (400) and logs its name, never its value", async () => {
      const canary = `nora_${randomBytes(12).toString("hex")}`;
      for (const query of [
        `?token=${canary}`,
        `?access_token=${canary}`,
        `?api_key=${canary}`,
        `?key=${canary}`,
        `?Authorization=${canary}`,
        `?x=${canary}`,
      ]) {
        const r = await refused(url("logs", query), headersOf({ cookie: owner.cookie }));
        expect([query, r.status, r.body.error]).toEqual([query, 400, "credential_in_url"]);
        expect(JSON.stringify(r.body)).not.toContain(canary);
      }
      expect(app.logs.text).toContain("a credential in the query string");
      expect(app.logs.text).not.toContain(canary);
    });

    it("refuses the session cookie from a foreign Origin or without one (403)", async () => {
      const foreign = await refused(url("logs"), headersOf({ cookie: owner.cookie }, "https://evil.example"));
      expect([foreign.status, foreign.body.error]).toEqual([403, "origin_not_allowed"]);
      const missing = await refused(url("logs"), headersOf({ cookie: owner.cookie }, null));
      expect([missing.status, missing.body.error]).toEqual([403, "origin_missing"]);
    });

    it("answers 404 to another workspace's member and for an unknown agent", async () => {
      const other = await userWithSession(app);
      await createWorkspace(app, other.cookie, "Elsewhere");
      const r = await refused(url("logs"), headersOf({ cookie: other.cookie }));
      expect([r.status, r.body.error]).toEqual([404, "not_found"]);
      const unknown = await refused(
        url("logs", "", "00000000-0000-4000-8000-000000000000"),
        headersOf({ cookie: owner.cookie }),
      );
      expect(unknown.status).toBe(404);
    });

    it("refuses a key without agents:read (403) and accepts one with it, without Origin", async () => {
      const { key: without } = await createApiKey(app, owner.cookie, workspaceId, ["workspaces:read"]);
      const r = await refused(url("logs"), headersOf({ apiKey: without }));
      expect([r.status, r.body.error]).toEqual([403, "insufficient_scope"]);
      const { key } = await createApiKey(app, owner.cookie, workspaceId, ["agents:read"]);
      const opened = await expectOpen(url("logs"), headersOf({ apiKey: key }));
      opened.ws.close();
      await opened.closed;
    });

    it("validates agentId and the query before anything else (400), and knows only its streams (404)", async () => {
      const badId = await refused(`${door.url}/api/ws/agents/not-a-uuid/logs`, {});
      expect([badId.status, badId.body.error]).toEqual([400, "validation_failed"]);
      const badTail = await refused(url("logs", "?tail=999999"), {});
      expect([badTail.status, badTail.body.error]).toEqual([400, "validation_failed"]);
      const badInterval = await refused(url("metrics", "?intervalMs=10"), {});
      expect(badInterval.status).toBe(400);
      const unknownParam = await refused(url("logs", "?follow=0"), {});
      expect(unknownParam.status).toBe(400);
      for (const path of [`/api/ws/agents/${agentId}/nothing`, "/api/ws/", "/api/health", "/elsewhere"]) {
        const r = await refused(`${door.url}${path}`, headersOf({ cookie: owner.cookie }));
        expect([path, r.status]).toEqual([path, 404]);
      }
    });

    it("refuses a stopped agent (409) and frees its slot", async () => {
      const stopped = await agent("stopped", relay.url);
      const r = await refused(url("logs", "", stopped), headersOf({ cookie: owner.cookie }));
      expect([r.status, r.body.error]).toEqual([409, "agent_not_running"]);
      expect(await slots(owner.id)).toBe(0);
    });

    it("refuses the dashboard's log on a runtime without one (404 no_dashboard)", async () => {
      const r = await refused(url("logs", "?process=dashboard"), headersOf({ cookie: owner.cookie }));
      expect([r.status, r.body.error]).toEqual([404, "no_dashboard"]);
      expect(await slots(owner.id)).toBe(0);
    });

    it("lets a viewer read", async () => {
      const viewer = await userWithSession(app);
      await addMember(app, workspaceId, viewer.id, "viewer");
      const opened = await expectOpen(url("metrics"), headersOf({ cookie: viewer.cookie }));
      opened.ws.close();
      await opened.closed;
    });
  });

  it("sends the last N lines, then live ones, in order", async () => {
    await writeFile(logFile, `${Array.from({ length: 300 }, (_, i) => `old ${i}`).join("\n")}\n`);
    const opened = await expectOpen(url("logs", "?tail=5"), headersOf({ cookie: owner.cookie }));
    await until(() => lines(opened).length >= 5);
    expect(lines(opened)).toEqual(["old 295", "old 296", "old 297", "old 298", "old 299"]);
    await appendFile(logFile, "live 1\nlive 2\n");
    await appendFile(logFile, "live 3\n");
    await until(() => lines(opened).length >= 8);
    expect(lines(opened).slice(5)).toEqual(["live 1", "live 2", "live 3"]);
    opened.ws.close();
    await opened.closed;
  });

  it("closes the stream within seconds when its session is logged out, and releases everything", async () => {
    const user = await userWithSession(app);
    await addMember(app, workspaceId, user.id, "viewer");
    const opened = await expectOpen(url("logs", "?tail=0"), headersOf({ cookie: user.cookie }));
    await until(() => door.door.openStreams() > 0);
    const started = Date.now();
    const out = await call(app, { cookie: user.cookie }, "POST", "/api/auth/logout");
    expect(out.status).toBeLessThan(300);
    const closed = await opened.closed;
    expect(closed.code).toBe(4401);
    expect(Date.now() - started).toBeLessThan(2_500);
    await until(async () => (await slots(user.id)) === 0 || undefined);
    await until(() => relay.open() === 0);
  });

  it("closes a key's stream when the key is revoked in SQL (the NOTIFY signal)", async () => {
    const { key, id } = await createApiKey(app, owner.cookie, workspaceId, ["agents:read"]);
    const opened = await expectOpen(url("logs", "?tail=0"), headersOf({ apiKey: key }));
    await new Promise((r) => setTimeout(r, 1_100)); // past the first re-check's spacing
    const started = Date.now();
    await app.db.pool.query("UPDATE api_keys SET revoked_at = now() WHERE id = $1", [id]);
    expect((await opened.closed).code).toBe(4401);
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it("closes the stream when the caller's role no longer allows it (removed member)", async () => {
    const user = await userWithSession(app);
    await addMember(app, workspaceId, user.id, "viewer");
    const opened = await expectOpen(url("metrics", "?intervalMs=2000"), headersOf({ cookie: user.cookie }));
    await app.db.pool.query("DELETE FROM workspace_members WHERE workspace_id = $1 AND user_id = $2", [
      workspaceId,
      user.id,
    ]);
    expect((await opened.closed).code).toBe(4403);
  });

  it("drops a client that stops reading past STREAM_STALL_MS and aborts the runtime read (backpressure)", async () => {
    await writeFile(logFile, "");
    const before = relay.bytesFromUpstream();
    const opened = await expectOpen(url("logs", "?tail=0"), headersOf({ cookie: owner.cookie }));
    // The client stops reading: its socket is paused, so the API's socket fills and stays full.
    (opened.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const line = `${"x".repeat(1_000)}\n`;
    const total = 40 * 1024 * 1024;
    await writeFile(logFile, line.repeat(Math.ceil(total / line.length)));
    await until(() => door.door.openStreams() === 0, 15_000);
    await until(() => relay.open() === 0);
    expect(await slots(owner.id)).toBe(0);
    // The API read only what the client's buffers and its own bound could hold, never the whole log.
    const read = relay.bytesFromUpstream() - before;
    expect(read).toBeLessThan(total / 2);
    expect(app.logs.text).toContain("stream client stalled");
    opened.ws.terminate();
  });

  it("closes with a reason when the runtime breaks off mid-stream", async () => {
    await writeFile(logFile, "one\n");
    const opened = await expectOpen(url("logs", "?tail=1"), headersOf({ cookie: owner.cookie }));
    await until(() => lines(opened).length >= 1);
    relay.cutAll();
    const closed = await opened.closed;
    expect(closed.code).toBe(1011);
    expect(closed.reason).toMatch(/^runtime_/);
    expect(opened.messages.at(-1)).toMatchObject({ type: "error" });
    expect(await slots(owner.id)).toBe(0);
  });

  it("caps streams per user: the N+1th is 429 with Retry-After, and a release frees a slot", async () => {
    const user = await userWithSession(app);
    await addMember(app, workspaceId, user.id, "viewer");
    const open: Opened[] = [];
    for (let i = 0; i < CAP; i++)
      open.push(await expectOpen(url("logs", "?tail=0"), headersOf({ cookie: user.cookie })));
    const r = await refused(url("metrics"), headersOf({ cookie: user.cookie }));
    expect([r.status, r.body.error]).toEqual([429, "too_many_streams"]);
    expect(Number(r.headers["retry-after"])).toBeGreaterThan(0);
    const first = open.shift() as Opened;
    first.ws.close();
    await first.closed;
    await until(async () => (await slots(user.id)) < CAP || undefined);
    open.push(await expectOpen(url("logs", "?tail=0"), headersOf({ cookie: user.cookie })));
    for (const o of open) o.ws.close();
    await Promise.all(open.map((o) => o.closed));
    await until(async () => (await slots(user.id)) === 0 || undefined);
  });

  it("sends metrics frames from the runtime's /metrics, without its probe URLs, and ends when the agent stops", async () => {
    const id = await agent("running", relay.url);
    const opened = await expectOpen(
      url("metrics", "?intervalMs=2000", id),
      headersOf({ cookie: owner.cookie }),
    );
    await until(() => opened.messages.length >= 2, 8_000);
    const [first, second] = opened.messages as unknown as Array<{
      at: string;
      cpu: { count: number; usagePercent: number | null };
      memory: { totalBytes: number };
      network: { rxBytes: number; rxBytesPerSecond: number | null; txBytesPerSecond: number | null };
    }>;
    expect(first).toMatchObject({ type: "metrics", processes: { agent: { state: expect.any(String) } } });
    expect(first?.cpu.count).toBeGreaterThan(0);
    expect(first?.cpu.usagePercent).toBeNull();
    expect(typeof second?.cpu.usagePercent).toBe("number");
    expect(first?.memory.totalBytes).toBeGreaterThan(0);
    // The runtime process shares this machine's namespace here; in a container it is the agent's.
    expect(first?.network.rxBytes).toEqual(expect.any(Number));
    expect(first?.network.rxBytesPerSecond).toBeNull();
    expect(second?.network.txBytesPerSecond).toEqual(expect.any(Number));
    expect(JSON.stringify(opened.messages)).not.toContain("http://");
    const gap = Date.parse(second?.at ?? "") - Date.parse(first?.at ?? "");
    expect(gap).toBeGreaterThanOrEqual(1_900);
    await app.db.pool.query("UPDATE agents SET status = 'stopped' WHERE id = $1", [id]);
    const closed = await opened.closed;
    expect([closed.code, closed.reason]).toEqual([4409, "agent_not_running"]);
  });

  it("200 open/close cycles of the logs stream leave no sockets, streams or slots behind", async () => {
    await writeFile(logFile, "a\nb\n");
    const sockets = () => process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap").length;
    const baseline = sockets();
    for (let i = 0; i < 200; i++) {
      const opened = await expectOpen(url("logs", "?tail=2"), headersOf({ cookie: owner.cookie }));
      await until(() => lines(opened).length >= 2);
      opened.ws.close();
      await opened.closed;
    }
    await until(() => door.door.openStreams() === 0);
    await until(() => relay.open() === 0);
    expect(await slots(owner.id)).toBe(0);
    await until(() => sockets() <= baseline || undefined);
  }, 120_000);

  it("closes every stream with 1001 at shutdown and refuses new upgrades", async () => {
    const own = await startDoor(app);
    const a = await expectOpen(
      `${own.url}/api/ws/agents/${agentId}/logs?tail=0`,
      headersOf({ cookie: owner.cookie }),
    );
    const b = await expectOpen(
      `${own.url}/api/ws/agents/${agentId}/metrics`,
      headersOf({ cookie: owner.cookie }),
    );
    const closing = own.door.close();
    expect((await a.closed).code).toBe(1001);
    expect((await b.closed).code).toBe(1001);
    await closing;
    const late = await openWs(
      `${own.url}/api/ws/agents/${agentId}/logs`,
      headersOf({ cookie: owner.cookie }),
    );
    expect(isRefusal(late) && late.status).toBe(503);
    expect(await slots(owner.id)).toBe(0);
    await until(() => relay.open() === 0);
    own.server.closeAllConnections();
    await new Promise<void>((resolve) => own.server.close(() => resolve()));
  });
});

import { randomBytes } from "node:crypto";
import { publishEvents } from "@nora/domain/events/channel";
import { recordEvent } from "@nora/domain/events/service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { call, createWorkspace, userWithSession } from "./identity.js";

interface SseMessage {
  id?: string;
  data?: string;
}

/** A real SSE client over fetch: collects messages as they arrive, until `close()`. */
async function openStream(url: string, headers: Record<string, string>) {
  const abort = new AbortController();
  const res = await fetch(url, { headers, signal: abort.signal });
  const messages: SseMessage[] = [];
  let comments = 0;
  let buffer = "";
  const reading = (async () => {
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const message: SseMessage = {};
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) comments++;
            else if (line.startsWith("id: ")) message.id = line.slice(4);
            else if (line.startsWith("data: ")) message.data = line.slice(6);
          }
          if (message.id) messages.push(message);
          end = buffer.indexOf("\n\n");
        }
      }
    } catch {
      // aborted
    }
  })();
  async function until(predicate: () => boolean, timeoutMs = 5_000) {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline)
        throw new Error(`stream: condition not met; got ${JSON.stringify(messages)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  return {
    res,
    messages,
    comments: () => comments,
    until,
    async close() {
      abort.abort();
      await reading;
    },
  };
}

describe("GET /api/agents/:agentId/events (server-sent events)", () => {
  let app: TestApp;
  let owner: { id: string; cookie: string };
  let workspaceId: string;
  let agentId: string;

  beforeAll(async () => {
    app = await startTestApp({ env: { ...NO_RATE_LIMITS, ENCRYPTION_KEY: randomBytes(32).toString("hex") } });
    owner = await userWithSession(app);
    workspaceId = await createWorkspace(app, owner.cookie);
    const res = await call(app, { cookie: owner.cookie }, "POST", `/api/workspaces/${workspaceId}/agents`, {
      name: "streamed",
    });
    agentId = (res.body.agent as { id: string }).id;
  });
  afterAll(() => app.close());

  const url = () => `${app.url}/api/agents/${agentId}/events`;
  const channel = () => `${app.config.redis.keyPrefix}:agent-events:${agentId}`;
  const subscribers = async () =>
    Number(((await app.redis.pubsub("NUMSUB", channel())) as [string, number])[1]);
  async function subscribersBecome(n: number) {
    const deadline = Date.now() + 3_000;
    while ((await subscribers()) !== n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return subscribers();
  }

  /** What the provisioner does: insert the row, then publish its notice once committed. */
  async function emit(message: string) {
    const event = await recordEvent(app.db.pool, {
      workspaceId,
      agentId,
      type: "agent.status_changed",
      severity: "info",
      message,
      metadata: { status: "provisioning" },
    });
    expect(await publishEvents(app.redis, app.config.redis.keyPrefix, [event])).toBe(true);
    return event;
  }

  it("replays the rows after Last-Event-ID from PostgreSQL, then delivers live ones; unsubscribes on leave", async () => {
    const first = await emit("one");
    const second = await emit("two");
    const third = await emit("three");
    const stream = await openStream(url(), { cookie: owner.cookie, "last-event-id": first.id });
    expect(stream.res.status).toBe(200);
    expect(stream.res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(stream.res.headers.get("x-accel-buffering")).toBe("no");
    expect(stream.res.headers.get("cache-control")).toMatch(/no-store/);
    await stream.until(() => stream.messages.length === 2);
    expect(stream.messages.map((m) => m.id)).toEqual([second.id, third.id]);
    expect(JSON.parse(stream.messages[0]?.data as string)).toMatchObject({
      id: second.id,
      agentId,
      type: "agent.status_changed",
      message: "two",
      metadata: { status: "provisioning" },
    });

    expect(await subscribersBecome(1)).toBe(1);
    const live = await emit("live");
    await stream.until(() => stream.messages.length === 3);
    expect(stream.messages[2]?.id).toBe(live.id);

    await stream.close();
    expect(await subscribersBecome(0)).toBe(0);
  });

  it("without Last-Event-ID starts live: earlier rows are not replayed; two streams share one subscriber", async () => {
    await emit("old");
    const a = await openStream(url(), { cookie: owner.cookie });
    const b = await openStream(url(), { cookie: owner.cookie });
    await a.until(() => a.comments() > 0);
    await b.until(() => b.comments() > 0);
    expect(await subscribersBecome(1)).toBe(1);
    const fresh = await emit("fresh");
    await a.until(() => a.messages.length === 1);
    await b.until(() => b.messages.length === 1);
    expect(a.messages.map((m) => m.id)).toEqual([fresh.id]);
    expect(b.messages.map((m) => m.id)).toEqual([fresh.id]);
    await a.close();
    await b.close();
  });

  it("a row written without a notice still arrives (the next read finds it)", async () => {
    const stream = await openStream(url(), { cookie: owner.cookie });
    await stream.until(() => stream.comments() > 0);
    const quiet = await recordEvent(app.db.pool, {
      workspaceId,
      agentId,
      type: "agent.status_changed",
      severity: "info",
      message: "no notice",
    });
    const loud = await emit("with notice");
    await stream.until(() => stream.messages.length === 2);
    expect(stream.messages.map((m) => m.id)).toEqual([quiet.id, loud.id]);
    await stream.close();
  });

  it("refuses a malformed Last-Event-ID with 400 and another workspace's member with 404", async () => {
    const bad = await fetch(url(), { headers: { cookie: owner.cookie, "last-event-id": "1; DROP" } });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: string; requestId: string };
    expect(body.error).toBe("invalid_last_event_id");
    expect(body.requestId).toBe(bad.headers.get("x-request-id"));
    const stranger = await userWithSession(app);
    expect((await fetch(url(), { headers: { cookie: stranger.cookie } })).status).toBe(404);
  });

  it("the JSON GET stays for polling", async () => {
    const res = await call(app, { cookie: owner.cookie }, "GET", `/api/agents/${agentId}`);
    expect(res.status).toBe(200);
    expect(res.body.agent).toMatchObject({ id: agentId, status: "queued" });
  });
});

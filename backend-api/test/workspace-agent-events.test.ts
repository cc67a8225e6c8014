import { randomBytes } from "node:crypto";
import { publishEvents } from "@nora/domain/events/channel";
import { recordEvent } from "@nora/domain/events/service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { call, createWorkspace, userWithSession } from "./identity.js";

/** A real SSE client over fetch: the `id:`s of the messages as they arrive, until `close()`. */
async function openStream(url: string, headers: Record<string, string>) {
  const abort = new AbortController();
  const res = await fetch(url, { headers, signal: abort.signal });
  const messages: { id: string; agentId: string; message: string }[] = [];
  let comments = 0;
  const reading = (async () => {
    if (res.status !== 200 || !res.body) return;
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) comments++;
            else if (line.startsWith("data: ")) messages.push(JSON.parse(line.slice(6)));
          }
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

describe("GET /api/workspaces/:id/agents/events (one stream for the agents list)", () => {
  let app: TestApp;
  let owner: { id: string; cookie: string };
  let workspaceId: string;
  let otherWorkspaceId: string;
  let agentA: string;
  let agentB: string;
  let otherAgent: string;

  const deploy = async (ws: string, name: string) => {
    const res = await call(app, { cookie: owner.cookie }, "POST", `/api/workspaces/${ws}/agents`, { name });
    expect(res.status).toBe(202);
    return (res.body.agent as { id: string }).id;
  };

  beforeAll(async () => {
    app = await startTestApp({
      env: { ...NO_RATE_LIMITS, ENCRYPTION_KEY: randomBytes(32).toString("hex"), STREAMS_PER_USER_MAX: "2" },
    });
    owner = await userWithSession(app);
    workspaceId = await createWorkspace(app, owner.cookie);
    otherWorkspaceId = await createWorkspace(app, owner.cookie);
    agentA = await deploy(workspaceId, "alpha");
    agentB = await deploy(workspaceId, "beta");
    otherAgent = await deploy(otherWorkspaceId, "elsewhere");
  });
  afterAll(() => app.close());

  const url = (ws = workspaceId) => `${app.url}/api/workspaces/${ws}/agents/events`;

  /** What the provisioner does: insert the row, then publish its notice once committed. */
  async function emit(ws: string, agentId: string | null, message: string) {
    const event = await recordEvent(app.db.pool, {
      workspaceId: ws,
      agentId,
      type: "agent.status_changed",
      severity: "info",
      message,
      metadata: { to: "provisioning" },
    });
    expect(await publishEvents(app.redis, app.config.redis.keyPrefix, [event])).toBe(true);
    return event;
  }

  it("delivers every agent's rows of this workspace live, none of another workspace's or agentless ones", async () => {
    const stream = await openStream(url(), { cookie: owner.cookie });
    expect(stream.res.status).toBe(200);
    expect(stream.res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(stream.res.headers.get("x-accel-buffering")).toBe("no");
    await stream.until(() => stream.comments() > 0);
    await emit(otherWorkspaceId, otherAgent, "not mine");
    await emit(workspaceId, null, "workspace-level");
    const a = await emit(workspaceId, agentA, "a moves");
    const b = await emit(workspaceId, agentB, "b moves");
    await stream.until(() => stream.messages.length >= 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(stream.messages.map((m) => [m.id, m.agentId])).toEqual([
      [a.id, agentA],
      [b.id, agentB],
    ]);
    await stream.close();
  });

  it("replays the rows after Last-Event-ID, then follows live", async () => {
    const first = await emit(workspaceId, agentA, "one");
    const second = await emit(workspaceId, agentB, "two");
    const stream = await openStream(url(), { cookie: owner.cookie, "last-event-id": first.id });
    await stream.until(() => stream.messages.length === 1);
    expect(stream.messages[0]?.id).toBe(second.id);
    const live = await emit(workspaceId, agentA, "three");
    await stream.until(() => stream.messages.length === 2);
    expect(stream.messages[1]?.id).toBe(live.id);
    await stream.close();
  });

  it("holds a stream slot while open: one over STREAMS_PER_USER_MAX is 429, a closed one frees it", async () => {
    const one = await openStream(url(), { cookie: owner.cookie });
    const two = await openStream(url(), { cookie: owner.cookie });
    await one.until(() => one.comments() > 0);
    await two.until(() => two.comments() > 0);
    const refused = await fetch(url(), { headers: { cookie: owner.cookie } });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("5");
    const body = (await refused.json()) as { error: string; requestId: string };
    expect(body.error).toBe("too_many_streams");
    expect(body.requestId).toBe(refused.headers.get("x-request-id"));
    await one.close();
    const deadline = Date.now() + 3_000;
    let status = 429;
    while (status === 429 && Date.now() < deadline) {
      const again = await openStream(url(), { cookie: owner.cookie });
      status = again.res.status;
      await again.close();
      if (status === 429) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(200);
    await two.close();
  });

  it("refuses a malformed Last-Event-ID with 400 (and frees the slot) and a stranger with 404", async () => {
    for (let i = 0; i < 3; i++) {
      const bad = await fetch(url(), { headers: { cookie: owner.cookie, "last-event-id": "x" } });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toBe("invalid_last_event_id");
    }
    const stranger = await userWithSession(app);
    expect((await fetch(url(), { headers: { cookie: stranger.cookie } })).status).toBe(404);
  });
});

import { startTestLlm, TEST_LLM_MARKER, type TestLlm } from "@nora/agent-runtime/testing";
import { Keyring, openSealed } from "@nora/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAgentStream, statusIs } from "./agent-stream.js";
import { call } from "./identity.js";
import {
  buildImage,
  deployingOwner,
  dockerBridgeAddress,
  type ProvisioningStack,
  startProvisioningStack,
} from "./provisioning-harness.js";

/**
 * Chat end to end: the real API streams a turn as server-sent events from the real OpenClaw gateway
 * and the real Hermes API server (the offline runtime images, deployed by the real provisioner on the
 * real engine) to the test LLM, an OpenAI-compatible fake (no real model is reachable here) that records
 * what each agent sent it. One agent per family serves the whole file.
 */

interface ChatEventRecord {
  event: string;
  data: Record<string, unknown>;
}

interface ChatResult {
  status: number;
  events: ChatEventRecord[];
  comments: string[];
  text: string;
  firstByteMs: number;
  firstDeltaMs: number;
  body?: Record<string, unknown>;
  retryAfter?: string | null;
}

let stack: ProvisioningStack;
let llm: TestLlm;
let apiKey: string;
let workspaceId: string;
const agents: Record<"openclaw" | "hermes", string> = { openclaw: "", hermes: "" };
const LLM_KEY = `sk-test-${Date.now().toString(36)}-chat`;

/**
 * One chat turn as a client reads it, event by event. `leaveAfterDeltas` closes the connection once
 * that many deltas have arrived (a client going away mid-reply).
 */
async function chat(
  agentId: string,
  body: unknown,
  options: { leaveAfterDeltas?: number; key?: string } = {},
): Promise<ChatResult> {
  const abort = new AbortController();
  const started = performance.now();
  const res = await fetch(`${stack.app.url}/api/agents/${agentId}/chat`, {
    method: "POST",
    headers: { authorization: `Bearer ${options.key ?? apiKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: abort.signal,
  });
  const result: ChatResult = {
    status: res.status,
    events: [],
    comments: [],
    text: "",
    firstByteMs: -1,
    firstDeltaMs: -1,
  };
  if (res.status !== 200) {
    result.retryAfter = res.headers.get("retry-after");
    result.body = (await res.json()) as Record<string, unknown>;
    return result;
  }
  expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
  expect(res.headers.get("x-accel-buffering")).toBe("no");
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (result.firstByteMs < 0) result.firstByteMs = performance.now() - started;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
        if (block.startsWith(":")) {
          result.comments.push(block);
          continue;
        }
        const event = /^event: (.+)$/m.exec(block)?.[1] ?? "message";
        const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? "{}") as Record<string, unknown>;
        result.events.push({ event, data });
        if (event === "delta") {
          if (result.firstDeltaMs < 0) result.firstDeltaMs = performance.now() - started;
          result.text += data.text as string;
          const deltas = result.events.filter((e) => e.event === "delta").length;
          if (options.leaveAfterDeltas !== undefined && deltas >= options.leaveAfterDeltas) {
            abort.abort();
            return result;
          }
        }
      }
    }
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  }
  return result;
}

const requestsWith = (text: string) =>
  llm.requests.filter((r) => r.userMessages.some((m) => m.includes(text)));

async function gatewayOf(agentId: string) {
  const { rows } = await stack.db.pool.query<{ gatewayUrl: string; sealed: string }>(
    `SELECT gateway_url AS "gatewayUrl", gateway_token_sealed AS sealed FROM agents WHERE id = $1`,
    [agentId],
  );
  const row = rows[0];
  if (!row) throw new Error("agent row missing");
  const token = openSealed(Keyring.fromConfig(stack.app.config), row.sealed, {
    table: "agents",
    column: "gateway_token_sealed",
    rowId: agentId,
  }).value;
  return { url: row.gatewayUrl, token };
}

beforeAll(async () => {
  const [openclawImage, hermesImage] = [
    await buildImage("infra/images/build-openclaw-offline.sh"),
    await buildImage("infra/images/build-hermes-offline.sh", 45 * 60_000),
  ];
  // The test LLM listens on the host's docker0 address, so the agents' own networks reach it.
  const bridge = await dockerBridgeAddress();
  llm = await startTestLlm({ host: bridge, apiKey: LLM_KEY });
  stack = await startProvisioningStack({
    image: openclawImage,
    env: {
      AGENT_IMAGE_HERMES: hermesImage,
      DEPLOYMENT_READY_ATTEMPTS: "240",
      NORA_OUTBOUND_ALLOWED_CIDRS: `${bridge}/32`,
      // One stream per user: a second turn at once is refused, and a finished one gives its slot back.
      STREAMS_PER_USER_MAX: "1",
    },
  });
  let cookie: string;
  ({ cookie, workspaceId, apiKey } = await deployingOwner(stack.app));
  const provider = await call(stack.app, { cookie }, "POST", `/api/workspaces/${workspaceId}/llm-providers`, {
    kind: "openai_compatible",
    name: "Test LLM",
    baseUrl: `${llm.url}/v1`,
    apiKey: LLM_KEY,
    defaultModel: "nora-test-model",
    isDefault: true,
  });
  expect(provider.status, JSON.stringify(provider.body)).toBe(201);
  await Promise.all(
    (["openclaw", "hermes"] as const).map(async (family) => {
      const deploy = await call(stack.app, { apiKey }, "POST", `/api/workspaces/${workspaceId}/agents`, {
        name: `chat-${family}`,
        family,
        memoryMb: 2048,
        template: { "AGENTS.md": `# chat ${family}\n` },
      });
      expect(deploy.status, JSON.stringify(deploy.body)).toBe(202);
      const agentId = (deploy.body.agent as { id: string }).id;
      const stream = await openAgentStream(`${stack.app.url}/api/agents/${agentId}/events`, apiKey);
      const ready = await stream.until(statusIs("running", "warning", "failed", "error"), 300_000);
      stream.close();
      expect(ready.metadata.to, ready.message).toBe("running");
      agents[family] = agentId;
    }),
  );
}, 50 * 60_000);

afterAll(async () => {
  await stack?.close();
  await llm?.close();
});

describe.each(["openclaw", "hermes"] as const)("chat with a %s agent through Nora", (family) => {
  let sessionId = "";
  const first = `first turn ${family} ${Date.now()}`;
  const second = `second turn ${family} ${Date.now()}`;

  it("streams a first turn: the session, the reply as deltas, done with usage", {
    timeout: 180_000,
  }, async () => {
    const turn = await chat(agents[family], { message: first });
    expect(turn.status, JSON.stringify(turn.body)).toBe(200);
    expect(turn.events[0]?.event).toBe("session");
    expect(turn.events[0]?.data.created).toBe(true);
    sessionId = turn.events[0]?.data.sessionId as string;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(turn.events.filter((e) => e.event === "delta").length).toBeGreaterThan(1);
    // The test LLM echoes what the agent sent; OpenClaw prefixes a timestamp and appends its runtime line.
    expect(turn.text.startsWith(`${TEST_LLM_MARKER}: `)).toBe(true);
    expect(turn.text).toContain(first);
    const last = turn.events.at(-1);
    expect(last?.event, JSON.stringify(last)).toBe("done");
    expect(last?.data.usage).toMatchObject({ totalTokens: expect.any(Number) });
    expect(requestsWith(first)).toHaveLength(1);
  });

  it("continues the session: the second turn reaches the model with the first exchange", {
    timeout: 180_000,
  }, async () => {
    const turn = await chat(agents[family], { message: second, sessionId });
    expect(turn.status, JSON.stringify(turn.body)).toBe(200);
    expect(turn.events[0]?.data).toEqual({ sessionId, created: false });
    expect(turn.text.startsWith(`${TEST_LLM_MARKER}: `)).toBe(true);
    expect(turn.text).toContain(second);
    expect(turn.events.at(-1)?.event).toBe("done");
    const upstream = requestsWith(second);
    expect(upstream).toHaveLength(1);
    expect(upstream[0]?.userMessages.some((m) => m.includes(first))).toBe(true);
    expect(
      upstream[0]?.assistantMessages.some((m) => m.startsWith(TEST_LLM_MARKER) && m.includes(first)),
    ).toBe(true);
  });

  it("lists the session and both exchanges from the agent's own history", { timeout: 60_000 }, async () => {
    const sessions = await call(stack.app, { apiKey }, "GET", `/api/agents/${agents[family]}/chat/sessions`);
    expect(sessions.status, JSON.stringify(sessions.body)).toBe(200);
    const listed = (sessions.body.sessions as Array<{ id: string; updatedAt: string | null }>).find(
      (s) => s.id === sessionId,
    );
    expect(listed?.updatedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const history = await call(
      stack.app,
      { apiKey },
      "GET",
      `/api/agents/${agents[family]}/chat/sessions/${sessionId}/messages`,
    );
    expect(history.status, JSON.stringify(history.body)).toBe(200);
    const messages = history.body.messages as Array<{ role: string; text: string; createdAt: string | null }>;
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
    expect(messages.map((m) => m.text.includes(first))).toEqual([true, true, false, false]);
    expect(messages.map((m) => m.text.includes(second))).toEqual([false, false, true, true]);
    expect([messages[0]?.text, messages[2]?.text]).toEqual([first, second]);
    for (const m of messages) expect(m.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    const unknown = await call(
      stack.app,
      { apiKey },
      "GET",
      `/api/agents/${agents[family]}/chat/sessions/00000000-0000-4000-8000-000000000000/messages`,
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe("chat_session_not_found");
  });

  it("audits each turn with who, agent and session, never the text", async () => {
    const { rows } = await stack.db.pool.query<{ metadata: Record<string, unknown>; request_id: string }>(
      `SELECT metadata, request_id FROM audit_log WHERE action = 'agent.chat_started' AND target_id = $1`,
      [agents[family]],
    );
    expect(rows.filter((r) => r.metadata.sessionId === sessionId).map((r) => r.metadata.newSession)).toEqual([
      true,
      false,
    ]);
    expect(JSON.stringify(rows)).not.toContain(first);
    expect(stack.app.logs.text).not.toContain(first);
  });
});

describe("chat streams and their limits", () => {
  it.each(["openclaw", "hermes"] as const)(
    "a client that leaves a %s reply midway ends the upstream request; its stream slot comes back",
    {
      timeout: 180_000,
    },
    async (family) => {
      const words = Array.from({ length: 40 }, (_, i) => `w${i}`).join(" ");
      const message = `NORA_TEST_SLOW: 400 leaving early ${Date.now()} ${words}`;
      const turn = await chat(agents[family], { message }, { leaveAfterDeltas: 2 });
      expect(turn.status).toBe(200);
      expect(turn.events.at(-1)?.event).toBe("delta");
      if (family === "openclaw") {
        // The gateway sees its client go and cancels the run: the model's request is cut off.
        await expect
          .poll(() => requestsWith(message)[0]?.aborted, { timeout: 15_000, interval: 100 })
          .toBe(true);
      }
      // Hermes interrupts its agent once a write to the closed stream fails, but lets the model call
      // in flight run to its end (measured: the 16 s reply was not cut off); see docs/runtime-access.md.
      // The slot (STREAMS_PER_USER_MAX=1) was given back: the next turn is accepted.
      await expect
        .poll(async () => (await chat(agents[family], { message: `after leaving ${Date.now()}` })).status, {
          timeout: 10_000,
          interval: 250,
        })
        .toBe(200);
    },
  );

  it("counts a turn as one of the user's streams: a second at once is 429", {
    timeout: 180_000,
  }, async () => {
    const message = `NORA_TEST_SLOW: 300 holding the slot ${Date.now()} a b c d e f g h i j`;
    const holding = chat(agents.hermes, { message });
    await expect.poll(() => requestsWith(message).length, { timeout: 30_000, interval: 100 }).toBe(1);
    const refused = await chat(agents.openclaw, { message: "a second stream" });
    expect(refused.status).toBe(429);
    expect(refused.body?.error).toBe("too_many_streams");
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect((await holding).events.at(-1)?.event).toBe("done");
  });

  it("refuses bad input with 400 before anything reaches the agent", { timeout: 60_000 }, async () => {
    const before = llm.requests.length;
    const audits = await stack.db.pool.query("SELECT count(*)::int AS n FROM audit_log");
    for (const body of [
      {},
      { message: "" },
      { message: "   " },
      { message: "x".repeat(32_001) },
      { message: "nul \u0000 inside" },
      { message: "hi", sessionId: "not-a-uuid" },
      { message: "hi", sessionId: "../../etc/passwd" },
      { message: "hi", extra: true },
    ]) {
      const turn = await chat(agents.openclaw, body);
      expect(turn.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(turn.body?.error).toBe("validation_failed");
      expect(turn.body?.requestId).toEqual(expect.any(String));
    }
    expect(
      (await call(stack.app, { apiKey }, "GET", `/api/agents/${agents.hermes}/chat/sessions/x/messages`))
        .status,
    ).toBe(400);
    expect(llm.requests.length).toBe(before);
    const after = await stack.db.pool.query("SELECT count(*)::int AS n FROM audit_log");
    expect(after.rows[0]).toEqual(audits.rows[0]);
  });

  it("measures the first byte and first delta through Nora against the gateway directly", {
    timeout: 180_000,
  }, async () => {
    const nora = await chat(agents.openclaw, { message: `timing through nora ${Date.now()}` });
    const { url, token } = await gatewayOf(agents.openclaw);
    const started = performance.now();
    const direct = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "openclaw/default",
        stream: true,
        messages: [{ role: "user", content: `timing direct ${Date.now()}` }],
      }),
    });
    const reader = (direct.body as ReadableStream<Uint8Array>).getReader();
    let firstByte = -1;
    let firstDelta = -1;
    let seen = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (firstByte < 0) firstByte = performance.now() - started;
      seen += new TextDecoder().decode(value);
      if (firstDelta < 0 && seen.includes(TEST_LLM_MARKER)) firstDelta = performance.now() - started;
    }
    console.log(
      `chat timing (OpenClaw, later turn): Nora first byte ${nora.firstByteMs.toFixed(1)} ms, first delta ${nora.firstDeltaMs.toFixed(1)} ms; gateway directly first byte ${firstByte.toFixed(1)} ms, first delta ${firstDelta.toFixed(1)} ms`,
    );
    expect(nora.events.at(-1)?.event).toBe("done");
    expect(firstDelta).toBeGreaterThan(0);
  });

  it("answers 409 for an agent that is not running, with nothing sent upstream", {
    timeout: 300_000,
  }, async () => {
    expect((await call(stack.app, { apiKey }, "POST", `/api/agents/${agents.hermes}/stop`)).status).toBe(202);
    await expect
      .poll(
        async () =>
          (
            (await call(stack.app, { apiKey }, "GET", `/api/agents/${agents.hermes}`)).body.agent as {
              status: string;
            }
          ).status,
        {
          timeout: 120_000,
          interval: 500,
        },
      )
      .toBe("stopped");
    const before = llm.requests.length;
    const turn = await chat(agents.hermes, { message: "are you there?" });
    expect(turn.status).toBe(409);
    expect(turn.body).toMatchObject({ error: "agent_not_running", requestId: expect.any(String) });
    const sessions = await call(stack.app, { apiKey }, "GET", `/api/agents/${agents.hermes}/chat/sessions`);
    expect(sessions.status).toBe(409);
    expect(llm.requests.length).toBe(before);
  });
});

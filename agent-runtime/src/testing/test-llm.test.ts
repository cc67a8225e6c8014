import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestLlm, TEST_LLM_MARKER, type TestLlm } from "./test-llm.js";

describe("test LLM (test tooling)", () => {
  let llm: TestLlm;
  beforeAll(async () => {
    llm = await startTestLlm({ apiKey: "sk-test", models: ["m1", "m2"] });
  });
  afterAll(async () => {
    await llm.close();
  });

  const post = (body: unknown, key = "sk-test") =>
    fetch(`${llm.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    });

  it("lists its models with their context window", async () => {
    const response = await fetch(`${llm.url}/v1/models`, { headers: { authorization: "Bearer sk-test" } });
    const body = (await response.json()) as { data: { id: string; context_length: number }[] };
    expect(body.data.map((m) => m.id)).toEqual(["m1", "m2"]);
    expect(body.data.every((m) => m.context_length === 128_000)).toBe(true);
  });

  it("calls the shell tool the caller offers: exec (OpenClaw), else terminal (Hermes)", async () => {
    const ask = async (tools: string[]) => {
      const body = (await (
        await post({
          model: "m1",
          messages: [{ role: "user", content: "NORA_TEST_EXEC: echo hi" }],
          tools: tools.map((name) => ({ type: "function", function: { name, parameters: {} } })),
        })
      ).json()) as {
        choices: { message: { tool_calls: { function: { name: string; arguments: string } }[] } }[];
      };
      return body.choices[0]?.message.tool_calls[0]?.function;
    };
    expect(await ask(["read_file", "exec"])).toEqual({ name: "exec", arguments: '{"command":"echo hi"}' });
    expect(await ask(["read_file", "terminal"])).toEqual({
      name: "terminal",
      arguments: '{"command":"echo hi"}',
    });
  });

  it("answers deterministically without streaming", async () => {
    const request = {
      model: "m1",
      messages: [
        { role: "system", content: "s" },
        { role: "user", content: "ping 42" },
      ],
    };
    const first = (await (await post(request)).json()) as { choices: { message: { content: string } }[] };
    const second = (await (await post(request)).json()) as { choices: { message: { content: string } }[] };
    expect(first.choices[0]?.message.content).toBe(`${TEST_LLM_MARKER}: ping 42`);
    expect(second.choices[0]?.message.content).toBe(first.choices[0]?.message.content);
  });

  it("streams the same answer as server-sent events ending in [DONE]", async () => {
    const response = await post({
      model: "m2",
      stream: true,
      messages: [{ role: "user", content: [{ type: "text", text: "stream me please" }] }],
    });
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const events = (await response.text())
      .split("\n\n")
      .filter((e) => e.startsWith("data: "))
      .map((e) => e.slice(6));
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events
      .slice(0, -1)
      .map((e) => JSON.parse(e) as { choices: { delta: { content?: string } }[] });
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe(`${TEST_LLM_MARKER}: stream me please`);
  });

  it("calls the exec tool once for NORA_TEST_EXEC, then answers from the tool result", async () => {
    const user = { role: "user", content: "please NORA_TEST_EXEC: echo hi > out.txt\nthanks" };
    const first = (await (await post({ messages: [user, { role: "user", content: "ctx" }] })).json()) as {
      choices: {
        message: { tool_calls: { id: string; function: { name: string; arguments: string } }[] };
        finish_reason: string;
      }[];
    };
    const call = first.choices[0]?.message.tool_calls[0];
    expect(first.choices[0]?.finish_reason).toBe("tool_calls");
    expect(call?.function.name).toBe("exec");
    expect(JSON.parse(call?.function.arguments ?? "{}")).toEqual({ command: "echo hi > out.txt" });

    const streamed = await (await post({ stream: true, messages: [user] })).text();
    expect(streamed).toContain('"tool_calls":[{"index":0,"id":"call_nora_test_exec"');
    expect(streamed).toContain('"finish_reason":"tool_calls"');

    const answered = (await (
      await post({
        messages: [
          user,
          { role: "assistant", content: null, tool_calls: [call] },
          { role: "tool", tool_call_id: call?.id, content: "exit 0" },
        ],
      })
    ).json()) as { choices: { message: { content: string } }[] };
    expect(answered.choices[0]?.message.content).toBe(`${TEST_LLM_MARKER}: tool result: exit 0`);
  });

  it("streams slowly for NORA_TEST_SLOW and marks a request whose client leaves as aborted", async () => {
    const abort = new AbortController();
    const response = await fetch(`${llm.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer sk-test" },
      body: JSON.stringify({
        stream: true,
        messages: [{ role: "user", content: "NORA_TEST_SLOW: 200 one two three four five six" }],
      }),
      signal: abort.signal,
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const started = Date.now();
    await reader.read();
    await reader.read();
    const recorded = llm.requests.at(-1);
    expect(recorded).toMatchObject({ stream: true, aborted: false });
    abort.abort();
    await expect.poll(() => recorded?.aborted, { timeout: 5_000 }).toBe(true);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("answers the last message a person wrote, not an agent's appended context block", async () => {
    const body = (await (
      await post({
        messages: [
          { role: "user", content: "earlier" },
          { role: "assistant", content: "an earlier answer" },
          { role: "user", content: "the question" },
          {
            role: "user",
            content:
              "<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>\nActive exec sessions: none\n<<<END_OPENCLAW_INTERNAL_CONTEXT>>>",
          },
        ],
      })
    ).json()) as { choices: { message: { content: string } }[] };
    expect(body.choices[0]?.message.content).toBe(`${TEST_LLM_MARKER}: the question`);
    expect(llm.requests.at(-1)?.assistantMessages).toEqual(["an earlier answer"]);
  });

  it("refuses a wrong key and records every request", async () => {
    expect((await post({ messages: [] }, "wrong")).status).toBe(401);
    const recorded = (await (await fetch(`${llm.url}/_test/requests`)).json()) as { requests: unknown[] };
    expect(recorded.requests).toEqual(llm.requests);
    expect(llm.requests.at(-1)).toMatchObject({ authorized: false });
    expect(llm.requests.filter((r) => r.stream)).toHaveLength(3);
  });
});

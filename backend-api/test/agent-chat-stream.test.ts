import type { AddressInfo } from "node:net";
import type { ChatEvent, ChatTurn } from "@nora/domain/runtime-access/chat";
import express from "express";
import { describe, expect, it } from "vitest";
import { streamChatTurn } from "../src/routes/agent-chat.js";

/**
 * The SSE writer of a chat turn on its own (the end-to-end file drives it through real agents): what it
 * writes while the agent thinks, and that the turn's slot comes back however the stream ends. The turn
 * here is a scripted sequence of the service's events, not a stand-in for a gateway.
 */
function scriptedTurn(script: Array<ChatEvent | number>) {
  const state = { released: false };
  const turn: ChatTurn = {
    sessionId: "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b",
    created: true,
    async *events() {
      for (const step of script) {
        if (typeof step === "number") await new Promise((r) => setTimeout(r, step));
        else yield step;
      }
    },
    release: () => {
      state.released = true;
    },
  };
  return { turn, state };
}

async function serve(turn: ChatTurn) {
  const app = express();
  app.post("/chat", async (req, res) => {
    const abort = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) abort.abort();
    });
    (req as unknown as { id: string }).id = "req-test-1";
    await streamChatTurn(req, res, turn, abort.signal, 50);
  });
  const server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/chat`, close: () => new Promise((r) => server.close(r)) };
}

describe("chat turn as server-sent events", () => {
  it("names the session first, sends heartbeats while the agent thinks, then deltas and done", async () => {
    const { turn, state } = scriptedTurn([
      300,
      { type: "delta", text: "Hel" },
      { type: "delta", text: "lo" },
      { type: "done", usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 } },
    ]);
    const server = await serve(turn);
    try {
      const res = await fetch(server.url, { method: "POST" });
      expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
      expect(res.headers.get("x-accel-buffering")).toBe("no");
      const text = await res.text();
      const blocks = text.split("\n\n").filter(Boolean);
      expect(blocks[0]).toBe(
        'event: session\ndata: {"sessionId":"6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b","created":true}',
      );
      const beforeDelta = blocks.slice(
        1,
        blocks.findIndex((b) => b.startsWith("event: delta")),
      );
      expect(beforeDelta.length).toBeGreaterThanOrEqual(2);
      expect(beforeDelta.every((b) => b === ": heartbeat")).toBe(true);
      expect(blocks.filter((b) => !b.startsWith(":")).slice(1)).toEqual([
        'event: delta\ndata: {"text":"Hel"}',
        'event: delta\ndata: {"text":"lo"}',
        'event: done\ndata: {"usage":{"promptTokens":1,"completionTokens":2,"totalTokens":3}}',
      ]);
      expect(state.released).toBe(true);
    } finally {
      await server.close();
    }
  });

  it("ends with an error event carrying the request id, and releases the slot when the client leaves", async () => {
    const failing = scriptedTurn([
      { type: "error", error: "agent_chat_failed", message: "The agent reported an error" },
    ]);
    let server = await serve(failing.turn);
    try {
      const text = await (await fetch(server.url, { method: "POST" })).text();
      expect(text).toContain(
        'event: error\ndata: {"error":"agent_chat_failed","message":"The agent reported an error","requestId":"req-test-1"}',
      );
    } finally {
      await server.close();
    }

    const slow = scriptedTurn([{ type: "delta", text: "a" }, 5_000, { type: "delta", text: "b" }]);
    server = await serve(slow.turn);
    try {
      const abort = new AbortController();
      const res = await fetch(server.url, { method: "POST", signal: abort.signal });
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      await reader.read();
      abort.abort();
      await expect.poll(() => slow.state.released, { timeout: 1_000 }).toBe(true);
    } finally {
      await server.close();
    }
  });
});

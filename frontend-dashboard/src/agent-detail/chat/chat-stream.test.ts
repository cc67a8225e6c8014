import { describe, expect, it } from "vitest";
import { toChatEvent } from "./chat-stream";

describe("chat stream events", () => {
  it("reads each event of the contract", () => {
    expect(toChatEvent("session", '{"sessionId":"s1","created":true}')).toEqual({
      type: "session",
      sessionId: "s1",
      created: true,
    });
    expect(toChatEvent("delta", '{"text":"hi"}')).toEqual({ type: "delta", text: "hi" });
    expect(toChatEvent("done", '{"usage":{"promptTokens":1,"completionTokens":2,"totalTokens":3}}')).toEqual({
      type: "done",
      totalTokens: 3,
    });
    expect(toChatEvent("done", '{"usage":null}')).toEqual({ type: "done", totalTokens: null });
    expect(
      toChatEvent("error", '{"error":"agent_chat_failed","message":"The agent refused","requestId":"r1"}'),
    ).toEqual({
      type: "error",
      error: "agent_chat_failed",
      message: "The agent refused",
      requestId: "r1",
    });
  });

  it("skips unknown events and malformed data", () => {
    expect(toChatEvent("message", '{"text":"x"}')).toBeNull();
    expect(toChatEvent("delta", "not json")).toBeNull();
    expect(toChatEvent("delta", '{"text":5}')).toBeNull();
  });
});

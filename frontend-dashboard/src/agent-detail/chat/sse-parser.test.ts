import { describe, expect, it } from "vitest";
import { createSseParser } from "./sse-parser";

describe("SSE parser", () => {
  it("yields events split across chunks at any point, skipping comments", () => {
    const parser = createSseParser();
    const text =
      'event: session\ndata: {"sessionId":"s","created":true}\n\n: heartbeat\n\nevent: delta\ndata: {"text":"Hel"}\n\nevent: delta\r\ndata: {"text":"lo"}\r\n\r\nevent: done\ndata: {"usage":null}\n\n';
    const events = [];
    for (let i = 0; i < text.length; i += 3) events.push(...parser.push(text.slice(i, i + 3)));
    expect(events).toEqual([
      { event: "session", data: '{"sessionId":"s","created":true}' },
      { event: "delta", data: '{"text":"Hel"}' },
      { event: "delta", data: '{"text":"lo"}' },
      { event: "done", data: '{"usage":null}' },
    ]);
  });

  it("joins multi-line data, defaults the event name, and drops an unterminated event", () => {
    const parser = createSseParser();
    expect(parser.push("data: a\ndata:b\n\n")).toEqual([{ event: "message", data: "a\nb" }]);
    expect(parser.push("event: delta\ndata: cut")).toEqual([]);
    expect(parser.end()).toEqual([]);
  });

  it("keeps a trailing CR until it knows whether LF follows", () => {
    const parser = createSseParser();
    expect(parser.push("data: x\r")).toEqual([]);
    expect(parser.push("\n\r\n")).toEqual([{ event: "message", data: "x" }]);
  });

  it("refuses a line longer than its bound", () => {
    const parser = createSseParser(10);
    expect(() => parser.push("data: 0123456789abc")).toThrow(/longer/);
  });
});

import { describe, expect, it } from "vitest";
import { GatewayCallError } from "./chat-gateway-http.js";
import { type UpstreamEvent, upstreamChatEvents } from "./chat-sse.js";

async function* chunks(...parts: (string | Buffer)[]): AsyncGenerator<Buffer> {
  for (const part of parts) yield typeof part === "string" ? Buffer.from(part) : part;
}

async function collect(source: AsyncIterable<Buffer>, limits?: Parameters<typeof upstreamChatEvents>[1]) {
  const out: UpstreamEvent[] = [];
  for await (const event of upstreamChatEvents(source, limits)) out.push(event);
  return out;
}

const chunk = (content: string) =>
  `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }] })}\n\n`;

describe("upstream chat SSE parser", () => {
  it("yields deltas as they arrive, the usage, and done; lines split anywhere, CRLF, comments", async () => {
    const usage = `data: {"choices":[{"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5},"unknown":1}\r\n\r\n`;
    const whole = `: keepalive\n\n${chunk("hé")}${chunk("llo")}${usage}data: [DONE]\n\n`;
    const bytes = Buffer.from(whole);
    // Split inside the two-byte "é" and inside every line.
    const split = [bytes.subarray(0, 25), bytes.subarray(25, 43), bytes.subarray(43, 44), bytes.subarray(44)];
    expect(await collect(chunks(...split))).toEqual([
      { type: "delta", text: "hé" },
      { type: "delta", text: "llo" },
      { type: "usage", usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5 } },
      { type: "done" },
    ]);
  });

  it("reports an error frame as an error, without its content", async () => {
    const events = await collect(
      chunks(
        chunk("partial"),
        `data: {"error":{"message":"internal http://10.0.0.5 secret","type":"api_error"}}\n\n`,
      ),
    );
    expect(events).toEqual([{ type: "delta", text: "partial" }, { type: "error" }]);
  });

  it("refuses a line longer than the bound, and a stream larger than the total", async () => {
    const limits = { maxLineBytes: 64, maxTotalBytes: 1024 };
    await expect(collect(chunks(`data: ${"x".repeat(100)}`), limits)).rejects.toMatchObject({
      kind: "too_large",
    });
    const many = Array.from({ length: 100 }, () => chunk("0123456789"));
    await expect(collect(chunks(...many), limits)).rejects.toBeInstanceOf(GatewayCallError);
  });

  it("refuses what is not an OpenAI chunk", async () => {
    await expect(collect(chunks("data: {not json\n\n"))).rejects.toMatchObject({ kind: "invalid" });
    await expect(collect(chunks('data: {"choices":"many"}\n\n'))).rejects.toMatchObject({ kind: "invalid" });
  });
});

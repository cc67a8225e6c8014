import { StringDecoder } from "node:string_decoder";
import { z } from "zod";
import { GatewayCallError } from "./chat-gateway-http.js";

/** What a gateway's OpenAI-compatible stream says, reduced to what a chat needs. */
export type UpstreamEvent =
  | { type: "delta"; text: string }
  | { type: "usage"; usage: ChatUsage }
  | { type: "error" }
  | { type: "done" };

export interface ChatUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface SseLimits {
  /** The longest line (bytes) before the stream is refused. */
  maxLineBytes: number;
  /** The most a whole reply may be (bytes). */
  maxTotalBytes: number;
}

export const UPSTREAM_SSE_LIMITS: SseLimits = { maxLineBytes: 256 * 1024, maxTotalBytes: 16 * 1024 * 1024 };

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** One `chat.completion.chunk` (unknown fields dropped): text deltas, the usage, or an error object. */
const chunkSchema = z.object({
  choices: z
    .array(z.object({ delta: z.object({ content: z.string().nullish() }).nullish() }))
    .max(16)
    .nullish(),
  usage: z.object({ prompt_tokens: count, completion_tokens: count, total_tokens: count }).nullish(),
  error: z.unknown().optional(),
});

function eventsOfData(data: string): UpstreamEvent[] {
  if (data === "[DONE]") return [{ type: "done" }];
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    throw new GatewayCallError("invalid");
  }
  const chunk = chunkSchema.safeParse(value);
  if (!chunk.success) throw new GatewayCallError("invalid");
  if (chunk.data.error !== undefined && chunk.data.error !== null) return [{ type: "error" }];
  const out: UpstreamEvent[] = [];
  const text = (chunk.data.choices ?? []).map((c) => c.delta?.content ?? "").join("");
  if (text !== "") out.push({ type: "delta", text });
  const usage = chunk.data.usage;
  if (usage) {
    out.push({
      type: "usage",
      usage: {
        promptTokens: usage.prompt_tokens,
        completionTokens: usage.completion_tokens,
        totalTokens: usage.total_tokens,
      },
    });
  }
  return out;
}

/**
 * Parses a server-sent event stream as its bytes arrive (never buffered whole): `data:` lines are
 * joined per event and read as OpenAI chunks; comments and other fields are skipped. A line longer
 * than `maxLineBytes`, or more than `maxTotalBytes` in all, ends it with a `too_large` error.
 */
export async function* upstreamChatEvents(
  body: AsyncIterable<Buffer>,
  limits: SseLimits = UPSTREAM_SSE_LIMITS,
): AsyncGenerator<UpstreamEvent> {
  const decoder = new StringDecoder("utf8");
  let pending = "";
  let data: string[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.byteLength;
    if (total > limits.maxTotalBytes) throw new GatewayCallError("too_large");
    pending += decoder.write(chunk);
    let newline = pending.indexOf("\n");
    while (newline !== -1) {
      const line = pending.slice(0, newline).replace(/\r$/, "");
      pending = pending.slice(newline + 1);
      if (line === "") {
        if (data.length > 0) yield* eventsOfData(data.join("\n"));
        data = [];
      } else if (line.startsWith("data:")) {
        data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
      }
      newline = pending.indexOf("\n");
    }
    // Characters, not bytes, but never fewer: a UTF-8 character is at least one byte.
    if (pending.length > limits.maxLineBytes) throw new GatewayCallError("too_large");
  }
  if (data.length > 0) yield* eventsOfData(data.join("\n"));
}

import { ApiError } from "@nora/api-client";
import { chatStreamEvents } from "@nora/api-contract";
import { createSseParser } from "./sse-parser";

export type ChatEvent =
  | { type: "session"; sessionId: string; created: boolean }
  | { type: "delta"; text: string }
  | { type: "done"; totalTokens: number | null }
  | { type: "error"; error: string; message: string; requestId: string };

/** One event's JSON `data:` checked against the contract; an unknown or malformed event is skipped. */
export function toChatEvent(name: string, data: string): ChatEvent | null {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return null;
  }
  switch (name) {
    case "session": {
      const p = chatStreamEvents.session.safeParse(json);
      return p.success ? { type: "session", ...p.data } : null;
    }
    case "delta": {
      const p = chatStreamEvents.delta.safeParse(json);
      return p.success ? { type: "delta", text: p.data.text } : null;
    }
    case "done": {
      const p = chatStreamEvents.done.safeParse(json);
      return p.success ? { type: "done", totalTokens: p.data.usage?.totalTokens ?? null } : null;
    }
    case "error": {
      const p = chatStreamEvents.error.safeParse(json);
      return p.success ? { type: "error", ...p.data } : null;
    }
    default:
      return null;
  }
}

/**
 * Sends one chat turn and hands each event on as it arrives. A refusal before the stream starts (404,
 * 409, 429, validation) throws the API's error; `signal` aborts the turn (the API then ends it upstream).
 */
export async function streamChatTurn(
  agentId: string,
  body: { message: string; sessionId?: string },
  onEvent: (event: ChatEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  const res = await fetch(`/api/agents/${encodeURIComponent(agentId)}/chat`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream" },
    credentials: "same-origin",
    body: JSON.stringify(body),
    signal,
  });
  if (!res.ok || !res.body) {
    const parsed = await res.json().catch(() => undefined);
    throw ApiError.fromResponse(res.status, parsed, res.headers.get("x-request-id"));
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = createSseParser();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    for (const event of parser.push(value)) {
      const parsed = toChatEvent(event.event, event.data);
      if (parsed) onEvent(parsed);
    }
  }
  parser.end();
}

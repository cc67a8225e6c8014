import { API } from "@nora/api-contract";
import type { AgentChatService, ChatTurn } from "@nora/domain/runtime-access/chat";
import { type Request, type Response, Router } from "express";
import { actionContextOf } from "../http/auth-context.js";
import { changesNoAccess } from "../http/authenticate.js";
import type { Requires } from "../http/authorize.js";
import { mount } from "../http/mount.js";

const HEARTBEAT_MS = 15_000;

function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * Writes one turn as server-sent events: `session` first, then each `delta` as it arrives (written at
 * once: no compression or buffering in between), heartbeats while the agent thinks, and one `done` or
 * `error`. The turn's stream slot is given back however it ends.
 */
export async function streamChatTurn(
  req: Request,
  res: Response,
  turn: ChatTurn,
  signal: AbortSignal,
  heartbeatMs = HEARTBEAT_MS,
): Promise<void> {
  res.status(200).set({
    "Content-Type": "text/event-stream; charset=utf-8",
    // nginx and other proxies must pass each event on as it is written.
    "X-Accel-Buffering": "no",
    Connection: "keep-alive",
  });
  res.flushHeaders();
  res.socket?.setNoDelay(true);
  // The slot comes back the moment the client leaves, not when the upstream read notices.
  res.on("close", () => turn.release());
  res.write(sse("session", { sessionId: turn.sessionId, created: turn.created }));
  const heartbeat = setInterval(() => {
    if (!res.writableEnded) res.write(": heartbeat\n\n");
  }, heartbeatMs);
  try {
    for await (const event of turn.events()) {
      if (signal.aborted || res.writableEnded) break;
      if (event.type === "delta") res.write(sse("delta", { text: event.text }));
      else if (event.type === "done") res.write(sse("done", { usage: event.usage }));
      else res.write(sse("error", { error: event.error, message: event.message, requestId: req.id }));
    }
  } finally {
    clearInterval(heartbeat);
    turn.release();
    if (!res.writableEnded) res.end();
  }
}

/** Chat with an agent (SSE) and the chat history the agent keeps. */
export function agentChatRoutes(deps: {
  chat: AgentChatService;
  requires: Requires;
  heartbeatMs?: number;
}): Router {
  const { chat, requires } = deps;
  const router = Router();

  mount(router, requires, API.agentChat.chat, async (req, res, { params, body }) => {
    // A turn records its audit row and talks to the agent: nobody's access changes, no cache is emptied.
    changesNoAccess(res);
    // Registered before the first await: a client that leaves at any point ends the upstream request.
    // (The request's own "close" fires once its body is read, so the response's is the one to watch.)
    const abort = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) abort.abort();
    });
    const turn = await chat.startTurn(params.agentId, body, actionContextOf(req), abort.signal);
    if (abort.signal.aborted) {
      turn.release();
      return;
    }
    await streamChatTurn(req, res, turn, abort.signal, deps.heartbeatMs);
  });

  mount(router, requires, API.agentChat.sessions, async (_req, _res, { params }, reply) => {
    reply(200, await chat.sessions(params.agentId));
  });

  mount(router, requires, API.agentChat.messages, async (_req, _res, { params }, reply) => {
    reply(200, await chat.messages(params.agentId, params.sessionId));
  });

  return router;
}

import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import {
  HERMES_API_MODEL,
  OPENCLAW_CHAT_COMPLETIONS_PATH,
  OPENCLAW_GATEWAY_MODEL,
  type RuntimeFamily,
} from "@nora/agent-runtime";
import { AppError, type Logger, notFound, type Pool } from "@nora/core";
import { type ActionContext, auditFieldsOf } from "../audit/context.js";
import { recordAudit } from "../audit/service.js";
import { callGateway, GatewayCallError } from "./chat-gateway-http.js";
import {
  type ChatHistory,
  type ChatSessionSummary,
  listChatSessions,
  openclawChatUser,
  readChatHistory,
} from "./chat-history.js";
import { type ChatUsage, upstreamChatEvents } from "./chat-sse.js";
import type { StreamSlots } from "./stream-slots.js";
import type { OpenGateway, RuntimeTarget } from "./target.js";

/** Until the gateway's response headers arrive (it sends them before the agent starts thinking). */
const TURN_HEADERS_TIMEOUT_MS = 30_000;
/** A turn that sends nothing for this long (tools may run a while) is cut. */
const TURN_IDLE_TIMEOUT_MS = 300_000;
const HISTORY_TIMEOUT_MS = 15_000;
/** Hermes' API server serves the same OpenAI-compatible path as OpenClaw's gateway. */
const HERMES_CHAT_COMPLETIONS_PATH = "/v1/chat/completions";

/** What a chat stream tells its client after the `session` event. */
export type ChatEvent =
  | { type: "delta"; text: string }
  | { type: "done"; usage: ChatUsage | null }
  | { type: "error"; error: string; message: string };

export interface ChatTurn {
  sessionId: string;
  /** A new session (no `sessionId` was given). */
  created: boolean;
  /** The reply as it arrives; ends with one `done` or `error`. Runs the upstream request. */
  events(): AsyncGenerator<ChatEvent>;
  /** Gives back the caller's stream slot; idempotent. */
  release(): void;
}

/** The upstream request of one turn, per family: how each continues a session. */
function turnRequest(family: RuntimeFamily, sessionId: string, message: string) {
  const messages = [{ role: "user", content: message }];
  const common = { stream: true, stream_options: { include_usage: true }, messages };
  if (family === "openclaw") {
    // OpenClaw keeps one session per `user` (key agent:main:openai-user:<user>), history included.
    return {
      path: OPENCLAW_CHAT_COMPLETIONS_PATH,
      headers: {} as Record<string, string>,
      body: { model: OPENCLAW_GATEWAY_MODEL, user: openclawChatUser(sessionId), ...common },
    };
  }
  // Hermes loads the session's history from its state.db by this header (and creates it when new).
  return {
    path: HERMES_CHAT_COMPLETIONS_PATH,
    headers: { "x-hermes-session-id": sessionId },
    body: { model: HERMES_API_MODEL, ...common },
  };
}

const FAILURES: Record<string, { error: string; message: string }> = {
  unreachable: { error: "runtime_unreachable", message: "The agent's gateway did not answer" },
  timeout: { error: "runtime_unreachable", message: "The agent's gateway did not answer in time" },
  too_large: { error: "agent_reply_too_large", message: "The agent's reply was larger than allowed" },
  invalid: { error: "agent_chat_failed", message: "The agent's gateway sent an answer Nora cannot read" },
  refused: { error: "agent_chat_failed", message: "The agent's gateway refused the chat turn" },
  upstream: { error: "agent_chat_failed", message: "The agent reported an error" },
  interrupted: { error: "agent_chat_interrupted", message: "The agent's reply ended before it was complete" },
};

function failed(kind: string): ChatEvent {
  const known = FAILURES[kind] ?? (FAILURES.invalid as { error: string; message: string });
  return { type: "error", ...known };
}

function historyFailed(error: unknown): unknown {
  if (!(error instanceof GatewayCallError)) return error;
  // The history calls' only abort is their deadline.
  if (error.kind === "timeout" || error.kind === "aborted") {
    return new AppError(504, "runtime_unreachable", "The agent's gateway did not answer in time");
  }
  if (error.kind === "unreachable") {
    return new AppError(502, "runtime_unreachable", "The agent's gateway did not answer");
  }
  const detail = error.status === undefined ? "" : ` (HTTP ${error.status})`;
  return new AppError(
    502,
    "agent_history_failed",
    `The agent's gateway did not give its chat history${detail}`,
  );
}

/** The body of a response, ended early when `idleMs` passes without a chunk. */
async function* withIdleTimeout(res: IncomingMessage, idleMs: number): AsyncGenerator<Buffer> {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => res.destroy(new GatewayCallError("timeout")), idleMs);
  };
  arm();
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      arm();
      yield chunk;
    }
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Chat with an agent through its gateway's OpenAI-compatible endpoint (OpenClaw's gateway, Hermes' API
 * server), reached only through `openAgentGateway`, and the history the agent itself keeps. A turn
 * holds one of the caller's stream slots while it runs; starting one is audited (`agent.chat_started`:
 * who, which agent, which session; never the text).
 */
export function createAgentChatService(deps: {
  pool: Pool;
  target: RuntimeTarget;
  slots: StreamSlots;
  logger: Logger;
}) {
  const { pool, target, slots, logger } = deps;

  function userOf(ctx: ActionContext): string {
    if (ctx.actor.type === "system" || !ctx.actor.userId) throw notFound("Agent not found");
    return ctx.actor.userId;
  }

  async function startTurn(
    agentId: string,
    input: { message: string; sessionId?: string | undefined },
    ctx: ActionContext,
    signal: AbortSignal,
  ): Promise<ChatTurn> {
    const slot = await slots.acquire(userOf(ctx), "stream");
    try {
      const gateway = await target.openAgentGateway(agentId, "gateway");
      const created = input.sessionId === undefined;
      const sessionId = input.sessionId ?? randomUUID();
      const family = gateway.agent.runtimeFamily;
      await recordAudit(pool, {
        ...auditFieldsOf(ctx),
        action: "agent.chat_started",
        workspaceId: gateway.agent.workspaceId,
        target: { type: "agent", id: agentId },
        metadata: { sessionId, newSession: created, family },
      });
      logger.info({ agentId, sessionId, family, requestId: ctx.requestId }, "chat turn started");
      return {
        sessionId,
        created,
        events: () => runTurn(gateway, family, sessionId, input.message, signal, agentId),
        release: () => slot.release(),
      };
    } catch (error) {
      slot.release();
      throw error;
    }
  }

  async function* runTurn(
    gateway: OpenGateway,
    family: RuntimeFamily,
    sessionId: string,
    message: string,
    signal: AbortSignal,
    agentId: string,
  ): AsyncGenerator<ChatEvent> {
    const request = turnRequest(family, sessionId, message);
    let res: IncomingMessage | undefined;
    let usage: ChatUsage | null = null;
    try {
      res = await callGateway(gateway, {
        method: "POST",
        path: request.path,
        headers: { accept: "text/event-stream", ...request.headers },
        body: JSON.stringify(request.body),
        signal,
        headersTimeoutMs: TURN_HEADERS_TIMEOUT_MS,
      });
      const status = res.statusCode ?? 0;
      if (status !== 200) {
        res.resume();
        logger.warn({ agentId, sessionId, status }, "the agent's gateway refused a chat turn");
        yield failed("refused");
        return;
      }
      for await (const event of upstreamChatEvents(withIdleTimeout(res, TURN_IDLE_TIMEOUT_MS))) {
        if (event.type === "delta") yield event;
        else if (event.type === "usage") usage = event.usage;
        else if (event.type === "error") {
          logger.warn({ agentId, sessionId }, "the agent reported an error in its chat stream");
          yield failed("upstream");
          return;
        } else {
          yield { type: "done", usage };
          return;
        }
      }
      if (!signal.aborted) yield failed("interrupted");
    } catch (error) {
      if (signal.aborted) return;
      const kind = error instanceof GatewayCallError ? error.kind : "unreachable";
      logger.warn({ agentId, sessionId, kind }, "a chat turn failed");
      yield failed(kind);
    } finally {
      // The client left, or the turn ended early: the upstream request ends with it.
      if (res && !res.complete) res.destroy();
    }
  }

  async function sessions(agentId: string): Promise<{ sessions: ChatSessionSummary[] }> {
    const gateway = await target.openAgentGateway(agentId, "gateway");
    try {
      return {
        sessions: await listChatSessions(gateway.agent.runtimeFamily, gateway, {
          signal: AbortSignal.timeout(HISTORY_TIMEOUT_MS),
          timeoutMs: HISTORY_TIMEOUT_MS,
        }),
      };
    } catch (error) {
      throw historyFailed(error);
    }
  }

  async function messages(agentId: string, sessionId: string): Promise<ChatHistory> {
    const gateway = await target.openAgentGateway(agentId, "gateway");
    let history: ChatHistory | null;
    try {
      history = await readChatHistory(gateway.agent.runtimeFamily, gateway, sessionId, {
        signal: AbortSignal.timeout(HISTORY_TIMEOUT_MS),
        timeoutMs: HISTORY_TIMEOUT_MS,
      });
    } catch (error) {
      throw historyFailed(error);
    }
    if (!history) throw new AppError(404, "chat_session_not_found", "The agent has no such chat session");
    return history;
  }

  return { startTurn, sessions, messages };
}

export type AgentChatService = ReturnType<typeof createAgentChatService>;

import type { RuntimeFamily } from "@nora/agent-runtime";
import { z } from "zod";
import { GatewayCallError, gatewayJson } from "./chat-gateway-http.js";
import type { OpenGateway } from "./target.js";

/**
 * Chat history as each agent family keeps it, read over the gateway's HTTP API with the gateway token
 * and normalised to one shape. An agent is untrusted input: every answer is bounded in bytes, parsed
 * with zod (unknown fields dropped), and its lists and texts are capped here.
 */

export interface ChatSessionSummary {
  id: string;
  title: string | null;
  preview: string | null;
  updatedAt: string | null;
  messageCount: number | null;
}

export interface ChatHistoryMessage {
  role: "user" | "assistant";
  text: string;
  createdAt: string | null;
}

export interface ChatHistory {
  sessionId: string;
  messages: ChatHistoryMessage[];
  truncated: boolean;
}

const MAX_ANSWER_BYTES = 8 * 1024 * 1024;
const MAX_SESSIONS = 200;
const MAX_MESSAGES = 500;
const MAX_TEXT = 64 * 1024;
const MAX_TITLE = 200;
const MAX_PREVIEW = 500;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** OpenClaw's key for a session Nora started: `user: "nora:<id>"` on its OpenAI endpoint. */
export const openclawChatUser = (sessionId: string) => `nora:${sessionId}`;
/** OpenClaw derives `agent:<agentId>:openai-user:<user>`; Nora's agents run the default agent, `main`. */
export const openclawSessionKey = (sessionId: string) =>
  `agent:main:openai-user:${openclawChatUser(sessionId)}`;
const OPENCLAW_NORA_KEY = /^agent:[^:]{1,64}:openai-user:nora:([0-9a-f-]{36})$/;

const clip = (value: string | null | undefined, max: number): string | null =>
  value === null || value === undefined ? null : value.slice(0, max);

/** Epoch milliseconds (OpenClaw) or seconds (Hermes) as ISO, if they make a valid date. */
function isoOf(value: number | null | undefined, unit: "ms" | "s"): string | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  const date = new Date(unit === "s" ? value * 1000 : value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

const textPart = z.object({ type: z.string().optional(), text: z.string().optional() });
/** A message's content: a string, or parts of which only the text ones count. */
const content = z.union([z.string(), z.array(textPart).max(10_000), z.null()]).optional();

function textOf(value: z.infer<typeof content>): string {
  if (typeof value === "string") return value;
  if (!Array.isArray(value)) return "";
  return value
    .filter((part) => part.type === undefined || part.type === "text")
    .map((part) => part.text ?? "")
    .join("");
}

const messageShape = z.object({
  role: z.string().max(64),
  content,
  timestamp: z.number().nullish(),
});

/** The newest `MAX_MESSAGES` user and assistant messages with text, each text capped. */
function normalise(
  sessionId: string,
  raw: z.infer<typeof messageShape>[],
  unit: "ms" | "s",
  alreadyTruncated: boolean,
): ChatHistory {
  let truncated = alreadyTruncated;
  const messages: ChatHistoryMessage[] = [];
  for (const message of raw) {
    if (message.role !== "user" && message.role !== "assistant") continue;
    const text = textOf(message.content);
    if (text === "") continue;
    if (text.length > MAX_TEXT) truncated = true;
    messages.push({
      role: message.role,
      text: text.slice(0, MAX_TEXT),
      createdAt: isoOf(message.timestamp, unit),
    });
  }
  if (messages.length > MAX_MESSAGES) truncated = true;
  return { sessionId, messages: messages.slice(-MAX_MESSAGES), truncated };
}

function parsed<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new GatewayCallError("invalid");
  return result.data;
}

/* OpenClaw: its `/tools/invoke` HTTP endpoint runs the `sessions_list` and `sessions_history` tools. */

const openclawInvoke = <T extends z.ZodType>(details: T) =>
  z.object({ ok: z.literal(true), result: z.object({ details }) });

const openclawSessions = openclawInvoke(
  z.object({
    sessions: z
      .array(
        z.object({
          key: z.string().max(512),
          updatedAt: z.number().nullish(),
          derivedTitle: z.string().nullish(),
          label: z.string().nullish(),
          lastMessagePreview: z.string().nullish(),
        }),
      )
      .max(10_000),
  }),
);

// An unknown (or hidden) session is `{status, error}` in place of the transcript.
const openclawHistory = openclawInvoke(
  z.object({
    messages: z.array(messageShape).max(100_000).optional(),
    truncated: z.boolean().optional(),
    status: z.string().max(64).optional(),
  }),
);

/* Hermes: its API server's `/api/sessions` resource. */

const hermesSessions = z.object({
  data: z
    .array(
      z.object({
        id: z.string().max(512),
        title: z.string().nullish(),
        preview: z.string().nullish(),
        last_active: z.number().nullish(),
        started_at: z.number().nullish(),
        message_count: z.number().int().nonnegative().nullish(),
      }),
    )
    .max(10_000),
});

const hermesMessages = z.object({ data: z.array(messageShape).max(100_000) });

export interface HistoryCall {
  signal: AbortSignal;
  timeoutMs: number;
}

async function invokeOpenclaw(
  gateway: OpenGateway,
  tool: string,
  args: Record<string, unknown>,
  call: HistoryCall,
) {
  return gatewayJson(
    gateway,
    {
      method: "POST",
      path: "/tools/invoke",
      body: JSON.stringify({ tool, args }),
      signal: call.signal,
      headersTimeoutMs: call.timeoutMs,
    },
    MAX_ANSWER_BYTES,
  );
}

export async function listChatSessions(
  family: RuntimeFamily,
  gateway: OpenGateway,
  call: HistoryCall,
): Promise<ChatSessionSummary[]> {
  if (family === "openclaw") {
    const answer = parsed(
      openclawSessions,
      await invokeOpenclaw(
        gateway,
        "sessions_list",
        { limit: MAX_SESSIONS, includeDerivedTitles: true, includeLastMessage: true },
        call,
      ),
    );
    return answer.result.details.sessions
      .flatMap((s) => {
        const id = OPENCLAW_NORA_KEY.exec(s.key)?.[1];
        if (!id || !UUID.test(id)) return [];
        return [
          {
            id,
            title: clip(s.derivedTitle ?? s.label, MAX_TITLE),
            preview: clip(s.lastMessagePreview, MAX_PREVIEW),
            updatedAt: isoOf(s.updatedAt, "ms"),
            messageCount: null,
          },
        ];
      })
      .sort((a, b) => (b.updatedAt ?? "").localeCompare(a.updatedAt ?? ""))
      .slice(0, MAX_SESSIONS);
  }
  const answer = parsed(
    hermesSessions,
    await gatewayJson(
      gateway,
      {
        method: "GET",
        path: `/api/sessions?limit=${MAX_SESSIONS}`,
        signal: call.signal,
        headersTimeoutMs: call.timeoutMs,
      },
      MAX_ANSWER_BYTES,
    ),
  );
  return answer.data
    .filter((s) => UUID.test(s.id))
    .map((s) => ({
      id: s.id,
      title: clip(s.title, MAX_TITLE),
      preview: clip(s.preview, MAX_PREVIEW),
      updatedAt: isoOf(s.last_active ?? s.started_at, "s"),
      messageCount: s.message_count ?? null,
    }))
    .sort((a, b) => (b.updatedAt ?? "").localeCompare(a.updatedAt ?? ""))
    .slice(0, MAX_SESSIONS);
}

/** A session's messages; `null` when the agent has no such session. */
export async function readChatHistory(
  family: RuntimeFamily,
  gateway: OpenGateway,
  sessionId: string,
  call: HistoryCall,
): Promise<ChatHistory | null> {
  if (family === "openclaw") {
    const answer = parsed(
      openclawHistory,
      await invokeOpenclaw(
        gateway,
        "sessions_history",
        { sessionKey: openclawSessionKey(sessionId), limit: MAX_MESSAGES },
        call,
      ),
    );
    const { messages, truncated, status } = answer.result.details;
    if (messages === undefined) {
      if (status === undefined) throw new GatewayCallError("invalid");
      return null;
    }
    if (messages.length === 0) return null;
    return normalise(sessionId, messages, "ms", truncated === true);
  }
  try {
    const answer = parsed(
      hermesMessages,
      await gatewayJson(
        gateway,
        {
          method: "GET",
          path: `/api/sessions/${encodeURIComponent(sessionId)}/messages`,
          signal: call.signal,
          headersTimeoutMs: call.timeoutMs,
        },
        MAX_ANSWER_BYTES,
      ),
    );
    return normalise(sessionId, answer.data, "s", false);
  } catch (error) {
    if (error instanceof GatewayCallError && error.status === 404) return null;
    throw error;
  }
}

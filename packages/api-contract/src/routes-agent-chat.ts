import { z } from "zod";
import { multiLineText } from "./primitives.js";
import { defineRoute, text } from "./route.js";

// A chat turn drives the agent with its gateway's operator authority (its tools included): editors and
// `agents:write` keys. Viewers and `agents:read` keys read the history.
const CHAT = { kind: "agent", role: "editor", scope: "agents:write" } as const;
const READ = { kind: "agent", role: "viewer", scope: "agents:read" } as const;

/* Requests */

/** Nora names every chat session itself: a UUID, lowercased (it becomes part of the agent's own key). */
export const chatSessionId = z.uuid().transform((id) => id.toLowerCase());

/** The longest message a turn takes (characters). */
export const CHAT_MESSAGE_MAX = 32_000;

export const chatTurnBody = z.strictObject({
  message: multiLineText({ max: CHAT_MESSAGE_MAX, min: 1 }).refine((m) => m.trim() !== "", {
    message: "The message is empty",
  }),
  sessionId: chatSessionId.optional(),
});

export const chatSessionParams = z.strictObject({ agentId: z.uuid(), sessionId: chatSessionId });
const agentOnlyParams = z.strictObject({ agentId: z.uuid() });

/* Responses */

export const chatSession = z.object({
  id: z.string(),
  title: z.string().nullable(),
  preview: z.string().nullable(),
  updatedAt: z.string().nullable(),
  messageCount: z.number().nullable(),
});
export const chatSessionsResponse = z.object({ sessions: z.array(chatSession) });

export const chatMessage = z.object({
  role: z.enum(["user", "assistant"]),
  text: z.string(),
  createdAt: z.string().nullable(),
});
export const chatMessagesResponse = z.object({
  sessionId: z.string(),
  messages: z.array(chatMessage),
  /** Older messages or long texts were left out (the agent's or Nora's bounds). */
  truncated: z.boolean(),
});

/** The `data:` of each event of a chat stream, by event name. */
export const chatStreamEvents = {
  session: z.object({ sessionId: z.string(), created: z.boolean() }),
  delta: z.object({ text: z.string() }),
  done: z.object({
    usage: z
      .object({ promptTokens: z.number(), completionTokens: z.number(), totalTokens: z.number() })
      .nullable(),
  }),
  error: z.object({ error: z.string(), message: z.string(), requestId: z.string() }),
} as const;

/** Chat with an agent through its gateway, and the history the agent keeps (docs/runtime-access.md#chat). */
export const agentChatRoutes = {
  chat: defineRoute({
    method: "POST",
    path: "/api/agents/:agentId/chat",
    requirement: CHAT,
    summary:
      "One chat turn, streamed as server-sent events: `session`, then `delta`s, then `done` or `error`; continues `sessionId` when given",
    params: agentOnlyParams,
    body: chatTurnBody,
    responses: {
      200: text(
        "text/event-stream",
        "`event: session|delta|done|error` with JSON `data:`, heartbeat comments",
      ),
    },
  }),
  sessions: defineRoute({
    method: "GET",
    path: "/api/agents/:agentId/chat/sessions",
    requirement: READ,
    summary: "The chat sessions started through Nora, newest first, as the agent keeps them",
    params: agentOnlyParams,
    responses: { 200: chatSessionsResponse },
  }),
  messages: defineRoute({
    method: "GET",
    path: "/api/agents/:agentId/chat/sessions/:sessionId/messages",
    requirement: READ,
    summary: "One chat session's messages (user and assistant text), oldest first",
    params: chatSessionParams,
    responses: { 200: chatMessagesResponse },
  }),
};

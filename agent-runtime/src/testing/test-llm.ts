/**
 * TEST TOOLING ONLY: a deterministic, OpenAI-compatible fake LLM so runtimes can be exercised end to
 * end without internet. Never shipped as a product feature.
 *
 * It answers `GET /v1/models` and `POST /v1/chat/completions` (streaming and not) with
 * `NORA_TEST_LLM_OK: <last user message>` (an agent's own context blocks left out), records every request it receives, and lists them at
 * `GET /_test/requests`. A user message containing `NORA_TEST_EXEC: <command>` (to the end of its
 * line) makes it call the offered shell tool (`exec`, else Hermes' `terminal`) with that command once; after the tool result it answers
 * `NORA_TEST_LLM_OK: tool result: <result>`. A last user message containing `NORA_TEST_SLOW: <ms>` streams its reply one word
 * every <ms> milliseconds (at most 10 s apart), and a request whose client goes away before the reply ends is marked `aborted`. It uses only Node built-ins and erasable TypeScript, so Node 24 can run the
 * file directly inside a container:
 *   node test-llm.ts            (TEST_LLM_HOST, TEST_LLM_PORT, TEST_LLM_API_KEY, TEST_LLM_MODELS)
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";

export const TEST_LLM_MARKER = "NORA_TEST_LLM_OK";
export const TEST_LLM_EXEC_TRIGGER = "NORA_TEST_EXEC:";
export const TEST_LLM_SLOW_TRIGGER = "NORA_TEST_SLOW:";
/** The context window `/v1/models` reports for every model. */
export const TEST_LLM_CONTEXT_LENGTH = 128_000;

export interface TestLlmOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  models?: string[];
}

export interface TestLlmRequest {
  path: string;
  model: string | null;
  stream: boolean;
  messageCount: number;
  lastUserMessage: string;
  /** Every user message's text, in order (agents may append their own context as a last message). */
  userMessages: string[];
  /** Every assistant message's text, in order (what an agent replays of earlier turns). */
  assistantMessages: string[];
  /** Names of the tools the caller offered. */
  toolNames: string[];
  authorized: boolean;
  at: string;
  /** The client went away before the whole reply was written (set while the request runs). */
  aborted: boolean;
}

export interface TestLlm {
  url: string;
  port: number;
  requests: TestLlmRequest[];
  close(): Promise<void>;
}

interface ChatMessage {
  role?: unknown;
  content?: unknown;
}

interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

/** Shell tools by runtime: OpenClaw offers `exec`, Hermes `terminal`; both take `{ command }`. */
const SHELL_TOOLS = ["exec", "terminal"] as const;

/** The scripted shell call: requested once, then answered from the tool's result. */
function scriptedTool(
  messages: ChatMessage[],
  offered: readonly string[],
): { call: ToolCall } | { result: string } | null {
  let triggerAt = -1;
  let command = "";
  messages.forEach((message, index) => {
    if (message.role !== "user") return;
    const match = /NORA_TEST_EXEC:[ \t]*(.+)/.exec(textOf(message.content));
    if (match?.[1]) {
      triggerAt = index;
      command = match[1].trim();
    }
  });
  if (triggerAt < 0) return null;
  const result = messages.slice(triggerAt + 1).find((message) => message.role === "tool");
  if (result !== undefined) return { result: textOf(result.content) };
  return {
    call: {
      id: "call_nora_test_exec",
      type: "function",
      function: {
        name: SHELL_TOOLS.find((name) => offered.includes(name)) ?? "exec",
        arguments: JSON.stringify({ command }),
      },
    },
  };
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) =>
        typeof part === "object" && part !== null && "text" in part && typeof part.text === "string"
          ? part.text
          : "",
      )
      .join("");
  }
  return "";
}

function lastUserText(messages: ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message?.role === "user") return textOf(message.content);
  }
  return "";
}

/**
 * OpenClaw appends its own context as a last user message, fenced by these markers, and strips such
 * blocks from what it streams on: an echo of it would break its append-only stream.
 */
const AGENT_CONTEXT_BLOCK =
  /<<<BEGIN_OPENCLAW_INTERNAL_CONTEXT>>>[\s\S]*?<<<END_OPENCLAW_INTERNAL_CONTEXT>>>/g;

/** The last user message a person wrote: agents' own context blocks removed, empty ones skipped. */
function lastSpokenUserText(messages: ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message?.role !== "user") continue;
    const text = textOf(message.content).replace(AGENT_CONTEXT_BLOCK, "").trim();
    if (text !== "") return text;
  }
  return "";
}

function toolNamesOf(tools: unknown): string[] {
  if (!Array.isArray(tools)) return [];
  return tools.flatMap((tool: unknown) => {
    const fn = typeof tool === "object" && tool !== null && "function" in tool ? tool.function : null;
    return typeof fn === "object" && fn !== null && "name" in fn && typeof fn.name === "string"
      ? [fn.name]
      : [];
  });
}

/** The deterministic answer to a conversation. */
export function testLlmReply(lastUser: string): string {
  return `${TEST_LLM_MARKER}: ${lastUser.trim().slice(-2000)}`;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const value: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

function streamToolCall(res: ServerResponse, id: string, model: string, call: ToolCall): void {
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
  const chunk = (delta: Record<string, unknown>, finish: string | null) =>
    `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created: 1_700_000_000, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  res.write(chunk({ role: "assistant", content: null, tool_calls: [{ index: 0, ...call }] }, null));
  res.write(chunk({}, "tool_calls"));
  res.end("data: [DONE]\n\n");
}

/** The per-word delay a `NORA_TEST_SLOW: <ms>` trigger asks for, or 0. */
function slowDelayOf(lastUser: string): number {
  const match = /NORA_TEST_SLOW:[ \t]*(\d{1,5})/.exec(lastUser);
  return match?.[1] ? Math.min(Number(match[1]), 10_000) : 0;
}

function streamReply(
  res: ServerResponse,
  id: string,
  model: string,
  reply: string,
  delayMs = 0,
  recorded?: TestLlmRequest,
): void {
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    connection: "keep-alive",
  });
  const created = 1_700_000_000;
  const chunk = (
    delta: Record<string, unknown>,
    finish: string | null,
    extra: Record<string, unknown> = {},
  ) =>
    `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
  res.write(chunk({ role: "assistant", content: "" }, null));
  const words = reply.split(/(?<= )/);
  const usage = { prompt_tokens: 10, completion_tokens: words.length, total_tokens: 10 + words.length };
  const finish = () => {
    res.write(chunk({}, "stop", { usage }));
    res.end("data: [DONE]\n\n");
  };
  if (delayMs === 0) {
    for (const word of words) res.write(chunk({ content: word }, null));
    finish();
    return;
  }
  let next = 0;
  const timer = setInterval(() => {
    if (next >= words.length) {
      clearInterval(timer);
      finish();
      return;
    }
    res.write(chunk({ content: words[next++] }, null));
  }, delayMs);
  res.on("close", () => {
    clearInterval(timer);
    if (!res.writableFinished && recorded) recorded.aborted = true;
  });
}

export async function startTestLlm(options: TestLlmOptions = {}): Promise<TestLlm> {
  const models = options.models ?? ["nora-test-model"];
  const requests: TestLlmRequest[] = [];
  let counter = 0;

  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://test-llm").pathname;
    const authorized =
      options.apiKey === undefined || req.headers.authorization === `Bearer ${options.apiKey}`;
    if (req.method === "GET" && path === "/_test/requests") return send(res, 200, { requests });
    if (req.method === "GET" && path === "/health") return send(res, 200, { status: "ok" });
    if (req.method === "GET" && path === "/v1/models") {
      if (!authorized)
        return send(res, 401, { error: { message: "invalid api key", type: "invalid_request_error" } });
      return send(res, 200, {
        object: "list",
        // context_length as vLLM-style servers report it: agents that need a window (Hermes) read it here.
        data: models.map((id) => ({
          id,
          object: "model",
          created: 0,
          owned_by: "nora-test",
          context_length: TEST_LLM_CONTEXT_LENGTH,
        })),
      });
    }
    if (req.method === "POST" && path === "/v1/chat/completions") {
      readJsonBody(req).then(
        (body) => {
          const messages = Array.isArray(body.messages) ? (body.messages as ChatMessage[]) : [];
          const lastUser = lastUserText(messages);
          const spoken = lastSpokenUserText(messages);
          const userMessages = messages.filter((m) => m.role === "user").map((m) => textOf(m.content));
          const assistantMessages = messages
            .filter((m) => m.role === "assistant")
            .map((m) => textOf(m.content));
          const model = typeof body.model === "string" ? body.model : null;
          const stream = body.stream === true;
          const recorded: TestLlmRequest = {
            path,
            model,
            stream,
            messageCount: messages.length,
            lastUserMessage: lastUser,
            userMessages,
            assistantMessages,
            toolNames: toolNamesOf(body.tools),
            authorized,
            at: new Date().toISOString(),
            aborted: false,
          };
          requests.push(recorded);
          if (!authorized)
            return send(res, 401, { error: { message: "invalid api key", type: "invalid_request_error" } });
          const id = `chatcmpl-test-${++counter}`;
          const modelName = model ?? models[0] ?? "nora-test-model";
          const tool = scriptedTool(messages, toolNamesOf(body.tools));
          if (tool !== null && "call" in tool) {
            if (stream) return streamToolCall(res, id, modelName, tool.call);
            return send(res, 200, {
              id,
              object: "chat.completion",
              created: 1_700_000_000,
              model: modelName,
              choices: [
                {
                  index: 0,
                  message: { role: "assistant", content: null, tool_calls: [tool.call] },
                  finish_reason: "tool_calls",
                },
              ],
            });
          }
          const reply =
            tool === null
              ? testLlmReply(spoken)
              : `${TEST_LLM_MARKER}: tool result: ${tool.result.trim().slice(0, 2000)}`;
          if (stream) return streamReply(res, id, modelName, reply, slowDelayOf(spoken), recorded);
          send(res, 200, {
            id,
            object: "chat.completion",
            created: 1_700_000_000,
            model: modelName,
            choices: [{ index: 0, message: { role: "assistant", content: reply }, finish_reason: "stop" }],
            usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
          });
        },
        () => send(res, 400, { error: { message: "invalid JSON", type: "invalid_request_error" } }),
      );
      return;
    }
    send(res, 404, { error: { message: "not found", type: "invalid_request_error" } });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? "127.0.0.1";
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// Run directly (e.g. `node test-llm.ts` in a container): listen until SIGTERM.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const apiKey = process.env.TEST_LLM_API_KEY;
  const llm = await startTestLlm({
    host: process.env.TEST_LLM_HOST ?? "0.0.0.0",
    port: Number(process.env.TEST_LLM_PORT ?? "8080"),
    ...(apiKey === undefined ? {} : { apiKey }),
    ...(process.env.TEST_LLM_MODELS === undefined ? {} : { models: process.env.TEST_LLM_MODELS.split(",") }),
  });
  process.stdout.write(`test LLM listening on ${llm.port}\n`);
  process.on("SIGTERM", () => void llm.close().then(() => process.exit(0)));
}

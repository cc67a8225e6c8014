import http from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Local fakes of the services Nora calls (LLM providers, GitHub, Slack, Telegram, Discord, a webhook
 * receiver), listening on 127.0.0.1 only. Each speaks the real service's HTTP shape for the calls Nora
 * makes: paths, auth headers and response bodies. Tests allowlist 127.0.0.1 explicitly to reach them;
 * nothing here resolves or contacts a real external host.
 */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface FakeUpstream {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Answer every request with this (status, headers, body) instead of the fake's routes. */
  override?: (req: RecordedRequest, res: http.ServerResponse) => boolean;
  close(): Promise<void>;
}

export const FAKE_KEYS = {
  anthropic: "sk-ant-fake-0123456789abcdefWXYZ",
  openai: "sk-fake-openai-0123456789abcdefQRST",
  gemini: "AIzaFakeGemini0123456789abcdefGHIJ",
  github: `ghp_${"f".repeat(32)}GHUB`,
  slack: "xoxb-1111-2222-fakeSlackTokenSLCK",
  telegram: `123456789:${"T".repeat(31)}TGRM`,
  discord: `${"D".repeat(24)}.${"d".repeat(6)}.${"x".repeat(27)}DSCD`,
} as const;

const models = (n: number) => Array.from({ length: n }, (_, i) => `model-${String(i).padStart(2, "0")}`);

function json(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function route(req: RecordedRequest, res: http.ServerResponse) {
  const h = req.headers;
  const bearer = (key: string) => h.authorization === `Bearer ${key}`;
  const path = req.path.split("?")[0];
  // Anthropic: GET /v1/models with x-api-key + anthropic-version.
  if (path === "/v1/models" && h["x-api-key"] !== undefined) {
    if (h["x-api-key"] !== FAKE_KEYS.anthropic || !h["anthropic-version"]) {
      return json(res, 401, {
        type: "error",
        error: { type: "authentication_error", message: "invalid x-api-key" },
      });
    }
    return json(res, 200, {
      data: models(25).map((id) => ({ type: "model", id: `claude-${id}`, display_name: id })),
      has_more: false,
    });
  }
  // OpenAI and compatibles (OpenRouter, Mistral, Groq, Ollama /v1, vLLM...): GET <root>/models, Bearer.
  if (path?.endsWith("/models") && !path.startsWith("/v1beta")) {
    if (h.authorization !== undefined && !bearer(FAKE_KEYS.openai)) {
      return json(res, 401, {
        error: { message: "Incorrect API key provided", type: "invalid_request_error" },
      });
    }
    return json(res, 200, { object: "list", data: models(25).map((id) => ({ id, object: "model" })) });
  }
  // Gemini: GET /v1beta/models with x-goog-api-key.
  if (path === "/v1beta/models") {
    if (h["x-goog-api-key"] !== FAKE_KEYS.gemini) {
      return json(res, 400, {
        error: { code: 400, message: "API key not valid.", status: "INVALID_ARGUMENT" },
      });
    }
    return json(res, 200, { models: models(3).map((id) => ({ name: `models/gemini-${id}` })) });
  }
  // Ollama native: GET /api/tags.
  if (path === "/api/tags") {
    return json(res, 200, { models: [{ name: "llama3.2:latest", model: "llama3.2:latest", size: 1 }] });
  }
  // GitHub: GET /user, Bearer, Accept: application/vnd.github+json.
  if (path === "/user") {
    if (!bearer(FAKE_KEYS.github)) return json(res, 401, { message: "Bad credentials" });
    return json(res, 200, { login: "nora-bot", id: 1 });
  }
  // Slack: POST /auth.test, Bearer; errors are 200 {ok: false}.
  if (path === "/auth.test" && req.method === "POST") {
    if (!bearer(FAKE_KEYS.slack)) return json(res, 200, { ok: false, error: "invalid_auth" });
    return json(res, 200, {
      ok: true,
      team: "Acme",
      user: "nora",
      team_id: "T1",
      user_id: "U1",
      bot_id: "B1",
    });
  }
  // Telegram: GET /bot<token>/getMe.
  const tg = path?.match(/^\/bot([^/]+)\/getMe$/);
  if (tg) {
    if (tg[1] !== FAKE_KEYS.telegram)
      return json(res, 401, { ok: false, error_code: 401, description: "Unauthorized" });
    return json(res, 200, { ok: true, result: { id: 123456789, is_bot: true, username: "nora_bot" } });
  }
  // Discord: GET /users/@me, Authorization: Bot <token>.
  if (path === "/users/@me") {
    if (h.authorization !== `Bot ${FAKE_KEYS.discord}`)
      return json(res, 401, { message: "401: Unauthorized", code: 0 });
    return json(res, 200, { id: "1", username: "nora-discord", bot: true });
  }
  // Webhook receiver.
  if (path === "/hook" && req.method === "POST") {
    res.writeHead(204);
    return res.end();
  }
  json(res, 404, { error: "not found" });
}

export async function startFakeUpstream(): Promise<FakeUpstream> {
  const requests: RecordedRequest[] = [];
  const fake: Partial<FakeUpstream> = { requests };
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      const recorded = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body };
      requests.push(recorded);
      if (fake.override?.(recorded, res)) return;
      route(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  }) as FakeUpstream;
}

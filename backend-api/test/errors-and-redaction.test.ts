import { Router } from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";

const CANARY = "canary-7f3a9d2e-do-not-log";

describe("error handler", () => {
  let app: TestApp;
  const routes = Router()
    .get("/api/test/sql-failure", async () => {
      await app.db.pool.query("SELECT * FROM table_that_does_not_exist WHERE secret = 'x'");
    })
    .get("/api/test/throw", () => {
      throw new TypeError("internal detail: cannot read property of undefined");
    })
    .get("/api/test/throw-string", () => {
      throw "a bare string";
    });

  beforeAll(async () => {
    app = await startTestApp({ env: NO_RATE_LIMITS, routes: [routes] });
  });
  afterAll(() => app.close());

  it.each(["/api/test/sql-failure", "/api/test/throw", "/api/test/throw-string"])(
    "%s becomes a bare 500 whose body holds nothing of the exception",
    async (path) => {
      const res = await fetch(app.url + path);
      expect(res.status).toBe(500);
      const text = await res.text();
      const body = JSON.parse(text) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(["error", "requestId"]);
      expect(body.error).toBe("internal_error");
      expect(body.requestId).toBe(res.headers.get("x-request-id"));
      for (const leak of [
        "table_that_does_not_exist",
        "SELECT",
        "internal detail",
        "at ",
        "stack",
        "bare string",
      ]) {
        expect(text).not.toContain(leak);
      }
    },
  );

  it("logs the cause, with its stack, under the request id", async () => {
    const res = await fetch(`${app.url}/api/test/sql-failure`);
    const requestId = res.headers.get("x-request-id");
    const line = app.logs.entries().find((e) => e.requestId === requestId && e.msg === "request failed");
    expect(line).toBeDefined();
    const err = line?.err as { message: string; stack: string };
    expect(err.message).toContain("table_that_does_not_exist");
    expect(err.stack).toContain("\n");
  });
});

describe("log redaction", () => {
  let app: TestApp;
  const routes = Router().post("/api/test/echo-log", (req, res) => {
    // A handler that logs the whole body, as careless code might: the logger must still redact.
    req.log.info(
      { body: req.body, env: { OPENAI_API_KEY: CANARY, DB_PASSWORD: CANARY } },
      "handler saw body",
    );
    res.json({ ok: true });
  });

  beforeAll(async () => {
    app = await startTestApp({ env: NO_RATE_LIMITS, routes: [routes] });
  });
  afterAll(() => app.close());

  it("never writes a canary secret to the log, wherever the request carries it", async () => {
    const res = await fetch(`${app.url}/api/test/echo-log?token=${CANARY}&api_key=${CANARY}&page=2`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        cookie: `__Host-nora_session=${CANARY}`,
        "x-api-key": CANARY,
        "proxy-authorization": `Basic ${CANARY}`,
      },
      body: JSON.stringify({
        password: CANARY,
        apiKey: CANARY,
        nested: {
          GITHUB_TOKEN: CANARY,
          clientSecret: CANARY,
          SMTP_PASSWORD: CANARY,
          list: [{ ENCRYPTION_KEY: CANARY }],
        },
        newPassword: CANARY,
        title: "visible",
      }),
    });
    expect(res.status).toBe(200);
    const requestId = res.headers.get("x-request-id");
    const lines = app.logs.entries().filter((e) => e.requestId === requestId);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    // Credentials in the Authorization header are refused (not an API key) and still never logged.
    const refused = await fetch(`${app.url}/api/test/echo-log`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${CANARY}` },
      body: JSON.stringify({ token: CANARY }),
    });
    expect(refused.status).toBe(401);
    expect(app.logs.entries().some((e) => e.requestId === refused.headers.get("x-request-id"))).toBe(true);
    expect(app.logs.text).not.toContain(CANARY);
    expect(app.logs.text).toContain("visible");
    expect(app.logs.text).toContain("page=2");
  });
});

/** Every value of a sensitive query parameter a URL can carry, so one URL tests the whole name list. */
const SENSITIVE_QUERY = [
  "token",
  "code",
  "state",
  "key",
  "secret",
  "password",
  "passwd",
  "auth",
  "authorization",
  "jwt",
  "session",
  "signature",
  "access_token",
]
  .map((name) => `${name}=${CANARY}`)
  .join("&");

describe("URLs in the log", () => {
  let app: TestApp;
  const routes = Router()
    .get("/api/test/redirect", (_req, res) => {
      res.redirect(302, `/elsewhere?${SENSITIVE_QUERY}&page=3`);
    })
    .get("/api/test/url-failure", () => {
      throw new Error(`upstream https://upstream.test/cb?${SENSITIVE_QUERY} failed`);
    });
  const referer = `http://nora.test/app/settings?${SENSITIVE_QUERY}&page=2#access_token=${CANARY}`;

  beforeAll(async () => {
    app = await startTestApp({
      env: {
        ...NO_RATE_LIMITS,
        // A GitHub sign-in that is never contacted: start only redirects, and a callback with an
        // unknown state is refused before any exchange.
        GITHUB_CLIENT_ID: "log-test-client",
        GITHUB_CLIENT_SECRET: "log-test-secret",
        GITHUB_OAUTH_URL: "http://127.0.0.1:9",
        GITHUB_API_URL: "http://127.0.0.1:9",
      },
      routes: [routes],
    });
  });
  afterAll(() => app.close());

  const linesOf = (res: Response) =>
    app.logs.entries().filter((e) => e.requestId === res.headers.get("x-request-id"));

  it("redacts the Referer header like the request URL", async () => {
    const res = await fetch(`${app.url}/api/health`, { headers: { referer } });
    expect(res.status).toBe(200);
    const line = linesOf(res).find((e) => e.msg === "request completed") as {
      req: { headers: { referer: string } };
    };
    expect(line.req.headers.referer).toContain("http://nora.test/app/settings?");
    expect(line.req.headers.referer).toContain("page=2");
    expect(app.logs.text).not.toContain(CANARY);
  });

  it("logs a redirect's target, redacted", async () => {
    const res = await fetch(`${app.url}/api/test/redirect`, { redirect: "manual", headers: { referer } });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toContain(CANARY);
    const line = linesOf(res).find((e) => e.msg === "request completed") as { res: { location: string } };
    expect(line.res.location).toMatch(/^\/elsewhere\?.*page=3/);
    expect(app.logs.text).not.toContain(CANARY);
  });

  it("redacts URLs in a logged error", async () => {
    const res = await fetch(`${app.url}/api/test/url-failure`);
    expect(res.status).toBe(500);
    expect(linesOf(res).some((e) => e.msg === "request failed")).toBe(true);
    expect(app.logs.text).toContain("https://upstream.test/cb?");
    expect(app.logs.text).not.toContain(CANARY);
  });

  it("keeps the OAuth state and code out of the log: start's redirect, the callback, its Referer", async () => {
    const start = await fetch(`${app.url}/api/auth/oauth/github/start`, { redirect: "manual" });
    expect(start.status).toBe(302);
    const state = new URL(start.headers.get("location") as string).searchParams.get("state") as string;
    expect(state.length).toBeGreaterThan(20);
    const startLine = linesOf(start).find((e) => e.msg === "request completed") as {
      res: { location: string };
    };
    expect(startLine.res.location).toContain("http://127.0.0.1:9/login/oauth/authorize?");

    const callback = await fetch(
      `${app.url}/api/auth/oauth/github/callback?code=${CANARY}&state=${encodeURIComponent(state)}`,
      { redirect: "manual", headers: { referer: `http://127.0.0.1:9/login/oauth/authorize?state=${state}` } },
    );
    expect(callback.status).toBe(302);
    expect(callback.headers.get("location")).toContain("/login?error=");
    expect(app.logs.text).not.toContain(CANARY);
    expect(app.logs.text).not.toContain(state);
    expect(app.logs.text).not.toContain(encodeURIComponent(state));
  });
});

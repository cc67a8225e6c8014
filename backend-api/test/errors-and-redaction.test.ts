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

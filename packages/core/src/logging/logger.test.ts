import { describe, expect, it } from "vitest";
import { LogCapture } from "../testing/log-capture.js";
import { createLogger } from "./logger.js";
import {
  isSensitiveName,
  isSensitiveQueryName,
  REDACTED,
  redactDeep,
  redactUrl,
  redactUrlsIn,
} from "./redact.js";

const CANARY = "canary-0b1d-never-in-logs";

describe("isSensitiveName", () => {
  it.each([
    "OPENAI_API_KEY",
    "ENCRYPTION_KEY",
    "SMTP_PASSWORD",
    "JWT_SECRET",
    "GITHUB_TOKEN",
    "authorization",
    "Authorization",
    "cookie",
    "set-cookie",
    "password",
    "apiKey",
    "accessToken",
    "clientSecret",
    "x-api-key",
  ])("%s is sensitive", (name) => expect(isSensitiveName(name)).toBe(true));

  it.each(["keyId", "monkey", "title", "tokenCount", "email", "keys", "requestId"])("%s is not", (name) =>
    expect(isSensitiveName(name)).toBe(false),
  );
});

describe("redactDeep", () => {
  it("redacts at any depth, in arrays, without touching the input", () => {
    const input = { a: [{ b: { DB_PASSWORD: CANARY } }], ok: 1 };
    const out = redactDeep(input) as typeof input;
    expect(out.a[0]?.b.DB_PASSWORD).toBe(REDACTED);
    expect(input.a[0]?.b.DB_PASSWORD).toBe(CANARY);
    expect(out.ok).toBe(1);
  });

  it("redacts sensitive query parameters", () => {
    expect(redactUrl(`/cb?code=${CANARY}&state=s&x=1`)).toBe(
      "/cb?code=%5Bredacted%5D&state=%5Bredacted%5D&x=1",
    );
    expect(redactUrl("/plain")).toBe("/plain");
  });

  it.each([
    "token",
    "code",
    "state",
    "key",
    "secret",
    "jwt",
    "session",
    "signature",
    "Signature",
    "password",
    "passwd",
    "pass",
    "auth",
    "authorization",
    "Auth_Token",
    "access_token",
    "api_key",
    "client_secret",
    "SESSION",
  ])("query parameter %s is redacted", (name) => expect(isSensitiveQueryName(name)).toBe(true));

  it.each(["page", "q", "limit", "keyword", "error", "redirect_uri", "scope"])(
    "query parameter %s is kept",
    (name) => expect(isSensitiveQueryName(name)).toBe(false),
  );

  it("redacts absolute URLs and parameter-style fragments, keeping the rest", () => {
    const url = `https://nora.test/app?page=2&Token=${CANARY}&jwt=${CANARY}#access_token=${CANARY}&x=1`;
    const out = redactUrl(url);
    expect(out).not.toContain(CANARY);
    expect(out).toContain("https://nora.test/app?page=2&");
    expect(out).toContain("x=1");
    expect(redactUrl("https://nora.test/docs#section-2")).toBe("https://nora.test/docs#section-2");
  });

  it("redacts URLs inside free text", () => {
    const text = `request to https://api.test/cb?code=${CANARY}&ok=1 failed; retried /v1/x?session=${CANARY}.`;
    const out = redactUrlsIn(text);
    expect(out).not.toContain(CANARY);
    expect(out).toContain("ok=1");
    expect(redactUrlsIn("no urls here")).toBe("no urls here");
  });
});

describe("createLogger", () => {
  it("redacts fields in log objects and in child bindings", () => {
    const capture = new LogCapture();
    const logger = createLogger({ service: "test", level: "info", destination: capture });
    logger.info({ config: { JWT_SECRET: CANARY }, user: "ana" }, "one");
    logger.child({ headers: { authorization: `Bearer ${CANARY}` } }).info("two");
    logger.child({ req: { headers: { cookie: CANARY } } }).warn({ password: CANARY }, "three");
    expect(capture.lines).toHaveLength(3);
    expect(capture.text).not.toContain(CANARY);
    expect(capture.text).toContain("ana");
    expect(capture.entries()[0]).toMatchObject({ service: "test", level: "info", msg: "one" });
  });

  it("redacts URLs in logged errors: message, stack and cause", () => {
    const capture = new LogCapture();
    const logger = createLogger({ service: "test", level: "info", destination: capture });
    const cause = new Error(`GET https://idp.test/token?client_secret=${CANARY} answered 500`);
    const error = new Error(
      `callback /api/auth/oauth/github/callback?code=${CANARY}&state=${CANARY} failed`,
      {
        cause,
      },
    );
    logger.error({ err: error }, "oauth failed");
    expect(capture.text).not.toContain(CANARY);
    expect(capture.text).toContain("/api/auth/oauth/github/callback?code=");
  });
});

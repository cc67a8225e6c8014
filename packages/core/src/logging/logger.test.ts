import { describe, expect, it } from "vitest";
import { LogCapture } from "../testing/log-capture.js";
import { createLogger } from "./logger.js";
import { isSensitiveName, REDACTED, redactDeep, redactUrl } from "./redact.js";

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
});

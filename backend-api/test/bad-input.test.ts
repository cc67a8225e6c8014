import { singleLineText } from "@nora/api-contract";
import { recordAudit } from "@nora/domain/audit/service";
import { Router } from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { validated } from "../src/http/validate.js";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";

/** A route that writes one audit row per valid request, so a test can prove bad input wrote nothing. */
function writingRoute(app: () => TestApp) {
  const noteBody = z.strictObject({ title: singleLineText({ max: 100, min: 1 }) });
  return Router().post(
    "/api/test/notes",
    validated({ body: noteBody }, async (_req, res, { body }) => {
      await recordAudit(app().db.pool, {
        actor: { type: "system" },
        action: "test.note_created",
        metadata: body,
      });
      res.status(201).json({ ok: true });
    }),
  );
}

describe("bad input gets a clear 4xx and changes nothing", () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({
      env: { ...NO_RATE_LIMITS, JSON_BODY_LIMIT: "16kb" },
      routes: [writingRoute(() => app)],
    });
  });
  afterAll(() => app.close());

  const rows = async () => Number((await app.db.pool.query("SELECT count(*) FROM audit_log")).rows[0].count);
  const send = (body: string, contentType = "application/json") =>
    fetch(`${app.url}/api/test/notes`, { method: "POST", headers: { "content-type": contentType }, body });

  const deep = (levels: number) => `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
  const cases: Array<[string, () => Promise<Response>, number, string]> = [
    ["malformed JSON", () => send('{"title": '), 400, "invalid_json"],
    ["a JSON string at the top", () => send('"just a string"'), 400, "invalid_json"],
    [
      "wrong content type",
      () => send("title=x", "application/x-www-form-urlencoded"),
      415,
      "unsupported_media_type",
    ],
    ["text/plain JSON", () => send('{"title":"x"}', "text/plain"), 415, "unsupported_media_type"],
    ["oversized body", () => send(JSON.stringify({ title: "x".repeat(20_000) })), 413, "payload_too_large"],
    ["__proto__ at the top", () => send('{"title":"x","__proto__":{"admin":true}}'), 400, "forbidden_key"],
    [
      "constructor nested",
      () => send('{"title":"x","a":[{"b":{"constructor":{"prototype":1}}}]}'),
      400,
      "forbidden_key",
    ],
    ["prototype key", () => send('{"prototype":{}}'), 400, "forbidden_key"],
    ["deeply nested body", () => send(deep(40)), 400, "body_too_deep"],
    ["absurdly nested body", () => send(deep(2_500)), 400, "body_too_deep"],
    ["schema violation", () => send('{"title":""}'), 400, "validation_failed"],
    ["unknown field", () => send('{"title":"x","role":"admin"}'), 400, "validation_failed"],
    ["wrong type", () => send('{"title":42}'), 400, "validation_failed"],
    ["empty body", () => send(""), 400, "validation_failed"],
  ];

  it.each(cases)("%s", async (_name, request, status, code) => {
    const before = await rows();
    const res = await request();
    expect(res.status).toBe(status);
    const body = (await res.json()) as { error: string; requestId: string; details?: unknown };
    expect(body.error).toBe(code);
    expect(body.requestId).toBe(res.headers.get("x-request-id"));
    expect(await rows()).toBe(before);
  });

  it("lists what failed validation in details", async () => {
    const res = await send('{"title":42}');
    const body = (await res.json()) as { details: Array<{ path: string }> };
    expect(body.details[0]?.path).toBe("title");
  });

  it("accepts the valid request, which does write", async () => {
    const before = await rows();
    expect((await send('{"title":"hello"}')).status).toBe(201);
    expect(await rows()).toBe(before + 1);
  });

  it("never pollutes Object.prototype", async () => {
    await send('{"__proto__":{"polluted":"yes"}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

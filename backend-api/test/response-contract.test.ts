import { defineRoute, empty, userResponse } from "@nora/api-contract";
import { Router } from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createAuthorizer } from "../src/http/authorize.js";
import { mount } from "../src/http/mount.js";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { createUser } from "./identity.js";

/**
 * Answers go through the contract's response schema for their status (`mount`/`reply`): an unlisted
 * field never leaves, and a server that breaks its own contract answers a bare 500 with the request id.
 * The probe routes use the real authorizer with public requirements (no lookup runs).
 */
const PUBLIC = { kind: "public" } as const;
const userProbe = defineRoute({
  method: "GET",
  path: "/api/test/contract/user",
  requirement: PUBLIC,
  summary: "probe",
  responses: { 200: userResponse, 204: empty },
});
const misfit = defineRoute({
  method: "GET",
  path: "/api/test/contract/misfit",
  requirement: PUBLIC,
  summary: "probe",
  responses: { 200: z.object({ count: z.number().int() }) },
});

describe("answers serialised through the contract", () => {
  let app: TestApp;
  let userId = "";
  const router = Router();
  const { requires } = createAuthorizer(
    async () => null,
    async () => null,
  );
  mount(router, requires, userProbe, async (req, _res, _input, reply) => {
    const row = await app.db.pool.query("SELECT * FROM users WHERE id = $1", [userId]);
    const user = row.rows[0] as Record<string, unknown>;
    // The mistake the schema guards against: a whole row, hash and all, handed to the answer.
    const value = {
      user: {
        ...user,
        displayName: user.display_name ?? null,
        emailVerified: user.email_verified_at != null,
        passwordHash: user.password_hash,
      },
    };
    // An unlisted status is a server bug as well.
    reply((req.query.status === "418" ? 418 : 200) as 200, value);
  });
  mount(router, requires, misfit, (_req, _res, _input, reply) => {
    reply(200, { count: "many", secret: "s3cr3t-value" });
  });

  beforeAll(async () => {
    app = await startTestApp({ env: NO_RATE_LIMITS, routes: [router] });
    userId = (await createUser(app, { email: "owner@example.org" })).id;
  });
  afterAll(() => app.close());

  it("drops a field the response schema does not list (passwordHash, password_hash)", async () => {
    const res = await fetch(`${app.url}/api/test/contract/user`);
    expect(res.status).toBe(200);
    const text = await res.text();
    const body = JSON.parse(text) as { user: Record<string, unknown> };
    expect(Object.keys(body.user).sort()).toEqual(["displayName", "email", "emailVerified", "id", "role"]);
    expect(body.user.email).toBe("owner@example.org");
    expect(text).not.toMatch(/password|argon2/i);
  });

  it("answers 500 with the request id, and logs it, for a status the entry does not list", async () => {
    const res = await fetch(`${app.url}/api/test/contract/user?status=418`);
    expect(res.status).toBe(500);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({ error: "internal_error", requestId: res.headers.get("x-request-id") });
    const line = app.logs.entries().find((e) => e.requestId === body.requestId && e.msg === "request failed");
    expect(JSON.stringify(line)).toContain("does not list a 418 answer");
  });

  it("answers 500 (not a 400) when the value does not fit its schema, and nothing of the value leaves", async () => {
    const res = await fetch(`${app.url}/api/test/contract/misfit`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: "internal_error", requestId: res.headers.get("x-request-id") });
    expect(text).not.toContain("s3cr3t-value");
    expect(text).not.toContain("many");
  });
});

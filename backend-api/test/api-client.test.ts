import { randomUUID } from "node:crypto";
import { ApiError, createApiClient, InvalidRequestError, InvalidResponseError } from "@nora/api-client";
import { API, defineRoute } from "@nora/api-contract";
import { Router } from "express";
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { ORIGIN } from "./identity.js";

/**
 * The typed client (`@nora/api-client`) against the real API: requests built from the contract, answers
 * checked against it. A browser sends the cookie and the Origin itself; here a small fetch wrapper does.
 */

/** A fetch that keeps the session cookie and sends the allowed Origin, as a browser would. */
function browserFetch(sent: string[]) {
  let cookie: string | undefined;
  const wrapped: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    if (cookie) headers.set("cookie", cookie);
    headers.set("origin", ORIGIN);
    sent.push(`${init?.method ?? "GET"} ${String(input)}`);
    const res = await fetch(input, { ...init, headers });
    const setCookie = res.headers.get("set-cookie");
    if (setCookie) cookie = setCookie.split(";")[0];
    return res;
  };
  return wrapped;
}

/** The error a call fails with (and a test failure when it succeeds). */
const failure = <E = ApiError>(call: Promise<unknown>): Promise<E> =>
  call.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: unknown) => error as E,
  );

const EMAIL = "ada@example.org";
const PASSWORD = "a long enough password";
const oddRoute = defineRoute({
  method: "GET",
  path: "/api/test/odd-answer",
  requirement: { kind: "public" },
  summary: "A probe route answering something the contract does not expect",
  responses: { 200: z.object({ status: z.literal("ok"), count: z.number() }) },
});

describe("@nora/api-client against the real API", () => {
  let app: TestApp;
  const sent: string[] = [];
  let client: ReturnType<typeof createApiClient>;

  beforeAll(async () => {
    const probe = Router().get(oddRoute.path, (_req, res) => {
      res.json({ status: "ok", count: "three" });
    });
    app = await startTestApp({ env: NO_RATE_LIMITS, routes: [probe] });
    client = createApiClient({ baseUrl: app.url, fetch: browserFetch(sent) });
  });
  afterAll(() => app?.close());

  it("signs up, logs in and reads the caller", async () => {
    const status = await client.auth.bootstrapStatus();
    expect(status.needsClaim).toBe(true);
    expect(await client.auth.signup({ body: { email: EMAIL, password: PASSWORD } })).toEqual({
      status: "ok",
    });

    const { user } = await client.auth.login({ body: { email: EMAIL.toUpperCase(), password: PASSWORD } });
    expect(user).toMatchObject({ email: EMAIL, role: "admin", emailVerified: true });
    expect(user).not.toHaveProperty("passwordHash");

    const me = await client.call(API.auth.me);
    expect(me.via).toBe("session");
    expect(me.user.id).toBe(user.id);
    expectTypeOf(me.via).toEqualTypeOf<"session" | "api_key">();
  });

  it("creates, lists and renames a workspace", async () => {
    const { workspace } = await client.workspaces.create({ body: { name: "Acme" } });
    expect(workspace).toMatchObject({ name: "Acme", role: "owner" });
    expect(workspace.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expectTypeOf(workspace.role).toEqualTypeOf<"viewer" | "editor" | "admin" | "owner">();

    const { workspaces } = await client.workspaces.list();
    expect(workspaces.map((w) => w.id)).toContain(workspace.id);

    const renamed = await client.workspaces.rename({
      params: { id: workspace.id },
      body: { name: "  Acme Ops  " },
    });
    expect(renamed.workspace.name).toBe("Acme Ops");
    const fetched = await client.call(API.workspaces.get, { params: { id: workspace.id } });
    expect(fetched.workspace).toMatchObject({ name: "Acme Ops", role: "owner" });
  });

  it("creates an API key, uses it as a Bearer key, and revokes it", async () => {
    const { workspace } = await client.workspaces.create({ body: { name: "Keys" } });
    const created = await client.apiKeys.create({
      params: { id: workspace.id },
      body: { description: "deploy bot", scopes: ["workspaces:read"], ttl_days: 30 },
    });
    expect(created.key).toMatch(/^nora_/);
    expect(created.apiKey.scopes).toEqual(["workspaces:read"]);
    expect(created.apiKey).not.toHaveProperty("keyHash");

    const bot = createApiClient({ baseUrl: app.url, apiKey: created.key });
    const me = await bot.auth.me();
    expect(me).toMatchObject({
      via: "api_key",
      apiKey: { id: created.apiKey.id, workspaceId: workspace.id },
    });
    expect((await bot.workspaces.get({ params: { id: workspace.id } })).workspace.id).toBe(workspace.id);
    // A key never manages keys.
    const refused = await failure(bot.apiKeys.list({ params: { id: workspace.id } }));
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 403, error: "session_required" });

    expect(
      await client.apiKeys.revoke({ params: { id: workspace.id, keyId: created.apiKey.id } }),
    ).toBeUndefined();
    const { apiKeys } = await client.apiKeys.list({ params: { id: workspace.id } });
    expect(apiKeys[0]?.revokedAt).toMatch(/^\d{4}-/);
    const after = await failure(bot.workspaces.get({ params: { id: workspace.id } }));
    expect(after).toMatchObject({ status: 401 });
  });

  it("refuses a bad input before sending it, with the API's validation_failed shape", async () => {
    const before = sent.length;
    const error = await failure<InvalidRequestError>(client.workspaces.create({ body: { name: "" } }));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ status: 0, error: "validation_failed", requestId: null });
    expect(error.details).toEqual([expect.objectContaining({ path: "body.name", code: "too_small" })]);
    const badId = await failure(client.workspaces.get({ params: { id: "../admin" } }));
    expect(badId).toBeInstanceOf(InvalidRequestError);
    expect(sent.length).toBe(before);
  });

  it("turns the API's 400 into an ApiError with details and the request id", async () => {
    // A client whose contract predates the rule sends what today's API refuses.
    const unchecked = {
      ...API.workspaces.create,
      body: undefined,
    } as unknown as typeof API.workspaces.create;
    const error = await failure(client.call(unchecked, { body: { name: "" } }));
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, error: "validation_failed" });
    expect(error.details).toEqual([expect.objectContaining({ path: "name" })]);
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("turns a 404 into an ApiError carrying the request id", async () => {
    const traced = createApiClient({
      baseUrl: app.url,
      fetch: browserFetch([]),
      headers: () => ({ "x-request-id": "client-test-404" }),
    });
    await traced.auth.login({ body: { email: EMAIL, password: PASSWORD } });
    const error = await failure(traced.workspaces.get({ params: { id: randomUUID() } }));
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 404,
      error: "not_found",
      message: "Workspace not found",
      requestId: "client-test-404",
    });
  });

  it("URL-encodes path params and sends the query", async () => {
    const { records } = await client.admin.audit({ query: { action: "auth.login", limit: "5" } });
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => r.action === "auth.login")).toBe(true);
    expect(sent.at(-1)).toContain("/api/admin/audit?action=auth.login&limit=5");
    const unknown = await failure(client.oauth.link({ params: { provider: "no such/provider" } }));
    expect(unknown).toMatchObject({ status: 404 });
    expect(sent.at(-1)).toContain("/api/auth/oauth/no%20such%2Fprovider/link");
  });

  it("refuses an answer that does not match the contract", async () => {
    const error = await failure<InvalidResponseError>(client.call(oddRoute));
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error).toMatchObject({ status: 200, error: "invalid_response" });
    expect(error.details).toEqual([expect.objectContaining({ path: "response.count" })]);
  });

  it("is typed from the contract", () => {
    expectTypeOf(client.workspaces.get).parameter(0).toEqualTypeOf<{
      params: { id: string };
      query?: undefined;
      body?: undefined;
    }>();
    expectTypeOf(client.apiKeys.revoke).returns.resolves.toEqualTypeOf<undefined>();
    // @ts-expect-error a route with path params cannot be called without them
    void (() => client.workspaces.get());
  });
});

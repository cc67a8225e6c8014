import { randomBytes, randomUUID } from "node:crypto";
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
    app = await startTestApp({
      env: { ...NO_RATE_LIMITS, ENCRYPTION_KEY: randomBytes(32).toString("hex") },
      routes: [probe],
    });
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
    const csv = await client.raw(API.admin.audit, { query: { format: "csv", action: "auth.login" } });
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect((await csv.text()).split("\n").length).toBeGreaterThan(1);
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

  it("gets answers that match the contract from the other domains too", async () => {
    // Every call below parses its answer with the route's response schema: a mismatch throws.
    expect((await client.health.health()).status).toBe("ok");
    expect((await client.health.ready()).checks.postgres).toBe("ok");
    const { sessions } = await client.auth.sessions();
    expect(sessions.some((s) => s.current)).toBe(true);
    expect(await client.oauth.identities()).toEqual({ identities: [], hasPassword: true });

    const { workspace } = await client.workspaces.create({ body: { name: "Everything" } });
    const id = workspace.id;
    expect((await client.workspaces.members({ params: { id } })).members[0]?.role).toBe("owner");
    const invited = await client.invitations.create({
      params: { id },
      body: { email: "grace@example.org", role: "editor" },
    });
    expect(invited.delivery).toBe("link");
    if (invited.delivery === "link") expect(invited.acceptUrl).toContain("#token=");
    expect((await client.invitations.list({ params: { id } })).invitations[0]?.status).toBe("pending");

    const { provider } = await client.providers.create({
      params: { id },
      body: { kind: "openai", name: "OpenAI", apiKey: "sk-test-0123456789abcdef", defaultModel: "gpt-4o" },
    });
    expect(provider).toMatchObject({ keySet: true, keyHint: "cdef", isDefault: true });
    expect(provider).not.toHaveProperty("apiKey");
    expect((await client.providers.list({ params: { id } })).providers).toHaveLength(1);

    const catalog = await client.integrations.catalog();
    expect(catalog.integrations.map((k) => k.kind)).toContain("smtp");
    const { integration } = await client.integrations.create({
      params: { id },
      body: { kind: "github", name: "GitHub bot", credentials: { token: "github_pat_0123456789abcdefWq7Z" } },
    });
    expect(integration.credentials).toEqual({ token: { set: true, hint: "Wq7Z" } });
    const integrationId = integration.id;
    await client.integrations.get({ params: { id, integrationId } });
    await client.integrations.update({ params: { id, integrationId }, body: { name: "GitHub (ops)" } });
    const { channel } = await client.channels.create({
      params: { id },
      body: { kind: "webhook", name: "Hook", config: { url: "https://hooks.example.org/nora" } },
    });
    expect(channel).toMatchObject({ agentId: null, credentials: { secret: { set: false } } });
    expect((await client.channels.list({ params: { id } })).channels).toHaveLength(1);

    // Agents come from provisioning; one inserted directly stands in for a deployed one.
    const { rows } = await app.db.pool.query<{ id: string }>(
      "INSERT INTO agents (workspace_id, name) VALUES ($1, 'scout') RETURNING id",
      [id],
    );
    const agentId = rows[0]?.id as string;
    await client.agents.setSecret({
      params: { agentId, name: "GITHUB_TOKEN" },
      body: { value: "ghp_0123456789wxyz" },
    });
    const { secrets } = await client.agents.secrets({ params: { agentId } });
    expect(secrets).toEqual([expect.objectContaining({ name: "GITHUB_TOKEN", set: true, hint: "wxyz" })]);
    expect(await failure(client.agents.syncProviders({ params: { agentId } }))).toMatchObject({
      status: 409,
      error: "agent_not_running",
    });

    const page = await client.workspaces.audit({ params: { id }, query: { limit: "3" } });
    expect(page.records).toHaveLength(3);
    expect(page.nextBefore).toBe(page.records[2]?.id);

    expect((await client.admin.users()).users[0]?.email).toBe(EMAIL);
    expect((await client.admin.settings()).settings.signupMode.source).toBe("default");
    const stored = await client.admin.updateSettings({ body: { signupMode: "invite" } });
    expect(stored.settings.signupMode).toMatchObject({ value: "invite", source: "stored" });
    expect((await client.keyRotation.keys()).configuredKeyIds.length).toBeGreaterThan(0);
    expect(await client.keyRotation.status()).toEqual({ rotation: null });
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

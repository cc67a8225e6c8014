import { randomBytes, randomUUID } from "node:crypto";
import type { Resolver } from "@nora/core";
import { Keyring } from "@nora/core";
import { testConfig } from "@nora/core/testing";
import { createProviderService } from "@nora/domain/providers/service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAKE_KEYS, type FakeUpstream, startFakeUpstream } from "./fake-upstreams.js";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { addMember, type Caller, call, createApiKey, createWorkspace, userWithSession } from "./identity.js";

/**
 * LLM providers: sealed keys that never come back, masked reads, role and scope rules, one default
 * per workspace, the SSRF guard on base URLs, and the live test. The live test talks to a local fake
 * (fake-upstreams.ts) on 127.0.0.1 that speaks each provider's real models API; the tests that reach it
 * allowlist 127.0.0.1 explicitly by passing the policy to the service. No external host is contacted.
 */
describe("LLM providers", () => {
  let app: TestApp;
  let fake: FakeUpstream;
  let owner: { id: string; cookie: string };
  let viewer: { id: string; cookie: string };
  let editor: { id: string; cookie: string };
  let workspaceId: string;
  const canary = `sk-canary-${randomBytes(12).toString("hex")}`;

  beforeAll(async () => {
    app = await startTestApp({ env: { ...NO_RATE_LIMITS, ENCRYPTION_KEY: randomBytes(32).toString("hex") } });
    fake = await startFakeUpstream();
    owner = await userWithSession(app);
    viewer = await userWithSession(app);
    editor = await userWithSession(app);
    workspaceId = await createWorkspace(app, owner.cookie);
    await addMember(app, workspaceId, viewer.id, "viewer");
    await addMember(app, workspaceId, editor.id, "editor");
  });
  afterAll(async () => {
    await fake.close();
    await app.close();
  });

  const as = (who: { cookie: string } | Caller) => ("cookie" in who ? { cookie: who.cookie } : who);
  const path = (suffix = "") => `/api/workspaces/${workspaceId}/llm-providers${suffix}`;
  const create = (who: Caller, body: Record<string, unknown>) => call(app, as(who), "POST", path(), body);
  const ctx = () => ({ actor: { type: "user" as const, userId: owner.id }, requestId: "provider-test" });
  const keyring = () => Keyring.fromConfig(app.config);

  it("seals the key, never returns it, and shows only its hint and when it was set", async () => {
    const created = await create(editor, {
      kind: "openai",
      name: "OpenAI",
      apiKey: canary,
      defaultModel: "gpt-4o",
    });
    expect(created.status).toBe(201);
    expect(created.text).not.toContain(canary);
    expect(created.headers.get("cache-control")).toBe("no-store");
    const provider = created.body.provider as Record<string, unknown>;
    expect(provider).toMatchObject({
      kind: "openai",
      name: "OpenAI",
      keySet: true,
      keyHint: canary.slice(-4),
      defaultModel: "gpt-4o",
      baseUrl: null,
      isDefault: true,
    });
    expect(provider.keySetAt).toBeTruthy();
    expect(provider).not.toHaveProperty("apiKey");

    for (const who of [viewer, editor, owner]) {
      const list = await call(app, as(who), "GET", path());
      expect(list.status).toBe(200);
      expect(list.text).not.toContain(canary);
      expect((list.body.providers as unknown[]).length).toBeGreaterThan(0);
    }

    const { rows } = await app.db.pool.query<{ api_key: string; key_hint: string }>(
      "SELECT api_key, key_hint FROM llm_providers WHERE id = $1",
      [provider.id],
    );
    expect(rows[0]?.api_key.startsWith("nora:v1:")).toBe(true);
    expect(rows[0]?.api_key).not.toContain(canary);
    expect(rows[0]?.key_hint).toBe(canary.slice(-4));
    // Bound to its row: the envelope opens here and nowhere else.
    const ctxOf = (rowId: string) => ({ table: "llm_providers", column: "api_key", rowId });
    expect(keyring().open(rows[0]?.api_key as string, ctxOf(provider.id as string)).value).toBe(canary);
    expect(() => keyring().open(rows[0]?.api_key as string, ctxOf(randomUUID()))).toThrow();

    const audit = await app.db.pool.query<{ action: string; metadata: unknown }>(
      "SELECT action, metadata FROM audit_log WHERE target_id = $1",
      [provider.id],
    );
    expect(audit.rows.map((r) => r.action)).toEqual(["llm_provider.created"]);
    expect(audit.rows[0]?.metadata).toMatchObject({ kind: "openai", name: "OpenAI" });
    expect(JSON.stringify(audit.rows)).not.toContain(canary);
  });

  it("gives no hint for a short key", async () => {
    const res = await create(editor, { kind: "groq", name: "Short", apiKey: "gsk_short" });
    expect(res.status).toBe(201);
    expect((res.body.provider as { keyHint: unknown }).keyHint).toBeNull();
    expect(res.text).not.toContain("gsk_short");
  });

  it("lets editors manage, viewers only read, and keys act within their scopes", async () => {
    expect(
      (await create(viewer, { kind: "openai", name: "Nope", apiKey: "sk-viewer-123456789" })).status,
    ).toBe(403);
    const read = await createApiKey(app, owner.cookie, workspaceId, ["integrations:read"]);
    const write = await createApiKey(app, owner.cookie, workspaceId, ["integrations:write"]);
    const other = await createApiKey(app, owner.cookie, workspaceId, ["agents:read", "agents:write"]);
    expect((await call(app, { apiKey: read.key }, "GET", path())).status).toBe(200);
    expect(
      (await create({ apiKey: read.key }, { kind: "mistral", name: "K1", apiKey: "mistral-key-123456" }))
        .status,
    ).toBe(403);
    expect((await call(app, { apiKey: other.key }, "GET", path())).status).toBe(403);
    const byKey = await create(
      { apiKey: write.key },
      { kind: "mistral", name: "K2", apiKey: "mistral-key-123456" },
    );
    expect(byKey.status).toBe(201);
    const id = (byKey.body.provider as { id: string }).id;
    expect((await call(app, as(viewer), "PATCH", path(`/${id}`), { name: "x" })).status).toBe(403);
    expect((await call(app, as(viewer), "DELETE", path(`/${id}`))).status).toBe(403);
    expect((await call(app, as(viewer), "POST", path(`/${id}/test`))).status).toBe(403);
    expect((await call(app, as(editor), "DELETE", path(`/${id}`))).status).toBe(204);
    expect((await call(app, as(editor), "DELETE", path(`/${id}`))).status).toBe(404);
    for (const bad of ["not-a-uuid", randomUUID()]) {
      expect((await call(app, as(editor), "PATCH", path(`/${bad}`), { name: "x" })).status).toBe(404);
    }
  });

  it.each([
    [{ kind: "openai", name: "No key" }, "apiKey"],
    [{ kind: "anthropic", name: "No key", baseUrl: "https://example.org" }, "apiKey"],
    [{ kind: "ollama", name: "No URL" }, "baseUrl"],
    [{ kind: "openai_compatible", name: "No URL", apiKey: "sk-1234567890" }, "baseUrl"],
    [{ kind: "cohere", name: "Unknown", apiKey: "k-1234567890" }, "kind"],
    [{ kind: "openai", name: "", apiKey: "sk-1234567890" }, "name"],
    [{ kind: "openai", name: "Spaces", apiKey: "sk 1234 567890" }, "apiKey"],
    [{ kind: "openai", name: "Bad URL", apiKey: "sk-1234567890", baseUrl: "ftp://example.org" }, "baseUrl"],
    [{ kind: "openai", name: "Extra", apiKey: "sk-1234567890", organization: "x" }, ""],
    [{ kind: "openai", name: "Default", apiKey: "sk-1234567890", isDefault: "yes" }, "isDefault"],
  ])("refuses the invalid body %j", async (body, field) => {
    const res = await create(editor, body);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("validation_failed");
    expect((res.body.details as Array<{ path: string }>).map((d) => d.path)).toContain(field);
    expect(res.text).not.toContain("1234567890");
  });

  it.each([
    "http://127.0.0.1:11434",
    "http://10.0.0.5/v1",
    "http://10.20.30.40:8000/v1",
    "http://169.254.169.254/latest/meta-data",
    "http://[::1]:11434",
    "http://localhost:11434",
    "http://[::ffff:127.0.0.1]/v1",
  ])("refuses the base URL %s (SSRF guard)", async (baseUrl) => {
    const res = await create(editor, { kind: "ollama", name: `ssrf ${randomUUID().slice(0, 6)}`, baseUrl });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("destination_forbidden");
    expect(res.body.message).toContain("NORA_OUTBOUND_ALLOWED_CIDRS");
  });

  it("refuses a forbidden base URL on update too", async () => {
    const res = await create(editor, {
      kind: "openai_compatible",
      name: "vLLM",
      baseUrl: "https://llm.example.org/v1",
    });
    expect(res.status).toBe(201);
    const id = (res.body.provider as { id: string }).id;
    const patched = await call(app, as(editor), "PATCH", path(`/${id}`), {
      baseUrl: "http://169.254.169.254/",
    });
    expect(patched.status).toBe(400);
    expect(patched.body.error).toBe("destination_forbidden");
  });

  it("keeps exactly one default per workspace", async () => {
    const ws = await createWorkspace(app, owner.cookie, "Defaults");
    const p = (s = "") => `/api/workspaces/${ws}/llm-providers${s}`;
    const mk = async (name: string, extra: Record<string, unknown> = {}) => {
      const res = await call(app, as(owner), "POST", p(), {
        kind: "openai",
        name,
        apiKey: "sk-default-1234567",
        ...extra,
      });
      expect(res.status).toBe(201);
      return res.body.provider as { id: string; isDefault: boolean };
    };
    const defaults = async () =>
      (
        await app.db.pool.query<{ id: string }>(
          "SELECT id FROM llm_providers WHERE workspace_id = $1 AND is_default",
          [ws],
        )
      ).rows.map((r) => r.id);

    const a = await mk("A");
    expect(a.isDefault).toBe(true); // the first one
    const b = await mk("B");
    expect(b.isDefault).toBe(false);
    const c = await mk("C", { isDefault: true });
    expect(c.isDefault).toBe(true);
    expect(await defaults()).toEqual([c.id]);

    const patched = await call(app, as(owner), "PATCH", p(`/${b.id}`), { isDefault: true });
    expect((patched.body.provider as { isDefault: boolean }).isDefault).toBe(true);
    expect(await defaults()).toEqual([b.id]);
    const unset = await call(app, as(owner), "PATCH", p(`/${b.id}`), { isDefault: false });
    expect(unset.status).toBe(409);
    expect(unset.body.error).toBe("default_required");

    // Concurrent "make me default" requests still leave one.
    await Promise.all([a, c].map((x) => call(app, as(owner), "PATCH", p(`/${x.id}`), { isDefault: true })));
    expect(await defaults()).toHaveLength(1);

    // The database itself refuses a second default.
    await expect(
      app.db.pool.query(
        `INSERT INTO llm_providers (id, workspace_id, kind, name, api_key, is_default) VALUES ($1, $2, 'openai', 'D', NULL, true)`,
        [randomUUID(), ws],
      ),
    ).rejects.toMatchObject({ code: "23505", constraint: "llm_providers_one_default" });

    // Deleting the default hands the flag to the oldest remaining provider.
    const current = (await defaults())[0] as string;
    expect((await call(app, as(owner), "DELETE", p(`/${current}`))).status).toBe(204);
    const remaining = [a, b, c].filter((x) => x.id !== current).map((x) => x.id);
    expect(await defaults()).toEqual([remaining[0]]);

    const dup = await call(app, as(owner), "POST", p(), {
      kind: "openai",
      name: "B",
      apiKey: "sk-default-1234567",
    });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toBe("name_taken");
  });

  it("updates: keeps the key when omitted, replaces it when given, audits which fields changed", async () => {
    const res = await create(editor, {
      kind: "anthropic",
      name: "Claude",
      apiKey: "sk-ant-original-000011112222",
    });
    const id = (res.body.provider as { id: string }).id;
    const renamed = await call(app, as(editor), "PATCH", path(`/${id}`), {
      name: "Claude 2",
      defaultModel: "claude-x",
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.provider).toMatchObject({
      name: "Claude 2",
      keyHint: "2222",
      defaultModel: "claude-x",
    });
    const before = await app.db.pool.query<{ api_key: string }>(
      "SELECT api_key FROM llm_providers WHERE id = $1",
      [id],
    );
    const newKey = `sk-ant-replaced-${randomBytes(8).toString("hex")}`;
    const rekeyed = await call(app, as(editor), "PATCH", path(`/${id}`), { apiKey: newKey });
    expect(rekeyed.text).not.toContain(newKey);
    expect(rekeyed.body.provider).toMatchObject({ keyHint: newKey.slice(-4) });
    const after = await app.db.pool.query<{ api_key: string }>(
      "SELECT api_key FROM llm_providers WHERE id = $1",
      [id],
    );
    expect(after.rows[0]?.api_key).not.toBe(before.rows[0]?.api_key);
    expect(after.rows[0]?.api_key.startsWith("nora:v1:")).toBe(true);
    expect(after.rows[0]?.api_key).not.toContain(newKey);
    const cleared = await call(app, as(editor), "PATCH", path(`/${id}`), { apiKey: null });
    expect(cleared.status).toBe(400);

    const audit = await app.db.pool.query<{ action: string; metadata: { changed?: string[] } }>(
      "SELECT action, metadata FROM audit_log WHERE target_id = $1 ORDER BY id",
      [id],
    );
    expect(audit.rows.map((r) => r.action)).toEqual([
      "llm_provider.created",
      "llm_provider.updated",
      "llm_provider.updated",
    ]);
    expect(audit.rows[1]?.metadata.changed).toEqual(["name", "defaultModel"]);
    expect(audit.rows[2]?.metadata.changed).toEqual(["apiKey"]);
    expect(JSON.stringify(audit.rows)).not.toContain(newKey);
  });

  it("the live test refuses a stored private base URL without connecting (policy checked at call time)", async () => {
    const id = randomUUID();
    await app.db.pool.query(
      `INSERT INTO llm_providers (id, workspace_id, kind, name, base_url) VALUES ($1, $2, 'ollama', $3, $4)`,
      [id, workspaceId, `legacy ${id.slice(0, 6)}`, fake.url],
    );
    const before = fake.requests.length;
    const res = await call(app, as(editor), "POST", path(`/${id}/test`));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: false, status: null, error: "destination_forbidden" });
    expect(fake.requests.length).toBe(before);
    const audit = await app.db.pool.query<{ metadata: unknown }>(
      "SELECT metadata FROM audit_log WHERE target_id = $1 AND action = 'llm_provider.tested'",
      [id],
    );
    expect(audit.rows[0]?.metadata).toMatchObject({
      kind: "ollama",
      ok: false,
      error: "destination_forbidden",
    });
  });

  it("accepts a legacy plaintext key only under NORA_ALLOW_PLAINTEXT_SECRETS, and seals it on the next write", async () => {
    const id = randomUUID();
    const legacy = `sk-legacy-${randomBytes(8).toString("hex")}`;
    await app.db.pool.query(
      `INSERT INTO llm_providers (id, workspace_id, kind, name, api_key, key_hint, key_set_at)
       VALUES ($1, $2, 'openai', $3, $4, $5, now())`,
      [id, workspaceId, `legacy plain ${id.slice(0, 6)}`, legacy, legacy.slice(-4)],
    );
    const strict = createProviderService({ pool: app.db.pool, keyring: keyring() });
    await expect(strict.test(workspaceId, id, ctx())).rejects.toMatchObject({ code: "secret_unreadable" });
    const lenient = createProviderService({
      pool: app.db.pool,
      keyring: Keyring.fromConfig(
        testConfig({
          ENCRYPTION_KEY: app.config.secrets.encryptionKey,
          NORA_ALLOW_PLAINTEXT_SECRETS: "true",
        }),
      ),
    });
    await lenient.update(workspaceId, id, { defaultModel: "gpt-4o-mini" }, ctx());
    const { rows } = await app.db.pool.query<{ api_key: string }>(
      "SELECT api_key FROM llm_providers WHERE id = $1",
      [id],
    );
    expect(rows[0]?.api_key.startsWith("nora:v1:")).toBe(true);
    expect(rows[0]?.api_key).not.toContain(legacy);
    expect(
      keyring().open(rows[0]?.api_key as string, { table: "llm_providers", column: "api_key", rowId: id })
        .value,
    ).toBe(legacy);
  });

  describe("live test against local fakes (127.0.0.1 allowlisted)", () => {
    const service = (extra: { resolver?: Resolver; allowedCidrs?: string[]; testTimeoutMs?: number } = {}) =>
      createProviderService({
        pool: app.db.pool,
        keyring: keyring(),
        outbound: {
          policy: { allowedCidrs: extra.allowedCidrs ?? ["127.0.0.1/32"] },
          ...(extra.resolver ? { resolver: extra.resolver } : {}),
        },
        ...(extra.testTimeoutMs ? { testTimeoutMs: extra.testTimeoutMs } : {}),
      });

    const cases = [
      {
        kind: "anthropic",
        base: "",
        key: FAKE_KEYS.anthropic,
        path: "/v1/models",
        header: "x-api-key",
        first: "claude-model-00",
        count: 20,
      },
      {
        kind: "openai",
        base: "/v1",
        key: FAKE_KEYS.openai,
        path: "/v1/models",
        header: "authorization",
        first: "model-00",
        count: 20,
      },
      {
        kind: "openrouter",
        base: "/api/v1",
        key: FAKE_KEYS.openai,
        path: "/api/v1/models",
        header: "authorization",
        first: "model-00",
        count: 20,
      },
      {
        kind: "mistral",
        base: "/v1",
        key: FAKE_KEYS.openai,
        path: "/v1/models",
        header: "authorization",
        first: "model-00",
        count: 20,
      },
      {
        kind: "groq",
        base: "/openai/v1",
        key: FAKE_KEYS.openai,
        path: "/openai/v1/models",
        header: "authorization",
        first: "model-00",
        count: 20,
      },
      {
        kind: "gemini",
        base: "",
        key: FAKE_KEYS.gemini,
        path: "/v1beta/models",
        header: "x-goog-api-key",
        first: "gemini-model-00",
        count: 3,
      },
      {
        kind: "ollama",
        base: "",
        key: undefined,
        path: "/api/tags",
        header: undefined,
        first: "llama3.2:latest",
        count: 1,
      },
      {
        kind: "ollama",
        base: "/v1",
        key: undefined,
        path: "/v1/models",
        header: undefined,
        first: "model-00",
        count: 20,
      },
      {
        kind: "openai_compatible",
        base: "",
        key: FAKE_KEYS.openai,
        path: "/v1/models",
        header: "authorization",
        first: "model-00",
        count: 20,
      },
    ] as const;

    it.each(cases)("$kind$base: lists models with the real path and auth header", async (c) => {
      const svc = service();
      const created = await svc.create(
        workspaceId,
        owner.id,
        {
          kind: c.kind,
          name: `${c.kind}${c.base} ${randomUUID().slice(0, 6)}`,
          baseUrl: `${fake.url}${c.base}`,
          ...(c.key ? { apiKey: c.key } : {}),
        },
        ctx(),
      );
      const result = await svc.test(workspaceId, created.id, ctx());
      expect(result).toMatchObject({ ok: true, status: 200 });
      expect(result.models?.[0]).toBe(c.first);
      expect(result.models).toHaveLength(c.count);
      const seen = fake.requests.at(-1);
      expect(seen?.method).toBe("GET");
      expect(seen?.path.split("?")[0]).toBe(c.path);
      if (c.header === "authorization") expect(seen?.headers.authorization).toBe(`Bearer ${c.key}`);
      else if (c.header) expect(seen?.headers[c.header]).toBe(c.key);
      if (c.kind === "anthropic") expect(seen?.headers["anthropic-version"]).toBe("2023-06-01");
      if (c.key) expect(JSON.stringify(result)).not.toContain(c.key);
    });

    it("reports a refused key without echoing it, and audits the outcome", async () => {
      const svc = service();
      const wrong = `sk-wrong-${randomBytes(8).toString("hex")}`;
      const created = await svc.create(
        workspaceId,
        owner.id,
        {
          kind: "openai",
          name: `wrong ${randomUUID().slice(0, 6)}`,
          apiKey: wrong,
          baseUrl: `${fake.url}/v1`,
        },
        ctx(),
      );
      const result = await svc.test(workspaceId, created.id, ctx());
      expect(result).toMatchObject({ ok: false, status: 401, error: "unauthorized" });
      expect(JSON.stringify(result)).not.toContain(wrong);
      const audit = await app.db.pool.query<{ metadata: unknown }>(
        "SELECT metadata FROM audit_log WHERE target_id = $1 AND action = 'llm_provider.tested'",
        [created.id],
      );
      expect(audit.rows[0]?.metadata).toMatchObject({ ok: false, status: 401, error: "unauthorized" });
      expect(JSON.stringify(audit.rows)).not.toContain(wrong);
    });

    it("refuses a DNS name that resolves to loopback unless it is allowlisted", async () => {
      const resolver: Resolver = async () => [{ address: "127.0.0.1", family: 4 }];
      const base = `http://llm.internal.example.test:${fake.port}/v1`;
      const strict = service({ resolver, allowedCidrs: [] });
      const created = await strict.create(
        workspaceId,
        owner.id,
        { kind: "openai_compatible", name: `dns ${randomUUID().slice(0, 6)}`, baseUrl: base },
        ctx(),
      );
      const before = fake.requests.length;
      expect(await strict.test(workspaceId, created.id, ctx())).toMatchObject({
        ok: false,
        error: "destination_forbidden",
      });
      expect(fake.requests.length).toBe(before);
      // The same name reaches the fake once the operator allowlists loopback.
      expect(await service({ resolver }).test(workspaceId, created.id, ctx())).toMatchObject({ ok: true });
    });

    it("times out after the configured time", async () => {
      fake.override = (req) => req.path.startsWith("/slow/");
      const svc = service({ testTimeoutMs: 300 });
      const created = await svc.create(
        workspaceId,
        owner.id,
        {
          kind: "openai_compatible",
          name: `slow ${randomUUID().slice(0, 6)}`,
          baseUrl: `${fake.url}/slow/v1`,
        },
        ctx(),
      );
      const started = Date.now();
      expect(await svc.test(workspaceId, created.id, ctx())).toMatchObject({ ok: false, error: "timeout" });
      expect(Date.now() - started).toBeLessThan(3_000);
      fake.override = undefined;
    });
  });
});

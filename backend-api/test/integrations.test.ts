import { execFile } from "node:child_process";
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { Keyring } from "@nora/core";
import { createChannelService } from "@nora/domain/channels/service";
import { createIntegrationService } from "@nora/domain/integrations/service";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FAKE_KEYS, type FakeUpstream, startFakeUpstream } from "./fake-upstreams.js";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { addMember, type Caller, call, createApiKey, createWorkspace, userWithSession } from "./identity.js";

/**
 * Integrations and channels: the catalog, per-kind validation, sealed and masked credentials, role and
 * scope rules, the SSRF guard, and live tests. Live tests talk to local fakes on 127.0.0.1 that speak
 * each service's real HTTP shape (fake-upstreams.ts: GitHub /user, Slack auth.test, Telegram getMe,
 * Discord /users/@me, a webhook receiver) and to a real SMTP server (smtp-server) on 127.0.0.1; those
 * tests allowlist 127.0.0.1 explicitly by passing the policy to the service. No external host is contacted.
 */
const run = promisify(execFile);
const SLACK_SIGNING = "abcdef0123456789abcdef0123456789";
const WEBHOOK_SECRET = `whsec-${randomBytes(12).toString("hex")}`;
const SMTP_PASSWORD = `smtp-pw-${randomBytes(6).toString("hex")}`;

describe("integrations and channels over HTTP", () => {
  let app: TestApp;
  let fake: FakeUpstream;
  let smtp: SMTPServer;
  let smtpPort: number;
  let owner: { id: string; cookie: string };
  let viewer: { id: string; cookie: string };
  let editor: { id: string; cookie: string };
  let workspaceId: string;

  beforeAll(async () => {
    app = await startTestApp({ env: { ...NO_RATE_LIMITS, ENCRYPTION_KEY: randomBytes(32).toString("hex") } });
    fake = await startFakeUpstream();
    smtp = new SMTPServer({
      authOptional: false,
      allowInsecureAuth: true,
      disabledCommands: ["STARTTLS"],
      onAuth(auth, _session, callback) {
        if (auth.username === "nora" && auth.password === SMTP_PASSWORD)
          callback(null, { user: auth.username });
        else callback(new Error("Invalid username or password"));
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
    smtpPort = (smtp.server.address() as AddressInfo).port;
    owner = await userWithSession(app);
    viewer = await userWithSession(app);
    editor = await userWithSession(app);
    workspaceId = await createWorkspace(app, owner.cookie);
    await addMember(app, workspaceId, viewer.id, "viewer");
    await addMember(app, workspaceId, editor.id, "editor");
  });
  afterAll(async () => {
    await fake.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    await app.close();
  });

  const as = (who: { cookie: string } | Caller): Caller => ("cookie" in who ? { cookie: who.cookie } : who);
  const path = (segment: string, suffix = "") => `/api/workspaces/${workspaceId}/${segment}${suffix}`;
  const ctx = () => ({ actor: { type: "user" as const, userId: owner.id }, requestId: "integration-test" });
  const keyring = () => Keyring.fromConfig(app.config);
  const loopback = { policy: { allowedCidrs: ["127.0.0.1/32"] } };

  it("describes the catalog to any signed-in caller, naming the secret fields and never values", async () => {
    expect((await call(app, {}, "GET", "/api/integrations/catalog")).status).toBe(401);
    const res = await call(app, as(viewer), "GET", "/api/integrations/catalog");
    expect(res.status).toBe(200);
    type Kind = {
      kind: string;
      fields: Array<{ name: string; secret: boolean; required: boolean; type: string }>;
    };
    const integrations = res.body.integrations as Kind[];
    const channels = res.body.channels as Kind[];
    expect(integrations.map((k) => k.kind)).toEqual([
      "github",
      "slack",
      "telegram",
      "discord",
      "webhook",
      "smtp",
    ]);
    expect(channels.map((k) => k.kind)).toEqual(["telegram", "slack", "discord", "webhook"]);
    const fields = (kind: string) =>
      Object.fromEntries((integrations.find((k) => k.kind === kind)?.fields ?? []).map((f) => [f.name, f]));
    expect(fields("github").token).toMatchObject({ secret: true, required: true });
    expect(fields("github").apiUrl).toMatchObject({ secret: false, required: false, type: "url" });
    expect(fields("slack").signingSecret).toMatchObject({ secret: true, required: true });
    expect(fields("discord").applicationId).toMatchObject({ secret: false, required: true });
    expect(fields("webhook").secret).toMatchObject({ secret: true, required: false });
    expect(fields("smtp").password).toMatchObject({ secret: true, required: false });
    expect(fields("smtp").host).toMatchObject({ secret: false, required: true });
    expect(fields("smtp").secure).toMatchObject({ secret: false, required: false, type: "boolean" });
    const key = await createApiKey(app, owner.cookie, workspaceId, ["integrations:read"]);
    expect((await call(app, { apiKey: key.key }, "GET", "/api/integrations/catalog")).status).toBe(200);
  });

  it("seals credentials as one envelope per row and masks every secret field on read", async () => {
    const botToken = `xoxb-${randomBytes(10).toString("hex")}-canary`;
    const res = await call(app, as(editor), "POST", path("integrations"), {
      kind: "slack",
      name: "Slack",
      credentials: { botToken, signingSecret: SLACK_SIGNING },
    });
    expect(res.status).toBe(201);
    expect(res.text).not.toContain(botToken);
    expect(res.text).not.toContain(SLACK_SIGNING);
    const integration = res.body.integration as { id: string; credentials: unknown; config: unknown };
    expect(integration.credentials).toEqual({
      botToken: { set: true, hint: botToken.slice(-4) },
      signingSecret: { set: true, hint: SLACK_SIGNING.slice(-4) },
    });
    for (const who of [viewer, editor]) {
      for (const url of [path("integrations"), path("integrations", `/${integration.id}`)]) {
        const read = await call(app, as(who), "GET", url);
        expect(read.status).toBe(200);
        expect(read.text).not.toContain(botToken);
        expect(read.text).not.toContain(SLACK_SIGNING);
      }
    }
    const { rows } = await app.db.pool.query<{ credentials: string; secret_hints: unknown }>(
      "SELECT credentials, secret_hints FROM integrations WHERE id = $1",
      [integration.id],
    );
    const stored = rows[0]?.credentials as string;
    expect(stored.startsWith("nora:v1:")).toBe(true);
    expect(stored).not.toContain(botToken);
    expect(stored).not.toContain(SLACK_SIGNING);
    const opened = keyring().open(stored, {
      table: "integrations",
      column: "credentials",
      rowId: integration.id,
    });
    expect(JSON.parse(opened.value)).toEqual({ botToken, signingSecret: SLACK_SIGNING });
    expect(() =>
      keyring().open(stored, { table: "channels", column: "credentials", rowId: integration.id }),
    ).toThrow();
  });

  it("updates merge: an omitted secret is kept, a given one replaced, null clears an optional one; a moved URL drops it", async () => {
    const res = await call(app, as(editor), "POST", path("integrations"), {
      kind: "webhook",
      name: "Hook",
      config: { url: "https://hooks.example.org/a" },
      credentials: { secret: WEBHOOK_SECRET },
    });
    const id = (res.body.integration as { id: string }).id;
    const renamed = await call(app, as(editor), "PATCH", path("integrations", `/${id}`), {
      name: "Hook 2",
      config: { url: "https://hooks.example.org/b" },
    });
    expect(renamed.status).toBe(200);
    // The URL is a destination: the stored secret does not follow it (destination-rebinding.test.ts).
    expect(renamed.body.integration).toMatchObject({
      name: "Hook 2",
      config: { url: "https://hooks.example.org/b" },
      credentials: { secret: { set: false } },
    });
    const kept = await call(app, as(editor), "PATCH", path("integrations", `/${id}`), {
      credentials: { secret: WEBHOOK_SECRET },
    });
    const renamedAgain = await call(app, as(editor), "PATCH", path("integrations", `/${id}`), {
      name: "Hook 2b",
    });
    expect(kept.status).toBe(200);
    expect(renamedAgain.body.integration).toMatchObject({
      credentials: { secret: { set: true, hint: WEBHOOK_SECRET.slice(-4) } },
    });
    await call(app, as(editor), "PATCH", path("integrations", `/${id}`), { name: "Hook 2" });
    const rotated = `whsec-${randomBytes(12).toString("hex")}`;
    const replaced = await call(app, as(editor), "PATCH", path("integrations", `/${id}`), {
      credentials: { secret: rotated },
    });
    expect(replaced.text).not.toContain(rotated);
    expect(replaced.body.integration).toMatchObject({
      credentials: { secret: { set: true, hint: rotated.slice(-4) } },
    });
    const bad = await call(app, as(editor), "PATCH", path("integrations", `/${id}`), {
      credentials: { secret: "short" },
    });
    expect(bad.status).toBe(400);
    expect(bad.text).not.toContain('short"');
    const unknown = await call(app, as(editor), "PATCH", path("integrations", `/${id}`), {
      credentials: { token: "x" },
    });
    expect(unknown.status).toBe(400);
    const cleared = await call(app, as(editor), "PATCH", path("integrations", `/${id}`), {
      credentials: { secret: null },
    });
    expect(cleared.body.integration).toMatchObject({ credentials: { secret: { set: false } } });
    const { rows } = await app.db.pool.query<{ credentials: string | null }>(
      "SELECT credentials FROM integrations WHERE id = $1",
      [id],
    );
    expect(rows[0]?.credentials).toBeNull();

    const audit = await app.db.pool.query<{
      action: string;
      metadata: { changed?: string[]; kind?: string };
    }>("SELECT action, metadata FROM audit_log WHERE target_id = $1 ORDER BY id", [id]);
    expect(audit.rows.map((r) => r.action)).toEqual([
      "integration.created",
      ...Array(6).fill("integration.updated"),
    ]);
    expect(audit.rows[0]?.metadata).toMatchObject({
      kind: "webhook",
      name: "Hook",
      fields: ["config.url", "credentials.secret"],
    });
    expect(audit.rows[1]?.metadata).toMatchObject({
      changed: ["config.url", "credentials.secret", "name"],
      destination: [{ field: "url", from: "hooks.example.org", to: "hooks.example.org" }],
      credentialsCleared: true,
    });
    expect(audit.rows[2]?.metadata.changed).toEqual(["credentials.secret"]);
    expect(audit.rows[3]?.metadata.changed).toEqual(["name"]);
    const text = JSON.stringify(audit.rows);
    expect(text).not.toContain(WEBHOOK_SECRET);
    expect(text).not.toContain(rotated);
    expect((await call(app, as(editor), "DELETE", path("integrations", `/${id}`))).status).toBe(204);
    const deleted = await app.db.pool.query<{ metadata: unknown }>(
      "SELECT metadata FROM audit_log WHERE target_id = $1 AND action = 'integration.deleted'",
      [id],
    );
    expect(deleted.rows[0]?.metadata).toMatchObject({ kind: "webhook", name: "Hook 2" });
  });

  it("lets editors manage, viewers only read, and keys act within their scopes", async () => {
    const body = {
      kind: "telegram",
      name: `tg ${randomUUID().slice(0, 6)}`,
      credentials: { botToken: FAKE_KEYS.telegram },
    };
    for (const segment of ["integrations", "channels"]) {
      expect((await call(app, as(viewer), "POST", path(segment), body)).status).toBe(403);
      const read = await createApiKey(app, owner.cookie, workspaceId, ["integrations:read"]);
      const write = await createApiKey(app, owner.cookie, workspaceId, ["integrations:write"]);
      expect((await call(app, { apiKey: read.key }, "GET", path(segment))).status).toBe(200);
      expect((await call(app, { apiKey: read.key }, "POST", path(segment), body)).status).toBe(403);
      const created = await call(app, { apiKey: write.key }, "POST", path(segment), {
        ...body,
        name: `${body.name} k`,
      });
      expect(created.status).toBe(201);
      expect(created.text).not.toContain(FAKE_KEYS.telegram);
      const id = ((created.body.integration ?? created.body.channel) as { id: string }).id;
      expect((await call(app, as(viewer), "PATCH", path(segment, `/${id}`), { name: "v" })).status).toBe(403);
      expect((await call(app, as(viewer), "POST", path(segment, `/${id}/test`))).status).toBe(403);
      expect((await call(app, as(viewer), "DELETE", path(segment, `/${id}`))).status).toBe(403);
      expect((await call(app, { apiKey: read.key }, "DELETE", path(segment, `/${id}`))).status).toBe(403);
      expect((await call(app, as(editor), "DELETE", path(segment, `/${id}`))).status).toBe(204);
      for (const bad of ["nope", randomUUID()]) {
        expect((await call(app, as(viewer), "GET", path(segment, `/${bad}`))).status).toBe(404);
      }
      // Another workspace's row is not found either.
      const other = await createWorkspace(app, owner.cookie, "Other");
      const foreign = await call(app, as(owner), "POST", `/api/workspaces/${other}/${segment}`, {
        ...body,
        name: "f",
      });
      const foreignId = ((foreign.body.integration ?? foreign.body.channel) as { id: string }).id;
      expect((await call(app, as(owner), "GET", path(segment, `/${foreignId}`))).status).toBe(404);
      expect((await call(app, as(owner), "DELETE", path(segment, `/${foreignId}`))).status).toBe(404);
    }
  });

  it.each([
    ["webhook", { url: "http://127.0.0.1:8080/hook" }],
    ["webhook", { url: "http://10.1.2.3/hook" }],
    ["webhook", { url: "http://169.254.169.254/latest/meta-data/" }],
    ["webhook", { url: "http://[::1]/hook" }],
    ["webhook", { url: "http://localhost:3000/hook" }],
    ["github", { apiUrl: "http://169.254.169.254/" }],
    ["smtp", { host: "127.0.0.1", port: 25, from: "a@example.org" }],
    ["smtp", { host: "localhost", port: 25, from: "a@example.org" }],
    ["smtp", { host: "10.0.0.25", port: 25, from: "a@example.org" }],
  ])("refuses a %s destination %j (SSRF guard)", async (kind, config) => {
    const credentials = kind === "github" ? { token: FAKE_KEYS.github } : {};
    const res = await call(app, as(editor), "POST", path("integrations"), {
      kind,
      name: `ssrf ${randomUUID().slice(0, 6)}`,
      config,
      credentials,
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("destination_forbidden");
  });

  it("refuses a private destination on update, and at test time for a row stored before the policy", async () => {
    const res = await call(app, as(editor), "POST", path("channels"), {
      kind: "webhook",
      name: "Public hook",
      config: { url: "https://hooks.example.org/x" },
    });
    const id = (res.body.channel as { id: string }).id;
    const patched = await call(app, as(editor), "PATCH", path("channels", `/${id}`), {
      config: { url: "http://[::1]:9/x" },
    });
    expect(patched.status).toBe(400);
    expect(patched.body.error).toBe("destination_forbidden");
    await app.db.pool.query("UPDATE channels SET config = $2 WHERE id = $1", [
      id,
      JSON.stringify({ url: `${fake.url}/hook` }),
    ]);
    const before = fake.requests.length;
    const tested = await call(app, as(editor), "POST", path("channels", `/${id}/test`));
    expect(tested.status).toBe(200);
    expect(tested.body).toMatchObject({ ok: false, error: "destination_forbidden" });
    expect(fake.requests.length).toBe(before);
  });

  it("stores channels sealed, with an optional agent id", async () => {
    const { rows: agents } = await app.db.pool.query<{ id: string }>(
      "INSERT INTO agents (workspace_id, name) VALUES ($1, 'channel agent') RETURNING id",
      [workspaceId],
    );
    const agentId = agents[0]?.id as string;
    // An agent of another workspace (or none at all) cannot be attached.
    const foreign = await call(app, as(editor), "POST", path("channels"), {
      kind: "discord",
      name: "Foreign",
      agentId: randomUUID(),
      config: { applicationId: "123456789012345678" },
      credentials: { botToken: FAKE_KEYS.discord },
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error).toBe("unknown_agent");
    const res = await call(app, as(editor), "POST", path("channels"), {
      kind: "discord",
      name: "Discord",
      agentId,
      config: { applicationId: "123456789012345678" },
      credentials: { botToken: FAKE_KEYS.discord },
    });
    expect(res.status).toBe(201);
    expect(res.text).not.toContain(FAKE_KEYS.discord);
    const channel = res.body.channel as { id: string; agentId: string; credentials: unknown };
    expect(channel.agentId).toBe(agentId);
    expect(channel.credentials).toEqual({ botToken: { set: true, hint: FAKE_KEYS.discord.slice(-4) } });
    const { rows } = await app.db.pool.query<{ credentials: string; agent_id: string }>(
      "SELECT credentials, agent_id FROM channels WHERE id = $1",
      [channel.id],
    );
    expect(rows[0]?.credentials.startsWith("nora:v1:")).toBe(true);
    expect(rows[0]?.credentials).not.toContain(FAKE_KEYS.discord);
    expect(rows[0]?.agent_id).toBe(agentId);
    const detached = await call(app, as(editor), "PATCH", path("channels", `/${channel.id}`), {
      agentId: null,
    });
    expect((detached.body.channel as { agentId: unknown }).agentId).toBeNull();
    const list = await call(app, as(viewer), "GET", path("channels"));
    expect(list.text).not.toContain(FAKE_KEYS.discord);
    const audit = await app.db.pool.query<{ action: string; metadata: { changed?: string[] } }>(
      "SELECT action, metadata FROM audit_log WHERE target_id = $1 ORDER BY id",
      [channel.id],
    );
    expect(audit.rows.map((r) => r.action)).toEqual(["channel.created", "channel.updated"]);
    expect(audit.rows[1]?.metadata.changed).toEqual(["agentId"]);
  });

  it("canary scan: secrets set through the API are absent from pg_dump, the logs and later answers", async () => {
    const canary = (label: string) => `canary${label}${randomBytes(10).toString("hex")}`;
    const providerKey = canary("Prov");
    const githubToken = `ghp_${canary("Gh")}`;
    const smtpPassword = canary("Smtp");
    const channelToken = `123456:${canary("Tg").padEnd(35, "x")}`;
    const bodies: Array<[string, Record<string, unknown>]> = [
      ["llm-providers", { kind: "openai", name: "Canary provider", apiKey: providerKey }],
      ["integrations", { kind: "github", name: "Canary GitHub", credentials: { token: githubToken } }],
      [
        "integrations",
        {
          kind: "smtp",
          name: "Canary SMTP",
          config: { host: "smtp.example.org", port: 587, user: "nora", from: "nora@example.org" },
          credentials: { password: smtpPassword },
        },
      ],
      ["channels", { kind: "telegram", name: "Canary channel", credentials: { botToken: channelToken } }],
    ];
    const secrets = [providerKey, githubToken, smtpPassword, channelToken];
    for (const [segment, body] of bodies) {
      const res = await call(app, as(editor), "POST", path(segment), body);
      expect(res.status, res.text).toBe(201);
      for (const secret of secrets) expect(res.text).not.toContain(secret);
    }
    for (const url of [
      path("llm-providers"),
      path("integrations"),
      path("channels"),
      `/api/workspaces/${workspaceId}/audit`,
    ]) {
      const res = await call(app, as(owner), "GET", url);
      expect(res.status).toBe(200);
      for (const secret of secrets) expect(res.text).not.toContain(secret);
    }
    const { stdout: dump } = await run("pg_dump", ["--dbname", app.db.url, "--data-only", "--no-owner"], {
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(dump).toContain("Canary GitHub");
    for (const secret of secrets) {
      expect(dump).not.toContain(secret);
      expect(app.logs.text).not.toContain(secret);
    }
  });

  describe("live tests against local fakes (127.0.0.1 allowlisted)", () => {
    const integrations = () =>
      createIntegrationService({ pool: app.db.pool, keyring: keyring(), outbound: loopback });
    const channels = () =>
      createChannelService({ pool: app.db.pool, keyring: keyring(), outbound: loopback });
    const name = (k: string) => `${k} ${randomUUID().slice(0, 6)}`;

    it.each([
      ["github", { apiUrl: "" }, { token: FAKE_KEYS.github }, "/user", "nora-bot"],
      [
        "slack",
        { apiUrl: "" },
        { botToken: FAKE_KEYS.slack, signingSecret: SLACK_SIGNING },
        "/auth.test",
        "Acme / nora",
      ],
      [
        "telegram",
        { apiUrl: "" },
        { botToken: FAKE_KEYS.telegram },
        `/bot${FAKE_KEYS.telegram}/getMe`,
        "@nora_bot",
      ],
      [
        "discord",
        { apiUrl: "", applicationId: "123456789012345678" },
        { botToken: FAKE_KEYS.discord },
        "/users/@me",
        "nora-discord",
      ],
    ])(
      "%s: a live check with the real request shape",
      async (kind, config, credentials, expectedPath, account) => {
        const svc = integrations();
        const created = await svc.create(
          workspaceId,
          owner.id,
          { kind, name: name(kind), config: { ...config, apiUrl: fake.url }, credentials },
          ctx(),
        );
        const result = await svc.test(workspaceId, created.id, ctx());
        expect(result).toMatchObject({ ok: true, status: 200, account });
        const seen = fake.requests.at(-1);
        expect(seen?.path).toBe(expectedPath);
        if (kind === "github") {
          expect(seen?.headers.authorization).toBe(`Bearer ${FAKE_KEYS.github}`);
          expect(seen?.headers.accept).toBe("application/vnd.github+json");
        }
        if (kind === "slack") {
          expect(seen?.method).toBe("POST");
          expect(seen?.headers.authorization).toBe(`Bearer ${FAKE_KEYS.slack}`);
        }
        if (kind === "discord") expect(seen?.headers.authorization).toBe(`Bot ${FAKE_KEYS.discord}`);
        for (const secret of Object.values(credentials)) expect(JSON.stringify(result)).not.toContain(secret);

        // Wrong credentials are reported, never echoed.
        const wrongValue: Record<string, string> = {
          github: `ghp_${"w".repeat(36)}`,
          slack: "xoxb-0000-wrong-token-000",
          telegram: `999999:${"W".repeat(35)}`,
          discord: "W".repeat(60),
        };
        const field = kind === "github" ? "token" : "botToken";
        await svc.update(workspaceId, created.id, { credentials: { [field]: wrongValue[kind] } }, ctx());
        const refused = await svc.test(workspaceId, created.id, ctx());
        expect(refused).toMatchObject({ ok: false, error: "unauthorized" });
        expect(JSON.stringify(refused)).not.toContain(wrongValue[kind]);
        const audit = await app.db.pool.query<{ metadata: { ok: boolean } }>(
          "SELECT metadata FROM audit_log WHERE target_id = $1 AND action = 'integration.tested' ORDER BY id",
          [created.id],
        );
        expect(audit.rows.map((r) => r.metadata.ok)).toEqual([true, false]);
        expect(JSON.stringify(audit.rows)).not.toContain(wrongValue[kind]);
      },
    );

    it("webhook: sends a signed ping the receiver can verify", async () => {
      const svc = integrations();
      const created = await svc.create(
        workspaceId,
        owner.id,
        {
          kind: "webhook",
          name: name("hook"),
          config: { url: `${fake.url}/hook` },
          credentials: { secret: WEBHOOK_SECRET },
        },
        ctx(),
      );
      expect(await svc.test(workspaceId, created.id, ctx())).toMatchObject({ ok: true, status: 204 });
      const seen = fake.requests.at(-1);
      expect(seen?.method).toBe("POST");
      expect(seen?.headers["x-nora-event"]).toBe("ping");
      const signature = String(seen?.headers["x-nora-signature"]);
      const [, t, v1] = signature.match(/^t=(\d+),v1=([0-9a-f]{64})$/) ?? [];
      const expected = createHmac("sha256", WEBHOOK_SECRET).update(`${t}.${seen?.body}`).digest("hex");
      expect(v1).toBe(expected);
      expect(JSON.parse(seen?.body ?? "{}")).toMatchObject({ type: "nora.ping" });
      expect(JSON.stringify(seen?.headers)).not.toContain(WEBHOOK_SECRET);
    });

    it("webhook channel: the same ping, unsigned without a secret", async () => {
      const svc = channels();
      const created = await svc.create(
        workspaceId,
        owner.id,
        { kind: "webhook", name: name("chook"), config: { url: `${fake.url}/hook` }, credentials: {} },
        ctx(),
      );
      expect(await svc.test(workspaceId, created.id, ctx())).toMatchObject({ ok: true, status: 204 });
      expect(fake.requests.at(-1)?.headers["x-nora-signature"]).toBeUndefined();
    });

    it("smtp: verifies connection and login against a real SMTP server", async () => {
      const svc = integrations();
      // This server offers no STARTTLS: the login is sent only because the config allows it explicitly
      // (smtp-tls.test.ts covers the refusal without it, and STARTTLS).
      const config = {
        host: "127.0.0.1",
        port: smtpPort,
        secure: false,
        allowInsecureAuth: true,
        user: "nora",
        from: "nora@example.org",
      };
      const good = await svc.create(
        workspaceId,
        owner.id,
        { kind: "smtp", name: name("smtp"), config, credentials: { password: SMTP_PASSWORD } },
        ctx(),
      );
      expect(await svc.test(workspaceId, good.id, ctx())).toMatchObject({ ok: true, account: "nora" });
      const bad = await svc.create(
        workspaceId,
        owner.id,
        { kind: "smtp", name: name("smtp"), config, credentials: { password: "wrong-password" } },
        ctx(),
      );
      const refused = await svc.test(workspaceId, bad.id, ctx());
      expect(refused).toMatchObject({ ok: false, error: "unauthorized" });
      expect(JSON.stringify(refused)).not.toContain("wrong-password");
      // Without the allowlist, the SMTP host is refused before any connection.
      const strict = createIntegrationService({ pool: app.db.pool, keyring: keyring() });
      expect(await strict.test(workspaceId, good.id, ctx())).toMatchObject({
        ok: false,
        error: "destination_forbidden",
      });
    });

    it("refuses a DNS name that resolves to a private address", async () => {
      const svc = createIntegrationService({
        pool: app.db.pool,
        keyring: keyring(),
        outbound: {
          policy: { allowedCidrs: [] },
          resolver: async () => [{ address: "10.0.0.7", family: 4 }],
        },
      });
      const created = await svc.create(
        workspaceId,
        owner.id,
        {
          kind: "github",
          name: name("gh"),
          config: { apiUrl: "https://github.internal.example.test/api/v3" },
          credentials: { token: FAKE_KEYS.github },
        },
        ctx(),
      );
      expect(await svc.test(workspaceId, created.id, ctx())).toMatchObject({
        ok: false,
        error: "destination_forbidden",
      });
    });
  });
});

import { randomBytes } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { assembleRuntime } from "@nora/agent-runtime";
import { PROVIDER_KINDS } from "@nora/api-contract";
import { Keyring } from "@nora/core";
import {
  CHANNEL_CATALOG,
  describeKind,
  INTEGRATION_CATALOG,
  type KindSpec,
} from "@nora/domain/integrations/catalog";
import { PROVIDER_CATALOG } from "@nora/domain/providers/catalog";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  deliverAssembly,
  makeRuntimeDirs,
  type RuntimeProcess,
  startRuntime,
  TOKEN,
} from "../../agent-runtime/test/support.js";
import { type FakeUpstream, startFakeUpstream } from "./fake-upstreams.js";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { addMember, call, createApiKey, createWorkspace, userWithSession } from "./identity.js";
import { carriesSecret, type RecordingProxy, startRecordingProxy } from "./recording-proxy.js";

/**
 * Changing a destination must never send the stored credential to the new one (issue 8, item 6).
 * Generated from the catalogs: for every provider kind and every integration and channel kind with a
 * destination field, the owner saves a credential pointing at "their" server, an editor (or an
 * `integrations:write` key) moves the destination to a listener of their own and presses "test" (and,
 * for providers, syncs them to an agent's runtime), and the test searches every byte that listener
 * received for the credential. All listeners are the test's own, on 127.0.0.1, which the app's
 * NORA_OUTBOUND_ALLOWED_CIDRS allowlists so the calls really go out; the runtime is the real runtime
 * server process. Each listener sits behind a recording TCP relay (recording-proxy.ts).
 */
const hex = (n: number) => randomBytes(n).toString("hex");
type Values = Record<string, unknown>;

/** Per kind: the non-destination config and a fresh, valid credential. A kind without one fails below. */
const FIXTURES: Record<string, { config: Values; credentials: () => Values }> = {
  github: { config: {}, credentials: () => ({ token: `ghp_${hex(16)}` }) },
  slack: {
    config: {},
    credentials: () => ({ botToken: `xoxb-${hex(6)}-${hex(8)}`, signingSecret: hex(16) }),
  },
  telegram: { config: {}, credentials: () => ({ botToken: `123456789:${hex(16)}` }) },
  discord: { config: { applicationId: "123456789012345678" }, credentials: () => ({ botToken: hex(30) }) },
  webhook: { config: {}, credentials: () => ({ secret: `whsec-${hex(12)}` }) },
  smtp: {
    // allowInsecureAuth: the test's SMTP listener offers no STARTTLS, so a login would reach it in clear.
    config: { secure: false, allowInsecureAuth: true, user: "nora", from: "nora@example.org" },
    credentials: () => ({ password: `smtp-${hex(10)}` }),
  },
};

const catalogs = { integrations: INTEGRATION_CATALOG, channels: CHANNEL_CATALOG } as const;
const catalogCases = Object.entries(catalogs).flatMap(([segment, catalog]) =>
  Object.entries(catalog)
    .filter(([, spec]) => Object.keys(spec.destinations).length > 0)
    .map(([kind]) => ({ segment: segment as keyof typeof catalogs, kind })),
);

/** Whether raw bytes carry any of the secrets, or a signature made with one (webhooks). */
const leaks = (raw: string, secrets: string[]) =>
  secrets.some((s) => carriesSecret(raw, s)) || /x-nora-signature:/i.test(raw);

describe("destination fields are data in every catalog entry", () => {
  it.each(
    Object.entries(catalogs).flatMap(([segment, catalog]) =>
      Object.entries(catalog).map(([kind, spec]) => [segment, kind, spec] as const),
    ),
  )("%s %s names every URL and host field as a destination", (_segment, kind, spec) => {
    const described = describeKind(kind, spec).fields.filter((f) => !f.secret);
    for (const field of described) {
      if (field.type === "url" || /^(host|port|url|.*Url)$/.test(field.name)) {
        expect(spec.destinations[field.name], `${kind}.${field.name}`).toBeDefined();
      }
    }
    for (const field of Object.keys(spec.destinations)) {
      expect(described.map((f) => f.name)).toContain(field);
    }
    expect(FIXTURES[kind], `a rebinding fixture for ${kind}`).toBeDefined();
  });

  it.each(PROVIDER_KINDS)("provider %s names its base URL as a destination", (kind) => {
    expect(PROVIDER_CATALOG[kind].destinations).toEqual({ baseUrl: "url" });
  });
});

describe("moving a destination leaves the stored credential behind", () => {
  let app: TestApp;
  let fake: FakeUpstream;
  let smtp: SMTPServer;
  let runtime: RuntimeProcess;
  const proxies: RecordingProxy[] = [];
  let owner: { id: string; cookie: string };
  let editor: { id: string; cookie: string };

  beforeAll(async () => {
    app = await startTestApp({
      env: {
        ...NO_RATE_LIMITS,
        ENCRYPTION_KEY: hex(32),
        NORA_OUTBOUND_ALLOWED_CIDRS: "127.0.0.1/32",
      },
    });
    fake = await startFakeUpstream();
    smtp = new SMTPServer({
      authOptional: true,
      allowInsecureAuth: true,
      disabledCommands: ["STARTTLS"],
      onAuth: (auth, _session, callback) => callback(null, { user: auth.username }),
    });
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
    owner = await userWithSession(app);
    editor = await userWithSession(app);
    const dirs = await makeRuntimeDirs();
    await deliverAssembly(
      dirs,
      assembleRuntime({
        agent: { agentId: "agt_rebind", name: "rebind", family: "openclaw" },
        secrets: { runtimeToken: TOKEN, gatewayToken: "g".repeat(40) },
        providers: [],
      }),
    );
    runtime = await startRuntime({ dirs });
  });
  afterAll(async () => {
    for (const proxy of proxies) await proxy.close();
    await runtime?.stop();
    if (runtime) await rm(runtime.dirs.base, { recursive: true, force: true });
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    await fake.close();
    await app.close();
  });

  /** A fresh listener (behind its own recording relay): HTTP fake or SMTP server. */
  async function listener(protocol: "http" | "smtp") {
    const target = protocol === "http" ? fake.port : (smtp.server.address() as { port: number }).port;
    const proxy = await startRecordingProxy(target);
    proxies.push(proxy);
    return proxy;
  }

  /** A workspace of its own per case, the editor a member, and an `integrations:write` key. */
  async function workspace() {
    const id = await createWorkspace(app, owner.cookie, `ws ${hex(3)}`);
    await addMember(app, id, editor.id, "editor");
    const key = (await createApiKey(app, owner.cookie, id, ["integrations:write", "integrations:read"])).key;
    return { id, key };
  }

  /** Points every destination field of a kind at a listener, by the field's role. */
  function pointAt(destinations: Record<string, string>, proxy: RecordingProxy): Values {
    const config: Values = {};
    for (const [field, role] of Object.entries(destinations)) {
      if (role === "url") config[field] = `${proxy.url}/hook`;
      if (role === "host") config[field] = "127.0.0.1";
      if (role === "port") config[field] = proxy.port;
    }
    return config;
  }

  const auditOf = async (id: string, action: string) =>
    (
      await app.db.pool.query<{ metadata: Record<string, unknown> }>(
        "SELECT metadata FROM audit_log WHERE target_id = $1 AND action = $2 ORDER BY id",
        [id, action],
      )
    ).rows.map((r) => r.metadata);

  it.each(catalogCases)("$segment $kind: test after a moved destination", async ({ segment, kind }) => {
    const spec = (catalogs[segment] as Record<string, KindSpec>)[kind] as KindSpec;
    const fixture = FIXTURES[kind] as (typeof FIXTURES)[string];
    const protocol = kind === "smtp" ? "smtp" : "http";
    const [legit, attacker] = [await listener(protocol), await listener(protocol)];
    const ws = await workspace();
    const base = `/api/workspaces/${ws.id}/${segment}`;
    const singular = segment === "integrations" ? "integration" : "channel";
    const stored = fixture.credentials();
    const storedSecrets = Object.values(stored).map(String);

    const created = await call(app, { cookie: owner.cookie }, "POST", base, {
      kind,
      name: `${kind} ${hex(3)}`,
      config: { ...fixture.config, ...pointAt(spec.destinations, legit) },
      credentials: stored,
    });
    expect(created.status, created.text).toBe(201);
    const id = (created.body[singular] as { id: string }).id;
    // Control: the owner's own server receives the credential, so the search below would see it.
    await call(app, { cookie: owner.cookie }, "POST", `${base}/${id}/test`);
    expect(leaks(legit.raw(), storedSecrets)).toBe(true);

    // The editor's key moves the destination to its own listener and the editor presses "test".
    const moved = await call(app, { apiKey: ws.key }, "PATCH", `${base}/${id}`, {
      config: pointAt(spec.destinations, attacker),
    });
    expect(moved.status, moved.text).toBe(200);
    for (const state of Object.values((moved.body[singular] as { credentials: Values }).credentials)) {
      expect(state).toEqual({ set: false });
    }
    const tested = await call(app, { cookie: editor.cookie }, "POST", `${base}/${id}/test`);
    expect(tested.status).toBe(200);
    expect(leaks(attacker.raw(), storedSecrets)).toBe(false);
    if (!spec.credentials.safeParse({}).success) {
      expect(tested.body).toMatchObject({ ok: false, error: "credentials_missing" });
      expect(attacker.raw()).toBe("");
    }
    const { rows } = await app.db.pool.query<{ credentials: string | null }>(
      `SELECT credentials FROM ${segment} WHERE id = $1`,
      [id],
    );
    expect(rows[0]?.credentials).toBeNull();
    const [update] = await auditOf(id, `${singular}.updated`);
    expect(update).toMatchObject({ credentialsCleared: true, credentialsResupplied: false });
    // Old and new host (or port) of every moved field; never a path.
    const [from, to] = [pointAt(spec.destinations, legit), pointAt(spec.destinations, attacker)];
    const expected = Object.keys(to)
      .filter((field) => from[field] !== to[field])
      .map((field) =>
        spec.destinations[field] === "url"
          ? { field, from: `127.0.0.1:${legit.port}`, to: `127.0.0.1:${attacker.port}` }
          : { field, from: String(from[field]), to: String(to[field]) },
      );
    expect(expected.length).toBeGreaterThan(0);
    expect(update?.destination).toEqual(expected);
    expect(JSON.stringify(update)).not.toContain("/hook");

    // Supplied again with the move, a credential goes to the new destination (it is the editor's own).
    const third = await listener(protocol);
    const own = fixture.credentials();
    const resupplied = await call(app, { cookie: editor.cookie }, "PATCH", `${base}/${id}`, {
      config: pointAt(spec.destinations, third),
      credentials: own,
    });
    expect(resupplied.status, resupplied.text).toBe(200);
    await call(app, { cookie: editor.cookie }, "POST", `${base}/${id}/test`);
    expect(leaks(third.raw(), Object.values(own).map(String))).toBe(true);
    expect(storedSecrets.some((s) => carriesSecret(third.raw(), s))).toBe(false);
  });

  it.each(PROVIDER_KINDS)("provider %s: test and sync after a moved base URL", async (kind) => {
    const [legit, attacker] = [await listener("http"), await listener("http")];
    const ws = await workspace();
    const base = `/api/workspaces/${ws.id}/llm-providers`;
    const apiKey = `sk-${kind}-${hex(12)}`;
    const created = await call(app, { cookie: owner.cookie }, "POST", base, {
      kind,
      name: kind,
      apiKey,
      baseUrl: `${legit.url}/v1`,
      defaultModel: "m",
    });
    expect(created.status, created.text).toBe(201);
    const id = (created.body.provider as { id: string }).id;
    await call(app, { cookie: owner.cookie }, "POST", `${base}/${id}/test`);
    expect(carriesSecret(legit.raw(), apiKey)).toBe(true);

    // An agent of this workspace, running on the real runtime server.
    const { rows } = await app.db.pool.query<{ id: string }>(
      "INSERT INTO agents (workspace_id, name, status, runtime_url) VALUES ($1, 'a-' || gen_random_uuid(), 'running', $2) RETURNING id",
      [ws.id, runtime.url("/").replace(/\/$/, "")],
    );
    const agentId = rows[0]?.id as string;
    const sealed = Keyring.fromConfig(app.config).seal(TOKEN, {
      table: "agents",
      column: "runtime_token_sealed",
      rowId: agentId,
    });
    await app.db.pool.query("UPDATE agents SET runtime_token_sealed = $2 WHERE id = $1", [agentId, sealed]);
    const material = () => readFile(join(runtime.dirs.state, "nora/providers.json"), "utf8");
    const sync = () => call(app, { cookie: editor.cookie }, "POST", `/api/agents/${agentId}/sync-providers`);
    expect((await sync()).status).toBe(200);
    expect(await material()).toContain(apiKey);

    const moved = await call(app, { apiKey: ws.key }, "PATCH", `${base}/${id}`, {
      baseUrl: `${attacker.url}/v1`,
    });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body.provider).toMatchObject({ keySet: false, keyHint: null });
    const tested = await call(app, { cookie: editor.cookie }, "POST", `${base}/${id}/test`);
    expect(tested.status).toBe(200);
    expect(carriesSecret(attacker.raw(), apiKey)).toBe(false);
    if (!PROVIDER_CATALOG[kind].selfHosted) {
      expect(tested.body).toMatchObject({ ok: false, error: "credentials_missing" });
      expect(attacker.raw()).toBe("");
    }
    // Sync uses only stored values: the runtime never gets the old key, with the new URL or any other.
    const synced = await sync();
    expect(synced.status, synced.text).toBe(200);
    if (!PROVIDER_CATALOG[kind].selfHosted) {
      expect(synced.body).toMatchObject({ providers: [], skipped: [{ reason: "no_key" }] });
    }
    expect(await material()).not.toContain(apiKey);
    expect(carriesSecret(attacker.raw(), apiKey)).toBe(false);

    const [update] = await auditOf(id, "llm_provider.updated");
    expect(update).toMatchObject({
      changed: ["baseUrl", "apiKey"],
      destination: [{ field: "baseUrl", from: `127.0.0.1:${legit.port}`, to: `127.0.0.1:${attacker.port}` }],
      credentialsCleared: true,
      credentialsResupplied: false,
    });

    // A key given with the move goes along: it is the editor's own.
    const own = `sk-own-${hex(12)}`;
    const resupplied = await call(app, { cookie: editor.cookie }, "PATCH", `${base}/${id}`, {
      baseUrl: `${legit.url}/v2`,
      apiKey: own,
    });
    expect(resupplied.body.provider).toMatchObject({ keySet: true, keyHint: own.slice(-4) });
  });
});

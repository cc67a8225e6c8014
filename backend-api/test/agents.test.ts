import { createHash, randomBytes, randomUUID } from "node:crypto";
import { AGENT_STATUSES, type AgentStatus, DEPLOYMENT_ACTIONS } from "@nora/api-contract";
import {
  closeQueues,
  createQueues,
  createRedis,
  Keyring,
  type NoraQueues,
  openSealed,
  type Redis,
} from "@nora/core";
import { testConfig } from "@nora/core/testing";
import { canTransition, REQUESTED_STATUS } from "@nora/domain/agents/status";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { addMember, call, createApiKey, createWorkspace, userWithSession } from "./identity.js";

const KEY = randomBytes(32).toString("hex");
const ENV = { ...NO_RATE_LIMITS, ENCRYPTION_KEY: KEY, AGENT_QUOTA_PER_WORKSPACE: "50" };
const CANARY = `sk-canary-${randomUUID()}`;

describe("agents API: deploy as desired state", () => {
  let app: TestApp;
  let owner: { id: string; cookie: string };
  let admin: { id: string; cookie: string };
  let queueConnection: Redis;
  let queues: NoraQueues;

  beforeAll(async () => {
    app = await startTestApp({ env: ENV });
    owner = await userWithSession(app);
    admin = await userWithSession(app, { role: "admin" });
    queueConnection = createRedis(app.config.redis, "agents-test", "bullmq");
    queues = createQueues(app.config, queueConnection);
  });
  afterAll(async () => {
    await closeQueues(queues);
    queueConnection.disconnect();
    await app.close();
  });

  const asOwner = (method: string, path: string, body?: unknown) =>
    call(app, { cookie: owner.cookie }, method, path, body);

  async function workspace() {
    const id = await createWorkspace(app, owner.cookie, `ws ${randomUUID().slice(0, 6)}`);
    await addMember(app, id, admin.id, "editor");
    return id;
  }

  async function counts(workspaceId: string) {
    const { rows } = await app.db.pool.query(
      `SELECT (SELECT count(*)::int FROM agents WHERE workspace_id = $1) AS agents,
         (SELECT count(*)::int FROM agent_revisions r JOIN agents a ON a.id = r.agent_id WHERE a.workspace_id = $1) AS revisions,
         (SELECT count(*)::int FROM deployments WHERE workspace_id = $1) AS deployments,
         (SELECT count(*)::int FROM events WHERE workspace_id = $1) AS events,
         (SELECT count(*)::int FROM audit_log WHERE workspace_id = $1 AND action LIKE 'agent.%') AS audit`,
      [workspaceId],
    );
    return rows[0];
  }
  const jobCount = async () =>
    (await queues.deployments.queue.getJobCountByTypes("waiting", "delayed")) as number;

  it("deploys with an agents:write key: 202, one transaction, a job with id = deployment id carrying ids only, no secret anywhere", async () => {
    const ws = await workspace();
    const { key } = await createApiKey(app, owner.cookie, ws, ["agents:write"]);
    const provider = await asOwner("POST", `/api/workspaces/${ws}/llm-providers`, {
      kind: "openai",
      name: "OpenAI",
      apiKey: "sk-provider-0123456789abcdef",
    });
    const providerId = (provider.body.provider as { id: string }).id;
    const template = { "AGENTS.md": "# Scout\nBe brief.\n", "skills/notes.md": "notes" };
    const res = await call(app, { apiKey: key }, "POST", `/api/workspaces/${ws}/agents`, {
      name: "Scout",
      memoryMb: 3072,
      template,
      providerIds: [providerId],
      secrets: { GITHUB_TOKEN: CANARY },
    });
    expect(res.status).toBe(202);
    const agent = res.body.agent as Record<string, unknown>;
    const deployment = res.body.deployment as Record<string, unknown>;
    expect(agent).toMatchObject({
      name: "Scout",
      family: "openclaw",
      target: "docker",
      profile: "standard",
      status: "queued",
      desiredState: "running",
      memoryMb: 3072,
      vcpu: 1.5,
      image: null,
      providerIds: [providerId],
      revision: 1,
    });
    expect(deployment).toMatchObject({ action: "deploy", status: "queued", revision: 1, agentId: agent.id });
    expect(res.text).not.toMatch(/token|runtimeUrl|gatewayUrl/i);

    // One transaction: every row the deploy wrote carries the same transaction id.
    const xmins = await app.db.pool.query<{ t: string; xmin: string }>(
      `SELECT 'agent' AS t, xmin::text FROM agents WHERE id = $1
       UNION ALL SELECT 'revision', xmin::text FROM agent_revisions WHERE agent_id = $1
       UNION ALL SELECT 'deployment', xmin::text FROM deployments WHERE agent_id = $1
       UNION ALL SELECT 'event', xmin::text FROM events WHERE agent_id = $1
       UNION ALL SELECT 'secret', xmin::text FROM agent_secret_overrides WHERE agent_id = $1
       UNION ALL SELECT 'audit', xmin::text FROM audit_log WHERE target_id = $1::text`,
      [agent.id],
    );
    expect(xmins.rows.map((r) => r.t).sort()).toEqual(
      ["agent", "audit", "deployment", "event", "revision", "secret"].sort(),
    );
    expect(new Set(xmins.rows.map((r) => r.xmin)).size).toBe(1);

    // Tokens sealed, each bound to its row and column.
    const row = (
      await app.db.pool.query("SELECT runtime_token_sealed, gateway_token_sealed FROM agents WHERE id = $1", [
        agent.id,
      ])
    ).rows[0];
    const keyring = Keyring.fromConfig(app.config);
    for (const column of ["runtime_token_sealed", "gateway_token_sealed"]) {
      expect(row[column]).toMatch(/^nora:v1:/);
      const ctx = { table: "agents", column, rowId: agent.id as string };
      expect(openSealed(keyring, row[column], ctx).value).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(() => openSealed(keyring, row[column], { ...ctx, rowId: randomUUID() })).toThrow();
    }
    const revision = (
      await app.db.pool.query("SELECT * FROM agent_revisions WHERE agent_id = $1", [agent.id])
    ).rows[0];
    expect(revision).toMatchObject({
      number: 1,
      image: app.config.provisioning.images.openclaw,
      env_names: ["GITHUB_TOKEN"],
      template,
      bootstrap_hashes: {
        "AGENTS.md": createHash("sha256").update(template["AGENTS.md"]).digest("hex"),
        "skills/notes.md": createHash("sha256").update("notes").digest("hex"),
      },
    });

    // The job: id = deployment id, ids only.
    const job = await queues.deployments.queue.getJob(deployment.id as string);
    expect(job?.name).toBe("deploy-agent");
    expect(job?.data).toEqual({ deploymentId: deployment.id, agentId: agent.id });

    // The secret value is nowhere but sealed: not in the job, any row, the logs or the answer.
    const everything = await app.db.pool.query(
      `SELECT (SELECT json_agg(a) FROM agents a) AS a, (SELECT json_agg(r) FROM agent_revisions r) AS r,
         (SELECT json_agg(d) FROM deployments d) AS d, (SELECT json_agg(e) FROM events e) AS e,
         (SELECT json_agg(l) FROM audit_log l) AS l, (SELECT json_agg(s) FROM agent_secret_overrides s) AS s`,
    );
    const redisDump = JSON.stringify(await queues.deployments.queue.getJobs());
    for (const haystack of [JSON.stringify(everything.rows), redisDump, app.logs.text, res.text]) {
      expect(haystack).not.toContain(CANARY);
      expect(haystack).not.toContain(CANARY.slice(10, 30));
    }
    const secrets = await asOwner("GET", `/api/agents/${agent.id}/secrets`);
    expect(secrets.body.secrets).toEqual([
      expect.objectContaining({ name: "GITHUB_TOKEN", hint: CANARY.slice(-4) }),
    ]);
  });

  it.each([
    [{ family: "hermes", profile: "nemoclaw" }, "profile_not_supported"],
    [{ profile: "nemoclaw" }, "profile_disabled"],
    [{ family: "claude" }, "unknown_runtime_family"],
    [{ target: "lambda" }, "unknown_deploy_target"],
    [{ target: "proxmox" }, "target_release_blocked"],
    [{ target: "k8s" }, "no_cluster"],
    [{ target: "k3s" }, "no_cluster"],
    [{ clusterId: "00000000-0000-4000-8000-000000000000" }, "cluster_not_applicable"],
    [{ memoryMb: 1024 }, "memory_below_minimum"],
    [{ family: "hermes", memoryMb: 256 }, "memory_below_minimum"],
    [{ memoryMb: 65_536 }, "over_platform_maximum"],
    [{ vcpu: 9 }, "over_platform_maximum"],
    [{ diskGb: 500 }, "over_platform_maximum"],
  ])("refuses %j with 400 %s: nothing written, nothing queued", async (spec, code) => {
    const ws = await workspace();
    const before = await jobCount();
    const res = await asOwner("POST", `/api/workspaces/${ws}/agents`, { name: "refused", ...spec });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe(code);
    expect(res.body.requestId).toBe(res.headers.get("x-request-id"));
    if (code === "target_release_blocked") expect(res.body.message).toMatch(/not (released|available) yet/);
    expect(await counts(ws)).toEqual({ agents: 0, revisions: 0, deployments: 0, events: 0, audit: 0 });
    expect(await jobCount()).toBe(before);
  });

  it("accepts Hermes at its own floor (512 MB)", async () => {
    const ws = await workspace();
    const res = await asOwner("POST", `/api/workspaces/${ws}/agents`, {
      name: "h",
      family: "hermes",
      memoryMb: 512,
    });
    expect(res.status).toBe(202);
    expect(res.body.agent).toMatchObject({ family: "hermes", memoryMb: 512 });
  });

  it("never shows an agent's runtime, gateway or dashboard URL (Hermes has all three)", async () => {
    const ws = await workspace();
    const created = await asOwner("POST", `/api/workspaces/${ws}/agents`, { name: "dash", family: "hermes" });
    const id = (created.body.agent as { id: string }).id;
    // What the provisioner stores once the runtime is created.
    const urls = ["http://127.0.0.1:47901", "http://127.0.0.1:47902", "http://127.0.0.1:47903"];
    await app.db.pool.query(
      "UPDATE agents SET runtime_url = $2, gateway_url = $3, dashboard_url = $4 WHERE id = $1",
      [id, ...urls],
    );
    for (const path of [`/api/agents/${id}`, `/api/workspaces/${ws}/agents`]) {
      const res = await asOwner("GET", path);
      expect(res.status).toBe(200);
      expect(res.text).toContain(id);
      for (const url of urls) expect(res.text).not.toContain(url);
      expect(res.text).not.toMatch(/runtime_?url|gateway_?url|dashboard_?url|4790[123]/i);
    }
  });

  it("lets only a signed-in platform admin choose the image", async () => {
    const ws = await workspace();
    const body = { name: "custom", image: "registry.example/nora/openclaw:canary" };
    const refused = await asOwner("POST", `/api/workspaces/${ws}/agents`, body);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe("image_override_forbidden");
    expect(await counts(ws)).toMatchObject({ agents: 0 });
    const accepted = await call(app, { cookie: admin.cookie }, "POST", `/api/workspaces/${ws}/agents`, body);
    expect(accepted.status).toBe(202);
    const rev = await app.db.pool.query("SELECT image FROM agent_revisions WHERE agent_id = $1", [
      (accepted.body.agent as { id: string }).id,
    ]);
    expect(rev.rows[0].image).toBe(body.image);
    const patch = await asOwner("PATCH", `/api/agents/${(accepted.body.agent as { id: string }).id}`, {
      image: null,
    });
    expect(patch.status).toBe(403);
  });

  it("refuses providers of another workspace (400) and names taken case-insensitively (409)", async () => {
    const ws = await workspace();
    const other = await workspace();
    const provider = await asOwner("POST", `/api/workspaces/${other}/llm-providers`, {
      kind: "openai",
      name: "Theirs",
      apiKey: "sk-provider-0123456789abcdef",
    });
    const theirs = (provider.body.provider as { id: string }).id;
    const res = await asOwner("POST", `/api/workspaces/${ws}/agents`, { name: "p", providerIds: [theirs] });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe("unknown_provider");
    expect(await counts(ws)).toMatchObject({ agents: 0, deployments: 0 });
    expect((await asOwner("POST", `/api/workspaces/${ws}/agents`, { name: "Twin" })).status).toBe(202);
    const twin = await asOwner("POST", `/api/workspaces/${ws}/agents`, { name: "twin" });
    expect(twin.status).toBe(409);
    expect(twin.body.error).toBe("name_taken");
    expect(await counts(ws)).toMatchObject({ agents: 1, deployments: 1 });
  });

  it("keeps the quota under concurrent creates", async () => {
    const ws = await workspace();
    await app.db.pool.query("UPDATE workspaces SET agent_quota = 3 WHERE id = $1", [ws]);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => asOwner("POST", `/api/workspaces/${ws}/agents`, { name: `q${i}` })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([202, 202, 202, 409, 409, 409, 409, 409]);
    expect(
      results.filter((r) => r.status === 409).every((r) => r.body.error === "agent_quota_exceeded"),
    ).toBe(true);
    expect(await counts(ws)).toMatchObject({ agents: 3, deployments: 3 });
  });

  it("moves the agent only where the state machine allows; else 409 naming the current status, logged", async () => {
    const ws = await workspace();
    const created = await asOwner("POST", `/api/workspaces/${ws}/agents`, { name: "machine" });
    const id = (created.body.agent as { id: string }).id;
    const actions = {
      start: ["POST", "start"],
      stop: ["POST", "stop"],
      restart: ["POST", "restart"],
      redeploy: ["POST", "redeploy"],
      rollback: ["POST", "rollback"],
      delete: ["DELETE", ""],
    } as const;
    const mismatches: string[] = [];
    for (const status of AGENT_STATUSES) {
      for (const [action, [method, segment]] of Object.entries(actions)) {
        await app.db.pool.query("UPDATE agents SET status = $2 WHERE id = $1", [id, status]);
        const path = segment ? `/api/agents/${id}/${segment}` : `/api/agents/${id}`;
        const res = await asOwner(method, path, action === "rollback" ? { revision: 1 } : undefined);
        const allowed = canTransition(status, REQUESTED_STATUS[action as keyof typeof REQUESTED_STATUS]);
        const expected = allowed ? 202 : 409;
        if (res.status !== expected) mismatches.push(`${status} ${action}: ${res.status}`);
        if (res.status === 409) {
          expect(res.body).toMatchObject({ error: "illegal_transition", details: { status } });
          expect(res.body.message).toContain(status);
        }
        if (res.status === 202) {
          const agent = res.body.agent as { status: AgentStatus };
          expect(agent.status).toBe(REQUESTED_STATUS[action as keyof typeof REQUESTED_STATUS]);
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(DEPLOYMENT_ACTIONS.filter((a) => a !== "deploy").sort()).toEqual(Object.keys(actions).sort());
    expect(app.logs.text).toContain("illegal agent transition refused");
  });

  it("PATCH records the desired spec; redeploy makes a new revision of it; rollback deploys an earlier one", async () => {
    const ws = await workspace();
    const created = await asOwner("POST", `/api/workspaces/${ws}/agents`, {
      name: "versions",
      template: { "AGENTS.md": "v1" },
    });
    const id = (created.body.agent as { id: string }).id;
    const patch = await asOwner("PATCH", `/api/agents/${id}`, { name: "Versions", memoryMb: 4096 });
    expect(patch.status).toBe(200);
    expect(patch.body).toMatchObject({
      agent: { name: "Versions", memoryMb: 4096, revision: 1 },
      appliesOnRedeploy: ["memoryMb"],
    });
    expect((await asOwner("PATCH", `/api/agents/${id}`, { memoryMb: 1024 })).body.error).toBe(
      "memory_below_minimum",
    );
    const redeploy = await asOwner("POST", `/api/agents/${id}/redeploy`, {});
    expect(redeploy.status).toBe(202);
    expect(redeploy.body.deployment).toMatchObject({ action: "redeploy", revision: 2 });
    const withTemplate = await asOwner("POST", `/api/agents/${id}/redeploy`, {
      template: { "AGENTS.md": "v3" },
    });
    expect(withTemplate.body.deployment).toMatchObject({ revision: 3 });

    const revisions = await asOwner("GET", `/api/agents/${id}/revisions?limit=2`);
    expect(revisions.status).toBe(200);
    const [r3, r2] = revisions.body.revisions as Array<Record<string, unknown>>;
    expect(r3).toMatchObject({ number: 3, memoryMb: 4096 });
    expect(r2).toMatchObject({ number: 2, memoryMb: 4096, bootstrapHashes: { "AGENTS.md": sha("v1") } });
    expect(r3?.bootstrapHashes).toEqual({ "AGENTS.md": sha("v3") });
    expect(revisions.text).not.toContain('"template"');
    expect(revisions.body.nextCursor).toBe("2");
    const rest = await asOwner("GET", `/api/agents/${id}/revisions?limit=2&cursor=2`);
    expect((rest.body.revisions as Array<{ number: number }>).map((r) => r.number)).toEqual([1]);
    expect(rest.body.nextCursor).toBeUndefined();

    expect((await asOwner("POST", `/api/agents/${id}/rollback`, { revision: 9 })).status).toBe(404);
    const rollback = await asOwner("POST", `/api/agents/${id}/rollback`, { revision: 1 });
    expect(rollback.status).toBe(202);
    expect(rollback.body).toMatchObject({
      agent: { memoryMb: 2048, revision: 1 },
      deployment: { action: "rollback", revision: 1 },
    });
    const history = await asOwner("GET", `/api/agents/${id}/deployments`);
    expect(
      (history.body.deployments as Array<{ action: string; revision: number }>).map((d) => [
        d.action,
        d.revision,
      ]),
    ).toEqual([
      ["rollback", 1],
      ["redeploy", 3],
      ["redeploy", 2],
      ["deploy", 1],
    ]);
    const page = await asOwner("GET", `/api/agents/${id}/deployments?limit=3`);
    const next = await asOwner("GET", `/api/agents/${id}/deployments?limit=3&cursor=${page.body.nextCursor}`);
    expect((next.body.deployments as Array<{ action: string }>).map((d) => d.action)).toEqual(["deploy"]);
    // Revisions are immutable in the database itself.
    await expect(
      app.db.pool.query("UPDATE agent_revisions SET memory_mb = 1 WHERE agent_id = $1", [id]),
    ).rejects.toThrow(/immutable/);
  });

  it("DELETE records keepData on the deployment", async () => {
    const ws = await workspace();
    const created = await asOwner("POST", `/api/workspaces/${ws}/agents`, { name: "gone" });
    const id = (created.body.agent as { id: string }).id;
    const res = await asOwner("DELETE", `/api/agents/${id}?keepData=true`);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      agent: { status: "deleting", desiredState: "deleted" },
      deployment: { action: "delete", options: { keepData: true } },
    });
  });

  it("lists with filters, a name search and a cursor", async () => {
    const ws = await workspace();
    for (const [name, family] of [
      ["alpha scout", "openclaw"],
      ["beta scout", "hermes"],
      ["gamma", "openclaw"],
    ] as const) {
      expect((await asOwner("POST", `/api/workspaces/${ws}/agents`, { name, family })).status).toBe(202);
    }
    const names = async (query: string) =>
      (
        (await asOwner("GET", `/api/workspaces/${ws}/agents${query}`)).body.agents as Array<{ name: string }>
      ).map((a) => a.name);
    expect(await names("")).toEqual(["gamma", "beta scout", "alpha scout"]);
    expect(await names("?family=hermes")).toEqual(["beta scout"]);
    expect(await names("?q=SCOUT")).toEqual(["beta scout", "alpha scout"]);
    expect(await names("?status=running")).toEqual([]);
    expect(await names("?target=docker&status=queued")).toHaveLength(3);
    const first = await asOwner("GET", `/api/workspaces/${ws}/agents?limit=2`);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect(await names(`?limit=2&cursor=${first.body.nextCursor}`)).toEqual(["alpha scout"]);
    expect((await asOwner("GET", `/api/workspaces/${ws}/agents?cursor=nope`)).status).toBe(400);
  });

  it("lists workspace events with filters and a cursor", async () => {
    const ws = await workspace();
    const a = await asOwner("POST", `/api/workspaces/${ws}/agents`, { name: "ev-a" });
    const b = await asOwner("POST", `/api/workspaces/${ws}/agents`, { name: "ev-b" });
    const aId = (a.body.agent as { id: string }).id;
    await asOwner("POST", `/api/agents/${aId}/stop`);
    await app.db.pool.query(
      `INSERT INTO events (workspace_id, agent_id, type, severity, message) VALUES ($1, $2, 'deployment.failed', 'error', 'boom')`,
      [ws, aId],
    );
    const list = async (query: string) =>
      (await asOwner("GET", `/api/workspaces/${ws}/events${query}`)).body as {
        events: Array<{ type: string; agentId: string; severity: string }>;
        nextCursor?: string;
      };
    expect((await list("")).events).toHaveLength(4);
    expect((await list(`?agentId=${aId}`)).events).toHaveLength(3);
    expect((await list("?severity=error")).events.map((e) => e.type)).toEqual(["deployment.failed"]);
    expect((await list("?type=deployment.requested")).events).toHaveLength(3);
    expect((await list(`?from=${new Date(Date.now() + 60_000).toISOString()}`)).events).toEqual([]);
    const page = await list("?limit=3");
    expect(page.nextCursor).toEqual(expect.any(String));
    expect(page.events.at(-1)?.agentId).toBe((b.body.agent as { id: string }).id);
    expect((await list(`?limit=3&cursor=${page.nextCursor}`)).events.map((e) => e.agentId)).toEqual([aId]);
  });
});

describe("agents API when Redis cannot take the job", () => {
  it("answers 202 anyway (the row is durable, still queued) and logs a warning", async () => {
    // A closed port on loopback: the producer's commands wait in its offline queue, as with Redis down.
    const deadConfig = testConfig({ ...ENV, REDIS_URL: "redis://127.0.0.1:1" });
    const dead = createRedis(deadConfig.redis, "dead", "bullmq");
    const deadQueues = createQueues(deadConfig, dead);
    for (const q of Object.values(deadQueues)) q.queue.on("error", () => {});
    const app = await startTestApp({ env: ENV, queues: deadQueues });
    try {
      const owner = await userWithSession(app);
      const ws = await createWorkspace(app, owner.cookie);
      const started = Date.now();
      const res = await call(app, { cookie: owner.cookie }, "POST", `/api/workspaces/${ws}/agents`, {
        name: "durable",
      });
      expect(res.status).toBe(202);
      expect(Date.now() - started).toBeLessThan(6_000);
      const { rows } = await app.db.pool.query("SELECT status FROM deployments WHERE workspace_id = $1", [
        ws,
      ]);
      expect(rows).toEqual([{ status: "queued" }]);
      expect(app.logs.text).toContain("deployment recorded but not queued");
    } finally {
      dead.disconnect();
      await app.close();
    }
  });
});

const sha = (s: string) => createHash("sha256").update(s).digest("hex");

import { execFile } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { promisify } from "node:util";
import { createDockerBackend } from "@nora/backends";
import { contractRuntimeImage, removeLabelled, TEST_LABEL, testRunId } from "@nora/backends/testing";
import {
  closeQueues,
  closeRedis,
  createLogger,
  createQueues,
  createRedis,
  Keyring,
  type NoraQueues,
  type Redis,
  sealOrFail,
  startWorkerService,
  type WorkerService,
} from "@nora/core";
import { createTestDatabase, LogCapture, type TestDatabase, testConfig } from "@nora/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDomain, createProvisioner, type Provisioner } from "../src/index.js";

/**
 * The provisioner's deploy-agent job against the real Docker engine, PostgreSQL and Redis, with the
 * contract-only runtime image (the 9090 server without an agent, so no gateway: ready means 9090
 * answers). Rows are written here the way the agents API writes them; the API's own tests drive it.
 */
const run = promisify(execFile);
const runId = testRunId();
const image = await contractRuntimeImage();
// An image that runs but never serves 9090: the contract image told to sleep.
const NEVER_READY = `nora-test-never-ready:${runId}`;

let db: TestDatabase;
let redis: Redis;
let queueConnection: Redis;
let queues: NoraQueues;
let provisioner: Provisioner;
let worker: WorkerService;
let keyring: Keyring;
let workspaceId: string;
const logs = new LogCapture();

beforeAll(async () => {
  await new Promise<void>((resolve, reject) => {
    const child = execFile("docker", ["build", "--quiet", "-t", NEVER_READY, "-"], (error) =>
      error ? reject(error) : resolve(),
    );
    child.stdin?.end(`FROM ${image}\nENTRYPOINT ["/bin/sleep", "3600"]\n`);
  });
  db = await createTestDatabase();
  const portBase = 30_000 + randomInt(0, 150) * 200;
  const config = testConfig({
    DATABASE_URL: db.url,
    ENCRYPTION_KEY: randomBytes(32).toString("hex"),
    AGENT_IMAGE_OPENCLAW: image,
    DOCKER_AGENT_PORT_RANGE: `${portBase}-${portBase + 199}`,
    DOCKER_AGENT_SUBNET_POOL: `10.${200 + randomInt(0, 50)}.${randomInt(0, 16) * 16}.0/20`,
    DEPLOYMENT_READY_ATTEMPTS: "12",
    DEPLOYMENT_SWEEP_INTERVAL_MS: "60000",
  });
  keyring = Keyring.fromConfig(config);
  const logger = createLogger({ service: "provisioner-test", level: "info", destination: logs });
  redis = createRedis(config.redis, "provisioner-test");
  queueConnection = createRedis(config.redis, "provisioner-test-queue", "bullmq");
  queues = createQueues(config, queueConnection);
  const domain = createDomain({ config, logger, pool: db.pool, redis });
  const backend = createDockerBackend({
    socketPath: config.provisioning.docker.socketPath,
    access: "published",
    bindIp: "127.0.0.1",
    peerLabel: config.provisioning.docker.peerLabel,
    logger,
    extraLabels: { [TEST_LABEL]: runId },
  });
  provisioner = await createProvisioner({
    config,
    pool: db.pool,
    redis,
    logger,
    domain,
    backends: { docker: backend },
  });
  worker = await startWorkerService({
    name: "provisioner",
    config,
    logger,
    handlers: provisioner.handlers,
    health: { host: "127.0.0.1", port: 0 },
  });
  const user = await db.pool.query<{ id: string }>(
    "INSERT INTO users (email, password_hash) VALUES ($1, 'x') RETURNING id",
    [`prov-${runId}@example.org`],
  );
  const ws = await db.pool.query<{ id: string }>(
    "INSERT INTO workspaces (name, created_by) VALUES ('prov', $1) RETURNING id",
    [user.rows[0]?.id],
  );
  workspaceId = ws.rows[0]?.id as string;
}, 20 * 60_000);

afterAll(async () => {
  await worker?.stop();
  await provisioner?.close();
  await closeQueues(queues);
  await Promise.all([closeRedis(redis), closeRedis(queueConnection)]);
  await removeLabelled(TEST_LABEL, runId);
  const { rows } = await db.pool.query<{ id: string }>("SELECT id FROM agents");
  for (const { id } of rows) {
    await run("docker", ["rm", "-f", `nora-agent-${id}`]).catch(() => undefined);
  }
  await run("docker", ["rmi", NEVER_READY]).catch(() => undefined);
  await db?.drop();
});

/** An agent, revision #1 and a deploy deployment, as the API writes them; returns the ids. */
async function requestAgent(imageName: string, name = `agent-${randomBytes(3).toString("hex")}`) {
  const agent = await db.pool.query<{ id: string }>(
    "INSERT INTO agents (workspace_id, name, memory_mb, vcpu) VALUES ($1, $2, 256, 0.5) RETURNING id",
    [workspaceId, name],
  );
  const agentId = agent.rows[0]?.id as string;
  const seal = (column: string) =>
    sealOrFail(keyring, randomBytes(32).toString("hex"), { table: "agents", column, rowId: agentId });
  await db.pool.query(
    "UPDATE agents SET runtime_token_sealed = $2, gateway_token_sealed = $3 WHERE id = $1",
    [agentId, seal("runtime_token_sealed"), seal("gateway_token_sealed")],
  );
  const revision = await db.pool.query<{ id: string }>(
    `INSERT INTO agent_revisions (agent_id, number, runtime_family, deploy_target, sandbox_profile, image,
       vcpu, memory_mb, disk_gb, template)
     VALUES ($1, 1, 'openclaw', 'docker', 'standard', $2, 0.5, 256, 1, '{"AGENTS.md": "# hello"}') RETURNING id`,
    [agentId, imageName],
  );
  const deploymentId = await requestAction(agentId, "deploy", revision.rows[0]?.id as string);
  return { agentId, revisionId: revision.rows[0]?.id as string, deploymentId };
}

async function requestAction(
  agentId: string,
  action: string,
  revisionId: string | null = null,
  options: Record<string, unknown> = {},
) {
  const { rows } = await db.pool.query<{ id: string }>(
    `INSERT INTO deployments (agent_id, workspace_id, revision_id, action, options) VALUES ($1, $2, $3, $4, $5)
     RETURNING id`,
    [agentId, workspaceId, revisionId, action, JSON.stringify(options)],
  );
  const deploymentId = rows[0]?.id as string;
  const requested = { stop: "stopping", delete: "deleting" }[action] ?? "queued";
  await db.pool.query("UPDATE agents SET status = $2 WHERE id = $1", [agentId, requested]);
  await queues.deployments.add({ deploymentId, agentId }, { jobId: deploymentId });
  return deploymentId;
}

async function deploymentOutcome(deploymentId: string, timeout = 90_000) {
  let row: { status: string; reason: string | null } | undefined;
  await expect
    .poll(
      async () => {
        const { rows } = await db.pool.query<{ status: string; reason: string | null }>(
          "SELECT status, reason FROM deployments WHERE id = $1",
          [deploymentId],
        );
        row = rows[0];
        return row?.status ?? "gone";
      },
      { timeout, interval: 100 },
    )
    .toMatch(/^(succeeded|warning|failed|cancelled|gone)$/);
  return row ?? { status: "gone", reason: null };
}

const agentRow = async (id: string) =>
  (
    await db.pool.query<{ status: string; statusReason: string | null; runtimeUrl: string | null }>(
      `SELECT status, status_reason AS "statusReason", runtime_url AS "runtimeUrl" FROM agents WHERE id = $1`,
      [id],
    )
  ).rows[0];

describe("the deploy-agent job (real Docker, contract-only runtime image)", () => {
  it("deploys, stops, starts, restarts and deletes one agent, with one container throughout", async () => {
    const { agentId, revisionId, deploymentId } = await requestAgent(image);
    expect(await deploymentOutcome(deploymentId)).toEqual({ status: "succeeded", reason: null });
    const agent = await agentRow(agentId);
    expect(agent?.status).toBe("running");
    expect(agent?.runtimeUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${agent?.runtimeUrl}/health`);
    expect(health.status).toBe(200);

    const revision = await db.pool.query<{ digest: string }>(
      `SELECT image_digest AS digest FROM agent_revisions WHERE id = $1`,
      [revisionId],
    );
    expect(revision.rows[0]?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const delivered = await db.pool.query<{
      delivered: { files: Record<string, string>; secretEnvNames: string[] };
    }>("SELECT delivered FROM deployments WHERE id = $1", [deploymentId]);
    expect(Object.keys(delivered.rows[0]?.delivered.files ?? {})).toContain("template/AGENTS.md");

    const statuses = await db.pool.query<{ to: string }>(
      `SELECT metadata->>'to' AS "to" FROM events WHERE agent_id = $1 AND type = 'agent.status_changed' ORDER BY id`,
      [agentId],
    );
    expect(statuses.rows.map((r) => r.to)).toEqual(["provisioning", "starting", "running"]);

    expect(await deploymentOutcome(await requestAction(agentId, "stop", revisionId))).toMatchObject({
      status: "succeeded",
    });
    expect((await agentRow(agentId))?.status).toBe("stopped");
    expect(await deploymentOutcome(await requestAction(agentId, "start", revisionId))).toMatchObject({
      status: "succeeded",
    });
    expect((await agentRow(agentId))?.status).toBe("running");
    expect(await deploymentOutcome(await requestAction(agentId, "restart", revisionId))).toMatchObject({
      status: "succeeded",
    });
    expect((await agentRow(agentId))?.status).toBe("running");
    const containers = await run("docker", ["ps", "-aq", "--filter", `label=nora.agent.id=${agentId}`]);
    expect(containers.stdout.trim().split("\n")).toHaveLength(1);

    expect((await deploymentOutcome(await requestAction(agentId, "delete", revisionId))).status).toBe("gone");
    expect(await agentRow(agentId)).toBeUndefined();
    const after = await run("docker", ["ps", "-aq", "--filter", `label=nora.agent.id=${agentId}`]);
    expect(after.stdout.trim()).toBe("");
    const deleted = await db.pool.query(
      "SELECT 1 FROM events WHERE agent_id = $1 AND type = 'agent.deleted'",
      [agentId],
    );
    expect(deleted.rows).toHaveLength(1);
  });

  it("fails an image that never becomes ready after the configured attempts, saying why", async () => {
    const { agentId, deploymentId } = await requestAgent(NEVER_READY);
    const outcome = await deploymentOutcome(deploymentId);
    expect(outcome.status).toBe("failed");
    expect(outcome.reason).toMatch(/did not answer \/health after 12 probes/);
    const agent = await agentRow(agentId);
    expect(agent?.status).toBe("failed");
    expect(agent?.statusReason).toBe(outcome.reason);
  });

  it("fails at once, with an actionable reason, when the image is not on the host", async () => {
    const { agentId, deploymentId } = await requestAgent(`nora-test-missing:${runId}`);
    const outcome = await deploymentOutcome(deploymentId);
    expect(outcome.status).toBe("failed");
    expect(outcome.reason).toMatch(/is not on the Docker host/);
    expect((await agentRow(agentId))?.status).toBe("failed");
  });

  it("orders two requests made in the same millisecond by their own microseconds: the newer runs", async () => {
    const { agentId, revisionId, deploymentId } = await requestAgent(image);
    expect((await deploymentOutcome(deploymentId)).status).toBe("succeeded");
    // Two redeploys 300 µs apart, within one millisecond; the job of the newer one is queued first.
    const { rows } = await db.pool.query<{ id: string }>(
      `INSERT INTO deployments (agent_id, workspace_id, revision_id, action, created_at)
       VALUES ($1, $2, $3, 'redeploy', '2030-01-01T00:00:00.123400Z'),
              ($1, $2, $3, 'redeploy', '2030-01-01T00:00:00.123700Z')
       RETURNING id`,
      [agentId, workspaceId, revisionId],
    );
    const [older, newer] = rows.map((r) => r.id) as [string, string];
    await db.pool.query("UPDATE agents SET status = 'queued' WHERE id = $1", [agentId]);
    await queues.deployments.add({ deploymentId: newer, agentId }, { jobId: newer });
    await queues.deployments.add({ deploymentId: older, agentId }, { jobId: older });
    expect((await deploymentOutcome(newer)).status).toBe("succeeded");
    const stale = await deploymentOutcome(older);
    expect(stale.status).toBe("cancelled");
    expect(stale.reason).toContain(newer);
    expect((await agentRow(agentId))?.status).toBe("running");
  });

  it("serialises two deployments of one agent: the older is superseded, one container", async () => {
    const { agentId, revisionId, deploymentId } = await requestAgent(image);
    const second = await requestAction(agentId, "redeploy", revisionId);
    const [first, latest] = await Promise.all([deploymentOutcome(deploymentId), deploymentOutcome(second)]);
    expect([first.status, latest.status].sort()).toEqual(["cancelled", "succeeded"].sort());
    expect((await agentRow(agentId))?.status).toBe("running");
    const containers = await run("docker", ["ps", "-aq", "--filter", `label=nora.agent.id=${agentId}`]);
    expect(containers.stdout.trim().split("\n")).toHaveLength(1);
  });
});

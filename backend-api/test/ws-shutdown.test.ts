import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { closeRedis, countLeases, createRedis, Keyring, type Redis } from "@nora/core";
import {
  createTestDatabase,
  spawnService,
  type TestDatabase,
  testConfig,
  testServiceUrls,
  uniqueKeyPrefix,
} from "@nora/core/testing";
import { generateApiKey, hashApiKey } from "@nora/domain/api-keys/key-format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RuntimeProcess, startRuntime, TOKEN } from "../../agent-runtime/test/support.js";
import { expectOpen, until } from "./ws-helpers.js";

const API = fileURLToPath(new URL("../dist/server.js", import.meta.url));

/** The built API process (server.ts) with a real runtime: SIGTERM ends its WebSocket streams with 1001. */
describe("WebSocket streams at shutdown (real API process)", () => {
  let db: TestDatabase;
  let runtime: RuntimeProcess;
  let redis: Redis;
  const env: Record<string, string> = {};

  beforeAll(async () => {
    db = await createTestDatabase();
    runtime = await startRuntime();
    await writeFile(join(runtime.dirs.logs, "agent.log"), "before shutdown\n");
    Object.assign(env, {
      NODE_ENV: "production",
      DATABASE_URL: db.url,
      REDIS_URL: testServiceUrls().redisUrl,
      REDIS_KEY_PREFIX: uniqueKeyPrefix("ws-shutdown"),
      JWT_SECRET: "Vq3n8Lx2Rk7Pz4Wm9Ty6Hb1Jc5Nd0Gf2",
      ENCRYPTION_KEY: "8e1f4b7a2c5d9e3f6a0b4c8d2e6f1a5b9c3d7e0f4a8b2c6d1e5f9a3b7c0d4e8f",
      NORA_API_KEY_HASH_SECRET: "ws-shutdown-key-hash-secret-0123456789",
      PUBLIC_URL: "http://nora.test",
      GATEWAY_ALLOWED_PORTS: "9090,18789,8642,9119,20000-29999,30000-65535",
      API_PORT: "0",
    });
    redis = createRedis(testConfig(env).redis, "ws-shutdown-test");
  });
  afterAll(async () => {
    if (redis) await closeRedis(redis);
    await runtime?.stop();
    if (runtime) await rm(runtime.dirs.base, { recursive: true, force: true });
    await db?.drop();
  });

  it("closes an open logs stream with 1001, frees its slot and exits 0", async () => {
    const config = testConfig(env);
    const user = await db.pool.query<{ id: string }>(
      "INSERT INTO users (email, password_hash) VALUES ('shutdown@example.org', 'x') RETURNING id",
    );
    const userId = user.rows[0]?.id as string;
    const ws = await db.pool.query<{ id: string }>(
      "INSERT INTO workspaces (name) VALUES ('Shutdown') RETURNING id",
    );
    const workspaceId = ws.rows[0]?.id as string;
    await db.pool.query(
      "INSERT INTO workspace_members (workspace_id, user_id, role) VALUES ($1, $2, 'viewer')",
      [workspaceId, userId],
    );
    const key = generateApiKey();
    await db.pool.query(
      `INSERT INTO api_keys (workspace_id, created_by, description, prefix, key_hash, scopes)
       VALUES ($1, $2, 'shutdown', $3, $4, '{agents:read}')`,
      [workspaceId, userId, key.slice(0, 11), hashApiKey(key, config.identity.apiKeyHashKey)],
    );
    const agent = await db.pool.query<{ id: string }>(
      "INSERT INTO agents (workspace_id, name, status, runtime_url) VALUES ($1, 'a', 'running', $2) RETURNING id",
      [workspaceId, `http://127.0.0.1:${runtime.port}`],
    );
    const agentId = agent.rows[0]?.id as string;
    const sealed = Keyring.fromConfig(config).seal(TOKEN, {
      table: "agents",
      column: "runtime_token_sealed",
      rowId: agentId,
    });
    await db.pool.query("UPDATE agents SET runtime_token_sealed = $2 WHERE id = $1", [agentId, sealed]);

    const api = spawnService(API, env);
    const listening = await api.waitForLog((l) => l.msg === "api listening");
    const opened = await expectOpen(
      `ws://127.0.0.1:${listening.port as number}/api/ws/agents/${agentId}/logs?tail=1`,
      { authorization: `Bearer ${key}` },
    );
    await until(() => opened.messages.length > 0);
    expect(opened.messages[0]).toEqual({ type: "lines", lines: ["before shutdown"] });
    const slotKey = `${env.REDIS_KEY_PREFIX}:streams:stream:${userId}`;
    expect(await countLeases(redis, slotKey)).toBe(1);

    api.child.kill("SIGTERM");
    expect((await opened.closed).code).toBe(1001);
    expect(await api.exited).toBe(0);
    expect(api.stdout()).toContain('"msg":"api stopped"');
    expect(await countLeases(redis, slotKey)).toBe(0);
  }, 60_000);
});

import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startTestLlm } from "@nora/agent-runtime/testing";
import { Keyring } from "@nora/core";
import { createTestDatabase, type TestDatabase, testConfig } from "@nora/core/testing";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { insertAgent } from "./agent-fixtures.js";
import { NO_RATE_LIMITS, startTestApp, type TestApp } from "./helpers.js";
import { call, createApiKey, createWorkspace, userWithSession } from "./identity.js";

/**
 * The opened gateway (address judged and pinned, token opened) and the agent's workspace are cached
 * per API instance next to the authentication lookups. Two replicas on one database prove that no
 * change to an agent is served stale: a change through the API (stop) on one replica is seen by the
 * other's very next request; a change the provisioner writes (the same statements as its repo) or an
 * operator makes in SQL empties every cache by NOTIFY (migration 0015), and the request after that notification
 * goes to the new address with the new token. Two loopback upstreams record which one each request
 * reached and with which token.
 */

const OLD_TOKEN = "o".repeat(64);
const NEW_TOKEN = "n".repeat(64);

interface Hit {
  upstream: "old" | "new";
  authorization: string | undefined;
}

let db: TestDatabase;
let a: TestApp;
let b: TestApp;
let oldUpstream: Server;
let newUpstream: Server;
let oldUrl: string;
let newUrl: string;
const hits: Hit[] = [];
let workspaceId: string;
let owner: { cookie: string; id: string };
let apiKey: string;

function recorder(name: Hit["upstream"]): Server {
  return createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      hits.push({ upstream: name, authorization: (req.headers as IncomingHttpHeaders).authorization });
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"object":"list","data":[]}');
    });
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const proxied = async (on: TestApp, agentId: string) => {
  const res = await fetch(`${on.url}/api/agents/${agentId}/gateway/v1/models`, {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  const body = (await res.json()) as { error?: string };
  return { status: res.status, error: body.error };
};

/** Resolves when `on`'s cache is next emptied (a NOTIFY, an epoch move); fails after 2 s without one. */
const nextClear = (on: TestApp) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error("the cache was not emptied: no change notification arrived"));
    }, 2_000);
    const off = on.authCache.onClear(() => {
      clearTimeout(timer);
      off();
      resolve();
    });
  });

/** Counts the gateway row reads and agent-workspace reads `db`'s pool runs, while `body` runs. */
async function countingReads(body: () => Promise<void>): Promise<{ gateway: number; workspace: number }> {
  const counts = { gateway: 0, workspace: 0 };
  const query = db.pool.query.bind(db.pool);
  db.pool.query = ((...args: Parameters<typeof db.pool.query>) => {
    const text = typeof args[0] === "string" ? args[0] : (args[0] as { text?: string }).text;
    if (text?.includes('gateway_token_sealed AS "gatewayTokenSealed"')) counts.gateway++;
    if (text?.includes('SELECT workspace_id AS "workspaceId" FROM agents')) counts.workspace++;
    return query(...args);
  }) as typeof db.pool.query;
  try {
    await body();
  } finally {
    db.pool.query = query;
  }
  return counts;
}

const sealGatewayToken = (agentId: string, token: string) =>
  Keyring.fromConfig(a.config).seal(token, {
    table: "agents",
    column: "gateway_token_sealed",
    rowId: agentId,
  });

const agent = () =>
  insertAgent(a, { workspaceId, family: "openclaw", gatewayUrl: oldUrl, gatewayToken: OLD_TOKEN });

beforeAll(async () => {
  oldUpstream = recorder("old");
  newUpstream = recorder("new");
  oldUrl = await listen(oldUpstream);
  newUrl = await listen(newUpstream);
  db = await createTestDatabase();
  const config = testConfig({
    ...NO_RATE_LIMITS,
    DATABASE_URL: db.url,
    LOG_LEVEL: "info",
    JWT_SECRET: "replicas-share-this-secret-0123456789",
    ENCRYPTION_KEY: "3c".repeat(32),
    GATEWAY_ALLOWED_PORTS: "32768-60999",
  });
  a = await startTestApp({ db, config });
  b = await startTestApp({ db, config });
  owner = await userWithSession(a);
  workspaceId = await createWorkspace(a, owner.cookie);
  apiKey = (await createApiKey(a, owner.cookie, workspaceId, ["agents:read"])).key;
});

afterAll(async () => {
  await a.close();
  await b.close();
  await db.drop();
  oldUpstream.close();
  newUpstream.close();
});

beforeEach(() => {
  hits.length = 0;
});

describe("gateway proxy cache", () => {
  it("serves repeated requests from the cache, and reads every time while the change listener is down", async () => {
    const id = await agent();
    const warm = await countingReads(async () => {
      for (let i = 0; i < 20; i++) expect((await proxied(b, id)).status).toBe(200);
    });
    expect(warm.gateway).toBeLessThanOrEqual(1);
    expect(warm.workspace).toBeLessThanOrEqual(1);
    b.authCache.setListening(false);
    try {
      const cold = await countingReads(async () => {
        for (let i = 0; i < 5; i++) expect((await proxied(b, id)).status).toBe(200);
      });
      expect(cold).toEqual({ gateway: 5, workspace: 5 });
    } finally {
      b.authCache.setListening(true);
    }
    expect(hits.every((hit) => hit.upstream === "old" && hit.authorization === `Bearer ${OLD_TOKEN}`)).toBe(
      true,
    );
  });

  it("a proxied POST and a chat turn leave every cache warm (they change nobody's access)", async () => {
    const id = await agent();
    const writer = (await createApiKey(a, owner.cookie, workspaceId, ["agents:read", "agents:write"])).key;
    const llm = await startTestLlm({ apiKey: NEW_TOKEN });
    const chatId = await insertAgent(a, {
      workspaceId,
      family: "openclaw",
      gatewayUrl: llm.url,
      gatewayToken: NEW_TOKEN,
    });
    const post = () =>
      fetch(`${b.url}/api/agents/${id}/gateway/tools/invoke`, {
        method: "POST",
        headers: { authorization: `Bearer ${writer}`, "content-type": "application/json" },
        body: "{}",
      });
    const turn = async () => {
      const res = await fetch(`${b.url}/api/agents/${chatId}/chat`, {
        method: "POST",
        headers: { authorization: `Bearer ${writer}`, "content-type": "application/json" },
        body: JSON.stringify({ message: "hello" }),
      });
      return { status: res.status, text: await res.text() };
    };
    try {
      expect((await post()).status).toBe(200);
      expect((await turn()).text).toContain("event: done");
      let clears = 0;
      const off = b.authCache.onClear(() => {
        clears++;
      });
      try {
        const reads = await countingReads(async () => {
          for (let i = 0; i < 5; i++) {
            expect((await post()).status).toBe(200);
            const answer = await turn();
            expect(answer.status).toBe(200);
            expect(answer.text).toContain("event: done");
          }
        });
        expect(clears).toBe(0);
        expect(reads).toEqual({ gateway: 0, workspace: 0 });
      } finally {
        off();
      }
    } finally {
      await llm.close();
    }
  });

  it("a new address and token the provisioner records are used from the request after its notification", async () => {
    const id = await agent();
    for (let i = 0; i < 3; i++) expect((await proxied(b, id)).status).toBe(200);
    const cleared = nextClear(b);
    // The provisioner's recordRuntime: the new container's addresses.
    await db.pool.query(
      "UPDATE agents SET runtime_url = $2, gateway_url = $2, dashboard_url = NULL, updated_at = now() WHERE id = $1",
      [id, newUrl],
    );
    await cleared;
    hits.length = 0;
    expect((await proxied(b, id)).status).toBe(200);
    expect(hits).toEqual([{ upstream: "new", authorization: `Bearer ${OLD_TOKEN}` }]);

    // A token written where there was none (as the provisioner's storeMissingTokens), then a new one.
    const emptied = nextClear(b);
    await db.pool.query("UPDATE agents SET gateway_token_sealed = NULL WHERE id = $1", [id]);
    await emptied;
    expect(await proxied(b, id)).toEqual({ status: 409, error: "runtime_not_recorded" });
    const stored = nextClear(b);
    await db.pool.query(
      "UPDATE agents SET gateway_token_sealed = coalesce(gateway_token_sealed, $2) WHERE id = $1",
      [id, sealGatewayToken(id, NEW_TOKEN)],
    );
    await stored;
    hits.length = 0;
    expect((await proxied(b, id)).status).toBe(200);
    expect(hits).toEqual([{ upstream: "new", authorization: `Bearer ${NEW_TOKEN}` }]);

    const rotated = nextClear(b);
    await db.pool.query("UPDATE agents SET gateway_token_sealed = $2 WHERE id = $1", [
      id,
      sealGatewayToken(id, OLD_TOKEN),
    ]);
    await rotated;
    hits.length = 0;
    expect((await proxied(b, id)).status).toBe(200);
    expect(hits).toEqual([{ upstream: "new", authorization: `Bearer ${OLD_TOKEN}` }]);
  });

  it("a stop through the API on one replica is refused by the other's very next request, no wait", async () => {
    const id = await agent();
    const editor = await createApiKey(a, owner.cookie, workspaceId, ["agents:write"]);
    for (const replica of [a, b]) expect((await proxied(replica, id)).status).toBe(200);
    const stop = await call(a, { apiKey: editor.key }, "POST", `/api/agents/${id}/stop`);
    expect(stop.status).toBe(202);
    hits.length = 0;
    for (const replica of [b, a]) {
      expect(await proxied(replica, id)).toEqual({ status: 409, error: "agent_not_running" });
    }
    expect(hits).toEqual([]);
  });

  it("a status changed or a row deleted in SQL is refused after its notification, nothing connects", async () => {
    const id = await agent();
    expect((await proxied(b, id)).status).toBe(200);
    const stopped = nextClear(b);
    await db.pool.query("UPDATE agents SET status = 'stopped' WHERE id = $1", [id]);
    await stopped;
    hits.length = 0;
    expect(await proxied(b, id)).toEqual({ status: 409, error: "agent_not_running" });

    const running = nextClear(b);
    await db.pool.query("UPDATE agents SET status = 'running' WHERE id = $1", [id]);
    await running;
    expect((await proxied(b, id)).status).toBe(200);
    const deleted = nextClear(b);
    await db.pool.query("DELETE FROM agents WHERE id = $1", [id]);
    await deleted;
    hits.length = 0;
    expect(await proxied(b, id)).toEqual({ status: 404, error: "not_found" });
    expect(hits).toEqual([]);
  });

  it("a change to a column the proxy does not read sends no notification", async () => {
    const id = await agent();
    // A listener of the test's own: notifications arrive in commit order, so what arrives before a
    // marker sent by hand after a change is what that change sent.
    const listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    const payloads: string[] = [];
    let markerArrived: () => void = () => {};
    listener.on("notification", (message) => {
      if (message.payload === "test marker") markerArrived();
      else payloads.push(message.payload ?? "");
    });
    await listener.query("LISTEN nora_auth_changed");
    const sentBy = async (sql: string) => {
      payloads.length = 0;
      const arrived = new Promise<void>((resolve) => {
        markerArrived = resolve;
      });
      await db.pool.query(sql, [id]);
      await db.pool.query("SELECT pg_notify('nora_auth_changed', 'test marker')");
      await arrived;
      return [...payloads];
    };
    try {
      expect(await sentBy("UPDATE agents SET name = 'renamed', updated_at = now() WHERE id = $1")).toEqual(
        [],
      );
      expect(await sentBy("UPDATE agents SET status = 'stopped' WHERE id = $1")).toEqual(["agents"]);
      expect(await sentBy("UPDATE agents SET gateway_url = 'http://127.0.0.1:1/' WHERE id = $1")).toEqual([
        "agents",
      ]);
      expect(await sentBy("DELETE FROM agents WHERE id = $1")).toEqual(["agents"]);
    } finally {
      await listener.end();
    }
  });
});

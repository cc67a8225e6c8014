import { randomBytes } from "node:crypto";
import { type AddressInfo, createServer, type Server } from "node:net";
import { AppError, createLogger, Keyring, parseAllowlist } from "@nora/core";
import { createTestDatabase, LogCapture, type TestDatabase, testConfig } from "@nora/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRuntimeTarget, judgeRuntimeUrl } from "./target.js";

describe("judgeRuntimeUrl", () => {
  // An operator list that includes everything: the always-refused ranges stay refused.
  const everything = parseAllowlist(["0.0.0.0/0", "::/0"]);
  const loopback = parseAllowlist(["127.0.0.0/8", "::1/128"]);

  it.each([
    ["http://127.0.0.1:9090", loopback],
    ["http://[::1]:9090/", loopback],
    ["http://10.213.0.18:9090", everything],
  ])("accepts %s", (url, list) => {
    expect(judgeRuntimeUrl(url, list)).toHaveProperty("url");
  });

  it.each([
    ["not a url", "not_a_url"],
    ["https://127.0.0.1:9090", "not_http"],
    ["ftp://127.0.0.1:9090", "not_http"],
    ["http://user:pw@127.0.0.1:9090", "credentials"],
    ["http://127.0.0.1:9090/?x=1", "query_or_fragment"],
    ["http://127.0.0.1:9090/#f", "query_or_fragment"],
    ["http://127.0.0.1:9090/api", "path"],
    ["http://runtime.internal:9090", "not_an_address_literal"],
    ["http://127.0.0.1", "no_port"],
    ["http://127.0.0.1:80", "no_port"],
    ["http://169.254.169.254:9090", "always_refused"],
    ["http://0.0.0.0:9090", "always_refused"],
    ["http://224.0.0.1:9090", "always_refused"],
    ["http://[::]:9090", "always_refused"],
    ["http://[fe80::1]:9090", "always_refused"],
    ["http://[ff02::1]:9090", "always_refused"],
    ["http://[::ffff:169.254.169.254]:9090", "always_refused"],
  ])("refuses %s (%s) even when every address is allowed", (url, reason) => {
    expect(judgeRuntimeUrl(url, everything)).toMatchObject({ refused: reason });
  });

  it("refuses an address outside the operator's list", () => {
    expect(judgeRuntimeUrl("http://10.0.0.5:9090", loopback)).toMatchObject({
      refused: "outside_allowed_cidrs",
    });
  });
});

/** openAgentRuntime against the real database; a listener on 127.0.0.1 proves which refusals connect. */
describe("openAgentRuntime", () => {
  let db: TestDatabase;
  let listener: Server;
  let port: number;
  let connections = 0;
  let workspaceId: string;
  const config = () => testConfig({ DATABASE_URL: db.url, ENCRYPTION_KEY: randomBytes(32).toString("hex") });
  let target: ReturnType<typeof createRuntimeTarget>;
  let keyring: Keyring;
  const logs = new LogCapture();

  beforeAll(async () => {
    db = await createTestDatabase();
    listener = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    port = await new Promise<number>((resolve) =>
      listener.listen(0, "127.0.0.1", () => resolve((listener.address() as AddressInfo).port)),
    );
    const cfg = config();
    keyring = Keyring.fromConfig(cfg);
    // Not loopback, where the listener is; link-local is listed to show it is refused anyway.
    const network = { ...cfg.network, gatewayAllowedCidrs: ["10.0.0.0/8", "169.254.0.0/16"] };
    target = createRuntimeTarget({
      config: { ...cfg, network },
      pool: db.pool,
      keyring,
      logger: createLogger({ service: "test", level: "info", destination: logs }),
    });
    const ws = await db.pool.query<{ id: string }>("INSERT INTO workspaces (name) VALUES ('t') RETURNING id");
    workspaceId = ws.rows[0]?.id as string;
  });
  afterAll(async () => {
    await new Promise((resolve) => listener.close(resolve));
    await db.drop();
  });

  async function agent(status: string, runtimeUrl: string | null, sealToken = true) {
    const { rows } = await db.pool.query<{ id: string }>(
      "INSERT INTO agents (workspace_id, name, status, runtime_url) VALUES ($1, 'a-' || gen_random_uuid(), $2, $3) RETURNING id",
      [workspaceId, status, runtimeUrl],
    );
    const id = rows[0]?.id as string;
    if (sealToken) {
      const sealed = keyring.seal("t".repeat(64), {
        table: "agents",
        column: "runtime_token_sealed",
        rowId: id,
      });
      await db.pool.query("UPDATE agents SET runtime_token_sealed = $2 WHERE id = $1", [id, sealed]);
    }
    return id;
  }

  async function refusal(agentId: string) {
    const error = await target
      .openAgentRuntime(agentId, { requestId: "r", timeoutMs: 1000 })
      .then((opened) => opened.client.health())
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(AppError);
    return { status: (error as AppError).status, code: (error as AppError).code };
  }

  it("refuses an unknown agent (404)", async () => {
    expect(await refusal("00000000-0000-4000-8000-000000000000")).toEqual({
      status: 404,
      code: "not_found",
    });
  });

  it("refuses an agent that is not running, or has no runtime recorded (409), without connecting", async () => {
    const url = `http://127.0.0.1:${port}`;
    expect(await refusal(await agent("stopped", url))).toEqual({ status: 409, code: "agent_not_running" });
    expect(await refusal(await agent("running", null))).toEqual({
      status: 409,
      code: "runtime_not_recorded",
    });
    expect(await refusal(await agent("running", url, false))).toEqual({
      status: 409,
      code: "runtime_not_recorded",
    });
    expect(connections).toBe(0);
  });

  it("refuses a loopback runtime outside GATEWAY_ALLOWED_CIDRS (409), without connecting", async () => {
    for (const url of [
      `http://127.0.0.1:${port}`,
      `http://[::ffff:127.0.0.1]:${port}`,
      `http://u:p@127.0.0.1:${port}`,
      `http://127.0.0.1:${port}/x`,
    ]) {
      expect(await refusal(await agent("running", url))).toEqual({
        status: 409,
        code: "runtime_address_not_allowed",
      });
    }
    expect(connections).toBe(0);
    expect(logs.text).toContain("outside_allowed_cidrs");
    expect(logs.text).not.toContain("t".repeat(64));
  });

  it("refuses the always-refused ranges even inside the operator's list", async () => {
    expect(await refusal(await agent("running", "http://169.254.169.254:9090"))).toEqual({
      status: 409,
      code: "runtime_address_not_allowed",
    });
  });
});

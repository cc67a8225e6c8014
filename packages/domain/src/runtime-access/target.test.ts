import { randomBytes } from "node:crypto";
import { type AddressInfo, createServer, type Server } from "node:net";
import { AppError, createLogger, Keyring, loadConfig, parseAllowlist } from "@nora/core";
import { createTestDatabase, LogCapture, type TestDatabase, testConfig } from "@nora/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createRuntimeTarget,
  judgeUpstreamUrl,
  type PinnedUpstream,
  type ResolveAll,
  type UpstreamPolicy,
  upstreamPolicy,
} from "./target.js";

describe("judgeUpstreamUrl", () => {
  const allPorts = [{ first: 1, last: 65535 }];
  // An operator list that includes everything: the always-refused ranges stay refused.
  const everything: UpstreamPolicy = { addresses: parseAllowlist(["0.0.0.0/0", "::/0"]), ports: allPorts };
  const loopback: UpstreamPolicy = { addresses: parseAllowlist(["127.0.0.0/8", "::1/128"]), ports: allPorts };
  const noNames: ResolveAll = async (name) => {
    throw new Error(`no lookup expected, got ${name}`);
  };

  it.each([
    ["http://127.0.0.1:9090", loopback],
    ["http://[::1]:9090/", loopback],
    ["http://10.213.0.18:9090", everything],
  ])("accepts %s", async (url, policy) => {
    expect(await judgeUpstreamUrl(url, policy, noNames)).toHaveProperty("url");
  });

  it.each([
    ["not a url", "not_a_url"],
    ["https://127.0.0.1:9090", "not_http"],
    ["ftp://127.0.0.1:9090", "not_http"],
    ["http://user:pw@127.0.0.1:9090", "credentials"],
    ["http://127.0.0.1:9090/?x=1", "query_or_fragment"],
    ["http://127.0.0.1:9090/#f", "query_or_fragment"],
    ["http://127.0.0.1:9090/api", "path"],
    ["http://127.0.0.1", "no_port"],
    ["http://127.0.0.1:80", "no_port"],
    ["http://169.254.169.254:9090", "always_refused"],
    ["http://0.0.0.0:9090", "always_refused"],
    ["http://224.0.0.1:9090", "always_refused"],
    ["http://[::]:9090", "always_refused"],
    ["http://[fe80::1]:9090", "always_refused"],
    ["http://[ff02::1]:9090", "always_refused"],
    ["http://[::ffff:169.254.169.254]:9090", "always_refused"],
  ])("refuses %s (%s) even when every address is allowed", async (url, reason) => {
    expect(await judgeUpstreamUrl(url, everything, noNames)).toMatchObject({ refused: reason });
  });

  it("refuses an address outside the operator's list", async () => {
    expect(await judgeUpstreamUrl("http://10.0.0.5:9090", loopback, noNames)).toMatchObject({
      refused: "outside_allowed_cidrs",
    });
  });

  it("refuses a port outside GATEWAY_ALLOWED_PORTS: PostgreSQL's and Redis' on the same loopback", async () => {
    const defaults = upstreamPolicy(loadConfig({}).network);
    expect(await judgeUpstreamUrl("http://127.0.0.1:20001", defaults, noNames)).toHaveProperty("url");
    for (const port of [5432, 6379, 4000, 22]) {
      expect(await judgeUpstreamUrl(`http://127.0.0.1:${port}`, defaults, noNames)).toMatchObject({
        refused: "port_not_allowed",
      });
    }
  });

  it("by default allows loopback and Nora's agent subnet pool, not every private network", async () => {
    const defaults = upstreamPolicy(loadConfig({}).network);
    expect(await judgeUpstreamUrl("http://10.213.4.2:9090", defaults, noNames)).toHaveProperty("url");
    for (const address of ["10.0.0.1", "172.17.0.2", "192.168.1.1", "[fd00::1]"]) {
      expect(await judgeUpstreamUrl(`http://${address}:9090`, defaults, noNames)).toMatchObject({
        refused: "outside_allowed_cidrs",
      });
    }
  });

  describe("a host name", () => {
    const answers: Record<string, string[]> = {
      "agent.cluster.local": ["127.0.0.7"],
      "private.example": ["10.0.0.1"],
      "metadata.example": ["169.254.169.254"],
      "mixed.example": ["127.0.0.8", "10.0.0.1"],
      "six.example": ["::1"],
    };
    const lookups: string[] = [];
    const resolveAll: ResolveAll = async (name) => {
      lookups.push(name);
      return answers[name] ?? [];
    };

    it("is resolved once and pinned to the checked address, the name kept for Host", async () => {
      lookups.length = 0;
      const judged = await judgeUpstreamUrl("http://agent.cluster.local:18789", loopback, resolveAll);
      expect(judged).toMatchObject({
        address: "127.0.0.7",
        port: 18789,
        hostHeader: "agent.cluster.local:18789",
      });
      expect((judged as PinnedUpstream).url.href).toBe("http://127.0.0.7:18789/");
      expect(lookups).toEqual(["agent.cluster.local"]);
      const six = await judgeUpstreamUrl("http://six.example:9090", loopback, resolveAll);
      expect((six as PinnedUpstream).url.href).toBe("http://[::1]:9090/");
    });

    it.each([
      ["private.example", "outside_allowed_cidrs"],
      ["metadata.example", "always_refused"],
      ["mixed.example", "outside_allowed_cidrs"],
      ["nothing.example", "unresolvable"],
    ])("%s is refused (%s)", async (name, reason) => {
      expect(await judgeUpstreamUrl(`http://${name}:9090`, loopback, resolveAll)).toMatchObject({
        refused: reason,
      });
    });

    it("on a port nobody may call is refused without a lookup", async () => {
      lookups.length = 0;
      const policy = { ...loopback, ports: [{ first: 9090, last: 9090 }] };
      expect(await judgeUpstreamUrl("http://agent.cluster.local:5432", policy, resolveAll)).toMatchObject({
        refused: "port_not_allowed",
      });
      expect(lookups).toEqual([]);
    });

    it("that cannot be resolved at all is refused", async () => {
      const failing: ResolveAll = async () => {
        throw Object.assign(new Error("ENOTFOUND"), { code: "ENOTFOUND" });
      };
      expect(await judgeUpstreamUrl("http://gone.example:9090", loopback, failing)).toMatchObject({
        refused: "unresolvable",
      });
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

  describe("openAgentGateway", () => {
    async function gatewayAgent(
      family: "openclaw" | "hermes",
      gatewayUrl: string,
      dashboardUrl: string | null,
    ) {
      const { rows } = await db.pool.query<{ id: string }>(
        `INSERT INTO agents (workspace_id, name, status, runtime_family, gateway_url, dashboard_url)
         VALUES ($1, 'g-' || gen_random_uuid(), 'running', $2, $3, $4) RETURNING id`,
        [workspaceId, family, gatewayUrl, dashboardUrl],
      );
      const id = rows[0]?.id as string;
      const sealed = keyring.seal("g".repeat(64), {
        table: "agents",
        column: "gateway_token_sealed",
        rowId: id,
      });
      await db.pool.query("UPDATE agents SET gateway_token_sealed = $2 WHERE id = $1", [id, sealed]);
      return id;
    }

    it("pins the gateway's address and adds the bearer gateway token", async () => {
      const id = await gatewayAgent("openclaw", "http://10.1.2.3:18789", null);
      const opened = await target.openAgentGateway(id, "gateway");
      expect(opened.upstream.url.href).toBe("http://10.1.2.3:18789/");
      expect(opened.credential.authorization).toBe(`Bearer ${"g".repeat(64)}`);
    });

    it("gives Hermes' dashboard its basic-auth login, and refuses a dashboard OpenClaw does not have", async () => {
      const hermes = await gatewayAgent("hermes", "http://10.1.2.3:8642", "http://10.1.2.3:9119");
      const dashboard = await target.openAgentGateway(hermes, "dashboard");
      expect(dashboard.upstream.port).toBe(9119);
      const decoded = Buffer.from(
        dashboard.credential.authorization.replace(/^Basic /, ""),
        "base64",
      ).toString();
      expect(decoded).toMatch(/^nora:/);
      expect(decoded).not.toContain("g".repeat(64));
      const openclaw = await gatewayAgent("openclaw", "http://10.1.2.3:18789", null);
      await expect(target.openAgentGateway(openclaw, "dashboard")).rejects.toMatchObject({
        status: 404,
        code: "no_dashboard",
      });
    });

    it("refuses a gateway outside the allowed ranges or ports, without connecting", async () => {
      for (const url of [
        `http://127.0.0.1:${port}`,
        "http://169.254.169.254:18789",
        "http://10.1.2.3:5432",
      ]) {
        const id = await gatewayAgent("openclaw", url, null);
        await expect(target.openAgentGateway(id, "gateway")).rejects.toMatchObject({
          status: 409,
          code: "runtime_address_not_allowed",
        });
      }
      expect(connections).toBe(0);
      expect(logs.text).not.toContain("g".repeat(64));
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAgentStream, statusIs } from "./agent-stream.js";
import { call } from "./identity.js";
import {
  buildImage,
  deployingOwner,
  type ProvisioningStack,
  startProvisioningStack,
} from "./provisioning-harness.js";

/**
 * The gateway proxy in front of a real OpenClaw gateway (the offline image, deployed through the API,
 * the built provisioner and the real engine): its OpenAI-compatible API and its Control UI, reached only
 * through `/api/agents/:id/gateway/...` with Nora's credential added server-side.
 */

let stack: ProvisioningStack;
let cookie: string;
let apiKey: string;
let workspaceId: string;
let agentId: string;
let gatewayToken: string;

beforeAll(async () => {
  const image = await buildImage("infra/images/build-openclaw-offline.sh");
  stack = await startProvisioningStack({
    image,
    env: { DEPLOYMENT_READY_ATTEMPTS: "240", GATEWAY_PROXY_WEB_UIS: "true" },
  });
  ({ cookie, workspaceId, apiKey } = await deployingOwner(stack.app));
  const deploy = await call(stack.app, { apiKey }, "POST", `/api/workspaces/${workspaceId}/agents`, {
    name: "proxy-openclaw",
    memoryMb: 2048,
    vcpu: 1,
    template: { "AGENTS.md": "# proxy agent\n" },
  });
  expect(deploy.status).toBe(202);
  agentId = (deploy.body.agent as { id: string }).id;
  const stream = await openAgentStream(`${stack.app.url}/api/agents/${agentId}/events`, apiKey);
  try {
    const ready = await stream.until(statusIs("running", "warning", "failed", "error"), 300_000);
    expect(ready.metadata.to, ready.message).toBe("running");
  } finally {
    stream.close();
  }
  const { Keyring, openSealed } = await import("@nora/core");
  const { rows } = await stack.db.pool.query<{ sealed: string }>(
    "SELECT gateway_token_sealed AS sealed FROM agents WHERE id = $1",
    [agentId],
  );
  gatewayToken = openSealed(Keyring.fromConfig(stack.app.config), rows[0]?.sealed as string, {
    table: "agents",
    column: "gateway_token_sealed",
    rowId: agentId,
  }).value;
}, 25 * 60_000);

afterAll(async () => {
  await stack?.close();
}, 120_000);

const proxied = (rest: string, init: RequestInit = {}) =>
  fetch(`${stack.app.url}/api/agents/${agentId}/gateway${rest}`, { redirect: "manual", ...init });

describe("the gateway proxy in front of a real OpenClaw gateway", () => {
  it("reaches the gateway's API with Nora's credential (an API key caller never holds the gateway token)", async () => {
    const res = await proxied("/v1/models", { headers: { authorization: `Bearer ${apiKey}` } });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect((JSON.parse(text) as { data: Array<{ id: string }> }).data.length).toBeGreaterThan(0);
    expect(text).not.toContain(gatewayToken);
    // Without the proxy's credential the same gateway refuses: it is the credential that opened it.
    const { rows } = await stack.db.pool.query<{ url: string }>(
      "SELECT gateway_url AS url FROM agents WHERE id = $1",
      [agentId],
    );
    expect((await fetch(`${rows[0]?.url}/v1/models`)).status).toBe(401);
  });

  it("serves the Control UI under /gateway/ui/ to a signed-in member, with a CSP that forbids framing elsewhere", async () => {
    const basePath = `/api/agents/${agentId}/gateway/ui`;
    const bare = await proxied("/ui", { headers: { cookie } });
    expect(bare.status).toBe(302);
    expect(bare.headers.get("location")).toBe(`${basePath}/`);

    const res = await proxied("/ui/", { headers: { cookie } });
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(html).toContain(`data-openclaw-control-ui-base-path="${basePath}"`);
    expect(html).toContain(`${basePath}/assets/`);
    expect(html).not.toContain(gatewayToken);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).toContain("frame-ancestors 'none'"); // OpenClaw's own, sent beside Nora's
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("set-cookie")).toBeNull();

    // Its runtime config is gated by the gateway's auth: the proxy's bearer opens it, the browser sends none.
    const config = await proxied("/ui/control-ui-config.json", { headers: { cookie } });
    expect(config.status).toBe(200);
    const body = await config.text();
    expect(JSON.parse(body)).toMatchObject({ basePath });
    expect(body).not.toContain(gatewayToken);

    // An asset named by the page comes through too.
    const asset = /src="([^"]+\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const script = await fetch(`${stack.app.url}${asset}`, { headers: { cookie } });
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/javascript/);
    await script.arrayBuffer();
  });

  it("refuses the Control UI to a caller without access", async () => {
    expect((await proxied("/ui/")).status).toBe(401);
  });
});

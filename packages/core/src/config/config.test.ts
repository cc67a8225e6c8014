import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./index.js";

const GOOD_JWT = "q7Vt2xN9pL4kR8mW3zY6bC1dF5gH0jK2";
const GOOD_KEY_HEX = "3f9a1c7e5b2d8f4a6c0e9b3d7f1a5c8e2b6d0f4a8c1e5b9d3f7a2c6e0b4d8f1a";
const GOOD_KEY_B64 = Buffer.from(GOOD_KEY_HEX, "hex").toString("base64");

const prod = (env: Record<string, string>) => loadConfig({ NODE_ENV: "production", ...env });

function reason(env: Record<string, string>): string {
  try {
    prod(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return "accepted";
}

describe("production secret policy", () => {
  const badJwt: Array<[string, string | undefined, RegExp]> = [
    ["missing", undefined, /JWT_SECRET is missing/],
    ["empty", "", /JWT_SECRET is missing/],
    ["short", "abc123XYZ", /too short \(9 characters/],
    ["31 characters", "q7Vt2xN9pL4kR8mW3zY6bC1dF5gH0jK", /too short/],
    ["changeme padded", "changeme-changeme-changeme-changeme", /placeholder/],
    ["the .env.example value", "change-me-generate-with-infra-setup-sh", /placeholder/],
    ["repeated character", "a".repeat(48), /placeholder/],
    ["repeated pattern", "abcd".repeat(10), /placeholder/],
    ["contains secret placeholder", "this-is-an-example-secret-value-1234", /placeholder/],
    ["low entropy", "1212121212121212121212121212121233", /placeholder/],
  ];

  it.each(badJwt)("refuses JWT_SECRET that is %s", (_name, value, expected) => {
    const env: Record<string, string> = { ENCRYPTION_KEY: GOOD_KEY_HEX };
    if (value !== undefined) env.JWT_SECRET = value;
    expect(reason(env)).toMatch(expected);
  });

  const badKeys: Array<[string, string | undefined, RegExp]> = [
    ["missing", undefined, /ENCRYPTION_KEY is missing/],
    ["too short hex", "3f9a1c7e5b2d8f4a", /must be 32 bytes/],
    ["63 hex characters", GOOD_KEY_HEX.slice(1), /must be 32 bytes/],
    ["not hex nor base64", "zz".repeat(32), /must be 32 bytes/],
    ["base64 of 24 bytes", Buffer.alloc(24, 7).toString("base64"), /must be 32 bytes/],
    ["the .env.example value", "change-me-generate-with-infra-setup-sh", /must be 32 bytes/],
    ["all zeros", "0".repeat(64), /placeholder/],
  ];

  it.each(badKeys)("refuses ENCRYPTION_KEY that is %s", (_name, value, expected) => {
    const env: Record<string, string> = { JWT_SECRET: GOOD_JWT };
    if (value !== undefined) env.ENCRYPTION_KEY = value;
    expect(reason(env)).toMatch(expected);
  });

  it("reasons are one line", () => {
    for (const [, value] of badJwt) expect(reason(value ? { JWT_SECRET: value } : {})).not.toContain("\n");
  });

  const insecure = (warnings: string[]) => warnings.filter((w) => w.startsWith("INSECURE"));

  it("accepts a good pair, with the key as hex or base64", () => {
    expect(insecure(prod({ JWT_SECRET: GOOD_JWT, ENCRYPTION_KEY: GOOD_KEY_HEX }).warnings)).toEqual([]);
    expect(insecure(prod({ JWT_SECRET: GOOD_JWT, ENCRYPTION_KEY: GOOD_KEY_B64 }).warnings)).toEqual([]);
  });

  it("checks the optional HMAC secrets when they are set", () => {
    const env = { JWT_SECRET: GOOD_JWT, ENCRYPTION_KEY: GOOD_KEY_HEX };
    expect(reason({ ...env, NORA_API_KEY_HASH_SECRET: "short" })).toMatch(
      /NORA_API_KEY_HASH_SECRET is too short/,
    );
    expect(
      reason({ ...env, NORA_WORKSPACE_INVITE_SECRET: "change-me-generate-with-infra-setup-sh" }),
    ).toMatch(/NORA_WORKSPACE_INVITE_SECRET is a placeholder/);
    const derived = prod(env);
    expect(derived.warnings.join("\n")).toMatch(/NORA_API_KEY_HASH_SECRET is not set/);
    expect(prod({ ...env, NORA_API_KEY_HASH_SECRET: GOOD_KEY_HEX }).warnings).toEqual([]);
  });

  it("lets NORA_ALLOW_PLAINTEXT_SECRETS past the key check only, with a loud warning", () => {
    const config = prod({ JWT_SECRET: GOOD_JWT, NORA_ALLOW_PLAINTEXT_SECRETS: "true" });
    expect(insecure(config.warnings)).toHaveLength(1);
    expect(insecure(config.warnings)[0]).toMatch(/^INSECURE: .*NOT encrypted/);
    expect(reason({ JWT_SECRET: "short", NORA_ALLOW_PLAINTEXT_SECRETS: "true" })).toMatch(/too short/);
  });

  it("refuses every secret placeholder that .env.example ships", () => {
    const example = readFileSync(new URL("../../../../.env.example", import.meta.url), "utf8");
    const values = [
      ...example.matchAll(
        /^(JWT_SECRET|ENCRYPTION_KEY|NORA_API_KEY_HASH_SECRET|NORA_WORKSPACE_INVITE_SECRET)=(.*)$/gm,
      ),
    ];
    expect(values).toHaveLength(4);
    for (const [, name, value] of values) {
      const env: Record<string, string> = { JWT_SECRET: GOOD_JWT, ENCRYPTION_KEY: GOOD_KEY_HEX };
      env[name as string] = value as string;
      expect(reason(env)).not.toBe("accepted");
    }
  });

  it("does not apply the policy outside production", () => {
    expect(() => loadConfig({ NODE_ENV: "development" })).not.toThrow();
  });
});

describe("*_FILE variants", () => {
  const dir = mkdtempSync(join(tmpdir(), "nora-config-"));

  it("reads a secret from a file, trimming one trailing newline", () => {
    const file = join(dir, "jwt");
    writeFileSync(file, `${GOOD_JWT}\n`);
    const config = prod({ JWT_SECRET_FILE: file, ENCRYPTION_KEY: GOOD_KEY_HEX });
    expect(config.identity.jwtSecret).toBe(GOOD_JWT);
  });

  it("works for the database URL too", () => {
    const file = join(dir, "db");
    writeFileSync(file, "postgres://u:p@db:5432/nora");
    expect(loadConfig({ DATABASE_URL_FILE: file }).database.url).toBe("postgres://u:p@db:5432/nora");
  });

  it("refuses both forms at once, and an unreadable file", () => {
    const file = join(dir, "key");
    writeFileSync(file, GOOD_KEY_HEX);
    expect(() => loadConfig({ ENCRYPTION_KEY: GOOD_KEY_HEX, ENCRYPTION_KEY_FILE: file })).toThrow(/both set/);
    expect(() => loadConfig({ JWT_SECRET_FILE: join(dir, "missing") })).toThrow(/cannot be read/);
  });
});

describe("other settings", () => {
  it("has the documented defaults", () => {
    const config = loadConfig({});
    expect(config.api.port).toBe(4000);
    expect(config.api.jsonBodyLimit).toBe("1mb");
    expect(config.api.trustProxyHops).toBe(1);
    expect(config.api.corsOrigins).toEqual(["http://127.0.0.1:8080"]);
    expect(config.identity.signupMode).toBe("invite");
    expect(config.rateLimit.auth).toEqual({ perMinute: 30, burst: 5 });
    expect(config.workers.deploymentConcurrency).toBe(6);
  });

  it("keeps PUBLIC_URL's origin allowed when CORS_ORIGINS adds others", () => {
    const config = loadConfig({
      PUBLIC_URL: "http://127.0.0.1:8080/",
      CORS_ORIGINS: "http://localhost:8080",
    });
    expect(config.api.corsOrigins).toEqual(["http://127.0.0.1:8080", "http://localhost:8080"]);
  });

  it.each([
    [{ API_PORT: "http" }, /API_PORT must be a whole number/],
    [{ API_PORT: "70000" }, /API_PORT/],
    [{ DATABASE_URL: "mysql://x" }, /DATABASE_URL must be a URL/],
    [{ CORS_ORIGINS: "*" }, /may not contain \*/],
    [{ LOG_LEVEL: "loud" }, /LOG_LEVEL/],
    [{ SIGNUP_MODE: "everyone" }, /SIGNUP_MODE/],
    [{ JSON_BODY_LIMIT: "lots" }, /JSON_BODY_LIMIT/],
  ])("refuses %o", (env, expected) => {
    expect(() => loadConfig(env)).toThrow(expected);
  });

  it("parses and validates the network allowlists", () => {
    expect(loadConfig({}).network.outboundAllowedCidrs).toEqual([]);
    // Unset or empty: loopback and the pool Nora carves agent networks from, not every private range.
    for (const unset of [{}, { GATEWAY_ALLOWED_CIDRS: "" }]) {
      expect(loadConfig(unset).network.gatewayAllowedCidrs).toEqual([
        "127.0.0.0/8",
        "::1/128",
        "10.213.0.0/16",
      ]);
    }
    expect(loadConfig({ DOCKER_AGENT_SUBNET_POOL: "10.50.0.0/16" }).network.gatewayAllowedCidrs).toContain(
      "10.50.0.0/16",
    );
    expect(loadConfig({ GATEWAY_ALLOWED_CIDRS: "10.96.0.0/12" }).network.gatewayAllowedCidrs).toEqual([
      "10.96.0.0/12",
    ]);
    expect(
      loadConfig({ NORA_OUTBOUND_ALLOWED_CIDRS: "192.168.1.0/24, fd00::/8" }).network.outboundAllowedCidrs,
    ).toEqual(["192.168.1.0/24", "fd00::/8"]);
    for (const bad of ["10.0.0.0", "10.0.0.0/33", "::1/129", "example.org/8", "10.0.0.0/8/1"]) {
      expect(() => loadConfig({ GATEWAY_ALLOWED_CIDRS: bad })).toThrow(/GATEWAY_ALLOWED_CIDRS/);
    }
  });

  it("derives the agent ports the API may call, or takes the operator's list", () => {
    const ports = (env: Record<string, string>) => loadConfig(env).network.gatewayAllowedPorts;
    const defaults = ports({});
    for (const port of [9090, 18789, 8642, 9119, 20000, 29999, 30000, 32767]) {
      expect(defaults.some((r) => r.first <= port && port <= r.last)).toBe(true);
    }
    for (const port of [5432, 6379, 4000, 80, 22]) {
      expect(defaults.some((r) => r.first <= port && port <= r.last)).toBe(false);
    }
    expect(ports({ GATEWAY_ALLOWED_PORTS: "" })).toEqual(defaults);
    expect(ports({ DOCKER_AGENT_PORT_RANGE: "40000-40100" })).toContainEqual({ first: 40000, last: 40100 });
    expect(ports({ GATEWAY_ALLOWED_PORTS: "9090, 40000-41000" })).toEqual([
      { first: 9090, last: 9090 },
      { first: 40000, last: 41000 },
    ]);
    expect(loadConfig({ GATEWAY_ALLOWED_PORTS: "9090" }).warnings.join()).toMatch(/DOCKER_AGENT_PORT_RANGE/);
    for (const bad of ["0", "70000", "30-20", "http", "9090,,x"]) {
      expect(() => loadConfig({ GATEWAY_ALLOWED_PORTS: bad })).toThrow(/GATEWAY_ALLOWED_PORTS/);
    }
  });

  it("turns HSTS on automatically for an https public URL", () => {
    expect(loadConfig({ PUBLIC_URL: "https://nora.example.org" }).api.hsts).toBe(true);
    expect(loadConfig({ PUBLIC_URL: "http://localhost:8080" }).api.hsts).toBe(false);
    expect(loadConfig({ PUBLIC_URL: "http://localhost:8080", HSTS_ENABLED: "true" }).api.hsts).toBe(true);
  });
});

describe("ENABLED_DEPLOY_TARGETS and its deprecated name ENABLED_BACKENDS", () => {
  const deprecation = (warnings: string[]) => warnings.filter((w) => w.includes("ENABLED_BACKENDS"));

  it("reads the new name without a warning", () => {
    const config = loadConfig({ ENABLED_DEPLOY_TARGETS: "docker" });
    expect(config.runtimeCatalog).toEqual({ ENABLED_DEPLOY_TARGETS: "docker" });
    expect(deprecation(config.warnings)).toEqual([]);
  });

  it("still reads the old name when the new one is absent, with one deprecation warning", () => {
    const config = loadConfig({ ENABLED_BACKENDS: "k8s" });
    expect(config.runtimeCatalog).toEqual({ ENABLED_BACKENDS: "k8s" });
    expect(deprecation(config.warnings)).toEqual([
      "ENABLED_BACKENDS is deprecated; rename it to ENABLED_DEPLOY_TARGETS",
    ]);
  });

  it("lets the new name win when both are set, warning that the old one is ignored", () => {
    const config = loadConfig({ ENABLED_DEPLOY_TARGETS: "docker", ENABLED_BACKENDS: "k8s" });
    expect(config.runtimeCatalog).toEqual({ ENABLED_DEPLOY_TARGETS: "docker" });
    expect(deprecation(config.warnings)).toEqual([
      "ENABLED_BACKENDS is ignored: ENABLED_DEPLOY_TARGETS is set (remove ENABLED_BACKENDS)",
    ]);
  });

  it("treats empty values as unset", () => {
    const config = loadConfig({ ENABLED_DEPLOY_TARGETS: "", ENABLED_BACKENDS: "" });
    expect(config.runtimeCatalog).toEqual({});
    expect(deprecation(config.warnings)).toEqual([]);
  });
});

describe("Kubernetes cluster settings", () => {
  it("defaults: no kubeconfig file, namespace nora-agents, cluster name default, TLS verified", () => {
    const config = loadConfig({});
    expect(config.clusters).toEqual({
      kubeconfigPath: undefined,
      namespace: "nora-agents",
      fileClusterName: "default",
      allowInsecureTls: false,
      checkWaitMs: 20_000,
      recheckIntervalMs: 300_000,
      controlPlane: { namespace: "nora", cidrs: [] },
      nodeAddress: undefined,
      egressAllow: { standard: [], nemoclaw: [] },
    });
    expect(config.warnings.filter((w) => w.includes("KUBERNETES"))).toEqual([]);
  });

  it("reads the agents' NetworkPolicy sources and egress allowlists, refusing what is no CIDR or port", () => {
    const config = loadConfig({
      KUBERNETES_CONTROL_PLANE_NAMESPACE: "",
      KUBERNETES_CONTROL_PLANE_CIDRS: "10.42.0.0/16, fd00::/8",
      KUBERNETES_EGRESS_ALLOW: "10.0.0.0/8:5432,10.0.0.0/8:6379,192.168.1.0/24",
      KUBERNETES_NEMOCLAW_EGRESS_ALLOW: "fd00:1::/64:443,192.168.1.0/24:8080,192.168.1.0/24",
    });
    expect(config.clusters.controlPlane).toEqual({ cidrs: ["10.42.0.0/16", "fd00::/8"] });
    expect(config.clusters.egressAllow).toEqual({
      standard: [
        { cidr: "10.0.0.0/8", ports: [5432, 6379] },
        { cidr: "192.168.1.0/24", ports: [] },
      ],
      nemoclaw: [
        { cidr: "fd00:1::/64", ports: [443] },
        { cidr: "192.168.1.0/24", ports: [] },
      ],
    });
    for (const bad of ["10.0.0.0", "10.0.0.0/33", "example.com/8", "10.0.0.0/8:0", "10.0.0.0/8:70000"]) {
      expect(() => loadConfig({ KUBERNETES_EGRESS_ALLOW: bad }), bad).toThrow(ConfigError);
    }
    expect(() => loadConfig({ KUBERNETES_CONTROL_PLANE_CIDRS: "nora" })).toThrow(ConfigError);
    expect(() => loadConfig({ KUBERNETES_CONTROL_PLANE_NAMESPACE: "" })).toThrow(/admit the control plane/);
  });

  it("refuses a namespace Kubernetes would refuse, and announces insecure TLS at boot", () => {
    expect(() => loadConfig({ KUBERNETES_NAMESPACE: "Nora_Agents" })).toThrow(ConfigError);
    const config = loadConfig({ KUBERNETES_ALLOW_INSECURE_TLS: "true", KUBECONFIG_PATH: "/etc/nora/kube" });
    expect(config.clusters.kubeconfigPath).toBe("/etc/nora/kube");
    expect(
      config.warnings.filter((w) => w.startsWith("INSECURE: KUBERNETES_ALLOW_INSECURE_TLS")),
    ).toHaveLength(1);
  });
});

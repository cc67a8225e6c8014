import { describe, expect, it } from "vitest";
import { parseHermesConfig } from "./bootstrap/hermes.js";
import { openclawConfigSchema, withOpenclawProviders } from "./bootstrap/openclaw.js";
import type { ProviderMaterial } from "./bootstrap/schema.js";
import { type AssembleInput, assembleRuntime, RuntimeAssemblyError } from "./environment.js";
import { generateGatewayDeviceKey } from "./openclaw-device.js";

const RUNTIME_TOKEN = "rt_".padEnd(48, "r");
const GATEWAY_TOKEN = "gw_".padEnd(48, "g");
const OPENAI_KEY = "sk-test-openai-0123456789";
const ANTHROPIC_KEY = "sk-ant-test-9876543210";

const providers: ProviderMaterial[] = [
  {
    id: "openai",
    api: "openai-completions",
    baseUrl: "https://api.openai.com/v1",
    apiKey: OPENAI_KEY,
    models: [{ id: "gpt-5-mini", contextWindow: 400000 }],
  },
  {
    id: "anthropic",
    api: "anthropic-messages",
    baseUrl: "https://api.anthropic.com",
    apiKey: ANTHROPIC_KEY,
    models: [{ id: "claude-sonnet-4-5", name: "Claude Sonnet 4.5", maxTokens: 8192 }],
  },
];

function input(overrides: Partial<AssembleInput> = {}): AssembleInput {
  return {
    agent: {
      agentId: "agt_7f3a",
      name: "Research assistant",
      family: "openclaw",
      defaultModel: "anthropic/claude-sonnet-4-5",
      allowedOrigins: ["https://nora.example.com"],
      template: { "AGENTS.md": "# Agent\n", "notes/hello.txt": "hi\n" },
      timezone: "Europe/Berlin",
    },
    secrets: { runtimeToken: RUNTIME_TOKEN, gatewayToken: GATEWAY_TOKEN },
    providers,
    overrides: { env: { LOG_LEVEL: "debug" }, secretEnv: { GITHUB_TOKEN: "ghp_secret_value" } },
    ...overrides,
  };
}

const SECRETS = [RUNTIME_TOKEN, GATEWAY_TOKEN, OPENAI_KEY, ANTHROPIC_KEY, "ghp_secret_value"];

describe("assembleRuntime", () => {
  it("keeps every secret out of the plain environment and out of the bootstrap files", () => {
    for (const family of ["openclaw", "hermes"] as const) {
      const base = input();
      const result = assembleRuntime({ ...base, agent: { ...base.agent, family } });
      const plain = JSON.stringify(result.env) + JSON.stringify(result.files);
      for (const secret of SECRETS) expect(plain, family).not.toContain(secret);
      const secretText = result.secretFiles.map((f) => f.content).join("\n");
      expect(secretText).toContain(RUNTIME_TOKEN);
      expect(secretText).toContain("ghp_secret_value");
      for (const file of result.secretFiles) expect(file.mode).toBe(0o600);
    }
  });

  it("puts provider keys and the gateway token in the agent's secret environment", () => {
    const result = assembleRuntime(input());
    const agentEnv = result.secretFiles.find((f) => f.path === "agent-env.json");
    expect(JSON.parse(agentEnv?.content ?? "{}")).toEqual({
      OPENCLAW_GATEWAY_TOKEN: GATEWAY_TOKEN,
      NORA_PROVIDER_OPENAI_API_KEY: OPENAI_KEY,
      NORA_PROVIDER_ANTHROPIC_API_KEY: ANTHROPIC_KEY,
      GITHUB_TOKEN: "ghp_secret_value",
    });
    expect(result.secretFiles.find((f) => f.path === "runtime-token")?.content).toBe(RUNTIME_TOKEN);
  });

  it("produces the plain environment, including operator settings", () => {
    expect(assembleRuntime(input()).env).toEqual({
      NORA_AGENT_ID: "agt_7f3a",
      NORA_RUNTIME_FAMILY: "openclaw",
      OPENCLAW_CONFIG_PATH: "/nora/state/config/openclaw.json",
      OPENCLAW_CONFIG_READONLY: "1",
      OPENCLAW_STATE_DIR: "/nora/state/openclaw",
      OPENCLAW_DISABLE_BONJOUR: "1",
      OPENCLAW_NO_AUTO_UPDATE: "1",
      DO_NOT_TRACK: "1",
      TZ: "Europe/Berlin",
      LOG_LEVEL: "debug",
    });
  });

  it("hands OpenClaw the public half of Nora's gateway device in its plain environment, never Hermes", () => {
    const { publicKey, privateKeyPem } = generateGatewayDeviceKey();
    const agent = { ...input().agent, gatewayDevicePublicKey: publicKey };
    const openclaw = assembleRuntime(input({ agent }));
    expect(openclaw.env.NORA_GATEWAY_DEVICE_PUBLIC_KEY).toBe(publicKey);
    const everything = JSON.stringify(openclaw);
    expect(everything).not.toContain(privateKeyPem.split("\n")[1]);
    const hermes = assembleRuntime(input({ agent: { ...agent, family: "hermes", defaultModel: undefined } }));
    expect(hermes.env.NORA_GATEWAY_DEVICE_PUBLIC_KEY).toBeUndefined();
    expect(() =>
      assembleRuntime(input({ agent: { ...agent, gatewayDevicePublicKey: "not a key" } })),
    ).toThrow(RuntimeAssemblyError);
  });

  it("lists bootstrap files: the config and the template payload", () => {
    const result = assembleRuntime(input());
    expect(result.files.map((f) => [f.path, f.mode])).toEqual([
      ["openclaw/openclaw.json", 0o644],
      ["template/AGENTS.md", 0o644],
      ["template/notes/hello.txt", 0o644],
    ]);
  });

  it("generates the OpenClaw config for a representative agent", () => {
    const config = assembleRuntime(input()).files[0]?.content ?? "";
    expect(config).toMatchSnapshot();
    expect(openclawConfigSchema.safeParse(JSON.parse(config)).success).toBe(true);
  });

  it("generates the Hermes config the installed package reads: every provider named, keys by key_env", () => {
    const base = input();
    const result = assembleRuntime({ ...base, agent: { ...base.agent, family: "hermes" } });
    expect(result.env).toMatchObject({
      HERMES_HOME: "/nora/state/hermes",
      API_SERVER_ENABLED: "true",
      API_SERVER_HOST: "0.0.0.0",
      API_SERVER_PORT: "8642",
    });
    const file = result.files.find((f) => f.path === "hermes/config.yaml");
    expect(parseHermesConfig(file?.content ?? "")).toEqual({
      _config_version: 33,
      model: { provider: "custom:anthropic", default: "claude-sonnet-4-5" },
      providers: {
        openai: {
          name: "openai",
          base_url: "https://api.openai.com/v1",
          key_env: "NORA_PROVIDER_OPENAI_API_KEY",
          api_mode: "chat_completions",
          default_model: "gpt-5-mini",
        },
        anthropic: {
          name: "anthropic",
          base_url: "https://api.anthropic.com",
          key_env: "NORA_PROVIDER_ANTHROPIC_API_KEY",
          api_mode: "anthropic_messages",
          default_model: "claude-sonnet-4-5",
        },
      },
      terminal: { backend: "local", cwd: "/nora/workspace" },
      dashboard: { basic_auth: { username: "nora" } },
      model_catalog: { enabled: false },
      security: { tirith_enabled: false, allow_lazy_installs: false },
      timezone: "Europe/Berlin",
    });
    const agentEnv = JSON.parse(result.secretFiles.find((f) => f.path === "agent-env.json")?.content ?? "{}");
    expect(agentEnv).toEqual({
      NORA_PROVIDER_OPENAI_API_KEY: OPENAI_KEY,
      NORA_PROVIDER_ANTHROPIC_API_KEY: ANTHROPIC_KEY,
      API_SERVER_KEY: GATEWAY_TOKEN,
      HERMES_DASHBOARD_BASIC_AUTH_PASSWORD_HASH: expect.stringMatching(
        /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/,
      ),
      HERMES_DASHBOARD_BASIC_AUTH_SECRET: expect.stringMatching(/^[A-Za-z0-9+/=]{44}$/),
      GITHUB_TOKEN: "ghp_secret_value",
    });
  });

  it("gives Hermes the default model's known context window, and refuses one below Hermes' 64K minimum", () => {
    const base = input();
    const hermes = { ...base.agent, family: "hermes" as const, defaultModel: "openai/gpt-5-mini" };
    const file = assembleRuntime({ ...base, agent: hermes }).files.find(
      (f) => f.path === "hermes/config.yaml",
    );
    expect(parseHermesConfig(file?.content ?? "").model).toEqual({
      provider: "custom:openai",
      default: "gpt-5-mini",
      context_length: 400000,
    });
    const small = providers.map((p) =>
      p.id === "openai" ? { ...p, models: [{ id: "gpt-5-mini", contextWindow: 32000 }] } : p,
    );
    expect(() => assembleRuntime({ ...base, agent: hermes, providers: small })).toThrow(/at least 64000/);
  });

  it("renders the same Hermes files for the same agent (the deployment's content hash is stable)", () => {
    const base = input();
    const hermes = { ...base, agent: { ...base.agent, family: "hermes" as const } };
    expect(assembleRuntime(hermes)).toEqual(assembleRuntime(hermes));
  });

  it.each<[string, Partial<AssembleInput>, RegExp]>([
    ["a lower-case env name", { overrides: { env: { log_level: "x" } } }, /overrides\.env/],
    ["a name starting with a digit", { overrides: { env: { "1X": "x" } } }, /overrides\.env/],
    ["a NORA_ override", { overrides: { env: { NORA_AGENT_ID: "other" } } }, /reserved/],
    ["overriding an assembled name", { overrides: { env: { OPENCLAW_STATE_DIR: "/tmp" } } }, /reserved/],
    ["a secret-looking plain setting", { overrides: { env: { STRIPE_API_KEY: "x" } } }, /secretEnv/],
    [
      "overriding a provider key",
      { overrides: { secretEnv: { NORA_PROVIDER_OPENAI_API_KEY: "x" } } },
      /reserved/,
    ],
    ["a NUL in a value", { overrides: { env: { A: "x\0y" } } }, /NUL/],
    [
      "a short runtime token",
      { secrets: { runtimeToken: "short", gatewayToken: GATEWAY_TOKEN } },
      /runtimeToken/,
    ],
    ["duplicate providers", { providers: [providers[0], providers[0]] as ProviderMaterial[] }, /duplicate/],
    [
      "an upper-case provider id",
      { providers: [{ ...(providers[0] as ProviderMaterial), id: "OpenAI" }] },
      /id/,
    ],
    [
      "a provider id with an underscore",
      { providers: [{ ...(providers[0] as ProviderMaterial), id: "a_b" }] },
      /id/,
    ],
    [
      "a non-http base URL",
      { providers: [{ ...(providers[0] as ProviderMaterial), baseUrl: "file:///x" }] },
      /baseUrl/,
    ],
  ])("refuses %s", (_label, patch, message) => {
    expect(() => assembleRuntime(input(patch))).toThrow(RuntimeAssemblyError);
    expect(() => assembleRuntime(input(patch))).toThrow(message);
  });

  it("refuses a default model no provider offers, and template paths that escape", () => {
    const base = input();
    const agents: AssembleInput["agent"][] = [
      { ...base.agent, defaultModel: "openai/gpt-nope" },
      { ...base.agent, template: { "../escape.md": "x" } },
      { ...base.agent, template: { "/etc/passwd": "x" } },
      { ...base.agent, template: { "a//b": "x" } },
      { ...base.agent, template: { "a\0b": "x" } },
    ];
    for (const agent of agents) {
      expect(() => assembleRuntime({ ...base, agent })).toThrow(RuntimeAssemblyError);
    }
  });

  it("defaults the model to the first provider's first model", () => {
    const base = input();
    const { defaultModel: _omit, ...agent } = base.agent;
    const config = JSON.parse(assembleRuntime({ ...base, agent }).files[0]?.content ?? "{}");
    expect(config.agents.defaults.model).toEqual({ primary: "openai/gpt-5-mini" });
  });
});

describe("withOpenclawProviders", () => {
  it("replaces providers, auth profiles and the default model and keeps everything else", () => {
    const config = openclawConfigSchema.parse(JSON.parse(assembleRuntime(input()).files[0]?.content ?? "{}"));
    const local: ProviderMaterial = {
      id: "local",
      api: "openai-completions",
      baseUrl: "http://10.0.0.5:8080/v1",
      apiKey: "k",
      models: [{ id: "m1" }],
    };
    const next = withOpenclawProviders(config, [local], undefined);
    expect(Object.keys(next.models.providers)).toEqual(["local"]);
    expect(next.models.providers.local?.apiKey).toBe(`\${NORA_PROVIDER_LOCAL_API_KEY}`);
    expect(next.auth.profiles).toEqual({ "local:default": { provider: "local", mode: "api_key" } });
    expect(next.agents.defaults).toEqual({
      workspace: "/nora/workspace",
      userTimezone: "Europe/Berlin",
      model: { primary: "local/m1" },
    });
    expect(next.gateway).toEqual(config.gateway);
  });
});

import { createHmac, scryptSync } from "node:crypto";
import { z } from "zod";
import { FAMILY_TRAITS } from "../catalog.js";
import { RUNTIME_LAYOUT } from "../layout.js";
import { RUNTIME_PORTS } from "../ports.js";
import { type ProviderMaterial, pickDefaultModel, providerKeyEnvName, providerSecretEnv } from "./schema.js";

/**
 * Hermes (`hermes-agent` 0.19.0, verified against the installed package) reads `$HERMES_HOME/config.yaml`.
 * Nora writes it as JSON, which is valid YAML 1.2, so no YAML library is needed and the server can
 * re-read what it wrote. Every provider becomes a named entry under `providers:` whose key Hermes
 * reads from the environment variable `key_env` names (Hermes sends its generic OPENAI_API_KEY only
 * to openai.com); the default model selects one with `custom:<id>`, which always means that entry and
 * never one of Hermes' built-in providers of the same name.
 */

/** The config schema version of the pinned Hermes: a config already at it is never migrated (rewritten). */
export const HERMES_CONFIG_VERSION = 33;

/** Hermes refuses a model whose context window is below this (its own minimum). */
export const HERMES_MIN_CONTEXT_TOKENS = FAMILY_TRAITS.hermes.minContextTokens ?? 64_000;

/** The dashboard user Nora logs in as; the password comes from hermesDashboardCredential. */
export const HERMES_DASHBOARD_USERNAME = "nora";

const API_MODES = {
  "openai-completions": "chat_completions",
  "openai-responses": "codex_responses",
  "anthropic-messages": "anthropic_messages",
} as const;

const providerEntrySchema = z
  .object({
    name: z.string().min(1),
    base_url: z.url(),
    key_env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/),
    api_mode: z.enum(["chat_completions", "anthropic_messages", "codex_responses"]),
    default_model: z.string().min(1),
  })
  .strict();

export const hermesConfigSchema = z
  .object({
    _config_version: z.literal(HERMES_CONFIG_VERSION),
    model: z
      .object({
        provider: z.string().regex(/^custom:[a-z][a-z0-9-]*$/),
        default: z.string().min(1),
        context_length: z.number().int().min(HERMES_MIN_CONTEXT_TOKENS).optional(),
      })
      .strict()
      .optional(),
    providers: z.record(z.string(), providerEntrySchema),
    terminal: z.object({ backend: z.literal("local"), cwd: z.string() }).strict(),
    dashboard: z.object({ basic_auth: z.object({ username: z.string().min(1) }).strict() }).strict(),
    // Switches for what would otherwise reach the internet at start or on first use: the model catalog
    // refresh, the download of the `tirith` command scanner from GitHub, and pip installs at run time.
    model_catalog: z.object({ enabled: z.literal(false) }).strict(),
    security: z.object({ tirith_enabled: z.literal(false), allow_lazy_installs: z.literal(false) }).strict(),
    timezone: z.string().optional(),
  })
  .strict();

export type HermesConfig = z.infer<typeof hermesConfigSchema>;

/** Plain settings of the Hermes gateway's API server (the key is a secret, see hermesSecretEnv). */
export const HERMES_API_SERVER_ENV: Readonly<Record<string, string>> = {
  API_SERVER_ENABLED: "true",
  // Beyond loopback inside the container: the control plane reaches it over the agent network only.
  API_SERVER_HOST: "0.0.0.0",
  API_SERVER_PORT: String(RUNTIME_PORTS.hermesApi),
};

export const HERMES_API_KEY_ENV = "API_SERVER_KEY";

/** Variables only the dashboard process receives (the gateway, which runs the agent's tools, does not). */
export const HERMES_DASHBOARD_ONLY_ENV_PREFIX = "HERMES_DASHBOARD_BASIC_AUTH_";

export interface HermesConfigInput {
  providers: readonly ProviderMaterial[];
  defaultModel?: string | undefined;
  timezone?: string | undefined;
}

/** The provider and model Hermes will use, or undefined when no provider is configured. */
function activeModel(
  providers: readonly ProviderMaterial[],
  defaultModel: string | undefined,
): { provider: ProviderMaterial; modelId: string } | undefined {
  const ref = pickDefaultModel(providers, defaultModel);
  if (ref === undefined) return undefined;
  const [providerId, ...rest] = ref.split("/");
  const provider = providers.find((p) => p.id === providerId);
  return provider ? { provider, modelId: rest.join("/") } : undefined;
}

/** Why Hermes could not run with these providers (empty when it can). */
export function hermesModelIssues(
  providers: readonly ProviderMaterial[],
  defaultModel: string | undefined,
): string[] {
  const active = activeModel(providers, defaultModel);
  const window = active?.provider.models.find((m) => m.id === active.modelId)?.contextWindow;
  if (window === undefined || window >= HERMES_MIN_CONTEXT_TOKENS) return [];
  return [
    `defaultModel: Hermes needs a model with a context window of at least ${HERMES_MIN_CONTEXT_TOKENS} tokens; ${active?.provider.id}/${active?.modelId} has ${window}`,
  ];
}

function providerEntries(providers: readonly ProviderMaterial[]): HermesConfig["providers"] {
  const entries: HermesConfig["providers"] = {};
  for (const provider of providers) {
    entries[provider.id] = {
      name: provider.id,
      base_url: provider.baseUrl,
      key_env: providerKeyEnvName(provider.id),
      api_mode: API_MODES[provider.api],
      default_model: provider.models[0]?.id ?? "",
    };
  }
  return entries;
}

function modelSection(
  providers: readonly ProviderMaterial[],
  defaultModel: string | undefined,
): Pick<HermesConfig, "model"> {
  const active = activeModel(providers, defaultModel);
  if (active === undefined) return {};
  // A known window spares Hermes asking OpenRouter's public catalog for it.
  const window = active.provider.models.find((m) => m.id === active.modelId)?.contextWindow;
  return {
    model: {
      provider: `custom:${active.provider.id}`,
      default: active.modelId,
      ...(window === undefined ? {} : { context_length: window }),
    },
  };
}

export function buildHermesConfig(input: HermesConfigInput): HermesConfig {
  return hermesConfigSchema.parse({
    _config_version: HERMES_CONFIG_VERSION,
    ...modelSection(input.providers, input.defaultModel),
    providers: providerEntries(input.providers),
    terminal: { backend: "local", cwd: RUNTIME_LAYOUT.workspace },
    dashboard: { basic_auth: { username: HERMES_DASHBOARD_USERNAME } },
    model_catalog: { enabled: false },
    security: { tirith_enabled: false, allow_lazy_installs: false },
    ...(input.timezone === undefined ? {} : { timezone: input.timezone }),
  });
}

/** The config with its providers and model replaced (a provider sync); everything else is kept. */
export function withHermesProviders(
  config: HermesConfig,
  providers: readonly ProviderMaterial[],
  defaultModel: string | undefined,
): HermesConfig {
  const { model: _previous, providers: _old, ...rest } = config;
  return hermesConfigSchema.parse({
    ...rest,
    ...modelSection(providers, defaultModel),
    providers: providerEntries(providers),
  });
}

const derive = (gatewayToken: string, purpose: string): Buffer =>
  createHmac("sha256", gatewayToken).update(`nora:hermes-dashboard:${purpose}`).digest();

/**
 * The dashboard login, derived from the agent's generated gateway token (which already grants full
 * access to the agent through the API server), so it needs no storage of its own and the control
 * plane can always recompute it. Each purpose gets its own HMAC, so one value reveals no other.
 */
export function hermesDashboardCredential(gatewayToken: string): { username: string; password: string } {
  return { username: HERMES_DASHBOARD_USERNAME, password: derive(gatewayToken, "password").toString("hex") };
}

/** Hermes' `scrypt$N$r$p$salt$key` format, with a derived salt so the same agent always renders the same file. */
function dashboardPasswordHash(gatewayToken: string): string {
  const { password } = hermesDashboardCredential(gatewayToken);
  const salt = derive(gatewayToken, "salt").subarray(0, 16);
  const key = scryptSync(password, salt, 32, { N: 16_384, r: 8, p: 1 });
  return `scrypt$16384$8$1$${salt.toString("base64")}$${key.toString("base64")}`;
}

/** The agent's secret environment: provider keys, the API server key and the dashboard login. */
export function hermesSecretEnv(
  providers: readonly ProviderMaterial[],
  gatewayToken: string,
): Record<string, string> {
  return {
    ...providerSecretEnv(providers),
    [HERMES_API_KEY_ENV]: gatewayToken,
    HERMES_DASHBOARD_BASIC_AUTH_PASSWORD_HASH: dashboardPasswordHash(gatewayToken),
    // Signs dashboard sessions, so they survive a restart of the dashboard process.
    HERMES_DASHBOARD_BASIC_AUTH_SECRET: derive(gatewayToken, "session-secret").toString("base64"),
  };
}

export function serializeHermesConfig(config: HermesConfig): string {
  return `# Written by Nora (JSON is valid YAML).\n${JSON.stringify(config, null, 2)}\n`;
}

export function parseHermesConfig(text: string): HermesConfig {
  const body = text
    .split("\n")
    .filter((line) => !line.startsWith("#"))
    .join("\n");
  return hermesConfigSchema.parse(JSON.parse(body));
}

import { z } from "zod";
import { RUNTIME_LAYOUT } from "../layout.js";
import { RUNTIME_PORTS } from "../ports.js";
import { PROVIDER_APIS, type ProviderMaterial, pickDefaultModel, providerKeyEnvName } from "./schema.js";

/** The gateway token reaches OpenClaw through its environment; the config only names it. */
export const OPENCLAW_GATEWAY_TOKEN_ENV = "OPENCLAW_GATEWAY_TOKEN";

const envRef = (name: string): string => `\${${name}}`;
const envRefSchema = z.string().regex(/^\$\{[A-Z_][A-Z0-9_]*\}$/, "secrets must be environment references");

const providerConfigSchema = z
  .object({
    baseUrl: z.url(),
    apiKey: envRefSchema,
    api: z.enum(PROVIDER_APIS),
    models: z
      .array(
        z
          .object({
            id: z.string().min(1),
            name: z.string().min(1),
            contextWindow: z.number().int().positive().optional(),
            maxTokens: z.number().int().positive().optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

/** The part of OpenClaw's configuration Nora writes. Secrets only ever appear as `${ENV}` references. */
export const openclawConfigSchema = z
  .object({
    gateway: z
      .object({
        mode: z.literal("local"),
        bind: z.literal("lan"),
        port: z.literal(RUNTIME_PORTS.openclawGateway),
        auth: z.object({ mode: z.literal("token"), token: envRefSchema }).strict(),
        controlUi: z
          .object({ allowedOrigins: z.array(z.string()), basePath: z.string().optional() })
          .strict(),
        http: z
          .object({
            endpoints: z.object({ chatCompletions: z.object({ enabled: z.boolean() }).strict() }).strict(),
          })
          .strict(),
      })
      .strict(),
    update: z.object({ checkOnStart: z.literal(false) }).strict(),
    discovery: z.object({ mdns: z.object({ mode: z.literal("off") }).strict() }).strict(),
    telemetry: z.object({ enabled: z.literal(false) }).strict(),
    models: z
      .object({
        mode: z.literal("merge"),
        catalogRefresh: z.object({ enabled: z.literal(false) }).strict(),
        providers: z.record(z.string(), providerConfigSchema),
      })
      .strict(),
    auth: z
      .object({
        profiles: z.record(
          z.string(),
          z.object({ provider: z.string(), mode: z.literal("api_key") }).strict(),
        ),
        order: z.record(z.string(), z.array(z.string())),
      })
      .strict(),
    agents: z
      .object({
        defaults: z
          .object({
            workspace: z.string(),
            userTimezone: z.string().optional(),
            model: z.object({ primary: z.string() }).strict().optional(),
          })
          .strict(),
      })
      .strict(),
  })
  .strict();

export type OpenclawConfig = z.infer<typeof openclawConfigSchema>;

export interface OpenclawConfigInput {
  providers: readonly ProviderMaterial[];
  defaultModel?: string | undefined;
  allowedOrigins: readonly string[];
  timezone?: string | undefined;
  /** Where browsers reach the Control UI through Nora's gateway proxy (openclawControlUiBasePath). */
  controlUiBasePath?: string | undefined;
}

/**
 * The Control UI's public path behind Nora's gateway proxy (`/api/agents/<id>/gateway/ui`). OpenClaw
 * builds its asset, config and WebSocket URLs from `gateway.controlUi.basePath` and serves the UI only
 * under it, so it must be the path the browser sees; the proxy forwards that path unchanged
 * (docs/runtime-access.md, "Gateway proxy").
 */
export function openclawControlUiBasePath(agentId: string): string {
  return `/api/agents/${agentId}/gateway/ui`;
}

/** `models.providers`, `auth` and the default model for a provider set, keys as env references. */
export function openclawProviderSections(
  providers: readonly ProviderMaterial[],
  defaultModel: string | undefined,
): Pick<OpenclawConfig, "models" | "auth"> & { primary: string | undefined } {
  const providerConfigs: OpenclawConfig["models"]["providers"] = {};
  const profiles: OpenclawConfig["auth"]["profiles"] = {};
  const order: OpenclawConfig["auth"]["order"] = {};
  for (const provider of providers) {
    providerConfigs[provider.id] = {
      baseUrl: provider.baseUrl,
      apiKey: envRef(providerKeyEnvName(provider.id)),
      api: provider.api,
      models: provider.models.map((model) => ({
        id: model.id,
        name: model.name ?? model.id,
        ...(model.contextWindow === undefined ? {} : { contextWindow: model.contextWindow }),
        ...(model.maxTokens === undefined ? {} : { maxTokens: model.maxTokens }),
      })),
    };
    profiles[`${provider.id}:default`] = { provider: provider.id, mode: "api_key" };
    order[provider.id] = [`${provider.id}:default`];
  }
  return {
    models: { mode: "merge", catalogRefresh: { enabled: false }, providers: providerConfigs },
    auth: { profiles, order },
    primary: pickDefaultModel(providers, defaultModel),
  };
}

/** OpenClaw's `openclaw.json` for one agent, validated. */
export function buildOpenclawConfig(input: OpenclawConfigInput): OpenclawConfig {
  const sections = openclawProviderSections(input.providers, input.defaultModel);
  return openclawConfigSchema.parse({
    gateway: {
      mode: "local",
      bind: "lan",
      port: RUNTIME_PORTS.openclawGateway,
      auth: { mode: "token", token: envRef(OPENCLAW_GATEWAY_TOKEN_ENV) },
      controlUi: {
        allowedOrigins: [...input.allowedOrigins],
        ...(input.controlUiBasePath === undefined ? {} : { basePath: input.controlUiBasePath }),
      },
      http: { endpoints: { chatCompletions: { enabled: true } } },
    },
    update: { checkOnStart: false },
    discovery: { mdns: { mode: "off" } },
    telemetry: { enabled: false },
    models: sections.models,
    auth: sections.auth,
    agents: {
      defaults: {
        workspace: RUNTIME_LAYOUT.workspace,
        ...(input.timezone === undefined ? {} : { userTimezone: input.timezone }),
        ...(sections.primary === undefined ? {} : { model: { primary: sections.primary } }),
      },
    },
  });
}

/** Replaces the provider-dependent sections of an existing config (what a provider sync changes). */
export function withOpenclawProviders(
  config: OpenclawConfig,
  providers: readonly ProviderMaterial[],
  defaultModel: string | undefined,
): OpenclawConfig {
  const sections = openclawProviderSections(providers, defaultModel);
  const { model: _previous, ...defaults } = config.agents.defaults;
  return openclawConfigSchema.parse({
    ...config,
    models: sections.models,
    auth: sections.auth,
    agents: {
      defaults: {
        ...defaults,
        ...(sections.primary === undefined ? {} : { model: { primary: sections.primary } }),
      },
    },
  });
}

/** The secret environment the agent process needs for these providers. */

import { z } from "zod";
import { RUNTIME_LAYOUT } from "../layout.js";
import { RUNTIME_PORTS } from "../ports.js";
import { type ProviderMaterial, pickDefaultModel } from "./schema.js";

/**
 * Hermes reads `$HERMES_HOME/config.yaml`. Nora writes it as JSON, which is valid YAML 1.2, so no
 * YAML library is needed and the server can re-read what it wrote. Hermes talks to one model
 * endpoint at a time: the default model's provider. Keys reach it through its environment.
 */
export const hermesConfigSchema = z
  .object({
    model: z
      .object({
        provider: z.literal("custom"),
        default: z.string().min(1),
        base_url: z.url(),
        api_mode: z.enum(["chat_completions", "anthropic_messages", "codex_responses"]),
      })
      .strict()
      .optional(),
    terminal: z.object({ backend: z.literal("local"), cwd: z.string() }).strict(),
    dashboard: z.object({ host: z.string(), port: z.literal(RUNTIME_PORTS.hermesDashboard) }).strict(),
    timezone: z.string().optional(),
  })
  .strict();

export type HermesConfig = z.infer<typeof hermesConfigSchema>;

/** The environment variable Hermes reads a custom endpoint's key from. */
export const HERMES_API_KEY_ENV = "OPENAI_API_KEY";

const API_MODES = {
  "openai-completions": "chat_completions",
  "openai-responses": "codex_responses",
  "anthropic-messages": "anthropic_messages",
} as const;

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

export function buildHermesConfig(input: HermesConfigInput): HermesConfig {
  const active = activeModel(input.providers, input.defaultModel);
  return hermesConfigSchema.parse({
    ...(active === undefined
      ? {}
      : {
          model: {
            provider: "custom",
            default: active.modelId,
            base_url: active.provider.baseUrl,
            api_mode: API_MODES[active.provider.api],
          },
        }),
    terminal: { backend: "local", cwd: RUNTIME_LAYOUT.workspace },
    dashboard: { host: "0.0.0.0", port: RUNTIME_PORTS.hermesDashboard },
    ...(input.timezone === undefined ? {} : { timezone: input.timezone }),
  });
}

export function withHermesProviders(
  config: HermesConfig,
  providers: readonly ProviderMaterial[],
  defaultModel: string | undefined,
): HermesConfig {
  const { model: _previous, ...rest } = config;
  const fresh = buildHermesConfig({ providers, defaultModel });
  return hermesConfigSchema.parse({ ...rest, ...(fresh.model === undefined ? {} : { model: fresh.model }) });
}

export function hermesSecretEnv(
  providers: readonly ProviderMaterial[],
  defaultModel: string | undefined,
): Record<string, string> {
  const active = activeModel(providers, defaultModel);
  return active === undefined ? {} : { [HERMES_API_KEY_ENV]: active.provider.apiKey };
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

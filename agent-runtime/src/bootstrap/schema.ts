import { z } from "zod";
import { RUNTIME_FAMILIES } from "../catalog.js";
import { gatewayDevicePublicKeySchema } from "../openclaw-device.js";
import { argumentText, contentText, lineText } from "../request-text.js";

/** Environment variable names: upper case, digits and underscores, not starting with a digit. */
export const envNameSchema = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]{0,127}$/, "invalid environment variable name");

/** Values must survive being a process environment entry. */
export const envValueSchema = argumentText(32_768);

/** Provider ids become config keys and environment names; hyphens only, so the mapping is one-to-one. */
export const providerIdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, "provider ids are lower-case words joined by hyphens")
  .max(40);

export const PROVIDER_APIS = ["openai-completions", "openai-responses", "anthropic-messages"] as const;

export const providerModelSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/, "invalid model id"),
  name: lineText(200).min(1).optional(),
  contextWindow: z.number().int().positive().optional(),
  maxTokens: z.number().int().positive().optional(),
});

/** One LLM provider as the control plane hands it to a runtime (the key decrypted, in memory only). */
export const providerMaterialSchema = z.object({
  id: providerIdSchema,
  api: z.enum(PROVIDER_APIS),
  baseUrl: z.url({ protocol: /^https?$/ }),
  apiKey: lineText(8192).min(1),
  models: z.array(providerModelSchema).min(1).max(200),
});

export type ProviderMaterial = z.infer<typeof providerMaterialSchema>;

/** `provider/model`, where the model part may itself contain slashes. */
export const modelRefSchema = z.string().regex(/^[a-z][a-z0-9-]*\/\S+$/, "expected provider/model");

export const providerSyncSchema = z
  .object({
    providers: z.array(providerMaterialSchema).max(50),
    defaultModel: modelRefSchema.optional(),
  })
  .superRefine((value, ctx) => checkProviders(value.providers, value.defaultModel, ctx));

export type ProviderSync = z.infer<typeof providerSyncSchema>;

/** A relative path below the workspace: no absolute paths, `..`, empty segments, backslashes or NUL. */
export const workspaceRelativePathSchema = z
  .string()
  .min(1)
  .max(1024)
  .refine((path) => isSafeRelativePath(path), "must be a plain relative path inside the workspace");

export function isSafeRelativePath(path: string): boolean {
  if (path.startsWith("/") || path.includes("\0") || path.includes("\\")) return false;
  return path.split("/").every((segment) => segment !== "" && segment !== "." && segment !== "..");
}

export const agentDesiredStateSchema = z
  .object({
    agentId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, "invalid agent id"),
    name: lineText(120).min(1),
    family: z.enum(RUNTIME_FAMILIES),
    /** `provider/model`; defaults to the first model of the first provider. */
    defaultModel: modelRefSchema.optional(),
    /** Origins allowed to open the OpenClaw Control UI (the dashboard's public URL). */
    allowedOrigins: z.array(z.url()).max(20).default([]),
    /** Files copied into an empty workspace on first start, by relative path. */
    template: z
      .record(workspaceRelativePathSchema, contentText(1024 * 1024))
      .default({})
      .refine((files) => Object.keys(files).length <= 200, "at most 200 template files"),
    timezone: z
      .string()
      .regex(/^[A-Za-z0-9_+\-/]{1,64}$/)
      .optional(),
    /**
     * OpenClaw: the public half of the device Nora connects to the gateway's WebSocket as; the runtime
     * approves the gateway's pairing request for this key only (openclaw-device.ts).
     */
    gatewayDevicePublicKey: gatewayDevicePublicKeySchema.optional(),
  })
  .strict();

export type AgentDesiredState = z.input<typeof agentDesiredStateSchema>;

/** Per-agent secrets: generated and stored (encrypted) by the control plane. */
export const agentSecretsSchema = z.object({
  /** Required by the runtime server as `Authorization: Bearer`. */
  runtimeToken: lineText(512).min(32),
  /** Required by the OpenClaw gateway (token auth). */
  gatewayToken: lineText(512).min(32),
});

export type AgentSecrets = z.infer<typeof agentSecretsSchema>;

/** Operator overrides: plain settings and secret environment kept apart. */
export const overridesSchema = z
  .object({
    env: z.record(envNameSchema, envValueSchema).default({}),
    secretEnv: z.record(envNameSchema, envValueSchema).default({}),
  })
  .strict();

export type RuntimeOverrides = z.input<typeof overridesSchema>;

export function checkProviders(
  providers: readonly ProviderMaterial[],
  defaultModel: string | undefined,
  ctx: z.RefinementCtx,
): void {
  const ids = new Set<string>();
  for (const provider of providers) {
    if (ids.has(provider.id))
      ctx.addIssue({ code: "custom", message: `duplicate provider "${provider.id}"` });
    ids.add(provider.id);
  }
  if (defaultModel !== undefined) {
    const [providerId, ...rest] = defaultModel.split("/");
    const modelId = rest.join("/");
    const provider = providers.find((p) => p.id === providerId);
    if (provider === undefined || !provider.models.some((m) => m.id === modelId)) {
      ctx.addIssue({
        code: "custom",
        message: `default model "${defaultModel}" is not among the providers' models`,
      });
    }
  }
}

/** The environment variable an agent process reads a provider's key from. */
export function providerKeyEnvName(providerId: string): string {
  return `NORA_PROVIDER_${providerId.toUpperCase().replaceAll("-", "_")}_API_KEY`;
}

/** Every provider's key under its environment name: how both families' agents receive keys. */
export function providerSecretEnv(providers: readonly ProviderMaterial[]): Record<string, string> {
  return Object.fromEntries(providers.map((provider) => [providerKeyEnvName(provider.id), provider.apiKey]));
}

/** The explicit default model, else the first model of the first provider, else none. */
export function pickDefaultModel(
  providers: readonly ProviderMaterial[],
  defaultModel: string | undefined,
): string | undefined {
  if (defaultModel !== undefined) return defaultModel;
  const first = providers[0];
  const model = first?.models[0];
  return first && model ? `${first.id}/${model.id}` : undefined;
}

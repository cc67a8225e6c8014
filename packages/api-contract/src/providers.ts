import { z } from "zod";
import { opaqueText, singleLineText } from "./primitives.js";
import { timestamp } from "./wire.js";

export const PROVIDER_KINDS = [
  "anthropic",
  "openai",
  "gemini",
  "openrouter",
  "mistral",
  "groq",
  "ollama",
  "openai_compatible",
] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** Kinds that point at a server the operator runs: a base URL is required, an API key optional. */
export const SELF_HOSTED_PROVIDER_KINDS: readonly ProviderKind[] = ["ollama", "openai_compatible"];

/* Requests */

export const providerParams = z.strictObject({ id: z.uuid(), providerId: z.uuid() });

const name = singleLineText({ max: 100, min: 1, trim: true });
// A key is one printable token: no whitespace or control characters (it ends up in an HTTP header).
const apiKey = opaqueText({ max: 4096, min: 1 }).regex(
  /^[\x21-\x7e]+$/,
  "must be printable ASCII without spaces",
);
const baseUrl = singleLineText({ max: 2048, trim: true })
  .url()
  .refine((u) => /^https?:\/\//i.test(u), "must be an http or https URL");
const model = singleLineText({ max: 200, min: 1, trim: true });

export const createProviderBody = z
  .strictObject({
    kind: z.enum(PROVIDER_KINDS),
    name,
    apiKey: apiKey.optional(),
    baseUrl: baseUrl.optional(),
    defaultModel: model.optional(),
    isDefault: z.boolean().optional(),
  })
  .superRefine((body, ctx) => {
    const selfHosted = SELF_HOSTED_PROVIDER_KINDS.includes(body.kind);
    if (selfHosted && !body.baseUrl) {
      ctx.addIssue({ code: "custom", path: ["baseUrl"], message: `baseUrl is required for ${body.kind}` });
    }
    if (!selfHosted && !body.apiKey) {
      ctx.addIssue({ code: "custom", path: ["apiKey"], message: `apiKey is required for ${body.kind}` });
    }
  });
export type CreateProviderInput = z.infer<typeof createProviderBody>;

/** Omitted fields are kept; `null` clears an optional one (baseUrl, defaultModel, a self-hosted key). */
export const updateProviderBody = z.strictObject({
  name: name.optional(),
  apiKey: apiKey.nullable().optional(),
  baseUrl: baseUrl.nullable().optional(),
  defaultModel: model.nullable().optional(),
  isDefault: z.boolean().optional(),
});
export type UpdateProviderInput = z.infer<typeof updateProviderBody>;

/* Responses */

/** A provider as reads show it: whether a key is set and its hint, never the key. */
export const provider = z.object({
  id: z.uuid(),
  kind: z.enum(PROVIDER_KINDS),
  name: z.string(),
  baseUrl: z.string().nullable(),
  defaultModel: z.string().nullable(),
  isDefault: z.boolean(),
  keySet: z.boolean(),
  keyHint: z.string().nullable(),
  keySetAt: timestamp.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
export const providersResponse = z.object({ providers: z.array(provider) });
export const providerResponse = z.object({ provider });

/** A live test: always 200, with the outcome in the body; never the key. */
export const providerTestResponse = z.object({
  ok: z.boolean(),
  status: z.number().int().nullable(),
  /** The first 20 model ids the provider lists. */
  models: z.array(z.string()).optional(),
  error: z.string().optional(),
  message: z.string().optional(),
});

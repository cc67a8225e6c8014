import { opaqueText, singleLineText } from "@nora/core";
import { z } from "zod";
import { PROVIDER_CATALOG } from "./catalog.js";

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
export const SELF_HOSTED_KINDS: readonly ProviderKind[] = PROVIDER_KINDS.filter(
  (kind) => PROVIDER_CATALOG[kind].selfHosted,
);

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
    const selfHosted = SELF_HOSTED_KINDS.includes(body.kind);
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

import type { ProviderMaterial } from "@nora/agent-runtime";
import type { ProviderKind } from "@nora/api-contract";

/** Base URLs of each kind's API as the runtime speaks it (OpenAI-compatible, except Anthropic's own). */
const RUNTIME_BASE_URLS: Partial<Record<ProviderKind, string>> = {
  anthropic: "https://api.anthropic.com",
  openai: "https://api.openai.com/v1",
  gemini: "https://generativelanguage.googleapis.com/v1beta/openai",
  openrouter: "https://openrouter.ai/api/v1",
  mistral: "https://api.mistral.ai/v1",
  groq: "https://api.groq.com/openai/v1",
};

export interface StoredProvider {
  id: string;
  kind: ProviderKind;
  baseUrl: string | null;
  defaultModel: string | null;
}

/** A provider id the runtime accepts (lower-case words joined by hyphens), stable per row. */
export function runtimeProviderId(provider: StoredProvider): string {
  return `${provider.kind.replace(/_/g, "-")}-${provider.id.slice(0, 8).toLowerCase()}`;
}

/**
 * One stored provider as its runtime receives it, or a reason it cannot be delivered. Self-hosted
 * kinds without a key get a placeholder: OpenAI-compatible clients insist on sending one.
 */
export function toProviderMaterial(
  provider: StoredProvider,
  apiKey: string | null,
): { material: ProviderMaterial } | { skipped: "no_model" | "no_key" | "no_base_url" } {
  if (!provider.defaultModel) return { skipped: "no_model" };
  let baseUrl = provider.baseUrl ?? RUNTIME_BASE_URLS[provider.kind];
  if (!baseUrl) return { skipped: "no_base_url" };
  if (provider.kind === "ollama" && !/\/v1\/?$/.test(baseUrl)) baseUrl = `${baseUrl.replace(/\/+$/, "")}/v1`;
  const selfHosted = provider.kind === "ollama" || provider.kind === "openai_compatible";
  if (!apiKey && !selfHosted) return { skipped: "no_key" };
  return {
    material: {
      id: runtimeProviderId(provider),
      api: provider.kind === "anthropic" ? "anthropic-messages" : "openai-completions",
      baseUrl,
      apiKey: apiKey ?? "not-required",
      models: [{ id: provider.defaultModel }],
    },
  };
}

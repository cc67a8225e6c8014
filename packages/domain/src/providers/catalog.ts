import type { ProviderKind } from "@nora/api-contract";
import type { DestinationFields } from "../integrations/destinations.js";

export interface ProviderKindSpec {
  /** Where the kind's API lives when no base URL overrides it; none for servers the operator runs. */
  defaultBaseUrl?: string;
  /** Points at a server the operator runs: a base URL is required, an API key optional. */
  selfHosted: boolean;
  /**
   * The fields that decide where the key is sent. Changing one clears the stored key unless the same
   * request supplies it again (integrations/destinations.ts).
   */
  destinations: DestinationFields;
}

const BASE_URL: DestinationFields = { baseUrl: "url" };

/** Every provider kind, as data: a kind cannot be added without saying where its key goes. */
export const PROVIDER_CATALOG: Record<ProviderKind, ProviderKindSpec> = {
  anthropic: { defaultBaseUrl: "https://api.anthropic.com", selfHosted: false, destinations: BASE_URL },
  openai: { defaultBaseUrl: "https://api.openai.com/v1", selfHosted: false, destinations: BASE_URL },
  gemini: {
    defaultBaseUrl: "https://generativelanguage.googleapis.com",
    selfHosted: false,
    destinations: BASE_URL,
  },
  openrouter: { defaultBaseUrl: "https://openrouter.ai/api/v1", selfHosted: false, destinations: BASE_URL },
  mistral: { defaultBaseUrl: "https://api.mistral.ai/v1", selfHosted: false, destinations: BASE_URL },
  groq: { defaultBaseUrl: "https://api.groq.com/openai/v1", selfHosted: false, destinations: BASE_URL },
  ollama: { selfHosted: true, destinations: BASE_URL },
  openai_compatible: { selfHosted: true, destinations: BASE_URL },
};

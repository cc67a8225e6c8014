import type { ProviderKind } from "@nora/api-contract";
import { OutboundError, type OutboundOptions, outboundFetch } from "@nora/core";
import { PROVIDER_CATALOG } from "./catalog.js";

/** Where each kind's API lives when no base URL overrides it. */
export const DEFAULT_BASE_URLS: Partial<Record<ProviderKind, string>> = Object.fromEntries(
  Object.entries(PROVIDER_CATALOG).flatMap(([kind, spec]) =>
    spec.defaultBaseUrl ? [[kind, spec.defaultBaseUrl]] : [],
  ),
);

export interface ProbeResult {
  ok: boolean;
  /** The provider's HTTP status, or null when no answer came. */
  status: number | null;
  /** The first 20 model ids the provider lists. */
  models?: string[];
  /** A short error code: `unauthorized`, `http_error`, `invalid_response`, or an outbound failure. */
  error?: string;
  message?: string;
}

const trimSlash = (s: string) => s.replace(/\/+$/, "");

/** The models request for a kind: its real path and auth header. The key only ever goes in a header. */
export function modelsRequest(
  kind: ProviderKind,
  baseUrl: string | null,
  apiKey: string | null,
): { url: string; headers: Record<string, string>; shape: "data" | "gemini" | "ollama" } {
  const base = trimSlash(baseUrl ?? DEFAULT_BASE_URLS[kind] ?? "");
  const bearer: Record<string, string> = apiKey ? { authorization: `Bearer ${apiKey}` } : {};
  switch (kind) {
    case "anthropic":
      return {
        url: `${base.replace(/\/v1$/, "")}/v1/models?limit=100`,
        headers: { ...(apiKey ? { "x-api-key": apiKey } : {}), "anthropic-version": "2023-06-01" },
        shape: "data",
      };
    case "gemini":
      return {
        url: `${base.replace(/\/v1beta$/, "")}/v1beta/models?pageSize=100`,
        headers: apiKey ? { "x-goog-api-key": apiKey } : {},
        shape: "gemini",
      };
    case "ollama":
      // Ollama's native API (/api/tags), or its OpenAI-compatible one when the base URL ends in /v1.
      return /\/v1$/.test(base)
        ? { url: `${base}/models`, headers: bearer, shape: "data" }
        : { url: `${base}/api/tags`, headers: bearer, shape: "ollama" };
    case "openai_compatible": {
      // The API root as OpenAI SDKs take it (".../v1"); a bare origin gets /v1.
      const root = new URL(base).pathname === "/" ? `${base}/v1` : base;
      return { url: `${root}/models`, headers: bearer, shape: "data" };
    }
    default:
      return { url: `${base}/models`, headers: bearer, shape: "data" };
  }
}

function modelIds(shape: "data" | "gemini" | "ollama", body: unknown): string[] | undefined {
  const record = (body ?? {}) as Record<string, unknown>;
  const list = shape === "data" ? record.data : record.models;
  if (!Array.isArray(list)) return undefined;
  const ids = list
    .map((m) => {
      const item = (m ?? {}) as Record<string, unknown>;
      const id = shape === "data" ? item.id : item.name;
      return typeof id === "string" ? (shape === "gemini" ? id.replace(/^models\//, "") : id) : undefined;
    })
    .filter((id): id is string => typeof id === "string" && id.length > 0 && id.length <= 200);
  return ids.slice(0, 20);
}

/**
 * A live check of a provider: lists its models. Never throws for provider or network trouble (the
 * result says what happened), and never echoes the key: messages name the host and status only.
 */
export async function probeProvider(
  kind: ProviderKind,
  baseUrl: string | null,
  apiKey: string | null,
  outbound: OutboundOptions,
  timeoutMs = 5_000,
): Promise<ProbeResult> {
  const request = modelsRequest(kind, baseUrl, apiKey);
  try {
    const res = await outboundFetch(request.url, { headers: request.headers, timeoutMs }, outbound);
    if (res.status === 401 || res.status === 403) {
      return {
        ok: false,
        status: res.status,
        error: "unauthorized",
        message: "The provider refused the key",
      };
    }
    if (res.status < 200 || res.status >= 300) {
      return {
        ok: false,
        status: res.status,
        error: "http_error",
        message: `The provider answered ${res.status}`,
      };
    }
    let models: string[] | undefined;
    try {
      models = modelIds(request.shape, res.json());
    } catch {
      models = undefined;
    }
    if (!models) {
      return {
        ok: false,
        status: res.status,
        error: "invalid_response",
        message: "The answer is not a model list",
      };
    }
    return { ok: true, status: res.status, models };
  } catch (error) {
    if (error instanceof OutboundError) {
      return { ok: false, status: error.status ?? null, error: error.code, message: error.message };
    }
    throw error;
  }
}

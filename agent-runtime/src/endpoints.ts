import type { RuntimeFamily } from "./catalog.js";
import { RUNTIME_PORTS } from "./ports.js";

/** Routes of the runtime server on port 9090. Every route but `health` needs the bearer token. */
export const RUNTIME_ROUTES = {
  health: "/health",
  info: "/info",
  logs: "/logs",
  exec: "/exec",
  filesRoots: "/files/roots",
  filesTree: "/files/tree",
  filesContent: "/files/content",
  filesDownload: "/files/download",
  filesUpload: "/files/upload",
  filesMkdir: "/files/mkdir",
  filesMove: "/files/move",
  files: "/files",
  providersSync: "/providers/sync",
  metrics: "/metrics",
  /** OpenClaw: approves the gateway's pairing request of Nora's device (docs/runtime-contract.md). */
  gatewayDevicePairing: "/gateway/device-pairing",
  /** A WebSocket upgrade: an interactive shell on a PTY (docs/runtime-contract.md). */
  terminal: "/terminal",
} as const;

export type RuntimeRouteName = keyof typeof RUNTIME_ROUTES;

/** Routes that answer without a token. */
export const UNAUTHENTICATED_ROUTES: readonly string[] = [RUNTIME_ROUTES.health];

/** Unauthenticated probes of the OpenClaw gateway. */
export const OPENCLAW_GATEWAY_PROBES = {
  health: "/healthz",
  ready: "/readyz",
  startup: "/startupz",
} as const;

/** Unauthenticated probes of Hermes: its API server's health and its dashboard's public status. */
export const HERMES_PROBES = {
  apiHealth: "/health",
  dashboardStatus: "/api/status",
} as const;

/** The model name Hermes' API server answers to (it routes to the configured default model). */
export const HERMES_API_MODEL = "hermes-agent";

/** OpenAI-compatible chat on the OpenClaw gateway (enabled by the generated config). */
export const OPENCLAW_CHAT_COMPLETIONS_PATH = "/v1/chat/completions";
/** The model name that routes to the agent's default model through the gateway. */
export const OPENCLAW_GATEWAY_MODEL = "openclaw/default";

/**
 * The agent's own ports for each family. `gateway` is its machine API (what the gateway proxy and chat
 * use: OpenClaw's gateway, Hermes' API server); `dashboard` a separate web UI, where the family has one
 * (OpenClaw serves its Control UI on the gateway port).
 */
export const AGENT_PORTS: Readonly<Record<RuntimeFamily, { gateway: number; dashboard: number | null }>> = {
  openclaw: { gateway: RUNTIME_PORTS.openclawGateway, dashboard: null },
  hermes: { gateway: RUNTIME_PORTS.hermesApi, dashboard: RUNTIME_PORTS.hermesDashboard },
};

/** Headers for a runtime call: the token always travels in a header, never in a URL. */
export function runtimeAuthHeaders(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** `http://host:port/route`, with IPv6 literals bracketed. */
export function runtimeUrl(host: string, route: string, port: number = RUNTIME_PORTS.contract): string {
  const hostPart = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `http://${hostPart}:${port}${route}`;
}

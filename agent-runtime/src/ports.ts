/** Ports every agent runtime exposes inside its container. */
export const RUNTIME_PORTS = {
  /** Nora's own runtime server: logs, files, exec, metrics, provider sync. */
  contract: 9090,
  /** The OpenClaw gateway (HTTP + WebSocket, OpenAI-compatible chat). */
  openclawGateway: 18789,
  /** The Hermes API server (OpenAI-compatible chat, sessions, runs). */
  hermesApi: 8642,
  /** The Hermes web dashboard (its own login; Nora holds the per-agent credential). */
  hermesDashboard: 9119,
} as const;

export type RuntimePortName = keyof typeof RUNTIME_PORTS;

/** Ports every agent runtime exposes inside its container. */
export const RUNTIME_PORTS = {
  /** Nora's own runtime server: logs, files, exec, metrics, provider sync. */
  contract: 9090,
  /** The OpenClaw gateway (HTTP + WebSocket, OpenAI-compatible chat). */
  openclawGateway: 18789,
  /** The Hermes dashboard. */
  hermesDashboard: 9119,
} as const;

export type RuntimePortName = keyof typeof RUNTIME_PORTS;

export const API_KEY_SCOPES = [
  "agents:read",
  "agents:write",
  "workspaces:read",
  "monitoring:read",
  "integrations:read",
  "integrations:write",
] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

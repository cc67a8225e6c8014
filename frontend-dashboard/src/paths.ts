/** The dashboard's own addresses, under its basePath `/app` (Next's <Link> and router add it). */
export const paths = {
  home: () => "/",
  newWorkspace: () => "/workspaces/new",
  agents: (workspaceId: string) => `/w/${workspaceId}/agents`,
  deploy: (workspaceId: string) => `/w/${workspaceId}/agents/new`,
  agent: (workspaceId: string, agentId: string, tab: AgentTab = "overview") =>
    `/w/${workspaceId}/agents/${agentId}/${tab}`,
  settings: (workspaceId: string, section: SettingsSection = "members") =>
    `/w/${workspaceId}/settings/${section}`,
  account: () => "/account",
  acceptInvitation: () => "/invitations/accept",
} as const;

export const AGENT_TABS = ["overview", "logs", "terminal", "files", "metrics", "chat", "settings"] as const;
export type AgentTab = (typeof AGENT_TABS)[number];

export const SETTINGS_SECTIONS = [
  "members",
  "invitations",
  "api-keys",
  "providers",
  "integrations",
  "audit",
] as const;
export type SettingsSection = (typeof SETTINGS_SECTIONS)[number];

/** The marketing app's sign-in page (outside this basePath: a full navigation), coming back here after. */
export function signInUrl(returnTo: string): string {
  return `/login?next=${encodeURIComponent(returnTo)}`;
}

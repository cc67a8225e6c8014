import { catalogRoutes, clusterRoutes } from "./clusters.js";
import type { RouteDefinition } from "./route.js";
import { adminRoutes, keyRotationRoutes } from "./routes-admin.js";
import { agentChatRoutes } from "./routes-agent-chat.js";
import { agentFileRoutes } from "./routes-agent-files.js";
import { agentGatewayRoutes } from "./routes-agent-gateway.js";
import { authRoutes, healthRoutes, oauthRoutes } from "./routes-identity.js";
import { agentLifecycleRoutes, eventRoutes, fleetRoutes, queueRoutes } from "./routes-provisioning.js";
import { agentRoutes, channelRoutes, integrationRoutes, providerRoutes } from "./routes-resources.js";
import { apiKeyRoutes, invitationRoutes, workspaceRoutes } from "./routes-workspaces.js";

/** The route table, grouped by domain: every route of the API, its requirement, input and answers. */
export const API = {
  health: healthRoutes,
  auth: authRoutes,
  oauth: oauthRoutes,
  workspaces: workspaceRoutes,
  apiKeys: apiKeyRoutes,
  invitations: invitationRoutes,
  providers: providerRoutes,
  integrations: integrationRoutes,
  channels: channelRoutes,
  agents: { ...agentRoutes, ...agentLifecycleRoutes },
  agentFiles: agentFileRoutes,
  agentChat: agentChatRoutes,
  agentGateway: agentGatewayRoutes,
  events: eventRoutes,
  admin: adminRoutes,
  keyRotation: keyRotationRoutes,
  queues: queueRoutes,
  fleet: fleetRoutes,
  clusters: clusterRoutes,
  catalog: catalogRoutes,
} as const;

export type Api = typeof API;

/** Every route, flat. */
export const ROUTES: readonly RouteDefinition[] = Object.values(API).flatMap((group) =>
  Object.values(group as Record<string, RouteDefinition>),
);

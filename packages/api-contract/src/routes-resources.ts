import {
  agentParams,
  agentSecretParams,
  agentSecretsResponse,
  providerSyncResponse,
  setAgentSecretBody,
} from "./agents.js";
import {
  catalogResponse,
  channelParams,
  channelResponse,
  channelsResponse,
  createChannelBody,
  createIntegrationBody,
  integrationParams,
  integrationResponse,
  integrationsResponse,
  integrationTestResponse,
  updateChannelBody,
  updateIntegrationBody,
} from "./integrations.js";
import {
  createProviderBody,
  providerParams,
  providerResponse,
  providersResponse,
  providerTestResponse,
  updateProviderBody,
} from "./providers.js";
import { defineRoute, empty } from "./route.js";
import { workspaceParams } from "./workspaces.js";

// Viewers (and `integrations:read` keys) read masked rows; editors (and `integrations:write` keys) manage.
const READ = { kind: "workspace", role: "viewer", scope: "integrations:read" } as const;
const WRITE = { kind: "workspace", role: "editor", scope: "integrations:write" } as const;

export const providerRoutes = {
  list: defineRoute({
    method: "GET",
    path: "/api/workspaces/:id/llm-providers",
    requirement: READ,
    summary: "The workspace's LLM providers, masked",
    params: workspaceParams,
    responses: { 200: providersResponse },
  }),
  create: defineRoute({
    method: "POST",
    path: "/api/workspaces/:id/llm-providers",
    requirement: WRITE,
    summary: "Add an LLM provider (the key is sealed and never returned)",
    params: workspaceParams,
    body: createProviderBody,
    responses: { 201: providerResponse },
  }),
  update: defineRoute({
    method: "PATCH",
    path: "/api/workspaces/:id/llm-providers/:providerId",
    requirement: WRITE,
    summary: "Change a provider; omitted fields are kept",
    params: providerParams,
    body: updateProviderBody,
    responses: { 200: providerResponse },
  }),
  remove: defineRoute({
    method: "DELETE",
    path: "/api/workspaces/:id/llm-providers/:providerId",
    requirement: WRITE,
    summary: "Remove a provider",
    params: providerParams,
    responses: { 204: empty },
  }),
  test: defineRoute({
    method: "POST",
    path: "/api/workspaces/:id/llm-providers/:providerId/test",
    requirement: WRITE,
    summary: "List the provider's models with the stored key",
    params: providerParams,
    responses: { 200: providerTestResponse },
  }),
};

export const integrationRoutes = {
  catalog: defineRoute({
    method: "GET",
    path: "/api/integrations/catalog",
    requirement: { kind: "authenticated" },
    summary: "The integration and channel kinds and their fields",
    responses: { 200: catalogResponse },
  }),
  list: defineRoute({
    method: "GET",
    path: "/api/workspaces/:id/integrations",
    requirement: READ,
    summary: "The workspace's integrations, masked",
    params: workspaceParams,
    responses: { 200: integrationsResponse },
  }),
  create: defineRoute({
    method: "POST",
    path: "/api/workspaces/:id/integrations",
    requirement: WRITE,
    summary: "Add an integration (credentials are sealed and never returned)",
    params: workspaceParams,
    body: createIntegrationBody,
    responses: { 201: integrationResponse },
  }),
  get: defineRoute({
    method: "GET",
    path: "/api/workspaces/:id/integrations/:integrationId",
    requirement: READ,
    summary: "One integration, masked",
    params: integrationParams,
    responses: { 200: integrationResponse },
  }),
  update: defineRoute({
    method: "PATCH",
    path: "/api/workspaces/:id/integrations/:integrationId",
    requirement: WRITE,
    summary: "Change an integration; omitted fields are kept, null clears an optional one",
    params: integrationParams,
    body: updateIntegrationBody,
    responses: { 200: integrationResponse },
  }),
  remove: defineRoute({
    method: "DELETE",
    path: "/api/workspaces/:id/integrations/:integrationId",
    requirement: WRITE,
    summary: "Remove an integration",
    params: integrationParams,
    responses: { 204: empty },
  }),
  test: defineRoute({
    method: "POST",
    path: "/api/workspaces/:id/integrations/:integrationId/test",
    requirement: WRITE,
    summary: "Check the stored credentials against the service",
    params: integrationParams,
    responses: { 200: integrationTestResponse },
  }),
};

export const channelRoutes = {
  list: defineRoute({
    method: "GET",
    path: "/api/workspaces/:id/channels",
    requirement: READ,
    summary: "The workspace's channels, masked",
    params: workspaceParams,
    responses: { 200: channelsResponse },
  }),
  create: defineRoute({
    method: "POST",
    path: "/api/workspaces/:id/channels",
    requirement: WRITE,
    summary: "Add a channel (credentials are sealed and never returned)",
    params: workspaceParams,
    body: createChannelBody,
    responses: { 201: channelResponse },
  }),
  get: defineRoute({
    method: "GET",
    path: "/api/workspaces/:id/channels/:channelId",
    requirement: READ,
    summary: "One channel, masked",
    params: channelParams,
    responses: { 200: channelResponse },
  }),
  update: defineRoute({
    method: "PATCH",
    path: "/api/workspaces/:id/channels/:channelId",
    requirement: WRITE,
    summary: "Change a channel; null detaches its agent",
    params: channelParams,
    body: updateChannelBody,
    responses: { 200: channelResponse },
  }),
  remove: defineRoute({
    method: "DELETE",
    path: "/api/workspaces/:id/channels/:channelId",
    requirement: WRITE,
    summary: "Remove a channel",
    params: channelParams,
    responses: { 204: empty },
  }),
  test: defineRoute({
    method: "POST",
    path: "/api/workspaces/:id/channels/:channelId/test",
    requirement: WRITE,
    summary: "Check the stored credentials against the service",
    params: channelParams,
    responses: { 200: integrationTestResponse },
  }),
};

export const agentRoutes = {
  secrets: defineRoute({
    method: "GET",
    path: "/api/agents/:agentId/secrets",
    requirement: { kind: "agent", role: "viewer", scope: "agents:read" },
    summary: "The agent's secret overrides: names and hints, never values",
    params: agentParams,
    responses: { 200: agentSecretsResponse },
  }),
  setSecret: defineRoute({
    method: "PUT",
    path: "/api/agents/:agentId/secrets/:name",
    requirement: { kind: "agent", role: "editor", scope: "agents:write" },
    summary: "Set one secret override (sealed at rest)",
    params: agentSecretParams,
    body: setAgentSecretBody,
    responses: { 204: empty },
  }),
  removeSecret: defineRoute({
    method: "DELETE",
    path: "/api/agents/:agentId/secrets/:name",
    requirement: { kind: "agent", role: "editor", scope: "agents:write" },
    summary: "Remove one secret override",
    params: agentSecretParams,
    responses: { 204: empty },
  }),
  syncProviders: defineRoute({
    method: "POST",
    path: "/api/agents/:agentId/sync-providers",
    requirement: { kind: "agent", role: "editor", scope: "agents:write" },
    summary: "Push the workspace's providers to the running agent",
    params: agentParams,
    responses: { 200: providerSyncResponse },
  }),
};

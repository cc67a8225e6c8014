import type { z } from "zod";
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

/**
 * CRUD and a live test for a catalog resource under `/api/workspaces/:id/<segment>` (integrations,
 * channels), as the server mounts them: one shape, two tables.
 */
function catalogResourceRoutes<
  const Segment extends string,
  const Param extends string,
  Params extends z.ZodType,
  Create extends z.ZodType,
  Update extends z.ZodType,
  One extends z.ZodType,
  Many extends z.ZodType,
>(o: {
  segment: Segment;
  param: Param;
  noun: string;
  params: Params;
  createBody: Create;
  updateBody: Update;
  one: One;
  many: Many;
}) {
  const base = `/api/workspaces/:id/${o.segment}` as const;
  const item = `${base}/:${o.param}` as const;
  return {
    list: defineRoute({
      method: "GET",
      path: base,
      requirement: READ,
      summary: `The workspace's ${o.segment}, masked`,
      params: workspaceParams,
      responses: { 200: o.many },
    }),
    create: defineRoute({
      method: "POST",
      path: base,
      requirement: WRITE,
      summary: `Add ${o.noun} (credentials are sealed and never returned)`,
      params: workspaceParams,
      body: o.createBody,
      responses: { 201: o.one },
    }),
    get: defineRoute({
      method: "GET",
      path: item,
      requirement: READ,
      summary: `One ${o.noun.replace(/^an? /, "")}, masked`,
      params: o.params,
      responses: { 200: o.one },
    }),
    update: defineRoute({
      method: "PATCH",
      path: item,
      requirement: WRITE,
      summary: "Change it; omitted fields are kept, null clears an optional one",
      params: o.params,
      body: o.updateBody,
      responses: { 200: o.one },
    }),
    remove: defineRoute({
      method: "DELETE",
      path: item,
      requirement: WRITE,
      summary: `Remove ${o.noun}`,
      params: o.params,
      responses: { 204: empty },
    }),
    test: defineRoute({
      method: "POST",
      path: `${item}/test`,
      requirement: WRITE,
      summary: "Check the stored credentials against the service",
      params: o.params,
      responses: { 200: integrationTestResponse },
    }),
  };
}

export const integrationRoutes = {
  catalog: defineRoute({
    method: "GET",
    path: "/api/integrations/catalog",
    requirement: { kind: "authenticated" },
    summary: "The integration and channel kinds and their fields",
    responses: { 200: catalogResponse },
  }),
  ...catalogResourceRoutes({
    segment: "integrations",
    param: "integrationId",
    noun: "an integration",
    params: integrationParams,
    createBody: createIntegrationBody,
    updateBody: updateIntegrationBody,
    one: integrationResponse,
    many: integrationsResponse,
  }),
};

export const channelRoutes = catalogResourceRoutes({
  segment: "channels",
  param: "channelId",
  noun: "a channel",
  params: channelParams,
  createBody: createChannelBody,
  updateBody: updateChannelBody,
  one: channelResponse,
  many: channelsResponse,
});

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

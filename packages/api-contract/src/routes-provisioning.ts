import { agentParams } from "./agents.js";
import {
  agentResponse,
  agentsPageResponse,
  createAgentBody,
  deleteAgentQuery,
  deploymentAcceptedResponse,
  deploymentsPageResponse,
  eventsPageResponse,
  failedJobParams,
  failedJobsQuery,
  failedJobsResponse,
  fleetBody,
  fleetResponse,
  listAgentsQuery,
  listEventsQuery,
  pageQuery,
  queueParams,
  redeployAgentBody,
  retriedJobResponse,
  revisionsPageResponse,
  revisionsQuery,
  rollbackAgentBody,
  updateAgentBody,
  updateAgentResponse,
} from "./provisioning.js";
import { defineRoute, text } from "./route.js";
import { workspaceParams } from "./workspaces.js";

const WS_READ = { kind: "workspace", role: "viewer", scope: "agents:read" } as const;
const WS_WRITE = { kind: "workspace", role: "editor", scope: "agents:write" } as const;
const READ = { kind: "agent", role: "viewer", scope: "agents:read" } as const;
const WRITE = { kind: "agent", role: "editor", scope: "agents:write" } as const;
const ADMIN = { kind: "platformAdmin" } as const;

/** A lifecycle action on one agent: a deployment row the provisioner runs, answered 202. */
const action = <const P extends string>(path: P, summary: string) =>
  defineRoute({
    method: "POST",
    path,
    requirement: WRITE,
    summary,
    params: agentParams,
    responses: { 202: deploymentAcceptedResponse },
  });

export const agentLifecycleRoutes = {
  list: defineRoute({
    method: "GET",
    path: "/api/workspaces/:id/agents",
    requirement: WS_READ,
    summary: "The workspace's agents, newest first; filter by status, family, target or name",
    params: workspaceParams,
    query: listAgentsQuery,
    responses: { 200: agentsPageResponse },
  }),
  deploy: defineRoute({
    method: "POST",
    path: "/api/workspaces/:id/agents",
    requirement: WS_WRITE,
    summary: "Deploy an agent: records the desired state and queues its deployment (202)",
    params: workspaceParams,
    body: createAgentBody,
    responses: { 202: deploymentAcceptedResponse },
  }),
  get: defineRoute({
    method: "GET",
    path: "/api/agents/:agentId",
    requirement: READ,
    summary: "One agent: its status and desired spec (poll this, or follow the event stream)",
    params: agentParams,
    responses: { 200: agentResponse },
  }),
  update: defineRoute({
    method: "PATCH",
    path: "/api/agents/:agentId",
    requirement: WRITE,
    summary: "Change the desired spec: the name at once, the rest on the next redeploy",
    params: agentParams,
    body: updateAgentBody,
    responses: { 200: updateAgentResponse },
  }),
  remove: defineRoute({
    method: "DELETE",
    path: "/api/agents/:agentId",
    requirement: WRITE,
    summary: "Delete the agent's runtime, networks and volumes (`?keepData=true` keeps the volumes)",
    params: agentParams,
    query: deleteAgentQuery,
    responses: { 202: deploymentAcceptedResponse },
  }),
  start: action("/api/agents/:agentId/start", "Start a stopped agent"),
  stop: action("/api/agents/:agentId/stop", "Stop the agent's runtime"),
  restart: action("/api/agents/:agentId/restart", "Restart the agent's runtime"),
  redeploy: defineRoute({
    method: "POST",
    path: "/api/agents/:agentId/redeploy",
    requirement: WRITE,
    summary: "Record a new revision from the desired spec (optionally a new template) and deploy it",
    params: agentParams,
    body: redeployAgentBody,
    responses: { 202: deploymentAcceptedResponse },
  }),
  rollback: defineRoute({
    method: "POST",
    path: "/api/agents/:agentId/rollback",
    requirement: WRITE,
    summary: "Deploy an earlier revision again; the desired spec follows it",
    params: agentParams,
    body: rollbackAgentBody,
    responses: { 202: deploymentAcceptedResponse },
  }),
  deployments: defineRoute({
    method: "GET",
    path: "/api/agents/:agentId/deployments",
    requirement: READ,
    summary: "The agent's deployments, newest first, with the revision each ran",
    params: agentParams,
    query: pageQuery,
    responses: { 200: deploymentsPageResponse },
  }),
  revisions: defineRoute({
    method: "GET",
    path: "/api/agents/:agentId/revisions",
    requirement: READ,
    summary: "The agent's immutable revisions, newest first (environment names and file hashes only)",
    params: agentParams,
    query: revisionsQuery,
    responses: { 200: revisionsPageResponse },
  }),
  events: defineRoute({
    method: "GET",
    path: "/api/agents/:agentId/events",
    requirement: READ,
    summary: "The agent's events as a server-sent event stream; resumes after `Last-Event-ID`",
    params: agentParams,
    responses: {
      200: text("text/event-stream", "One `id:`/`event:`/`data:` message per events row, heartbeats"),
    },
  }),
  workspaceEvents: defineRoute({
    method: "GET",
    path: "/api/workspaces/:id/agents/events",
    requirement: WS_READ,
    summary: "Every agent's events of the workspace as one server-sent event stream (the agents list)",
    params: workspaceParams,
    responses: {
      200: text("text/event-stream", "One `id:`/`data:` message per agent events row, heartbeats"),
    },
  }),
};

export const eventRoutes = {
  list: defineRoute({
    method: "GET",
    path: "/api/workspaces/:id/events",
    requirement: { kind: "workspace", role: "viewer", scope: "monitoring:read" },
    summary: "The workspace's events, newest first; filter by agent, type, severity and time",
    params: workspaceParams,
    query: listEventsQuery,
    responses: { 200: eventsPageResponse },
  }),
};

export const queueRoutes = {
  failed: defineRoute({
    method: "GET",
    path: "/api/admin/queues/:queue/failed",
    requirement: ADMIN,
    summary: "The queue's failed jobs (the dead-letter view): ids, attempts, reason, times",
    params: queueParams,
    query: failedJobsQuery,
    responses: { 200: failedJobsResponse },
  }),
  retry: defineRoute({
    method: "POST",
    path: "/api/admin/queues/:queue/failed/:jobId/retry",
    requirement: ADMIN,
    summary: "Retry one failed job (a deployment goes back to queued first)",
    params: failedJobParams,
    responses: { 200: retriedJobResponse },
  }),
};

const fleet = <const P extends string>(path: P, summary: string) =>
  defineRoute({
    method: "POST",
    path,
    requirement: ADMIN,
    summary,
    body: fleetBody,
    responses: { 202: fleetResponse },
  });

export const fleetRoutes = {
  restart: fleet("/api/admin/fleet/restart", "Restart many agents: one deployment and job per agent"),
  stop: fleet("/api/admin/fleet/stop", "Stop many agents: one deployment and job per agent"),
  redeploy: fleet("/api/admin/fleet/redeploy", "Redeploy many agents: one revision, deployment and job each"),
};

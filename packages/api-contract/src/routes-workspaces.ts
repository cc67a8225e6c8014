import { auditPageResponse, workspaceAuditQuery } from "./admin.js";
import { defineRoute, empty } from "./route.js";
import {
  acceptInvitationBody,
  apiKeyCreatedResponse,
  apiKeyParams,
  apiKeysResponse,
  createApiKeyBody,
  createInvitationBody,
  createWorkspaceBody,
  invitationAcceptedResponse,
  invitationCreatedResponse,
  invitationParams,
  invitationsResponse,
  memberParams,
  membersResponse,
  updateMemberBody,
  updateWorkspaceBody,
  workspaceParams,
  workspaceResponse,
  workspacesResponse,
  workspaceWithRoleResponse,
} from "./workspaces.js";

const SESSION = { kind: "session" } as const;
const READ = { kind: "workspace", role: "viewer", scope: "workspaces:read" } as const;
const ADMIN_SESSION = { kind: "workspace", role: "admin", sessionOnly: true } as const;

export const workspaceRoutes = {
  list: defineRoute({
    method: "GET",
    path: "/api/workspaces",
    requirement: SESSION,
    summary: "The caller's workspaces, each with the caller's role",
    responses: { 200: workspacesResponse },
  }),
  create: defineRoute({
    method: "POST",
    path: "/api/workspaces",
    requirement: SESSION,
    summary: "Create a workspace; the caller becomes its owner",
    body: createWorkspaceBody,
    responses: { 201: workspaceWithRoleResponse },
  }),
  get: defineRoute({
    method: "GET",
    path: "/api/workspaces/:id",
    requirement: READ,
    summary: "One workspace, with the caller's role",
    params: workspaceParams,
    responses: { 200: workspaceWithRoleResponse },
  }),
  rename: defineRoute({
    method: "PATCH",
    path: "/api/workspaces/:id",
    requirement: ADMIN_SESSION,
    summary: "Rename a workspace",
    params: workspaceParams,
    body: updateWorkspaceBody,
    responses: { 200: workspaceResponse },
  }),
  remove: defineRoute({
    method: "DELETE",
    path: "/api/workspaces/:id",
    requirement: { kind: "workspace", role: "owner", sessionOnly: true },
    summary: "Delete a workspace and everything in it",
    params: workspaceParams,
    responses: { 204: empty },
  }),
  members: defineRoute({
    method: "GET",
    path: "/api/workspaces/:id/members",
    requirement: READ,
    summary: "The workspace's members and their roles",
    params: workspaceParams,
    responses: { 200: membersResponse },
  }),
  changeRole: defineRoute({
    method: "PATCH",
    path: "/api/workspaces/:id/members/:userId",
    requirement: ADMIN_SESSION,
    summary: "Change a member's role (only owners grant or take away ownership)",
    params: memberParams,
    body: updateMemberBody,
    responses: { 204: empty },
  }),
  removeMember: defineRoute({
    method: "DELETE",
    path: "/api/workspaces/:id/members/:userId",
    // Any member may leave; removing someone else needs admin (checked in the service).
    requirement: { kind: "workspace", role: "viewer", sessionOnly: true },
    summary: "Remove a member, or leave the workspace",
    params: memberParams,
    responses: { 204: empty },
  }),
  audit: defineRoute({
    method: "GET",
    path: "/api/workspaces/:id/audit",
    requirement: ADMIN_SESSION,
    summary: "The workspace's audit log, newest first",
    params: workspaceParams,
    query: workspaceAuditQuery,
    responses: { 200: auditPageResponse },
  }),
};

/** Key management is session-only and admin+: a key can never mint, rotate or revoke keys. */
export const apiKeyRoutes = {
  list: defineRoute({
    method: "GET",
    path: "/api/workspaces/:id/api-keys",
    requirement: ADMIN_SESSION,
    summary: "The workspace's API keys (never the keys themselves)",
    params: workspaceParams,
    responses: { 200: apiKeysResponse },
  }),
  create: defineRoute({
    method: "POST",
    path: "/api/workspaces/:id/api-keys",
    requirement: ADMIN_SESSION,
    summary: "Create an API key; its plaintext is in this answer only",
    params: workspaceParams,
    body: createApiKeyBody,
    responses: { 201: apiKeyCreatedResponse },
  }),
  revoke: defineRoute({
    method: "DELETE",
    path: "/api/workspaces/:id/api-keys/:keyId",
    requirement: ADMIN_SESSION,
    summary: "Revoke an API key at once",
    params: apiKeyParams,
    responses: { 204: empty },
  }),
  rotate: defineRoute({
    method: "POST",
    path: "/api/workspaces/:id/api-keys/:keyId/rotate",
    requirement: ADMIN_SESSION,
    summary: "Replace an API key; the old one stops at once",
    params: apiKeyParams,
    responses: { 201: apiKeyCreatedResponse },
  }),
};

export const invitationRoutes = {
  list: defineRoute({
    method: "GET",
    path: "/api/workspaces/:id/invitations",
    requirement: ADMIN_SESSION,
    summary: "The workspace's invitations",
    params: workspaceParams,
    responses: { 200: invitationsResponse },
  }),
  create: defineRoute({
    method: "POST",
    path: "/api/workspaces/:id/invitations",
    requirement: ADMIN_SESSION,
    summary: "Invite someone by email (without SMTP, the accept link is in this answer only)",
    params: workspaceParams,
    body: createInvitationBody,
    responses: { 201: invitationCreatedResponse },
  }),
  revoke: defineRoute({
    method: "DELETE",
    path: "/api/workspaces/:id/invitations/:invitationId",
    requirement: ADMIN_SESSION,
    summary: "Revoke a pending invitation",
    params: invitationParams,
    responses: { 204: empty },
  }),
  accept: defineRoute({
    method: "POST",
    path: "/api/invitations/accept",
    requirement: SESSION,
    summary: "Accept an invitation sent to the signed-in user's address",
    body: acceptInvitationBody,
    responses: { 200: invitationAcceptedResponse },
  }),
};

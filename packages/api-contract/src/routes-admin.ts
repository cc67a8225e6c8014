import {
  adminAgentsQuery,
  adminAgentsResponse,
  adminUserResponse,
  adminUsersResponse,
  auditPageResponse,
  auditQuery,
  keyUsageResponse,
  listUsersQuery,
  rotationResponse,
  rotationStartResponse,
  settingsResponse,
  updateSettingsBody,
  updateUserBody,
  userParams,
} from "./admin.js";
import { defineRoute, text } from "./route.js";

/** Everything under /api/admin is for signed-in platform admins (the requirement refuses API keys). */
const ADMIN = { kind: "platformAdmin" } as const;

export const adminRoutes = {
  users: defineRoute({
    method: "GET",
    path: "/api/admin/users",
    requirement: ADMIN,
    summary: "Users with role, state, last login and workspace count",
    query: listUsersQuery,
    responses: { 200: adminUsersResponse },
  }),
  updateUser: defineRoute({
    method: "PATCH",
    path: "/api/admin/users/:userId",
    requirement: ADMIN,
    summary: "Change a user's platform role or disable them (one active admin always remains)",
    params: userParams,
    body: updateUserBody,
    responses: { 200: adminUserResponse },
  }),
  agents: defineRoute({
    method: "GET",
    path: "/api/admin/agents",
    requirement: ADMIN,
    summary: "Every agent across workspaces, newest first, with its workspace's name; filterable",
    query: adminAgentsQuery,
    responses: { 200: adminAgentsResponse },
  }),
  audit: defineRoute({
    method: "GET",
    path: "/api/admin/audit",
    requirement: ADMIN,
    summary: "The platform's audit log, newest first; `?format=csv` downloads it",
    query: auditQuery,
    responses: { 200: auditPageResponse },
    alternatives: {
      csv: text("text/csv", "With ?format=csv: every matching record (up to 50,000) as a CSV attachment"),
    },
  }),
  settings: defineRoute({
    method: "GET",
    path: "/api/admin/settings",
    requirement: ADMIN,
    summary: "Platform settings, each with its source and default",
    responses: { 200: settingsResponse },
  }),
  updateSettings: defineRoute({
    method: "PUT",
    path: "/api/admin/settings",
    requirement: ADMIN,
    summary: "Store the settings (null drops a value back to its environment default)",
    body: updateSettingsBody,
    responses: { 200: settingsResponse },
  }),
};

/** The encryption keys that seal stored secrets: counts and key ids only, never values. */
export const keyRotationRoutes = {
  keys: defineRoute({
    method: "GET",
    path: "/api/admin/secrets/keys",
    requirement: ADMIN,
    summary: "Which encryption key seals how many values, per column",
    responses: { 200: keyUsageResponse },
  }),
  status: defineRoute({
    method: "GET",
    path: "/api/admin/secrets/rotation",
    requirement: ADMIN,
    summary: "The last key rotation's progress",
    responses: { 200: rotationResponse },
  }),
  start: defineRoute({
    method: "POST",
    path: "/api/admin/secrets/rotation",
    requirement: ADMIN,
    summary: "Re-seal every value under the current key (202), unless a run is going on (409)",
    responses: { 202: rotationStartResponse, 409: rotationStartResponse },
  }),
};

import { z } from "zod";
import { emailSchema } from "./auth.js";
import { API_KEY_SCOPES, boundedInt, singleLineText, WORKSPACE_ROLES } from "./primitives.js";
import { timestamp } from "./wire.js";

/* Requests */

export const workspaceParams = z.strictObject({ id: z.uuid() });
export const memberParams = z.strictObject({ id: z.uuid(), userId: z.uuid() });

export const createWorkspaceBody = z.strictObject({ name: singleLineText({ max: 100, min: 1, trim: true }) });
export const updateWorkspaceBody = z.strictObject({ name: singleLineText({ max: 100, min: 1, trim: true }) });
export const updateMemberBody = z.strictObject({ role: z.enum(WORKSPACE_ROLES) });

export const apiKeyParams = z.strictObject({ id: z.uuid(), keyId: z.uuid() });

export const createApiKeyBody = z.strictObject({
  description: singleLineText({ max: 200, min: 1, trim: true }),
  scopes: z
    .array(z.enum(API_KEY_SCOPES))
    .min(1)
    .max(API_KEY_SCOPES.length)
    .transform((s) => [...new Set(s)]),
  ttl_days: boundedInt({ min: 1, max: 3650 }).optional(),
});

export const invitationParams = z.strictObject({ id: z.uuid(), invitationId: z.uuid() });
export const createInvitationBody = z.strictObject({
  email: emailSchema,
  role: z.enum(["viewer", "editor", "admin"]),
});
export const acceptInvitationBody = z.strictObject({
  token: singleLineText({ max: 43 }).regex(/^[A-Za-z0-9_-]{43}$/, "Malformed token"),
});

/* Responses */

export const workspace = z.object({
  id: z.uuid(),
  name: z.string(),
  createdBy: z.uuid().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});
/** A workspace as one of its members sees it: with the caller's role. */
export const workspaceWithRole = workspace.extend({ role: z.enum(WORKSPACE_ROLES) });

export const workspacesResponse = z.object({ workspaces: z.array(workspaceWithRole) });
export const workspaceWithRoleResponse = z.object({ workspace: workspaceWithRole });
/** A rename answers the workspace record itself, without the caller's role. */
export const workspaceResponse = z.object({ workspace });

export const membersResponse = z.object({
  members: z.array(
    z.object({
      userId: z.uuid(),
      email: z.string(),
      displayName: z.string().nullable(),
      role: z.enum(WORKSPACE_ROLES),
      joinedAt: timestamp,
    }),
  ),
});

/** A key as every read shows it: never the key itself, never its hash. */
export const apiKey = z.object({
  id: z.uuid(),
  description: z.string(),
  prefix: z.string(),
  scopes: z.array(z.enum(API_KEY_SCOPES)),
  createdBy: z.uuid(),
  createdAt: timestamp,
  expiresAt: timestamp.nullable(),
  lastUsedAt: timestamp.nullable(),
  revokedAt: timestamp.nullable(),
  rotatedFrom: z.uuid().nullable(),
});
export type ApiKey = z.infer<typeof apiKey>;

export const apiKeysResponse = z.object({ apiKeys: z.array(apiKey) });
/** Creation and rotation reveal the new key's plaintext, this once. */
export const apiKeyCreatedResponse = z.object({ apiKey, key: z.string().startsWith("nora_") });

export const invitation = z.object({
  id: z.uuid(),
  email: z.string(),
  role: z.enum(["viewer", "editor", "admin"]),
  status: z.enum(["pending", "accepted", "revoked", "expired"]),
  invitedBy: z.uuid().nullable(),
  createdAt: timestamp,
  expiresAt: timestamp,
  acceptedAt: timestamp.nullable(),
});

export const invitationsResponse = z.object({ invitations: z.array(invitation) });
/** Without SMTP the accept link is returned to the inviter, this once; with it, it is emailed. */
export const invitationCreatedResponse = z.discriminatedUnion("delivery", [
  z.object({ invitation, delivery: z.literal("email") }),
  z.object({ invitation, delivery: z.literal("link"), acceptUrl: z.url() }),
]);
export const invitationAcceptedResponse = z.object({
  workspaceId: z.uuid(),
  role: z.enum(["viewer", "editor", "admin"]),
  alreadyMember: z.boolean(),
});

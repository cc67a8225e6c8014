import { z } from "zod";
import { queryDate, queryInt, queryInt8Id, SIGNUP_MODES, singleLineText } from "./primitives.js";
import { agent, listAgentsQuery } from "./provisioning.js";
import { timestamp } from "./wire.js";

/* Requests */

export const listUsersQuery = z.strictObject({
  q: singleLineText({ max: 100, min: 1, trim: true }).toLowerCase().optional(),
  limit: queryInt({ min: 1, max: 500 }).default(100),
  offset: queryInt({ min: 0, max: 1_000_000 }).default(0),
});

export const userParams = z.strictObject({ userId: z.uuid() });

export const updateUserBody = z
  .strictObject({ role: z.enum(["user", "admin"]).optional(), disabled: z.boolean().optional() })
  .refine((b) => b.role !== undefined || b.disabled !== undefined, "Give role or disabled");

export const auditQuery = z.strictObject({
  workspaceId: z.uuid().optional(),
  actorUserId: z.uuid().optional(),
  action: singleLineText({ max: 100 })
    .regex(/^[a-z0-9_.:-]{1,100}$/)
    .optional(),
  from: queryDate().optional(),
  to: queryDate().optional(),
  before: queryInt8Id().optional(),
  limit: queryInt({ min: 1, max: 1000 }).optional(),
  format: z.enum(["json", "csv"]).optional(),
});

/** The fleet: every agent across workspaces, with the filters of a workspace's list and one more. */
export const adminAgentsQuery = listAgentsQuery.extend({ workspaceId: z.uuid().optional() });
/** The fleet query as parsed. */
export type AdminAgentsQuery = z.infer<typeof adminAgentsQuery>;

export const workspaceAuditQuery = auditQuery.omit({ workspaceId: true, format: true });

export const signupModeSchema = z.enum(SIGNUP_MODES);

/** The whole set of settings; `null` drops the stored value so the environment's default applies. */
export const updateSettingsBody = z.strictObject({ signupMode: signupModeSchema.nullable() });

/* Responses */

export const adminUser = z.object({
  id: z.uuid(),
  email: z.string(),
  role: z.enum(["user", "admin"]),
  displayName: z.string().nullable(),
  disabledAt: timestamp.nullable(),
  createdAt: timestamp,
  lastLoginAt: timestamp.nullable(),
  /** On an update's answer this is 0: the update does not count memberships. */
  workspaceCount: z.number().int(),
});
export const adminUsersResponse = z.object({ users: z.array(adminUser) });
export const adminUserResponse = z.object({ user: adminUser });

/** A fleet entry: the agent as a workspace list shows it, and the name of its workspace. */
export const adminAgent = agent.extend({ workspaceName: z.string() });
/** Newest first; `nextCursor` (the last agent's id) is absent on the last page. */
export const adminAgentsResponse = z.object({
  agents: z.array(adminAgent),
  nextCursor: z.string().optional(),
});

export const auditRecord = z.object({
  id: z.string(),
  occurredAt: timestamp,
  actorType: z.enum(["user", "api_key", "system"]),
  actorUserId: z.uuid().nullable(),
  actorApiKeyId: z.uuid().nullable(),
  workspaceId: z.uuid().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  requestId: z.string().nullable(),
  ip: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
});
/** A page, newest first; `nextBefore` is the cursor of the next page, absent on the last one. */
export const auditPageResponse = z.object({
  records: z.array(auditRecord),
  nextBefore: z.string().optional(),
});

export const signupModeSetting = z.object({
  value: signupModeSchema,
  /** `stored`: an admin set it; `default`: the environment's value applies. */
  source: z.enum(["stored", "default"]),
  default: signupModeSchema,
  updatedAt: timestamp.nullable(),
  updatedBy: z.uuid().nullable(),
});
export const settingsResponse = z.object({ settings: z.object({ signupMode: signupModeSetting }) });

/* Key rotation (the encryption keys that seal stored secrets) */

export const keyUsageResponse = z.object({
  currentKeyId: z.string().nullable(),
  configuredKeyIds: z.array(z.string()),
  /** Count of values per key id and column ("plaintext" counts legacy unsealed values). Never values. */
  usage: z.array(
    z.object({ table: z.string(), column: z.string(), byKeyId: z.record(z.string(), z.number().int()) }),
  ),
});

export const rotationStatus = z.object({
  runId: z.uuid(),
  state: z.enum(["running", "finished", "failed"]),
  startedAt: timestamp,
  finishedAt: timestamp.optional(),
  toKeyId: z.string(),
  progress: z.array(
    z.object({
      table: z.string(),
      column: z.string(),
      resealed: z.number().int(),
      remaining: z.number().int(),
    }),
  ),
  error: z.string().optional(),
});
export const rotationResponse = z.object({ rotation: rotationStatus.nullable() });
/** 202 when this request started a run, 409 with the running one otherwise. */
export const rotationStartResponse = z.object({ started: z.boolean(), rotation: rotationStatus });

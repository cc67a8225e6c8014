import { z } from "zod";
import { AGENT_STATUSES, DEPLOYMENT_ACTIONS, DEPLOYMENT_STATUSES } from "./agent-statuses.js";
import { secretNameSchema } from "./agents.js";
import {
  boundedInt,
  multiLineText,
  opaqueText,
  queryDate,
  queryInt,
  queryInt8Id,
  singleLineText,
} from "./primitives.js";
import { timestamp } from "./wire.js";

/*
 * Agents as desired state: deploy, lifecycle actions, revisions, deployments and events
 * (docs/api.md, "Agents"). Family, target and profile are checked by the runtime catalog in the
 * domain, so an unknown or refused value answers with the catalog's own code.
 */

/* Requests */

const agentName = singleLineText({ max: 100, min: 1, trim: true });
/** A catalog name as given (`openclaw`, `k3s`, ...); the catalog decides whether it exists. */
const catalogName = singleLineText({ max: 32, min: 1 }).regex(
  /^[a-z0-9][a-z0-9_-]*$/,
  "must be lower-case letters, digits, - and _",
);
/** A container image reference: `name[:tag][@sha256:digest]`, registry and path allowed. */
const imageReference = singleLineText({ max: 512, min: 1 }).regex(
  /^[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9_][A-Za-z0-9._-]{0,127})?(@sha256:[0-9a-f]{64})?$/,
  "must be an image reference such as registry.example/org/image:tag",
);
export const agentResources = {
  /** CPUs (fractions allowed, two decimals kept). */
  vcpu: z.number().min(0.1).max(256),
  memoryMb: boundedInt({ min: 128, max: 1_048_576 }),
  diskGb: boundedInt({ min: 1, max: 65_536 }),
};

export const TEMPLATE_LIMITS = { files: 32, fileBytes: 256 * 1024, totalBytes: 512 * 1024 } as const;

/** A relative path inside the agent's workspace: segments of safe characters, no `.` or `..`. */
export const templatePath = singleLineText({ max: 200, min: 1 })
  .regex(
    /^[A-Za-z0-9_][A-Za-z0-9._-]*(\/[A-Za-z0-9_][A-Za-z0-9._-]*)*$/,
    "must be a relative path of letters, digits, ., - and _ (no leading dot or slash)",
  )
  .refine((p) => !p.split("/").some((s) => s === "." || s === ".."), "must not contain . or .. segments");

const byteLength = (s: string) => new TextEncoder().encode(s).length;

/** Template files `{path: content}`: bounded in count, per-file size and total size. */
export const templateFiles = z
  .record(templatePath, multiLineText({ max: TEMPLATE_LIMITS.fileBytes }))
  .superRefine((files, ctx) => {
    const entries = Object.entries(files);
    if (entries.length > TEMPLATE_LIMITS.files) {
      ctx.addIssue({ code: "custom", message: `at most ${TEMPLATE_LIMITS.files} template files` });
    }
    let total = 0;
    for (const [path, content] of entries) {
      const size = byteLength(content);
      total += size;
      if (size > TEMPLATE_LIMITS.fileBytes) {
        ctx.addIssue({ code: "custom", path: [path], message: "a template file is at most 256 KiB" });
      }
    }
    if (total > TEMPLATE_LIMITS.totalBytes) {
      ctx.addIssue({ code: "custom", message: "template files total at most 512 KiB" });
    }
  });

const providerIds = z
  .array(z.uuid())
  .max(50)
  .transform((ids) => [...new Set(ids)]);

/** Secret overrides `{NAME: value}`: sealed on arrival, never stored or returned in clear. */
const secretValues = z
  .record(secretNameSchema, opaqueText({ max: 32_768, min: 1 }))
  .refine((s) => Object.keys(s).length <= 50, "at most 50 secrets");

export const createAgentBody = z.strictObject({
  name: agentName,
  family: catalogName.optional(),
  target: catalogName.optional(),
  profile: catalogName.optional(),
  vcpu: agentResources.vcpu.optional(),
  memoryMb: agentResources.memoryMb.optional(),
  diskGb: agentResources.diskGb.optional(),
  /** Platform admins only: another image than the family's configured one. */
  image: imageReference.optional(),
  template: templateFiles.optional(),
  /** Providers of this workspace the agent receives; omitted means all of them. */
  providerIds: providerIds.optional(),
  secrets: secretValues.optional(),
  /** For target k8s: the cluster to run on; omitted means the default cluster. */
  clusterId: z.uuid().optional(),
});
export type CreateAgentInput = z.infer<typeof createAgentBody>;

/** The desired spec; the name changes at once, the rest on the next redeploy. `null` clears. */
export const updateAgentBody = z
  .strictObject({
    name: agentName.optional(),
    profile: catalogName.optional(),
    vcpu: agentResources.vcpu.optional(),
    memoryMb: agentResources.memoryMb.optional(),
    diskGb: agentResources.diskGb.optional(),
    image: imageReference.nullable().optional(),
    providerIds: providerIds.nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, "Give at least one field to change");
export type UpdateAgentInput = z.infer<typeof updateAgentBody>;

export const redeployAgentBody = z.strictObject({
  template: templateFiles.optional(),
  /**
   * Kubernetes: take back the fields of the agent's objects someone changed by hand (a redeploy that
   * meets such a change fails and names it rather than overwriting it).
   */
  overrideDrift: z.boolean().optional(),
});
export const rollbackAgentBody = z.strictObject({ revision: boundedInt({ min: 1, max: 1_000_000 }) });
export const deleteAgentQuery = z.strictObject({ keepData: z.enum(["true", "false"]).optional() });

/** Keyset cursors: the `nextCursor` of the previous page (the id of its last item). */
const cursor = z.uuid();
const limit = queryInt({ min: 1, max: 100 }).optional();

export const listAgentsQuery = z.strictObject({
  status: z.enum(AGENT_STATUSES).optional(),
  family: catalogName.optional(),
  target: catalogName.optional(),
  /** Part of the name, case-insensitively. */
  q: singleLineText({ max: 100, min: 1, trim: true }).optional(),
  cursor: cursor.optional(),
  limit,
});
export type ListAgentsQuery = z.infer<typeof listAgentsQuery>;

export const pageQuery = z.strictObject({ cursor: cursor.optional(), limit });
/** Revisions page by number: `cursor` is the last number of the previous page. */
export const revisionsQuery = z.strictObject({
  cursor: queryInt({ min: 1, max: 1_000_000 }).optional(),
  limit,
});

export const EVENT_SEVERITIES = ["info", "warning", "error"] as const;
export const eventType = singleLineText({ max: 100, min: 1 }).regex(
  /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/,
  "must be a dotted event type such as deployment.failed",
);

export const listEventsQuery = z.strictObject({
  agentId: z.uuid().optional(),
  type: eventType.optional(),
  severity: z.enum(EVENT_SEVERITIES).optional(),
  from: queryDate().optional(),
  to: queryDate().optional(),
  /** The `nextCursor` of the previous page: events older than that id. */
  cursor: queryInt8Id().optional(),
  limit,
});
export type ListEventsQuery = z.infer<typeof listEventsQuery>;

/** SSE resume: the `id:` of the last event the client received (header `Last-Event-ID`). */
export const lastEventId = queryInt8Id();

/** The queues of the architecture, by their names. */
export const QUEUE_NAMES = [
  "deployments",
  "clawhub-jobs",
  "backups",
  "alert-deliveries",
  "clusters",
] as const;
export const queueParams = z.strictObject({ queue: z.enum(QUEUE_NAMES) });
export const failedJobParams = z.strictObject({
  queue: z.enum(QUEUE_NAMES),
  jobId: singleLineText({ max: 200, min: 1 }).regex(/^[A-Za-z0-9:_-]+$/, "must be a job id"),
});
export const failedJobsQuery = z.strictObject({
  limit: queryInt({ min: 1, max: 200 }).optional(),
  offset: queryInt({ min: 0, max: 100_000 }).optional(),
});

export const FLEET_ACTIONS = ["restart", "stop", "redeploy"] as const;
export const fleetBody = z.strictObject({
  agentIds: z
    .array(z.uuid())
    .min(1)
    .max(200)
    .transform((ids) => [...new Set(ids)]),
});

/* Responses */

/** An agent as the API shows it: never a token, a runtime URL or a secret value. */
export const agent = z.object({
  id: z.uuid(),
  workspaceId: z.uuid(),
  name: z.string(),
  family: z.string(),
  target: z.string(),
  profile: z.string(),
  status: z.enum(AGENT_STATUSES),
  statusReason: z.string().nullable(),
  statusChangedAt: timestamp,
  desiredState: z.enum(["running", "stopped", "deleted"]),
  vcpu: z.number(),
  memoryMb: z.number().int(),
  diskGb: z.number().int(),
  /** A platform admin's image override; null runs the family's configured image. */
  image: z.string().nullable(),
  /** null: every provider of the workspace. */
  providerIds: z.array(z.uuid()).nullable(),
  /** The revision the agent is meant to run (the last deploy, redeploy or rollback). */
  revision: z.number().int().nullable(),
  /** How the backend enforced the request, e.g. `{diskQuota: "not_enforced"}`. */
  enforcement: z.record(z.string(), z.unknown()),
  /** The Kubernetes cluster of a k8s agent; null for other targets. */
  clusterId: z.uuid().nullable(),
  createdBy: z.uuid().nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const deployment = z.object({
  id: z.uuid(),
  agentId: z.uuid(),
  action: z.enum(DEPLOYMENT_ACTIONS),
  status: z.enum(DEPLOYMENT_STATUSES),
  /** The revision it runs (number), if any. */
  revision: z.number().int().nullable(),
  reason: z.string().nullable(),
  attempts: z.number().int(),
  options: z.record(z.string(), z.unknown()),
  requestedBy: z.uuid().nullable(),
  createdAt: timestamp,
  startedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
});

export const revision = z.object({
  id: z.uuid(),
  number: z.number().int(),
  family: z.string(),
  target: z.string(),
  profile: z.string(),
  image: z.string(),
  imageDigest: z.string().nullable(),
  vcpu: z.number(),
  memoryMb: z.number().int(),
  diskGb: z.number().int(),
  providerIds: z.array(z.uuid()).nullable(),
  /** Names of the secret environment; never values. */
  envNames: z.array(z.string()),
  /** `{path: sha256 hex}` of the template files. */
  bootstrapHashes: z.record(z.string(), z.string()),
  /** The revision a rollback copied, if any. */
  sourceRevision: z.number().int().nullable(),
  createdBy: z.uuid().nullable(),
  createdAt: timestamp,
});

export const event = z.object({
  id: z.string(),
  agentId: z.uuid().nullable(),
  deploymentId: z.uuid().nullable(),
  type: z.string(),
  severity: z.enum(EVENT_SEVERITIES),
  message: z.string(),
  metadata: z.record(z.string(), z.unknown()),
  createdAt: timestamp,
});

/* Pages, newest first; `nextCursor` is absent on the last one. */
const nextCursor = z.string().optional();
export const agentsPageResponse = z.object({ agents: z.array(agent), nextCursor });
export const agentResponse = z.object({ agent });
/** 202: the desired state is recorded and the deployment queued; the provisioner does the rest. */
export const deploymentAcceptedResponse = z.object({ agent, deployment });
export const updateAgentResponse = z.object({
  agent,
  /** Fields recorded now that take effect on the next redeploy. */
  appliesOnRedeploy: z.array(z.string()),
});
export const deploymentsPageResponse = z.object({ deployments: z.array(deployment), nextCursor });
export const revisionsPageResponse = z.object({ revisions: z.array(revision), nextCursor });
export const eventsPageResponse = z.object({ events: z.array(event), nextCursor });

export const failedJob = z.object({
  id: z.string(),
  name: z.string(),
  /** The job's payload: ids only. */
  data: z.record(z.string(), z.string()),
  attemptsMade: z.number().int(),
  failedReason: z.string().nullable(),
  createdAt: timestamp,
  processedAt: timestamp.nullable(),
  finishedAt: timestamp.nullable(),
});
export const failedJobsResponse = z.object({ jobs: z.array(failedJob), total: z.number().int() });
export const retriedJobResponse = z.object({ retried: z.literal(true), job: failedJob });

/** One entry per agent id: its deployment, or why it was refused. */
export const fleetResponse = z.object({
  results: z.array(
    z.union([
      z.object({ agentId: z.uuid(), ok: z.literal(true), deployment }),
      z.object({ agentId: z.uuid(), ok: z.literal(false), error: z.string(), message: z.string() }),
    ]),
  ),
});

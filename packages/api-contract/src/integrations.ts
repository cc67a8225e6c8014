import { z } from "zod";
import { CHANNEL_KIND_SCHEMAS, INTEGRATION_KIND_SCHEMAS, type KindSchemas } from "./catalog-kinds.js";
import { singleLineText } from "./primitives.js";
import { timestamp } from "./wire.js";

/*
 * Workspace resources described by a catalog kind (integrations, channels): non-secret `config`,
 * secret `credentials` that are never returned (each field reads `{set, hint}`).
 */

const nameSchema = singleLineText({ max: 100, min: 1, trim: true });
const agentIdSchema = z.uuid();

/** The create body: one strict variant per kind, so errors point at `config.x` / `credentials.x`. */
export function createBodySchema(options: { catalog: Record<string, KindSchemas>; withAgent?: boolean }) {
  const variants = Object.entries(options.catalog).map(([kind, spec]) =>
    z.strictObject({
      kind: z.literal(kind),
      name: nameSchema,
      config: spec.config.prefault({}),
      credentials: spec.credentials.prefault({}),
      ...(options.withAgent ? { agentId: agentIdSchema.optional() } : {}),
    }),
  );
  return z.discriminatedUnion("kind", variants as unknown as [z.ZodObject, ...z.ZodObject[]]);
}

/** The update body; the kind's own schemas check the merged result on the server. */
export function updateBodySchema(options: { withAgent?: boolean }) {
  return z.strictObject({
    name: nameSchema.optional(),
    config: z.record(singleLineText({ max: 100 }), z.unknown()).optional(),
    credentials: z.record(singleLineText({ max: 100 }), z.unknown()).optional(),
    ...(options.withAgent ? { agentId: agentIdSchema.nullable().optional() } : {}),
  });
}

/* Requests */

export const integrationParams = z.strictObject({ id: z.uuid(), integrationId: z.uuid() });
export const createIntegrationBody = createBodySchema({ catalog: INTEGRATION_KIND_SCHEMAS });
export const updateIntegrationBody = updateBodySchema({});

export const channelParams = z.strictObject({ id: z.uuid(), channelId: z.uuid() });
export const createChannelBody = createBodySchema({ catalog: CHANNEL_KIND_SCHEMAS, withAgent: true });
export const updateChannelBody = updateBodySchema({ withAgent: true });

/* Responses */

/** A secret field as reads show it: whether it is set, and its last 4 characters when 12 or more long. */
export const maskedSecret = z.union([
  z.object({ set: z.literal(true), hint: z.string().nullable() }),
  z.object({ set: z.literal(false) }),
]);

const resourceFields = {
  id: z.uuid(),
  kind: z.string(),
  name: z.string(),
  config: z.record(z.string(), z.unknown()),
  credentials: z.record(z.string(), maskedSecret),
  warnings: z.array(z.string()),
  credentialsSetAt: timestamp.nullable(),
  createdAt: timestamp,
  updatedAt: timestamp,
};

export const integration = z.object(resourceFields);
export const channel = z.object({ ...resourceFields, agentId: z.uuid().nullable() });

export const integrationsResponse = z.object({ integrations: z.array(integration) });
export const integrationResponse = z.object({ integration });
export const channelsResponse = z.object({ channels: z.array(channel) });
export const channelResponse = z.object({ channel });

/** A live test: always 200, with the outcome in the body; never the credentials. */
export const integrationTestResponse = z.object({
  ok: z.boolean(),
  /** The remote HTTP status (or SMTP reply code), or null when nothing answered. */
  status: z.number().int().nullable(),
  account: z.string().optional(),
  error: z.string().optional(),
  message: z.string().optional(),
});

const kindDescription = z.object({
  kind: z.string(),
  label: z.string(),
  description: z.string(),
  fields: z.array(
    z.object({
      name: z.string(),
      secret: z.boolean(),
      required: z.boolean(),
      type: z.string(),
      description: z.string().optional(),
      default: z.unknown().optional(),
    }),
  ),
});
/** Kinds and their fields (which are secret); never values. */
export const catalogResponse = z.object({
  integrations: z.array(kindDescription),
  channels: z.array(kindDescription),
});

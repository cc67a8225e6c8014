import { singleLineText } from "@nora/api-contract";
import { z } from "zod";

export const actorSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("user"), userId: z.uuid() }),
  z.object({ type: z.literal("api_key"), apiKeyId: z.uuid(), userId: z.uuid().optional() }),
  z.object({ type: z.literal("system") }),
]);
export type Actor = z.infer<typeof actorSchema>;

export const auditEntrySchema = z.object({
  actor: actorSchema,
  /** Dotted verb, e.g. `workspace.member.role_changed`. */
  action: singleLineText({ max: 100 }).regex(/^[a-z0-9_.:-]{1,100}$/),
  workspaceId: z.uuid().nullish(),
  target: z
    .object({ type: singleLineText({ max: 60, min: 1 }), id: singleLineText({ max: 200, min: 1 }) })
    .optional(),
  requestId: singleLineText({ max: 128 }).optional(),
  ip: z.union([z.ipv4(), z.ipv6()]).optional(),
  metadata: z.record(singleLineText({ max: 200 }), z.unknown()).default({}),
});
export type AuditEntry = z.input<typeof auditEntrySchema>;

export interface AuditRecord {
  id: string;
  occurredAt: Date;
  actorType: Actor["type"];
  actorUserId: string | null;
  actorApiKeyId: string | null;
  workspaceId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  requestId: string | null;
  ip: string | null;
  metadata: Record<string, unknown>;
}

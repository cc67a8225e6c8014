import { z } from "zod";

export const actorSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("user"), userId: z.string().uuid() }),
  z.object({ type: z.literal("api_key"), apiKeyId: z.string().uuid(), userId: z.string().uuid().optional() }),
  z.object({ type: z.literal("system") }),
]);
export type Actor = z.infer<typeof actorSchema>;

export const auditEntrySchema = z.object({
  actor: actorSchema,
  /** Dotted verb, e.g. `workspace.member.role_changed`. */
  action: z.string().regex(/^[a-z0-9_.:-]{1,100}$/),
  workspaceId: z.string().uuid().nullish(),
  target: z.object({ type: z.string().min(1).max(60), id: z.string().min(1).max(200) }).optional(),
  requestId: z.string().max(128).optional(),
  ip: z.union([z.ipv4(), z.ipv6()]).optional(),
  metadata: z.record(z.string(), z.unknown()).default({}),
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

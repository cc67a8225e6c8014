import type { Actor } from "./schema.js";

/** Who is acting and from where: what every audited service call receives from its route. */
export interface ActionContext {
  actor: Actor;
  requestId: string;
  ip?: string;
}

/** The audit-entry fields that come from the action's context. */
export function auditFieldsOf(ctx: ActionContext) {
  return { actor: ctx.actor, requestId: ctx.requestId, ...(ctx.ip ? { ip: ctx.ip } : {}) };
}

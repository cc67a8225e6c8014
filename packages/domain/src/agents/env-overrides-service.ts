import { randomUUID } from "node:crypto";
import {
  type Keyring,
  notFound,
  openSealed,
  type Pool,
  type Queryable,
  sealOrFail,
  withTransaction,
} from "@nora/core";
import { type ActionContext, auditFieldsOf } from "../audit/context.js";
import { recordAudit } from "../audit/service.js";
import { secretHint } from "../shared/sealed-resource.js";
import {
  deleteOverride,
  findOverrideId,
  listOverrides,
  resealOverride,
  upsertOverride,
} from "./env-overrides-repo.js";

const TABLE = "agent_secret_overrides";
const COLUMN = "value_sealed";

/**
 * Per-agent secret overrides: environment values for one agent, sealed at rest and never returned.
 * `values()` is for the runtime delivery path only (provider sync, provisioning).
 */
export function createEnvOverridesService(deps: { pool: Pool; keyring: Keyring }) {
  const { pool, keyring } = deps;

  return {
    async list(agentId: string) {
      return (await listOverrides(pool, agentId)).map((o) => ({
        name: o.name,
        set: true,
        hint: o.valueHint,
        updatedAt: o.updatedAt,
        updatedBy: o.updatedBy,
      }));
    },

    async set(
      agentId: string,
      workspaceId: string,
      name: string,
      value: string,
      userId: string,
      ctx: ActionContext,
    ) {
      await withTransaction(pool, async (tx) => {
        const existing = await writeOverride(tx, keyring, agentId, name, value, userId);
        await recordAudit(tx, {
          ...auditFieldsOf(ctx),
          action: existing ? "agent.secret_updated" : "agent.secret_created",
          workspaceId,
          target: { type: "agent", id: agentId },
          metadata: { name },
        });
      });
    },

    async remove(agentId: string, workspaceId: string, name: string, ctx: ActionContext) {
      await withTransaction(pool, async (tx) => {
        if (!(await deleteOverride(tx, agentId, name))) throw notFound("No such secret for this agent");
        await recordAudit(tx, {
          ...auditFieldsOf(ctx),
          action: "agent.secret_deleted",
          workspaceId,
          target: { type: "agent", id: agentId },
          metadata: { name },
        });
      });
    },

    /** Decrypted values, for delivery to the agent's runtime only. Legacy plaintext is re-sealed. */
    async values(agentId: string): Promise<Record<string, string>> {
      const out: Record<string, string> = {};
      for (const row of await listOverrides(pool, agentId)) {
        const ctx = { table: TABLE, column: COLUMN, rowId: row.id };
        const opened = openSealed(keyring, row.valueSealed, ctx);
        if (opened.legacyPlaintext) {
          await resealOverride(pool, row.id, sealOrFail(keyring, opened.value, ctx));
        }
        out[row.name] = opened.value;
      }
      return out;
    },
  };
}

export type EnvOverridesService = ReturnType<typeof createEnvOverridesService>;

/**
 * Seals and stores one override; returns whether it existed. The sealed value is bound to the row id,
 * so an existing row keeps its id.
 */
async function writeOverride(
  db: Queryable,
  keyring: Keyring,
  agentId: string,
  name: string,
  value: string,
  userId: string | null,
): Promise<boolean> {
  const existing = await findOverrideId(db, agentId, name);
  const id = existing ?? randomUUID();
  await upsertOverride(db, {
    id,
    agentId,
    name,
    valueSealed: sealOrFail(keyring, value, { table: TABLE, column: COLUMN, rowId: id }),
    valueHint: secretHint(value) ?? "",
    updatedBy: userId,
  });
  return existing !== null && existing !== undefined;
}

/** Seals and stores overrides in the caller's transaction (a deploy's secrets); returns their names. */
export async function writeOverrides(
  db: Queryable,
  keyring: Keyring,
  agentId: string,
  values: Readonly<Record<string, string>>,
  userId: string | null,
): Promise<string[]> {
  const names = Object.keys(values).sort();
  for (const name of names) await writeOverride(db, keyring, agentId, name, values[name] as string, userId);
  return names;
}

/** The names of an agent's overrides (what a revision records), never their values. */
export async function overrideNamesOf(db: Queryable, agentId: string): Promise<string[]> {
  return (await listOverrides(db, agentId)).map((o) => o.name);
}

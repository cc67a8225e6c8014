import { type SignupMode, signupModeSchema, type updateSettingsBody } from "@nora/api-contract";
import { type Config, type Pool, type Queryable, withTransaction } from "@nora/core";
import type { z } from "zod";
import { type ActionContext, auditFieldsOf } from "../audit/context.js";
import { recordAudit } from "../audit/service.js";
import { deleteSetting, lockSettings, readSetting, writeSetting } from "./repo.js";

export interface EffectiveSetting<T> {
  value: T;
  /** `stored`: an admin set it; `default`: the environment's value applies. */
  source: "stored" | "default";
  default: T;
  updatedAt: Date | null;
  updatedBy: string | null;
}

/**
 * The signup mode in force, read from PostgreSQL each time (signups are rare; a cache could go stale
 * on another replica). Pass the deciding transaction so the decision and the account insert agree.
 */
export async function effectiveSignupMode(
  db: Queryable,
  config: Config,
): Promise<EffectiveSetting<SignupMode>> {
  const fallback = config.identity.signupMode;
  const row = await readSetting(db, "signup_mode");
  // The column's CHECK admits only known modes; anything else would be refused rather than guessed.
  const stored = row ? signupModeSchema.catch("closed").parse(row.value) : undefined;
  return stored && row
    ? {
        value: stored,
        source: "stored",
        default: fallback,
        updatedAt: row.updatedAt,
        updatedBy: row.updatedBy,
      }
    : { value: fallback, source: "default", default: fallback, updatedAt: null, updatedBy: null };
}

export function createPlatformSettingsService(deps: { config: Config; pool: Pool }) {
  const { config, pool } = deps;
  return {
    async get() {
      return { signupMode: await effectiveSignupMode(pool, config) };
    },

    /** Stores the settings (or drops them back to the defaults), audited with the old and new values. */
    async update(input: z.infer<typeof updateSettingsBody>, userId: string, ctx: ActionContext) {
      return withTransaction(pool, async (tx) => {
        await lockSettings(tx);
        const before = await effectiveSignupMode(tx, config);
        if (input.signupMode === null) await deleteSetting(tx, "signup_mode");
        else await writeSetting(tx, "signup_mode", input.signupMode, userId);
        const after = await effectiveSignupMode(tx, config);
        await recordAudit(tx, {
          ...auditFieldsOf(ctx),
          action: "admin.settings_updated",
          target: { type: "platform_setting", id: "signup_mode" },
          metadata: {
            setting: "signupMode",
            old: { value: before.value, source: before.source },
            new: { value: after.value, source: after.source },
          },
        });
        return { signupMode: after };
      });
    },
  };
}

export type PlatformSettingsService = ReturnType<typeof createPlatformSettingsService>;

import type { Queryable } from "@nora/core";

export type SettingKey = "signup_mode";

export interface SettingRow {
  value: unknown;
  updatedAt: Date;
  updatedBy: string | null;
}

export async function readSetting(db: Queryable, key: SettingKey): Promise<SettingRow | undefined> {
  const { rows } = await db.query<SettingRow>(
    `SELECT value, updated_at AS "updatedAt", updated_by AS "updatedBy" FROM platform_settings WHERE key = $1`,
    [key],
  );
  return rows[0];
}

/** Serializes changes to the settings until the transaction ends (a row may not exist yet to lock). */
export async function lockSettings(db: Queryable): Promise<void> {
  await db.query("SELECT pg_advisory_xact_lock(hashtext('nora:platform_settings'))");
}

export async function writeSetting(db: Queryable, key: SettingKey, value: unknown, userId: string) {
  await db.query(
    `INSERT INTO platform_settings (key, value, updated_by, updated_at) VALUES ($1, $2::jsonb, $3, now())
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_by = excluded.updated_by, updated_at = now()`,
    [key, JSON.stringify(value), userId],
  );
}

export async function deleteSetting(db: Queryable, key: SettingKey): Promise<void> {
  await db.query("DELETE FROM platform_settings WHERE key = $1", [key]);
}

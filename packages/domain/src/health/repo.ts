import type { Queryable } from "@nora/core";

/** The cheapest round trip that proves PostgreSQL answers. */
export async function pingDatabase(db: Queryable): Promise<void> {
  await db.query("SELECT 1");
}

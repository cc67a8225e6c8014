import { DEPLOY_TARGETS, RUNTIME_FAMILIES, SANDBOX_PROFILES } from "@nora/agent-runtime";
import { AGENT_STATUSES } from "@nora/api-contract";
import { createTestDatabase, type TestDatabase } from "@nora/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The runtime catalog's lists are written once, in TypeScript. The SQL schema repeats them as CHECK
 * constraints (the database must refuse a value the code does not know); this test keeps the two equal,
 * so adding a family, target or profile in one place and not the other fails here, not in production.
 */
const CATALOG_COLUMNS = [
  { table: "agents", column: "runtime_family", values: RUNTIME_FAMILIES },
  { table: "agents", column: "deploy_target", values: DEPLOY_TARGETS },
  { table: "agents", column: "sandbox_profile", values: SANDBOX_PROFILES },
  // Agent statuses are API data (@nora/api-contract), constrained the same way.
  { table: "agents", column: "status", values: AGENT_STATUSES },
] as const;

/** The string literals a column's CHECK constraints allow, read from the migrated schema itself. */
async function allowedValues(db: TestDatabase, table: string, column: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ definition: string }>(
    `SELECT pg_get_constraintdef(c.oid) AS definition
       FROM pg_constraint c
       JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
      WHERE c.contype = 'c' AND c.conrelid = $1::regclass AND a.attname = $2`,
    [table, column],
  );
  // pg_get_constraintdef renders `IN (...)` as `= ANY (ARRAY['a'::text, 'b'::text])`.
  const literals = rows.flatMap((row) => [...row.definition.matchAll(/'((?:[^']|'')*)'::text/g)]);
  return literals.map((match) => (match[1] ?? "").replaceAll("''", "'"));
}

describe("catalog lists and SQL CHECK constraints agree", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it.each(CATALOG_COLUMNS)("$table.$column allows exactly the catalog's values", async (entry) => {
    const allowed = await allowedValues(db, entry.table, entry.column);
    expect(allowed.length, "no CHECK constraint found").toBeGreaterThan(0);
    expect([...allowed].sort()).toEqual([...entry.values].sort());
  });
});

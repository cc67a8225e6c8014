import { randomBytes } from "node:crypto";
import pg from "pg";
import { migrate } from "../db/migrations.js";
import { testServiceUrls } from "./test-config.js";

/** Every test database is a copy of this one, migrated once per run by the global setup. */
export const TEMPLATE_DATABASE = "nora_test_template";

function urlFor(database: string): string {
  const url = new URL(testServiceUrls().databaseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testServiceUrls().databaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Recreates the template database and applies every migration to it. */
export async function prepareTemplateDatabase(): Promise<void> {
  await withAdmin(async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  });
  const pool = new pg.Pool({ connectionString: urlFor(TEMPLATE_DATABASE), max: 1 });
  try {
    await migrate(pool);
  } finally {
    await pool.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  pool: pg.Pool;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/**
 * A fresh database for one test file (or one test): a clone of the migrated template, or an empty
 * database with `{ empty: true }` for tests of the migration runner itself.
 */
export async function createTestDatabase(options: { empty?: boolean } = {}): Promise<TestDatabase> {
  const name = `nora_test_${randomBytes(6).toString("hex")}`;
  await withAdmin((admin) =>
    admin.query(
      options.empty ? `CREATE DATABASE ${name}` : `CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DATABASE}`,
    ),
  );
  const url = urlFor(name);
  const pool = new pg.Pool({ connectionString: url, max: 5 });
  pool.on("error", () => {});
  return {
    name,
    url,
    pool,
    async drop() {
      await pool.end().catch(() => {});
      await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

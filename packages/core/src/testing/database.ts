import { randomBytes } from "node:crypto";
import pg from "pg";
import { processEnv } from "../config/env.js";
import { migrate } from "../db/migrations.js";
import { testServiceUrls } from "./test-config.js";

/**
 * Every test database is a copy of a template migrated once per run by the global setup. Its name is
 * per run (handed to the test workers through the environment), so concurrent runs on one server
 * never drop each other's template.
 */
const TEMPLATE_ENV = "NORA_TEST_TEMPLATE_DATABASE";

export function templateDatabaseName(): string {
  const name = processEnv()[TEMPLATE_ENV];
  if (!name)
    throw new Error("no test template database: run tests through vitest (its global setup creates it)");
  return name;
}

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

/**
 * Drops a test database. FORCE ends our own leftover sessions, but a session of another role (an
 * autovacuum worker, owned by the superuser) cannot be ended by the test role (42501, "must be a member
 * of pg_signal_backend"): such a worker finishes within moments, so the drop is retried briefly.
 */
async function dropDatabase(name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      return;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= 20 || (code !== "42501" && code !== "55006")) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** Creates this run's template database, applies every migration, and returns its teardown. */
export async function prepareTemplateDatabase(): Promise<() => Promise<void>> {
  const name = `nora_test_template_${randomBytes(4).toString("hex")}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${name}`));
  const pool = new pg.Pool({ connectionString: urlFor(name), max: 1 });
  try {
    await migrate(pool);
  } finally {
    await pool.end();
  }
  processEnv()[TEMPLATE_ENV] = name;
  return async () => {
    await dropDatabase(name);
  };
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
      options.empty
        ? `CREATE DATABASE ${name}`
        : `CREATE DATABASE ${name} TEMPLATE ${templateDatabaseName()}`,
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
      await dropDatabase(name);
    },
  };
}

import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type pg from "pg";

/** The single folder holding the schema, as ordered SQL files. There is no other copy of the schema. */
export const MIGRATIONS_DIR = fileURLToPath(new URL("../../migrations/", import.meta.url));

/** Arbitrary constant key for pg_advisory_lock: every runner of every service contends on it. */
const MIGRATION_LOCK_KEY = 0x6e6f7261; // "nora"
const FILE_PATTERN = /^(\d{4})_[a-z0-9_]+\.sql$/;

export interface MigrationFile {
  id: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {
  override name = "MigrationError";
}

export async function readMigrationFiles(dir = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith(".sql")).sort();
  const files: MigrationFile[] = [];
  const seenNumbers = new Set<string>();
  for (const name of names) {
    const match = FILE_PATTERN.exec(name);
    if (!match?.[1])
      throw new MigrationError(`migration file name ${name} must look like 0001_short_name.sql`);
    if (seenNumbers.has(match[1])) throw new MigrationError(`two migrations share the number ${match[1]}`);
    seenNumbers.add(match[1]);
    const sql = await readFile(`${dir}/${name}`, "utf8");
    files.push({
      id: name.replace(/\.sql$/, ""),
      sql,
      checksum: createHash("sha256").update(sql).digest("hex"),
    });
  }
  return files;
}

const CREATE_TABLE = `
  CREATE TABLE IF NOT EXISTS schema_migrations (
    id text PRIMARY KEY,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    execution_ms integer NOT NULL
  )`;

interface AppliedRow {
  id: string;
  checksum: string;
}

function verifyApplied(files: MigrationFile[], applied: AppliedRow[]): void {
  const byId = new Map(files.map((f) => [f.id, f]));
  for (const row of applied) {
    const file = byId.get(row.id);
    if (!file)
      throw new MigrationError(`migration ${row.id} is applied in the database but its file is missing`);
    if (file.checksum !== row.checksum) {
      throw new MigrationError(
        `migration ${row.id} was edited after it was applied (checksum mismatch); add a new migration instead`,
      );
    }
  }
}

export interface MigrateResult {
  applied: string[];
  alreadyApplied: number;
}

/**
 * Applies pending migrations in file order, each in its own transaction, under a session advisory lock
 * so concurrent runners (several API replicas starting at once) wait rather than race.
 */
export async function migrate(
  pool: pg.Pool,
  options: { dir?: string; onApplied?: (id: string, ms: number) => void } = {},
): Promise<MigrateResult> {
  const files = await readMigrationFiles(options.dir);
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
    try {
      await client.query(CREATE_TABLE);
      const { rows } = await client.query<AppliedRow>(
        "SELECT id, checksum FROM schema_migrations ORDER BY id",
      );
      verifyApplied(files, rows);
      const appliedIds = new Set(rows.map((r) => r.id));
      const applied: string[] = [];
      for (const file of files) {
        if (appliedIds.has(file.id)) continue;
        const started = Date.now();
        try {
          await client.query("BEGIN");
          await client.query(file.sql);
          const ms = Date.now() - started;
          await client.query(
            "INSERT INTO schema_migrations (id, checksum, execution_ms) VALUES ($1, $2, $3)",
            [file.id, file.checksum, ms],
          );
          await client.query("COMMIT");
          applied.push(file.id);
          options.onApplied?.(file.id, ms);
        } catch (error) {
          await client.query("ROLLBACK").catch(() => {});
          throw new MigrationError(`migration ${file.id} failed: ${(error as Error).message}`);
        }
      }
      return { applied, alreadyApplied: rows.length };
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => {});
    }
  } finally {
    client.release();
  }
}

/** Ids of migrations whose files exist but are not applied (or are applied with another checksum). */
export async function pendingMigrations(pool: pg.Pool, dir?: string): Promise<string[]> {
  const files = await readMigrationFiles(dir);
  const exists = await pool.query<{ present: boolean }>(
    "SELECT to_regclass('schema_migrations') IS NOT NULL AS present",
  );
  if (!exists.rows[0]?.present) return files.map((f) => f.id);
  const { rows } = await pool.query<AppliedRow>("SELECT id, checksum FROM schema_migrations");
  const applied = new Map(rows.map((r) => [r.id, r.checksum]));
  return files.filter((f) => applied.get(f.id) !== f.checksum).map((f) => f.id);
}

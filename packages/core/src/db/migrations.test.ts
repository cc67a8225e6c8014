import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/database.js";
import {
  MIGRATIONS_DIR,
  MigrationError,
  migrate,
  pendingMigrations,
  readMigrationFiles,
} from "./migrations.js";

function copyOfMigrations(): string {
  const dir = mkdtempSync(join(tmpdir(), "nora-migrations-"));
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

describe("migration runner", () => {
  const databases: TestDatabase[] = [];
  const emptyDatabase = async () => {
    const db = await createTestDatabase({ empty: true });
    databases.push(db);
    return db;
  };
  afterEach(async () => {
    await Promise.all(databases.splice(0).map((db) => db.drop()));
  });

  it("applies every file once; a second run is a no-op", async () => {
    const db = await emptyDatabase();
    const files = await readMigrationFiles();
    const first = await migrate(db.pool);
    expect(first.applied).toEqual(files.map((f) => f.id));
    const second = await migrate(db.pool);
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toBe(files.length);
    const { rows } = await db.pool.query("SELECT id, checksum FROM schema_migrations ORDER BY id");
    expect(rows).toEqual(files.map((f) => ({ id: f.id, checksum: f.checksum })));
    expect(await pendingMigrations(db.pool)).toEqual([]);
  });

  it("makes a concurrent second runner wait on the advisory lock", async () => {
    const db = await emptyDatabase();
    const dir = copyOfMigrations();
    writeFileSync(join(dir, "9000_slow.sql"), "SELECT pg_sleep(1.5); CREATE TABLE slow_marker (id int);");
    const events: string[] = [];
    const started = Date.now();
    const a = migrate(db.pool, { dir }).then((r) => {
      events.push("a");
      return r;
    });
    // Give the first runner time to take the lock before the second asks for it.
    await new Promise((r) => setTimeout(r, 200));
    const b = migrate(db.pool, { dir }).then((r) => {
      events.push("b");
      return r;
    });
    await new Promise((r) => setTimeout(r, 300));
    const locks = await db.pool.query<{ granted: boolean; n: number }>(
      "SELECT granted, count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' GROUP BY granted ORDER BY granted",
    );
    // One runner holds the lock; the other is queued on it.
    expect(locks.rows).toEqual([
      { granted: false, n: 1 },
      { granted: true, n: 1 },
    ]);
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra.applied).toContain("9000_slow");
    expect(rb.applied).toEqual([]);
    expect(events).toEqual(["a", "b"]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
  });

  it("detects an applied migration edited afterwards", async () => {
    const db = await emptyDatabase();
    const dir = copyOfMigrations();
    writeFileSync(join(dir, "9001_extra.sql"), "CREATE TABLE extra (id int);");
    await migrate(db.pool, { dir });
    writeFileSync(join(dir, "9001_extra.sql"), "CREATE TABLE extra (id int, sneaky text);");
    await expect(migrate(db.pool, { dir })).rejects.toThrow(/9001_extra was edited after it was applied/);
    expect(await pendingMigrations(db.pool, dir)).toEqual(["9001_extra"]);
  });

  it("rolls back a failing migration entirely and records nothing", async () => {
    const db = await emptyDatabase();
    const dir = copyOfMigrations();
    writeFileSync(join(dir, "9002_broken.sql"), "CREATE TABLE half_done (id int); SELECT * FROM nowhere;");
    await expect(migrate(db.pool, { dir })).rejects.toBeInstanceOf(MigrationError);
    const { rows } = await db.pool.query("SELECT to_regclass('half_done') AS t");
    expect(rows[0].t).toBeNull();
    expect(await pendingMigrations(db.pool, dir)).toEqual(["9002_broken"]);
  });

  it("refuses badly named files and a missing applied file", async () => {
    const dir = copyOfMigrations();
    writeFileSync(join(dir, "add-things.sql"), "SELECT 1;");
    await expect(readMigrationFiles(dir)).rejects.toThrow(/must look like 0001_short_name.sql/);

    const db = await emptyDatabase();
    const dir2 = copyOfMigrations();
    writeFileSync(join(dir2, "9003_gone.sql"), "SELECT 1;");
    await migrate(db.pool, { dir: dir2 });
    await expect(migrate(db.pool)).rejects.toThrow(
      /9003_gone is applied in the database but its file is missing/,
    );
  });
});

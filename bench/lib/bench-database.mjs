// A fresh, migrated database for one benchmark run, on the same server as DATABASE_URL.
import pg from "pg";

export async function freshBenchDatabase(name) {
  const base = process.env.DATABASE_URL || "postgres://nora:nora@127.0.0.1:5432/nora";
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

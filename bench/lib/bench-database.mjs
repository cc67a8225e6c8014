// A fresh, migrated database for one benchmark run, on the same server as DATABASE_URL. Named after the
// process, so benchmarks run at the same time on one server never drop each other's database.
import pg from "pg";

const base = () => process.env.DATABASE_URL || "postgres://nora:nora@127.0.0.1:5432/nora";

async function admin(sql) {
  const client = new pg.Client({ connectionString: base() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function freshBenchDatabase(prefix) {
  const name = `${prefix}_${process.pid}`;
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(base());
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

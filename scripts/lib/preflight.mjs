// Checks that PostgreSQL and Redis answer before a command that needs them, with a message that
// says what to do when they do not. Reads DATABASE_URL / REDIS_URL, defaulting to local services.

import { Redis } from "ioredis";
import pg from "pg";

export const DEFAULT_DATABASE_URL = "postgres://nora:nora@127.0.0.1:5432/nora";
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

function safe(url) {
  const u = new URL(url);
  if (u.password) u.password = "***";
  return u.toString();
}

export async function checkPostgres(url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return null;
  } catch (error) {
    return `PostgreSQL is not reachable at ${safe(url)} (${error.message}).
  Start it (Debian: sudo pg_ctlcluster 15 main start) and create the role, e.g.
    sudo -u postgres psql -c "CREATE ROLE nora LOGIN PASSWORD 'nora' CREATEDB" -c "CREATE DATABASE nora OWNER nora"
  or point DATABASE_URL at your server.`;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function checkRedis(url = process.env.REDIS_URL || DEFAULT_REDIS_URL) {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 3000,
    password: process.env.REDIS_PASSWORD || undefined,
  });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.ping();
    return null;
  } catch (error) {
    return `Redis is not reachable at ${safe(url)} (${error.message}).
  Start it (Debian: redis-server --daemonize yes) or point REDIS_URL at your server.`;
  } finally {
    client.disconnect();
  }
}

export async function preflight() {
  const problems = (await Promise.all([checkPostgres(), checkRedis()])).filter(Boolean);
  for (const problem of problems) process.stderr.write(`\n✗ ${problem}\n`);
  return problems.length === 0;
}

import { randomBytes } from "node:crypto";
import { processEnv, type RawEnv } from "../config/env.js";
import { type Config, loadConfig } from "../config/index.js";

export const DEFAULT_TEST_DATABASE_URL = "postgres://nora:nora@127.0.0.1:5432/nora";
export const DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379";

/** Connection settings the test run uses: DATABASE_URL / REDIS_URL from the environment, else local defaults. */
export function testServiceUrls(): { databaseUrl: string; redisUrl: string } {
  const env = processEnv();
  return {
    databaseUrl: env.DATABASE_URL || DEFAULT_TEST_DATABASE_URL,
    redisUrl: env.REDIS_URL || DEFAULT_TEST_REDIS_URL,
  };
}

/** A unique Redis key prefix so each test's queues and rate-limit buckets are its own. */
export function uniqueKeyPrefix(label = "t"): string {
  return `nora-test:${label}:${randomBytes(6).toString("hex")}`;
}

/** A full Config for tests: development mode, silent logs, a unique Redis prefix, overridable by env-style values. */
export function testConfig(overrides: RawEnv = {}): Config {
  const { databaseUrl, redisUrl } = testServiceUrls();
  return loadConfig({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: uniqueKeyPrefix(),
    PUBLIC_URL: "http://nora.test",
    // Test runtimes listen on ephemeral ports (32768+). PostgreSQL's and Redis' ports stay refused.
    GATEWAY_ALLOWED_PORTS: "9090,18789,8642,9119,20000-29999,30000-65535",
    ...overrides,
  });
}

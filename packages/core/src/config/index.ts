import type { z } from "zod";
import { ConfigError, processEnv, type RawEnv, resolveFileVariables } from "./env.js";
import { envSchema, type ParsedEnv } from "./schema.js";
import { enforceProductionSecrets } from "./secret-policy.js";

export { ConfigError, SECRET_VARIABLES } from "./env.js";
export {
  decodeEncryptionKey,
  encryptionKeyProblem,
  isPlaceholderSecret,
  jwtSecretProblem,
} from "./secret-policy.js";

export interface RateLimitRule {
  /** Tokens refilled per minute (the sustained rate). */
  perMinute: number;
  /** Bucket size: requests allowed back to back before the sustained rate applies. */
  burst: number;
}

export interface Config {
  env: ParsedEnv["NODE_ENV"];
  isProduction: boolean;
  logLevel: ParsedEnv["LOG_LEVEL"];
  api: {
    host: string;
    port: number;
    publicUrl: string;
    corsOrigins: string[];
    trustProxyHops: number;
    hsts: boolean;
    jsonBodyLimit: string;
    jsonMaxDepth: number;
  };
  rateLimit: {
    enabled: boolean;
    global: RateLimitRule;
    mutating: RateLimitRule;
    auth: RateLimitRule;
  };
  database: { url: string; poolMax: number; statementTimeoutMs: number };
  redis: { url: string; password: string | undefined; keyPrefix: string };
  secrets: {
    jwtSecret: string | undefined;
    encryptionKey: string | undefined;
    previousEncryptionKeys: string[];
    allowPlaintextSecrets: boolean;
  };
  workers: {
    deploymentConcurrency: number;
    backupConcurrency: number;
    alertDeliveryConcurrency: number;
    alertDeliveryAttempts: number;
    healthHost: string;
    provisionerHealthPort: number;
    backupHealthPort: number;
  };
  shutdownTimeoutMs: number;
  /** Boot-time warnings the service logs once its logger exists. */
  warnings: string[];
}

function formatZodError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid configuration";
  const name = issue.path.join(".") || "configuration";
  return `${name} ${issue.message}`.replace(/\s+/g, " ");
}

/**
 * Parses and validates the environment. Throws ConfigError with a one-line reason;
 * services turn that into a non-zero exit (see exitOnConfigError).
 */
export function loadConfig(source: RawEnv = processEnv()): Config {
  const env = resolveFileVariables(source);
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(formatZodError(parsed.error));
  const e = parsed.data;
  const isProduction = e.NODE_ENV === "production";

  const warnings: string[] = [];
  if (isProduction) {
    warnings.push(
      ...enforceProductionSecrets({
        jwtSecret: e.JWT_SECRET,
        encryptionKey: e.ENCRYPTION_KEY,
        allowPlaintextSecrets: e.NORA_ALLOW_PLAINTEXT_SECRETS,
      }).warnings,
    );
  }

  const publicOrigin = new URL(e.PUBLIC_URL).origin;
  const corsOrigins = e.CORS_ORIGINS.length > 0 ? e.CORS_ORIGINS : [publicOrigin];
  for (const origin of corsOrigins) {
    if (origin === "*") throw new ConfigError("CORS_ORIGINS may not contain *; list the allowed origins");
  }
  const hsts =
    e.HSTS_ENABLED === "auto" || e.HSTS_ENABLED === ""
      ? publicOrigin.startsWith("https:")
      : e.HSTS_ENABLED === "true";

  return {
    env: e.NODE_ENV,
    isProduction,
    logLevel: e.LOG_LEVEL,
    api: {
      host: e.API_HOST,
      port: e.API_PORT,
      publicUrl: e.PUBLIC_URL,
      corsOrigins,
      trustProxyHops: e.TRUST_PROXY_HOPS,
      hsts,
      jsonBodyLimit: e.JSON_BODY_LIMIT,
      jsonMaxDepth: e.JSON_MAX_DEPTH,
    },
    rateLimit: {
      enabled: e.RATE_LIMIT_ENABLED,
      global: { perMinute: e.RATE_LIMIT_GLOBAL_PER_MINUTE, burst: e.RATE_LIMIT_GLOBAL_BURST },
      mutating: { perMinute: e.RATE_LIMIT_MUTATING_PER_MINUTE, burst: e.RATE_LIMIT_MUTATING_BURST },
      auth: { perMinute: e.RATE_LIMIT_AUTH_PER_MINUTE, burst: e.RATE_LIMIT_AUTH_BURST },
    },
    database: {
      url: e.DATABASE_URL,
      poolMax: e.DATABASE_POOL_MAX,
      statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
    },
    redis: { url: e.REDIS_URL, password: e.REDIS_PASSWORD || undefined, keyPrefix: e.REDIS_KEY_PREFIX },
    secrets: {
      jwtSecret: e.JWT_SECRET,
      encryptionKey: e.ENCRYPTION_KEY,
      previousEncryptionKeys: e.ENCRYPTION_KEYS_PREVIOUS,
      allowPlaintextSecrets: e.NORA_ALLOW_PLAINTEXT_SECRETS,
    },
    workers: {
      deploymentConcurrency: e.DEPLOYMENT_WORKER_CONCURRENCY,
      backupConcurrency: e.BACKUP_WORKER_CONCURRENCY,
      alertDeliveryConcurrency: e.ALERT_DELIVERY_WORKER_CONCURRENCY,
      alertDeliveryAttempts: e.ALERT_DELIVERY_ATTEMPTS,
      healthHost: e.WORKER_HEALTH_HOST,
      provisionerHealthPort: e.PROVISIONER_HEALTH_PORT,
      backupHealthPort: e.BACKUP_HEALTH_PORT,
    },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    warnings,
  };
}

/** Loads the config or ends the process with exit code 1 and a one-line reason on stderr. */
export function loadConfigOrExit(service: string, source?: RawEnv): Config {
  try {
    return loadConfig(source);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`nora ${service}: refusing to start: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

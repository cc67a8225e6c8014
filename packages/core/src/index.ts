export * from "./config/index.js";
export * from "./crypto/index.js";
export {
  MIGRATIONS_DIR,
  MigrationError,
  migrate,
  pendingMigrations,
  readMigrationFiles,
} from "./db/migrations.js";
export { createPool, type Pool, type PoolClient, type Queryable, withTransaction } from "./db/pool.js";
export * from "./errors/app-error.js";
export { createLogger, exitAfterFlush, type Logger, type LoggerSettings } from "./logging/logger.js";
export {
  isSensitiveName,
  isSensitiveQueryName,
  REDACTED,
  redactDeep,
  redactUrl,
  redactUrlsIn,
} from "./logging/redact.js";
export * from "./outbound/index.js";
export * from "./queues/definitions.js";
export { closeQueues, createQueues, NoraQueue, type NoraQueues } from "./queues/queues.js";
export { closeRedis, createRedis, type Redis, type RedisRole, waitForRedis } from "./redis/connection.js";
export { countLeases, releaseLease, renewLease, takeLease } from "./redis/leases.js";
export { type BucketOutcome, countInWindow, refundToken, takeToken } from "./redis/token-bucket.js";
export { onShutdownSignal } from "./workers/process-signals.js";
export { type BackgroundTask, runWorkerProcess, type WorkerParts } from "./workers/worker-process.js";
export * from "./workers/worker-service.js";

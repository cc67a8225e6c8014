import { randomUUID } from "node:crypto";
import {
  AppError,
  type Config,
  Keyring,
  type Logger,
  type Pool,
  type Redis,
  type RotationProgress,
  rotateSealedValues,
  sealedKeyUsage,
} from "@nora/core";
import { type ActionContext, auditFieldsOf } from "../audit/context.js";
import { recordAudit } from "../audit/service.js";

const LOCK_TTL_MS = 60_000;
const RELEASE_IF_OURS = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end return 0`;

export interface RotationStatus {
  runId: string;
  state: "running" | "finished" | "failed";
  startedAt: string;
  finishedAt?: string;
  toKeyId: string;
  progress: RotationProgress[];
  error?: string;
}

/**
 * Key rotation from the admin API: one run at a time across every replica (a Redis lock renewed while
 * the run works), progress kept in Redis so any replica can report it. The run itself is the same
 * idempotent, resumable batch re-seal as `npm run secrets:rotate`.
 */
export function createKeyRotationService(deps: { config: Config; pool: Pool; redis: Redis; logger: Logger }) {
  const { config, pool, redis, logger } = deps;
  const keyring = Keyring.fromConfig(config);
  const lockKey = `${config.redis.keyPrefix}:secrets:rotation:lock`;
  const statusKey = `${config.redis.keyPrefix}:secrets:rotation:status`;

  const saveStatus = (status: RotationStatus) =>
    redis.set(statusKey, JSON.stringify(status), "EX", 7 * 86_400);

  return {
    async keys() {
      return {
        currentKeyId: keyring.currentKeyId ?? null,
        configuredKeyIds: keyring.knownKeyIds,
        usage: await sealedKeyUsage(pool),
      };
    },

    async status(): Promise<RotationStatus | null> {
      const raw = await redis.get(statusKey);
      return raw ? (JSON.parse(raw) as RotationStatus) : null;
    },

    /** Starts a rotation unless one is running; answers at once with the run's id. */
    async start(ctx: ActionContext): Promise<{ started: boolean; status: RotationStatus }> {
      const toKeyId = keyring.currentKeyId;
      if (!toKeyId)
        throw new AppError(
          409,
          "no_encryption_key",
          "ENCRYPTION_KEY is not configured; nothing to rotate to",
        );
      const runId = randomUUID();
      const locked = await redis.set(lockKey, runId, "PX", LOCK_TTL_MS, "NX");
      if (locked !== "OK") {
        const current = await this.status();
        if (current) return { started: false, status: current };
      }
      const status: RotationStatus = {
        runId,
        state: "running",
        startedAt: new Date().toISOString(),
        toKeyId,
        progress: [],
      };
      await saveStatus(status);
      await recordAudit(pool, {
        ...auditFieldsOf(ctx),
        action: "platform.secrets.rotation_started",
        metadata: { runId, toKeyId },
      });

      const renew = setInterval(
        () => void redis.pexpire(lockKey, LOCK_TTL_MS).catch(() => {}),
        LOCK_TTL_MS / 3,
      );
      renew.unref();
      void rotateSealedValues(pool, keyring, {
        onProgress: (p) => {
          status.progress = [
            ...status.progress.filter((x) => x.table !== p.table || x.column !== p.column),
            p,
          ];
          void saveStatus(status).catch(() => {});
        },
      })
        .then(async (report) => {
          Object.assign(status, {
            state: "finished",
            finishedAt: new Date().toISOString(),
            progress: report,
          });
          await recordAudit(pool, {
            ...auditFieldsOf(ctx),
            action: "platform.secrets.rotation_finished",
            metadata: { runId, toKeyId, resealed: report.reduce((n, r) => n + r.resealed, 0) },
          });
        })
        .catch((error: unknown) => {
          logger.error({ err: error, runId }, "secret rotation failed");
          Object.assign(status, {
            state: "failed",
            finishedAt: new Date().toISOString(),
            error: "rotation_failed",
          });
        })
        .finally(async () => {
          clearInterval(renew);
          // Release before reporting the end, and only our own lock, in one step: a get-then-del could
          // delete a lock another replica took between the two.
          await redis.eval(RELEASE_IF_OURS, 1, lockKey, runId).catch(() => {});
          await saveStatus(status).catch(() => {});
        });
      return { started: true, status };
    },
  };
}

export type KeyRotationService = ReturnType<typeof createKeyRotationService>;

import { type Pool, pendingMigrations, type Redis } from "@nora/core";
import { pingDatabase } from "./repo.js";

export type CheckName = "postgres" | "redis" | "migrations";
export type CheckResult = "ok" | "failed";

export interface Readiness {
  ready: boolean;
  checks: Record<CheckName, CheckResult>;
}

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(work: Promise<T>): Promise<T> {
  return Promise.race([
    work,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error("check timed out")), CHECK_TIMEOUT_MS).unref(),
    ),
  ]);
}

/** Readiness: PostgreSQL answers, Redis answers, and every migration file is applied. */
export function createReadinessService(deps: { pool: Pool; redis: Redis; migrationsDir?: string }) {
  // Migrations never become unapplied while the process runs, so a passing check is remembered.
  let migrationsConfirmed = false;

  const checks: Record<CheckName, () => Promise<void>> = {
    postgres: async () => {
      await pingDatabase(deps.pool);
    },
    redis: async () => {
      await deps.redis.ping();
    },
    migrations: async () => {
      if (migrationsConfirmed) return;
      const pending = await pendingMigrations(deps.pool, deps.migrationsDir);
      if (pending.length > 0) throw new Error(`pending migrations: ${pending.join(", ")}`);
      migrationsConfirmed = true;
    },
  };

  return {
    async check(): Promise<Readiness> {
      const names = Object.keys(checks) as CheckName[];
      const results = await Promise.all(
        names.map((name) =>
          withTimeout(checks[name]()).then(
            () => "ok" as const,
            () => "failed" as const,
          ),
        ),
      );
      const outcome = Object.fromEntries(names.map((n, i) => [n, results[i]])) as Record<
        CheckName,
        CheckResult
      >;
      return { ready: results.every((r) => r === "ok"), checks: outcome };
    },
  };
}

export type ReadinessService = ReturnType<typeof createReadinessService>;

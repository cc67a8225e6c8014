import { z } from "zod";

export const healthResponse = z.object({ status: z.literal("ok") });

const checks = z.object({
  postgres: z.enum(["ok", "failed"]),
  redis: z.enum(["ok", "failed"]),
  migrations: z.enum(["ok", "failed"]),
});
export const readyResponse = z.object({ status: z.literal("ready"), checks });
/** 503 names the dependency that failed, never why. */
export const notReadyResponse = z.object({
  status: z.literal("not_ready"),
  checks,
  error: z.literal("not_ready"),
  requestId: z.string(),
});

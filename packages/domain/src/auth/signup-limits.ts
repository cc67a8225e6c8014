import { AppError, type Config, countInWindow, type Redis, serviceUnavailable, takeToken } from "@nora/core";

/** Per-IP signup limits: a burst with an hourly refill, and a daily ceiling. Fails closed without Redis. */
export async function enforceSignupLimits(config: Config, redis: Redis, ip: string): Promise<void> {
  const { burst, perHour, dailyLimit } = config.identity.signup;
  const prefix = `${config.redis.keyPrefix}:signup`;
  try {
    const bucket = await takeToken(redis, `${prefix}:burst:${ip}`, { burst, perMinute: perHour / 60 });
    if (!bucket.allowed) {
      throw new AppError(
        429,
        "signup_rate_limited",
        "Too many signups from this address; try again later",
        undefined,
        {
          "Retry-After": String(Math.max(1, Math.ceil(bucket.retryAfterMs / 1000))),
        },
      );
    }
    const day = new Date().toISOString().slice(0, 10);
    if ((await countInWindow(redis, `${prefix}:day:${day}:${ip}`, 86_400)) > dailyLimit) {
      throw new AppError(429, "signup_daily_limit", "Too many signups from this address today");
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw serviceUnavailable("rate_limiter_unavailable", "Temporarily unavailable; try again shortly");
  }
}

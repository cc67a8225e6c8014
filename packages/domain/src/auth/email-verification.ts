import { createHmac, randomBytes } from "node:crypto";
import {
  AppError,
  type BucketOutcome,
  badRequest,
  type Config,
  conflict,
  type Logger,
  type Pool,
  type Queryable,
  type Redis,
  serviceUnavailable,
  takeToken,
  unauthorized,
  withTransaction,
} from "@nora/core";
import { recordAudit } from "../audit/service.js";
import { createVerificationMailer, type VerificationMailer } from "../invitations/mailer.js";
import { findUserById, type UserRow } from "./repo.js";
import {
  deleteVerificationTokens,
  markEmailVerified,
  replaceVerificationToken,
  takeVerificationToken,
} from "./verification-repo.js";

interface AuditContext {
  requestId: string;
  ip?: string;
}

/** Resends per user: a burst of 3, then one every 10 minutes. */
const RESEND_RULE = { burst: 3, perMinute: 0.1 };

/**
 * Marks the user's address verified, ends any pending verification token, and audits how (`method`:
 * `email_link`, `oauth:github`...). Runs in the caller's transaction; does nothing when already verified.
 */
export async function recordEmailVerified(
  tx: Queryable,
  userId: string,
  method: string,
  ctx: AuditContext,
): Promise<void> {
  await deleteVerificationTokens(tx, userId);
  if (!(await markEmailVerified(tx, userId))) return;
  await recordAudit(tx, {
    actor: { type: "user", userId },
    action: "auth.email_verified",
    target: { type: "user", id: userId },
    requestId: ctx.requestId,
    ...(ctx.ip ? { ip: ctx.ip } : {}),
    metadata: { method },
  });
}

/**
 * Email verification of password accounts: a single-use token, mailed as a link whose fragment carries
 * it (fragments reach no server log), stored only as an HMAC, expiring after EMAIL_VERIFICATION_TTL_HOURS.
 * Confirming needs the token *and* a session of its account, so a person who merely receives the mail
 * cannot verify an account someone else signed up with their address.
 */
export function createEmailVerificationService(deps: {
  config: Config;
  pool: Pool;
  redis: Redis;
  logger: Logger;
  mailer?: VerificationMailer;
}) {
  const { config, pool, redis, logger } = deps;
  const mailer = deps.mailer ?? createVerificationMailer(config);
  const origin = new URL(config.api.publicUrl).origin;
  const hashToken = (token: string) =>
    createHmac("sha256", config.identity.verificationHashKey).update(token).digest();
  const invalid = () =>
    badRequest("invalid_verification_token", "This verification link is invalid, expired or already used");

  async function send(user: Pick<UserRow, "id" | "email">, ctx: AuditContext): Promise<{ expiresAt: Date }> {
    if (!mailer) throw serviceUnavailable("email_delivery_unavailable", "This server cannot send email");
    const token = randomBytes(32).toString("base64url");
    const expiresAt = new Date(Date.now() + config.identity.emailVerificationTtlMs);
    await withTransaction(pool, async (tx) => {
      await replaceVerificationToken(tx, {
        userId: user.id,
        email: user.email,
        tokenHash: hashToken(token),
        expiresAt,
      });
      await recordAudit(tx, {
        actor: { type: "user", userId: user.id },
        action: "auth.email_verification.sent",
        target: { type: "user", id: user.id },
        requestId: ctx.requestId,
        ...(ctx.ip ? { ip: ctx.ip } : {}),
      });
    });
    await mailer({ to: user.email, verifyUrl: `${origin}/verify-email#token=${token}`, expiresAt });
    return { expiresAt };
  }

  return {
    /**
     * After a signup: mails the link in the background, so an address that already has an account
     * (nothing sent) answers as fast as a new one. Failures are logged; the user can ask again.
     */
    sendAfterSignup(user: Pick<UserRow, "id" | "email">, ctx: AuditContext): void {
      if (!mailer) return;
      send(user, ctx).catch((error: unknown) => {
        logger.error({ err: error, userId: user.id, requestId: ctx.requestId }, "verification email failed");
      });
    },

    async resend(userId: string, ctx: AuditContext): Promise<{ expiresAt: Date }> {
      const user = await findUserById(pool, userId);
      if (!user) throw unauthorized();
      if (user.emailVerified) throw conflict("already_verified", "This email address is already verified");
      if (!mailer) throw serviceUnavailable("email_delivery_unavailable", "This server cannot send email");
      let bucket: BucketOutcome;
      try {
        bucket = await takeToken(redis, `${config.redis.keyPrefix}:verify-resend:${userId}`, RESEND_RULE);
      } catch {
        throw serviceUnavailable("rate_limiter_unavailable", "Temporarily unavailable; try again shortly");
      }
      if (!bucket.allowed) {
        throw new AppError(
          429,
          "verification_rate_limited",
          "Too many verification emails; try again later",
          undefined,
          { "Retry-After": String(Math.max(1, Math.ceil(bucket.retryAfterMs / 1000))) },
        );
      }
      try {
        return await send(user, ctx);
      } catch (error) {
        logger.error({ err: error, userId, requestId: ctx.requestId }, "verification email failed");
        throw serviceUnavailable("email_delivery_failed", "The email could not be sent; try again later");
      }
    },

    /** Confirms the signed-in user's address with the token from their mail (single use). */
    async verify(userId: string, token: string, ctx: AuditContext): Promise<void> {
      const tokenHash = hashToken(token);
      const verified = await withTransaction(pool, async (tx) => {
        const issued = await takeVerificationToken(tx, userId, tokenHash);
        const user = await findUserById(tx, userId);
        if (!issued || !user || issued.expiresAt.getTime() <= Date.now() || issued.email !== user.email)
          return false;
        await recordEmailVerified(tx, userId, "email_link", ctx);
        return true;
      });
      if (!verified) throw invalid();
    },
  };
}

export type EmailVerificationService = ReturnType<typeof createEmailVerificationService>;

import { createHmac, randomBytes } from "node:crypto";
import {
  badRequest,
  type Config,
  type Logger,
  type Pool,
  type Redis,
  serviceUnavailable,
  takeToken,
  withTransaction,
} from "@nora/core";
import { recordAudit } from "../audit/service.js";
import { createPasswordResetMailer, type PasswordResetMailer } from "../invitations/mailer.js";
import { verifyCaptcha } from "./captcha.js";
import { recordEmailVerified } from "./email-verification.js";
import { deleteResetTokens, replaceResetToken, takeResetToken } from "./password-reset-repo.js";
import { hashPassword } from "./passwords.js";
import { findUserByEmail, findUserById, revokeUserSessions, updatePassword } from "./repo.js";

interface AuditContext {
  requestId: string;
  ip?: string;
}

/** Reset mails per address: a burst of 3, then one every 10 minutes. */
const REQUEST_RULE = { burst: 3, perMinute: 0.1 };

/**
 * "Forgot password": a single-use token mailed as a link whose fragment carries it (fragments reach no
 * server log), stored only as an HMAC, expiring after PASSWORD_RESET_TTL_MINUTES, bound to the address
 * it was mailed to. Asking answers the same whether or not the address has an account, and mails in the
 * background so the timing does not tell either. Using the token sets the password, ends every session
 * of the account and counts as proof of the address.
 */
export function createPasswordResetService(deps: {
  config: Config;
  pool: Pool;
  redis: Redis;
  logger: Logger;
  mailer?: PasswordResetMailer;
}) {
  const { config, pool, redis, logger } = deps;
  const mailer = deps.mailer ?? createPasswordResetMailer(config);
  const origin = new URL(config.api.publicUrl).origin;
  const hmac = (text: string) =>
    createHmac("sha256", config.identity.passwordResetHashKey).update(text).digest();
  const invalid = () =>
    badRequest(
      "invalid_reset_token",
      "This reset link is invalid, expired or already used; ask for a new one",
    );

  async function issue(userId: string, email: string, ctx: AuditContext): Promise<void> {
    if (!mailer) return;
    const token = randomBytes(32).toString("base64url");
    const expiresAt = new Date(Date.now() + config.identity.passwordResetTtlMs);
    await withTransaction(pool, async (tx) => {
      await replaceResetToken(tx, { userId, email, tokenHash: hmac(token), expiresAt });
      await recordAudit(tx, {
        actor: { type: "system" },
        action: "auth.password_reset.requested",
        target: { type: "user", id: userId },
        requestId: ctx.requestId,
        ...(ctx.ip ? { ip: ctx.ip } : {}),
      });
    });
    await mailer({ kind: "link", to: email, resetUrl: `${origin}/reset-password#token=${token}`, expiresAt });
  }

  return {
    /** Whether a reset can work at all (the sign-in page offers it only then). */
    available: mailer !== undefined,

    async request(
      input: { email: string; captchaToken?: string | undefined },
      ctx: AuditContext,
    ): Promise<void> {
      if (!mailer) throw serviceUnavailable("email_delivery_unavailable", "This server cannot send email");
      if (config.identity.captcha) await verifyCaptcha(config.identity.captcha, input.captchaToken, ctx.ip);
      let allowed: boolean;
      try {
        const key = `${config.redis.keyPrefix}:reset-request:${hmac(`address:${input.email}`).toString("hex")}`;
        allowed = (await takeToken(redis, key, REQUEST_RULE)).allowed;
      } catch {
        throw serviceUnavailable("rate_limiter_unavailable", "Temporarily unavailable; try again shortly");
      }
      // Over the per-address limit the answer is the same: nobody learns whether mails went out.
      if (!allowed) {
        logger.warn({ requestId: ctx.requestId }, "password reset requests for one address over the limit");
        return;
      }
      const user = await findUserByEmail(pool, input.email);
      if (!user || user.disabledAt) return;
      issue(user.id, user.email, ctx).catch((error: unknown) =>
        logger.error(
          { err: error, userId: user.id, requestId: ctx.requestId },
          "password reset email failed",
        ),
      );
    },

    async reset(input: { token: string; newPassword: string }, ctx: AuditContext): Promise<void> {
      const passwordHash = await hashPassword(input.newPassword);
      const user = await withTransaction(pool, async (tx) => {
        const issued = await takeResetToken(tx, hmac(input.token));
        if (!issued || issued.expiresAt.getTime() <= Date.now()) return undefined;
        const found = await findUserById(tx, issued.userId);
        if (!found || found.disabledAt || found.email !== issued.email) return undefined;
        await updatePassword(tx, found.id, passwordHash);
        await deleteResetTokens(tx, found.id);
        const revoked = await revokeUserSessions(tx, found.id, "password_changed");
        // Following the mailed link proves the address, as the verification link would.
        await recordEmailVerified(tx, found.id, "password_reset", ctx);
        await recordAudit(tx, {
          actor: { type: "user", userId: found.id },
          action: "auth.password_reset",
          target: { type: "user", id: found.id },
          requestId: ctx.requestId,
          ...(ctx.ip ? { ip: ctx.ip } : {}),
          metadata: { sessionsRevoked: revoked },
        });
        return found;
      });
      if (!user) throw invalid();
      mailer?.({ kind: "done", to: user.email, signInUrl: `${origin}/sign-in` }).catch((error: unknown) =>
        logger.error(
          { err: error, userId: user.id, requestId: ctx.requestId },
          "password reset notice failed",
        ),
      );
    },
  };
}

export type PasswordResetService = ReturnType<typeof createPasswordResetService>;

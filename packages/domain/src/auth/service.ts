import type {
  changePasswordBody,
  loginBody,
  passwordResetBody,
  passwordResetRequestBody,
  signupBody,
} from "@nora/api-contract";
import {
  AppError,
  badRequest,
  type Config,
  type Logger,
  type Pool,
  type Queryable,
  type Redis,
  unauthorized,
  withTransaction,
} from "@nora/core";
import type { z } from "zod";
import { recordAudit } from "../audit/service.js";
import type { PasswordResetMailer, VerificationMailer } from "../invitations/mailer.js";
import { acceptLockedInvitation } from "../invitations/service.js";
import { verifyCaptcha } from "./captcha.js";
import { createEmailVerificationService } from "./email-verification.js";
import { createPasswordResetService } from "./password-reset.js";
import { burnVerification, hashPassword, verifyPassword } from "./passwords.js";
import {
  countUsers,
  findUserByEmail,
  findUserById,
  insertSession,
  insertUserClaimingIfFirst,
  listLiveSessions,
  lockClaim,
  type RevokeReason,
  revokeSession,
  revokeUserSessions,
  touchLogin,
  type UserRow,
  updatePassword,
} from "./repo.js";
import { signSessionToken } from "./session-token.js";
import { enforceSignupLimits } from "./signup-limits.js";
import { admitSignup, describeSignup } from "./signup-policy.js";

export interface RequestContext {
  requestId: string;
  ip?: string;
  userAgent?: string;
}

export interface IssuedSession {
  token: string;
  sessionId: string;
  absoluteExpiresAt: Date;
  user: PublicUser;
}

export interface PublicUser {
  id: string;
  email: string;
  role: "user" | "admin";
  displayName: string | null;
  emailVerified: boolean;
}

export const publicUser = (u: UserRow): PublicUser => ({
  id: u.id,
  email: u.email,
  role: u.role,
  displayName: u.displayName,
  emailVerified: u.emailVerified,
});

const invalidCredentials = () => new AppError(401, "invalid_credentials", "Email or password is incorrect");

export function createAuthService(deps: {
  config: Config;
  pool: Pool;
  redis: Redis;
  logger: Logger;
  /** Verification email delivery; defaults to SMTP when configured. */
  verificationMailer?: VerificationMailer;
  /** Password reset email delivery; defaults to SMTP when configured. */
  passwordResetMailer?: PasswordResetMailer;
}) {
  const { config, pool, redis } = deps;
  const verification = createEmailVerificationService({
    ...deps,
    ...(deps.verificationMailer ? { mailer: deps.verificationMailer } : {}),
  });
  const passwordReset = createPasswordResetService({
    ...deps,
    ...(deps.passwordResetMailer ? { mailer: deps.passwordResetMailer } : {}),
  });

  async function issueSession(user: UserRow, ctx: RequestContext, method: string): Promise<IssuedSession> {
    const now = Date.now();
    const absoluteExpiresAt = new Date(now + config.identity.sessionMaxAgeMs);
    const expiresAt = new Date(
      Math.min(now + config.identity.sessionIdleTimeoutMs, absoluteExpiresAt.getTime()),
    );
    const session = await withTransaction(pool, async (tx) => {
      const created = await insertSession(tx, {
        userId: user.id,
        expiresAt,
        absoluteExpiresAt,
        ip: ctx.ip ?? null,
        userAgent: ctx.userAgent ?? null,
      });
      await touchLogin(tx, user.id);
      await recordAudit(tx, {
        actor: { type: "user", userId: user.id },
        action: "auth.login",
        target: { type: "session", id: created.id },
        requestId: ctx.requestId,
        ...(ctx.ip ? { ip: ctx.ip } : {}),
        metadata: { method },
      });
      return created;
    });
    return {
      token: signSessionToken(config, { sid: session.id, sub: user.id }, absoluteExpiresAt),
      sessionId: session.id,
      absoluteExpiresAt,
      user: publicUser(user),
    };
  }

  return {
    issueSession,

    async bootstrapStatus() {
      const captcha = config.identity.captcha;
      return {
        ...(await describeSignup(pool, config)),
        signIn: {
          password: true,
          github: config.identity.oauth.github !== undefined,
          google: config.identity.oauth.google !== undefined,
        },
        captcha: captcha ? { provider: captcha.provider, siteKey: captcha.siteKey } : null,
        passwordReset: passwordReset.available,
      };
    },

    /**
     * Creates an account; the first one claims the server as platform admin. An address that already
     * has an account gets the very same answer (and similar timing), so signup cannot probe emails.
     */
    async signup(input: z.infer<typeof signupBody>, ctx: RequestContext): Promise<{ status: "ok" }> {
      await enforceSignupLimits(config, redis, ctx.ip ?? "unknown");
      if (config.identity.captcha) await verifyCaptcha(config.identity.captcha, input.captchaToken, ctx.ip);
      const passwordHash = await hashPassword(input.password);
      const created = await withTransaction(pool, async (tx) => {
        const admitted = await admitSignup(tx, config, {
          email: input.email,
          ...(input.invitationToken
            ? { path: "invitation", invitationToken: input.invitationToken }
            : { path: "password" }),
        });
        const user = await insertUserClaimingIfFirst(tx, {
          email: input.email,
          passwordHash,
          emailVerified: false,
          displayName: input.displayName ?? null,
        });
        if (!user) return undefined;
        await recordAudit(tx, {
          actor: { type: "user", userId: user.id },
          action: user.role === "admin" ? "platform.claimed" : "user.signed_up",
          target: { type: "user", id: user.id },
          requestId: ctx.requestId,
          ...(ctx.ip ? { ip: ctx.ip } : {}),
        });
        if (admitted.invitation) {
          await acceptLockedInvitation(tx, admitted.invitation, user.id, {
            actor: { type: "user", userId: user.id },
            requestId: ctx.requestId,
            ...(ctx.ip ? { ip: ctx.ip } : {}),
          });
        }
        return user;
      });
      if (created && !created.emailVerified) verification.sendAfterSignup(created, ctx);
      return { status: "ok" };
    },

    /** Same error and the same argon2 work for an unknown email, a wrong password or a disabled user. */
    async login(input: z.infer<typeof loginBody>, ctx: RequestContext): Promise<IssuedSession> {
      const user = await findUserByEmail(pool, input.email);
      if (!user?.passwordHash) {
        await burnVerification(input.password);
        throw invalidCredentials();
      }
      const ok = await verifyPassword(user.passwordHash, input.password);
      if (!ok || user.disabledAt) {
        if (user.disabledAt === null) {
          await recordAudit(pool, {
            actor: { type: "system" },
            action: "auth.login_failed",
            target: { type: "user", id: user.id },
            requestId: ctx.requestId,
            ...(ctx.ip ? { ip: ctx.ip } : {}),
          });
        }
        throw invalidCredentials();
      }
      return issueSession(user, ctx, "password");
    },

    async logout(userId: string, sessionId: string, ctx: RequestContext) {
      await withTransaction(pool, async (tx) => {
        await revokeSession(tx, sessionId, userId, "logout");
        await recordAudit(tx, {
          actor: { type: "user", userId },
          action: "auth.logout",
          target: { type: "session", id: sessionId },
          requestId: ctx.requestId,
          ...(ctx.ip ? { ip: ctx.ip } : {}),
        });
      });
    },

    async logoutAll(userId: string, ctx: RequestContext) {
      return withTransaction(pool, async (tx) => {
        const revoked = await revokeUserSessions(tx, userId, "logout_all");
        await recordAudit(tx, {
          actor: { type: "user", userId },
          action: "auth.logout_all",
          requestId: ctx.requestId,
          ...(ctx.ip ? { ip: ctx.ip } : {}),
          metadata: { revoked },
        });
        return revoked;
      });
    },

    /** Changes the password and ends every other session of the user at once. */
    async changePassword(
      userId: string,
      sessionId: string,
      input: z.infer<typeof changePasswordBody>,
      ctx: RequestContext,
    ) {
      const user = await findUserById(pool, userId);
      if (!user?.passwordHash || !(await verifyPassword(user.passwordHash, input.currentPassword))) {
        throw badRequest("invalid_current_password", "The current password is incorrect");
      }
      const passwordHash = await hashPassword(input.newPassword);
      await withTransaction(pool, async (tx) => {
        await updatePassword(tx, userId, passwordHash);
        const revoked = await revokeUserSessions(tx, userId, "password_changed", sessionId);
        await recordAudit(tx, {
          actor: { type: "user", userId },
          action: "auth.password_changed",
          target: { type: "user", id: userId },
          requestId: ctx.requestId,
          ...(ctx.ip ? { ip: ctx.ip } : {}),
          metadata: { otherSessionsRevoked: revoked },
        });
      });
    },

    verifyEmail: (userId: string, token: string, ctx: RequestContext) =>
      verification.verify(userId, token, ctx),

    resendVerification: (userId: string, ctx: RequestContext) => verification.resend(userId, ctx),

    requestPasswordReset: (input: z.infer<typeof passwordResetRequestBody>, ctx: RequestContext) =>
      passwordReset.request(input, ctx),

    resetPassword: (input: z.infer<typeof passwordResetBody>, ctx: RequestContext) =>
      passwordReset.reset(input, ctx),

    async me(userId: string) {
      const user = await findUserById(pool, userId);
      if (!user) throw unauthorized();
      return publicUser(user);
    },

    async listSessions(userId: string, currentSessionId: string) {
      const sessions = await listLiveSessions(pool, userId);
      return sessions.map((s) => ({
        id: s.id,
        current: s.id === currentSessionId,
        ip: s.ip,
        userAgent: s.userAgent,
        createdAt: s.createdAt,
        lastSeenAt: s.lastSeenAt,
        expiresAt: s.expiresAt,
      }));
    },

    async revokeOwnSession(userId: string, sessionId: string, ctx: RequestContext) {
      await withTransaction(pool, async (tx) => {
        if (!(await revokeSession(tx, sessionId, userId, "revoked")))
          throw new AppError(404, "not_found", "No such session");
        await recordAudit(tx, {
          actor: { type: "user", userId },
          action: "auth.session_revoked",
          target: { type: "session", id: sessionId },
          requestId: ctx.requestId,
          ...(ctx.ip ? { ip: ctx.ip } : {}),
        });
      });
    },

    /**
     * First boot with NORA_BOOTSTRAP_ADMIN_*: creates the admin. Once users exist the variables are
     * ignored, with a warning to unset them (a password in the environment is a liability).
     */
    async ensureBootstrapAdmin(): Promise<"created" | "ignored" | "not_configured"> {
      const bootstrap = config.identity.bootstrapAdmin;
      if (!bootstrap) return "not_configured";
      const passwordHash = await hashPassword(bootstrap.password);
      const created = await withTransaction(pool, async (tx) => {
        await lockClaim(tx);
        if ((await countUsers(tx)) > 0) return undefined;
        const user = await insertUserClaimingIfFirst(tx, {
          email: bootstrap.email,
          passwordHash,
          emailVerified: true,
        });
        if (user) {
          await recordAudit(tx, {
            actor: { type: "system" },
            action: "platform.bootstrap_admin_created",
            target: { type: "user", id: user.id },
          });
        }
        return user;
      });
      if (created) {
        deps.logger.info(
          { email: bootstrap.email },
          "bootstrap admin created; unset NORA_BOOTSTRAP_ADMIN_* now",
        );
        return "created";
      }
      deps.logger.warn(
        "NORA_BOOTSTRAP_ADMIN_EMAIL/NORA_BOOTSTRAP_ADMIN_PASSWORD are ignored because users exist; unset them",
      );
      return "ignored";
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;

/* Operations other domains run inside their own transactions (they never reach this domain's repo). */

/** Ends every live session of a user (admin disabling an account); returns how many were live. */
export const revokeSessionsOf = (db: Queryable, userId: string, reason: RevokeReason) =>
  revokeUserSessions(db, userId, reason);

export const userById = (db: Queryable, userId: string) => findUserById(db, userId);

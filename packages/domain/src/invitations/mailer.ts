import type { ConnectionOptions } from "node:tls";
import { type Config, smtpTlsOptions } from "@nora/core";
import nodemailer from "nodemailer";

/**
 * The platform's SMTP transport (SMTP_* variables), shared by every mail Nora sends; undefined when SMTP
 * is not configured. The login travels only over TLS unless SMTP_ALLOW_INSECURE_AUTH is set
 * (smtpTlsOptions); `tls` adds connection options (tests trust their own server's CA with it).
 */
function platformTransport(config: Config, tls?: ConnectionOptions) {
  const smtp = config.identity.smtp;
  if (!smtp) return undefined;
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    ...smtpTlsOptions(
      { secure: smtp.secure, allowInsecureAuth: smtp.allowInsecureAuth, authenticates: Boolean(smtp.user) },
      tls,
    ),
    ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? "" } } : {}),
  });
  return { smtp, transport };
}

export interface InvitationMail {
  to: string;
  workspaceName: string;
  inviterEmail: string;
  acceptUrl: string;
  expiresAt: Date;
}

export type Mailer = (mail: InvitationMail) => Promise<void>;

/** A mailer over the platform SMTP transport that writes each mail with `compose`. */
function platformMailer<M extends { to: string }>(
  config: Config,
  tls: ConnectionOptions | undefined,
  compose: (mail: M) => { subject: string; lines: string[] },
): ((mail: M) => Promise<void>) | undefined {
  const platform = platformTransport(config, tls);
  if (!platform) return undefined;
  const { smtp, transport } = platform;
  return async (mail) => {
    const { subject, lines } = compose(mail);
    await transport.sendMail({ from: smtp.from, to: mail.to, subject, text: lines.join("\n") });
  };
}

/** SMTP delivery of invitations; undefined when SMTP is not configured (the link is shown to the inviter). */
export function createMailer(config: Config, tls?: ConnectionOptions): Mailer | undefined {
  return platformMailer<InvitationMail>(config, tls, (mail) => ({
    subject: `You are invited to ${mail.workspaceName} on Nora`,
    lines: [
      `${mail.inviterEmail} invited you to the workspace "${mail.workspaceName}" on Nora.`,
      "",
      `Accept the invitation (sign in with ${mail.to}): ${mail.acceptUrl}`,
      "",
      `The link expires on ${mail.expiresAt.toUTCString()} and works once.`,
    ],
  }));
}

export interface VerificationMail {
  to: string;
  verifyUrl: string;
  expiresAt: Date;
}

export type VerificationMailer = (mail: VerificationMail) => Promise<void>;

/** SMTP delivery of email verification links; undefined when SMTP is not configured. */
export function createVerificationMailer(
  config: Config,
  tls?: ConnectionOptions,
): VerificationMailer | undefined {
  return platformMailer<VerificationMail>(config, tls, (mail) => ({
    subject: "Confirm your email address for Nora",
    lines: [
      `Someone created a Nora account with ${mail.to}, or asked to confirm it.`,
      "",
      `If that was you, sign in and confirm the address: ${mail.verifyUrl}`,
      "",
      `The link expires on ${mail.expiresAt.toUTCString()} and works once.`,
      "If you did not create this account, ignore this email: the address stays unconfirmed.",
    ],
  }));
}

export type PasswordResetMail =
  | { kind: "link"; to: string; resetUrl: string; expiresAt: Date }
  | { kind: "done"; to: string; signInUrl: string };

export type PasswordResetMailer = (mail: PasswordResetMail) => Promise<void>;

/** SMTP delivery of reset links and of the notice that the password was reset; undefined without SMTP. */
export function createPasswordResetMailer(
  config: Config,
  tls?: ConnectionOptions,
): PasswordResetMailer | undefined {
  return platformMailer<PasswordResetMail>(config, tls, (mail) =>
    mail.kind === "link"
      ? {
          subject: "Reset your Nora password",
          lines: [
            `Someone asked to reset the password of the Nora account ${mail.to}.`,
            "",
            `If that was you, choose a new password here: ${mail.resetUrl}`,
            "",
            `The link expires on ${mail.expiresAt.toUTCString()} and works once.`,
            "If you did not ask, ignore this email: your password stays as it is.",
          ],
        }
      : {
          subject: "Your Nora password was reset",
          lines: [
            `The password of the Nora account ${mail.to} was just reset, and every session was signed out.`,
            "",
            `Sign in: ${mail.signInUrl}`,
            "",
            "If you did not do this, reset it again at once and tell your Nora administrator.",
          ],
        },
  );
}

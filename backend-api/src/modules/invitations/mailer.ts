import type { ConnectionOptions } from "node:tls";
import type { Config } from "@nora/core";
import nodemailer from "nodemailer";
import { smtpTlsOptions } from "../../http/outbound/smtp.js";

export interface InvitationMail {
  to: string;
  workspaceName: string;
  inviterEmail: string;
  acceptUrl: string;
  expiresAt: Date;
}

export type Mailer = (mail: InvitationMail) => Promise<void>;

/**
 * SMTP delivery of invitations; undefined when SMTP is not configured (the link is shown to the inviter).
 * The login travels only over TLS unless SMTP_ALLOW_INSECURE_AUTH is set (smtpTlsOptions); `tls` adds
 * connection options (tests trust their own server's CA with it).
 */
export function createMailer(config: Config, tls?: ConnectionOptions): Mailer | undefined {
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
  return async (mail) => {
    await transport.sendMail({
      from: smtp.from,
      to: mail.to,
      subject: `You are invited to ${mail.workspaceName} on Nora`,
      text: [
        `${mail.inviterEmail} invited you to the workspace "${mail.workspaceName}" on Nora.`,
        "",
        `Accept the invitation (sign in with ${mail.to}): ${mail.acceptUrl}`,
        "",
        `The link expires on ${mail.expiresAt.toUTCString()} and works once.`,
      ].join("\n"),
    });
  };
}

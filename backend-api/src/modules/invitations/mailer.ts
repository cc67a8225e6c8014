import type { Config } from "@nora/core";
import nodemailer from "nodemailer";

export interface InvitationMail {
  to: string;
  workspaceName: string;
  inviterEmail: string;
  acceptUrl: string;
  expiresAt: Date;
}

export type Mailer = (mail: InvitationMail) => Promise<void>;

/** SMTP delivery of invitations; undefined when SMTP is not configured (the link is shown to the inviter). */
export function createMailer(config: Config): Mailer | undefined {
  const smtp = config.identity.smtp;
  if (!smtp) return undefined;
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
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

export interface VerificationMail {
  to: string;
  verifyUrl: string;
  expiresAt: Date;
}

export type VerificationMailer = (mail: VerificationMail) => Promise<void>;

/** SMTP delivery of email verification links; undefined when SMTP is not configured. */
export function createVerificationMailer(config: Config): VerificationMailer | undefined {
  const smtp = config.identity.smtp;
  if (!smtp) return undefined;
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? "" } } : {}),
  });
  return async (mail) => {
    await transport.sendMail({
      from: smtp.from,
      to: mail.to,
      subject: "Confirm your email address for Nora",
      text: [
        `Someone created a Nora account with ${mail.to}, or asked to confirm it.`,
        "",
        `If that was you, sign in and confirm the address: ${mail.verifyUrl}`,
        "",
        `The link expires on ${mail.expiresAt.toUTCString()} and works once.`,
        "If you did not create this account, ignore this email: the address stays unconfirmed.",
      ].join("\n"),
    });
  };
}

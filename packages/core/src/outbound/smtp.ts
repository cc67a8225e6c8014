import type { ConnectionOptions } from "node:tls";

/** How an SMTP connection is secured, as configured (platform SMTP_* variables or an SMTP integration). */
export interface SmtpSecurity {
  /** Implicit TLS from the first byte (port 465). */
  secure: boolean;
  /** The operator's explicit, warned-about choice to send a login in clear text. */
  allowInsecureAuth: boolean;
  /** Whether the connection logs in (a user is configured). */
  authenticates: boolean;
}

/**
 * nodemailer's TLS options for every SMTP connection Nora makes. A login travels only inside TLS:
 * implicit TLS, or STARTTLS, which is then required (a server that offers none fails before AUTH is
 * sent), unless the operator explicitly allows clear text. `tls` adds connection options (the name to
 * verify the certificate against; in tests, the CA that signed the test server's certificate).
 */
export function smtpTlsOptions(security: SmtpSecurity, tls?: ConnectionOptions) {
  return {
    secure: security.secure,
    requireTLS: !security.secure && security.authenticates && !security.allowInsecureAuth,
    ...(tls ? { tls } : {}),
  };
}

/** A short, internals-free description of an SMTP failure (nodemailer's error code and command). */
export function smtpFailure(error: unknown): { error: string; message: string } {
  const e = (error ?? {}) as {
    code?: string;
    command?: string;
    responseCode?: number;
    /** The socket's own code, e.g. DEPTH_ZERO_SELF_SIGNED_CERT or ERR_TLS_CERT_ALTNAME_INVALID. */
    originalCode?: string;
  };
  if (e.code === "EAUTH") return { error: "unauthorized", message: "The server refused the login" };
  if (e.code === "ETIMEDOUT") return { error: "timeout", message: "The SMTP server did not answer in time" };
  // The server answered STARTTLS with an error (it offers none); a failed handshake has no answer.
  if (e.code === "ETLS" && e.command === "STARTTLS" && typeof e.responseCode === "number") {
    return {
      error: "tls_required",
      message:
        "The server offers no STARTTLS, and Nora sends a login only over TLS (use implicit TLS, enable STARTTLS on the server, or allow insecure auth explicitly)",
    };
  }
  if (e.code === "ETLS" || /CERT|SSL|TLS|SIGN/.test(e.originalCode ?? "")) {
    return {
      error: "tls_failed",
      message: "TLS with the SMTP server failed (untrusted certificate or handshake)",
    };
  }
  return { error: "smtp_error", message: `SMTP check failed${e.code ? ` (${e.code})` : ""}` };
}

import { createHmac, randomUUID } from "node:crypto";
import { isIP } from "node:net";
import {
  OutboundError,
  type OutboundOptions,
  type OutboundResponse,
  outboundFetch,
  resolveCheckedHost,
  smtpFailure,
  smtpTlsOptions,
} from "@nora/core";
import nodemailer from "nodemailer";
import { DEFAULT_API_URLS } from "./catalog.js";

export interface IntegrationProbeResult {
  ok: boolean;
  /** The remote HTTP status (or SMTP reply code), or null when nothing answered. */
  status: number | null;
  /** Who the credentials belong to, as the service names it (login, bot user name, team). */
  account?: string;
  error?: string;
  message?: string;
}

type Values = Record<string, unknown>;
const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const trimSlash = (s: string) => s.replace(/\/+$/, "");

function jsonOf(res: OutboundResponse): Values | undefined {
  try {
    const body = res.json();
    return body && typeof body === "object" ? (body as Values) : undefined;
  } catch {
    return undefined;
  }
}

function httpFailure(res: OutboundResponse): IntegrationProbeResult {
  if (res.status === 401 || res.status === 403) {
    return {
      ok: false,
      status: res.status,
      error: "unauthorized",
      message: "The service refused the credentials",
    };
  }
  return {
    ok: false,
    status: res.status,
    error: "http_error",
    message: `The service answered ${res.status}`,
  };
}

/** Signs a webhook body: `X-Nora-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  const mac = createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
  return `t=${timestamp},v1=${mac}`;
}

/**
 * A live check of one integration or channel, through the SSRF guard, with a short timeout. Never
 * throws for remote or network trouble; never puts a secret in the result (messages name hosts and
 * statuses only, and a Telegram token, which lives in the URL path, never appears in one).
 */
export async function probeIntegration(
  kind: string,
  config: Values,
  credentials: Values,
  outbound: OutboundOptions,
  timeoutMs = 5_000,
): Promise<IntegrationProbeResult> {
  const call = (url: string, init: Parameters<typeof outboundFetch>[1] = {}) =>
    outboundFetch(url, { timeoutMs, ...init }, outbound);
  try {
    switch (kind) {
      case "github": {
        const base = trimSlash(str(config.apiUrl) ?? DEFAULT_API_URLS.github);
        const res = await call(`${base}/user`, {
          headers: {
            authorization: `Bearer ${str(credentials.token)}`,
            accept: "application/vnd.github+json",
            "x-github-api-version": "2022-11-28",
          },
        });
        if (res.status !== 200) return httpFailure(res);
        const login = str(jsonOf(res)?.login);
        return login
          ? { ok: true, status: res.status, account: login }
          : { ok: false, status: res.status, error: "invalid_response", message: "No login in the answer" };
      }
      case "slack": {
        const base = trimSlash(str(config.apiUrl) ?? DEFAULT_API_URLS.slack);
        const res = await call(`${base}/auth.test`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${str(credentials.botToken)}`,
            "content-type": "application/x-www-form-urlencoded",
          },
          body: "",
        });
        if (res.status !== 200) return httpFailure(res);
        const body = jsonOf(res);
        if (body?.ok !== true) {
          const code = str(body?.error);
          return {
            ok: false,
            status: res.status,
            error: code === "invalid_auth" || code === "not_authed" ? "unauthorized" : "slack_error",
            message: code ? `Slack answered ${code.slice(0, 60)}` : "Slack refused the token",
          };
        }
        const team = str(body.team);
        const user = str(body.user);
        return { ok: true, status: res.status, account: [team, user].filter(Boolean).join(" / ") || "ok" };
      }
      case "telegram": {
        const base = trimSlash(str(config.apiUrl) ?? DEFAULT_API_URLS.telegram);
        // The token is part of Telegram's URL; the catalog's pattern keeps it a single path segment.
        const res = await call(`${base}/bot${str(credentials.botToken)}/getMe`);
        const body = jsonOf(res);
        if (res.status !== 200 || body?.ok !== true) return httpFailure(res);
        const username = str((body.result as Values | undefined)?.username);
        return { ok: true, status: res.status, ...(username ? { account: `@${username}` } : {}) };
      }
      case "discord": {
        const base = trimSlash(str(config.apiUrl) ?? DEFAULT_API_URLS.discord);
        const res = await call(`${base}/users/@me`, {
          headers: { authorization: `Bot ${str(credentials.botToken)}` },
        });
        if (res.status !== 200) return httpFailure(res);
        const username = str(jsonOf(res)?.username);
        return { ok: true, status: res.status, ...(username ? { account: username } : {}) };
      }
      case "webhook": {
        const body = JSON.stringify({
          type: "nora.ping",
          id: randomUUID(),
          sentAt: new Date().toISOString(),
        });
        const secret = str(credentials.secret);
        const timestamp = Math.floor(Date.now() / 1000);
        const res = await call(str(config.url) as string, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-nora-event": "ping",
            ...(secret ? { "x-nora-signature": webhookSignature(secret, timestamp, body) } : {}),
          },
          body,
          maxBytes: 64 * 1024,
        });
        return res.status >= 200 && res.status < 300 ? { ok: true, status: res.status } : httpFailure(res);
      }
      case "smtp":
        return await probeSmtp(config, credentials, outbound, timeoutMs);
      default:
        return { ok: false, status: null, error: "not_testable", message: `No test for ${kind}` };
    }
  } catch (error) {
    if (error instanceof OutboundError) {
      return { ok: false, status: error.status ?? null, error: error.code, message: error.message };
    }
    throw error;
  }
}

/** SMTP verify (connect, EHLO, STARTTLS when offered, AUTH), pinned to the checked address. */
async function probeSmtp(
  config: Values,
  credentials: Values,
  outbound: OutboundOptions,
  timeoutMs: number,
): Promise<IntegrationProbeResult> {
  const destination = await resolveCheckedHost(str(config.host) as string, outbound);
  const host = destination.hostname;
  const user = str(config.user);
  const transport = nodemailer.createTransport({
    host: destination.address,
    port: Number(config.port),
    ...smtpTlsOptions(
      {
        secure: config.secure === true,
        allowInsecureAuth: config.allowInsecureAuth === true,
        authenticates: user !== undefined,
      },
      {
        // TLS verifies the configured name, not the address we pinned to.
        ...(isIP(host) ? {} : { servername: host }),
        ...(outbound.trustedCa ? { ca: outbound.trustedCa } : {}),
      },
    ),
    ...(user ? { auth: { user, pass: str(credentials.password) ?? "" } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
    name: "nora",
    logger: false,
    debug: false,
  });
  try {
    await transport.verify();
    return { ok: true, status: 250, account: user ?? host };
  } catch (error) {
    const e = error as { responseCode?: number };
    return {
      ok: false,
      status: typeof e.responseCode === "number" ? e.responseCode : null,
      ...smtpFailure(error),
    };
  } finally {
    transport.close();
  }
}

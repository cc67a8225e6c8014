import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";

/** Headers of one connection, never of the message (RFC 9110 §7.6.1), plus the proxy family. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "proxy-connection",
]);

/** The names a `Connection` header lists: hop-by-hop too, whatever they are. */
function connectionListed(headers: IncomingHttpHeaders): Set<string> {
  const value = headers.connection;
  if (typeof value !== "string") return new Set();
  return new Set(
    value
      .split(",")
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  );
}

function isHopByHop(name: string, listed: Set<string>): boolean {
  return HOP_BY_HOP.has(name) || name.startsWith("proxy-") || listed.has(name);
}

/**
 * From the browser, never forwarded: its credentials for Nora (the session cookie, a `nora_` key),
 * forwarding claims it made itself (Nora sets its own), and Nora's own headers.
 */
const REQUEST_DROPPED = new Set([
  "authorization",
  "cookie",
  "host",
  "forwarded",
  "x-real-ip",
  "x-request-id",
  "content-length",
]);

export interface ForwardedFor {
  /** The client address as the API judged it (trust proxy), Nora's public URL, the public prefix. */
  clientIp: string;
  publicUrl: URL;
  prefix: string;
}

/** The request headers the upstream receives. */
export function upstreamRequestHeaders(
  incoming: IncomingHttpHeaders,
  added: {
    host: string;
    requestId: string;
    authorization: string;
    /** Absent: no forwarding headers at all (OpenClaw refuses forwarded claims from an untrusted peer). */
    forwarded?: ForwardedFor | undefined;
    contentLength: number | null;
  },
): OutgoingHttpHeaders {
  const listed = connectionListed(incoming);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    if (isHopByHop(name, listed) || REQUEST_DROPPED.has(name)) continue;
    if (name.startsWith("x-forwarded-") || name.startsWith("x-nora-")) continue;
    out[name] = value;
  }
  const { forwarded } = added;
  out.host = added.host;
  out.authorization = added.authorization;
  if (forwarded) {
    out["x-forwarded-for"] = forwarded.clientIp;
    out["x-forwarded-proto"] = forwarded.publicUrl.protocol.slice(0, -1);
    out["x-forwarded-host"] = forwarded.publicUrl.host;
    out["x-forwarded-prefix"] = forwarded.prefix;
  }
  out["x-request-id"] = added.requestId;
  if (added.contentLength !== null) out["content-length"] = String(added.contentLength);
  return out;
}

/**
 * From the upstream, never passed on: cookies (an agent may not set any on Nora's origin: Nora's session
 * cookie lives there), every header Nora's own security set decides (its value stays Nora's), CORS
 * (Nora's policy), and headers that would reach beyond the prefix: `Clear-Site-Data` (would wipe Nora's
 * session), `Service-Worker-Allowed` (would widen a worker's scope past the prefix), `Alt-Svc`,
 * `Refresh`. `Content-Security-Policy` is handled apart (proxyContentSecurityPolicy).
 */
const RESPONSE_DROPPED = new Set([
  "set-cookie",
  "set-cookie2",
  "clear-site-data",
  "service-worker-allowed",
  "alt-svc",
  "refresh",
  "strict-transport-security",
  "public-key-pins",
  "x-frame-options",
  "x-content-type-options",
  "x-xss-protection",
  "x-dns-prefetch-control",
  "x-download-options",
  "x-permitted-cross-domain-policies",
  "referrer-policy",
  "cross-origin-opener-policy",
  "cross-origin-resource-policy",
  "cross-origin-embedder-policy",
  "origin-agent-cluster",
  "permissions-policy",
  "cache-control",
  "expires",
  "pragma",
  "content-security-policy",
  "content-security-policy-report-only",
  "x-powered-by",
  "server",
  "location",
  "content-length",
]);

/** The upstream's response headers that pass, as they came (Location and the CSP are the caller's). */
export function passedResponseHeaders(incoming: IncomingHttpHeaders): Record<string, string | string[]> {
  const listed = connectionListed(incoming);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    if (isHopByHop(name, listed) || RESPONSE_DROPPED.has(name)) continue;
    if (name.startsWith("access-control-") || name.startsWith("x-nora-")) continue;
    out[name] = value;
  }
  return out;
}

/**
 * The CSP of a proxied answer, instead of the API's (which allows no script). Enough for an agent's web
 * UI (its scripts, inline ones included, styles, images, its WebSocket on this origin), nothing from
 * anywhere else, and framed by Nora's own pages only. The upstream's own policy, when it sends one, is
 * sent beside it: a browser enforces both, so the upstream can only tighten (OpenClaw's lists its inline
 * scripts by hash and forbids framing altogether).
 */
export const PROXY_CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' data: blob:",
  "font-src 'self' data:",
  // `data:`: OpenClaw's Control UI fetches its inlined icons as data: URLs (no network involved).
  "connect-src 'self' data:",
  "worker-src 'self'",
  "frame-src 'self'",
  "frame-ancestors 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join("; ");

/**
 * The CSP of every proxied answer while agents' web UIs are off (GATEWAY_PROXY_WEB_UIS): a page an
 * agent serves is rendered sandboxed (an opaque origin: no script, no access to Nora's origin), so an
 * agent cannot run code as the operator; machine clients, which ignore the CSP, are unaffected.
 */
export const SANDBOXED_PROXY_CSP = "sandbox; default-src 'none'; frame-ancestors 'none'";

export function proxyContentSecurityPolicy(incoming: IncomingHttpHeaders): string[] {
  const upstream = incoming["content-security-policy"];
  const theirs = upstream === undefined ? [] : Array.isArray(upstream) ? upstream : [upstream];
  return [PROXY_CSP, ...theirs.filter((value) => value.trim() !== "")];
}

import { type BlockList, isIP, isIPv6 } from "node:net";
import { forbiddenReason, type OutboundPolicy, parseAllowlist } from "./address-policy.js";
import { OutboundError } from "./errors.js";

/**
 * The one parser and the one no-DNS policy for every destination an operator types, used when it is
 * saved and again on every call (before DNS). Hosts go through the WHATWG URL host parser, for URL hosts
 * and bare hosts (SMTP) alike, so every spelling of an address (`2130706433`, `0x7f000001`,
 * `0177.0.0.1`, `127.1`, `0`, `127。0。0。1`, `[::ffff:7f00:1]`, fullwidth or upper-case `localhost`)
 * is judged as the address or name it stands for.
 */

const LOCALHOST = /(^|\.)localhost\.?$/i;
// Characters that would make a "bare host" more than a host (a port, a path, credentials, a query).
const NOT_IN_A_BARE_HOST = /[\s/\\?#@]/;

/** Parses and checks the syntax of an outbound URL: http(s) only, no credentials. */
export function parseOutboundUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new OutboundError("invalid_url", "Not a valid URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new OutboundError("invalid_url", "Only http and https URLs are allowed");
  }
  if (url.username || url.password) {
    throw new OutboundError("invalid_url", "URLs may not carry credentials");
  }
  if (!url.hostname) throw new OutboundError("invalid_url", "URL has no host");
  return url;
}

/** A URL's host as the policy sees it: the parser's canonical form, without IPv6 brackets. */
export const hostOfUrl = (url: URL) => url.hostname.replace(/^\[|\]$/g, "");

/**
 * Parses a bare host (a name, an IPv4 address in any spelling, an IPv6 address with or without
 * brackets) exactly as a URL's host is parsed, and returns its canonical form.
 */
export function parseHost(text: string): string {
  const trimmed = text.trim();
  const invalid = () => new OutboundError("invalid_url", "Not a valid host name or address");
  const bracketed = isIPv6(trimmed) ? `[${trimmed}]` : trimmed;
  if (!bracketed || NOT_IN_A_BARE_HOST.test(bracketed)) throw invalid();
  if (bracketed.includes(":") && !/^\[[^\]]*\]$/.test(bracketed)) throw invalid();
  let url: URL;
  try {
    url = new URL(`http://${bracketed}/`);
  } catch {
    throw invalid();
  }
  if (url.port !== "" || url.pathname !== "/" || !url.hostname) throw invalid();
  return hostOfUrl(url);
}

const allowlists = new WeakMap<readonly string[], BlockList>();
export function allowlistOf(policy: OutboundPolicy): BlockList {
  let list = allowlists.get(policy.allowedCidrs);
  if (!list) {
    list = parseAllowlist(policy.allowedCidrs);
    allowlists.set(policy.allowedCidrs, list);
  }
  return list;
}

/**
 * Why a canonical host (from `parseHost` or `hostOfUrl`) may not be reached, as far as that can be
 * told without DNS: a literal address the policy refuses, or a `localhost` name. Undefined otherwise.
 */
export function hostProblem(host: string, policy: OutboundPolicy): string | undefined {
  const allowlist = allowlistOf(policy);
  if (isIP(host)) {
    const why = forbiddenReason(host, allowlist);
    return why ? `${host} is a ${why} address` : undefined;
  }
  if (LOCALHOST.test(host)) {
    const why = forbiddenReason("127.0.0.1", allowlist) && forbiddenReason("::1", allowlist);
    return why ? `${host} is a loopback name` : undefined;
  }
  return undefined;
}

const forbidden = (problem: string) =>
  new OutboundError(
    "destination_forbidden",
    `${problem}; allowlist it in NORA_OUTBOUND_ALLOWED_CIDRS to reach it`,
  );

/** Parses a bare host and applies the no-DNS policy; returns the canonical host or throws OutboundError. */
export function checkHost(text: string, policy: OutboundPolicy): string {
  const host = parseHost(text);
  const problem = hostProblem(host, policy);
  if (problem) throw forbidden(problem);
  return host;
}

/** Parses an outbound URL and applies the no-DNS policy to its host; throws OutboundError. */
export function checkUrl(text: string, policy: OutboundPolicy): URL {
  const url = parseOutboundUrl(text);
  const problem = hostProblem(hostOfUrl(url), policy);
  if (problem) throw forbidden(problem);
  return url;
}

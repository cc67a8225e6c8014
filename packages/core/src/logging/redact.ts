export const REDACTED = "[redacted]";

const EXACT_NAMES = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "password",
  "apikey",
  "x-api-key",
]);
const SUFFIXES = [
  "password",
  "secret",
  "token",
  "apikey",
  "_key",
  "-key",
  "privatekey",
  "passphrase",
  "credentials",
];

/**
 * True when a field or header name is one whose value must never reach a log:
 * `*_PASSWORD`, `*_SECRET`, `*_KEY`, `*_TOKEN`, authorization, cookies, apiKey and camelCase relatives.
 */
export function isSensitiveName(name: string): boolean {
  const lower = name.toLowerCase();
  if (EXACT_NAMES.has(lower)) return true;
  return SUFFIXES.some((suffix) => lower.endsWith(suffix));
}

const MAX_DEPTH = 12;

/**
 * Returns `value` with sensitive fields replaced. Copy-on-write: objects with nothing to redact are
 * returned as they are, so the common log line costs a scan, not a copy. Non-plain objects
 * (Buffers, Dates, Errors, sockets) are left intact.
 */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return "[depth limit]";
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const inner = redactDeep(value[i], depth + 1);
      if (inner !== value[i]) {
        copy ??= value.slice();
        copy[i] = inner;
      }
    }
    return copy ?? value;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key in value) {
    const inner = (value as Record<string, unknown>)[key];
    const replaced = isSensitiveName(key) ? REDACTED : redactDeep(inner, depth + 1);
    if (replaced !== inner) {
      copy ??= { ...(value as Record<string, unknown>) };
      copy[key] = replaced;
    }
  }
  return copy ?? value;
}

// Query parameter names whose values are credentials, exactly or by prefix (case-insensitive), on top of
// the field names above (`*_token`, `*_key`, `*secret`, `*password`...).
const QUERY_EXACT = new Set([
  "token",
  "code",
  "state",
  "key",
  "secret",
  "jwt",
  "session",
  "signature",
  "sig",
]);
const QUERY_PREFIXES = ["pass", "auth"];

/** True when a URL query parameter of this name must not reach a log. */
export function isSensitiveQueryName(name: string): boolean {
  const lower = name.toLowerCase();
  return (
    QUERY_EXACT.has(lower) ||
    QUERY_PREFIXES.some((prefix) => lower.startsWith(prefix)) ||
    isSensitiveName(name)
  );
}

function redactParams(query: string): string | undefined {
  const params = new URLSearchParams(query);
  let changed = false;
  for (const key of new Set(params.keys())) {
    if (isSensitiveQueryName(key)) {
      params.set(key, REDACTED);
      changed = true;
    }
  }
  return changed ? params.toString() : undefined;
}

/**
 * Redacts the values of sensitive query parameters in a URL or request path (`/x?token=abc`,
 * `https://host/cb?code=…`), and in a fragment written as parameters (`#access_token=…`). Every URL a
 * log line carries goes through here: the request URL, Referer, redirect targets, URLs inside errors.
 */
export function redactUrl(url: string): string {
  const hash = url.indexOf("#");
  const beforeHash = hash === -1 ? url : url.slice(0, hash);
  let fragment = hash === -1 ? undefined : url.slice(hash + 1);
  const q = beforeHash.indexOf("?");
  let out = beforeHash;
  if (q !== -1) {
    const redacted = redactParams(beforeHash.slice(q + 1));
    if (redacted !== undefined) out = `${beforeHash.slice(0, q)}?${redacted}`;
  }
  if (fragment?.includes("=")) fragment = redactParams(fragment) ?? fragment;
  return fragment === undefined ? out : `${out}#${fragment}`;
}

// An absolute URL, or a path with a query, inside free text (an error message, a stack).
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+|(?<![\w/])\/[^\s"'<>`?#]*[?#][^\s"'<>`]+/gi;

/** Redacts every URL found in a piece of text. */
export function redactUrlsIn(text: string): string {
  return text.includes("?") || text.includes("#") ? text.replace(URL_IN_TEXT, redactUrl) : text;
}

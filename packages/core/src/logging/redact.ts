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

/** Redacts the values of sensitive query parameters in a request path such as `/x?token=abc`. */
export function redactUrl(url: string): string {
  const q = url.indexOf("?");
  if (q === -1) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  let changed = false;
  for (const key of new Set(params.keys())) {
    if (isSensitiveName(key) || /^(code|state|sig|signature|key)$/i.test(key)) {
      params.set(key, REDACTED);
      changed = true;
    }
  }
  return changed ? `${url.slice(0, q)}?${params.toString()}` : url;
}

import { z } from "zod";

/**
 * The primitives every request schema builds on. Browser-safe: this module imports zod and nothing
 * else, so request schemas can move to a browser package unchanged.
 *
 * Every string primitive refuses lone UTF-16 surrogates (they cannot be stored as UTF-8 without being
 * silently replaced) and has a maximum length; text primitives also refuse control characters. Names
 * and descriptions are NFC-normalised, so "é" typed two ways is one name; opaque values (tokens,
 * secrets, passwords) are kept exactly as sent.
 */

/** A high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// C0 controls, DEL and C1 controls, plus the Unicode line and paragraph separators.
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const SINGLE_LINE_FORBIDDEN = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/;
// The same, but tab, line feed and carriage return are allowed.
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const MULTI_LINE_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const NUL = "\u0000";

export const hasLoneSurrogate = (value: string): boolean => LONE_SURROGATE.test(value);

interface TextOptions {
  max: number;
  min?: number;
  /** Strip surrounding whitespace before the length checks (where a field is a name people type). */
  trim?: boolean;
}

function text(forbidden: RegExp, what: string, options: TextOptions): z.ZodString {
  let schema = z
    .string()
    .refine((v) => !hasLoneSurrogate(v), "must be valid Unicode (no lone surrogates)")
    .refine((v) => !forbidden.test(v), `must not contain ${what}`);
  if (options.trim) schema = schema.trim();
  schema = schema.normalize("NFC").max(options.max);
  return options.min === undefined ? schema : schema.min(options.min);
}

/** One line of text (a name, a title): no control characters or line breaks. */
export function singleLineText(options: TextOptions): z.ZodString {
  return text(SINGLE_LINE_FORBIDDEN, "control characters or line breaks", options);
}

/** Free text over several lines (a description): tab, LF and CR allowed, other controls refused. */
export function multiLineText(options: TextOptions): z.ZodString {
  return text(MULTI_LINE_FORBIDDEN, "control characters", options);
}

/** An opaque value (token, secret, password) kept exactly as sent: no NUL, no lone surrogates, bounded. */
export function opaqueText(options: { max: number; min?: number }): z.ZodString {
  const schema = z
    .string()
    .refine((v) => !hasLoneSurrogate(v), "must be valid Unicode (no lone surrogates)")
    .refine((v) => !v.includes(NUL), "must not contain NUL")
    .max(options.max);
  return options.min === undefined ? schema : schema.min(options.min);
}

/** PostgreSQL's integer ranges, for the columns a number ends up in. */
export const PG_INT4_MAX = 2_147_483_647;
export const PG_INT8_MAX = 9_223_372_036_854_775_807n;

/** An integer in a JSON body; the range is required, and never wider than an int4 column. */
export function boundedInt(options: { min: number; max: number }): z.ZodNumber {
  return z
    .number()
    .int()
    .min(Math.max(options.min, -PG_INT4_MAX - 1))
    .max(Math.min(options.max, PG_INT4_MAX));
}

/** An integer in a query string ("42"): decimal digits only, in range, never wider than int4. */
export function queryInt(options: { min: number; max: number }) {
  return z
    .string()
    .max(11)
    .regex(/^-?\d+$/, "must be an integer")
    .transform(Number)
    .pipe(boundedInt(options));
}

/** A bigint id in a query string (an int8 keyset cursor): digits, within int8. */
export function queryInt8Id() {
  return z
    .string()
    .max(19)
    .refine((v) => /^\d{1,19}$/.test(v) && BigInt(v) <= PG_INT8_MAX, "must be an integer within int8");
}

/**
 * The range a `timestamptz` holds that a JavaScript Date can express: from 4714-11-24 BC (PostgreSQL's
 * lower bound) to +275760-09-13 (the Date maximum, within PostgreSQL's upper bound).
 */
export const PG_TIMESTAMPTZ_MIN = new Date("-004713-11-24T00:00:00.000Z");
export const JS_DATE_MAX = new Date(8.64e15);

// ISO 8601: a date, optionally a time (seconds and fraction optional) and a zone; years may be expanded.
const ISO_8601 = /^[+-]?\d{4,6}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;

/** A point in time in a query string, in ISO 8601, within timestamptz's range. */
export function queryDate() {
  return z
    .string()
    .max(40)
    .regex(ISO_8601, "must be an ISO 8601 date or time")
    .transform((v) => new Date(v))
    .pipe(z.date().min(PG_TIMESTAMPTZ_MIN).max(JS_DATE_MAX));
}

/*
 * Browser-safe shared lists: what the API, the workers and the apps all name the same way.
 */

/** The scopes an API key can hold (docs/api.md, "API keys"). */
export const API_KEY_SCOPES = [
  "agents:read",
  "agents:write",
  "workspaces:read",
  "monitoring:read",
  "integrations:read",
  "integrations:write",
] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const WORKSPACE_ROLES = ["viewer", "editor", "admin", "owner"] as const;
export type WorkspaceRole = (typeof WORKSPACE_ROLES)[number];

const RANK: Record<WorkspaceRole, number> = { viewer: 0, editor: 1, admin: 2, owner: 3 };

/** True when `role` has at least the rights of `required` (the architecture's role table is cumulative). */
export function roleAtLeast(role: WorkspaceRole, required: WorkspaceRole): boolean {
  return RANK[role] >= RANK[required];
}

/** Who may create an account once the server is claimed (docs/security.md, "Signup modes"). */
export const SIGNUP_MODES = ["open", "invite", "closed"] as const;
export type SignupMode = (typeof SIGNUP_MODES)[number];

/**
 * What a route needs, declared where the route is registered:
 * - `public`: anyone;
 * - `session`: a signed-in user (cookie), never an API key;
 * - `authenticated`: a signed-in user or an API key;
 * - `platformAdmin`: a signed-in platform admin;
 * - `workspace`: a member of the workspace in `:id` with at least `role`. API keys are accepted only
 *   when the route names a `scope` the key holds, the key belongs to that workspace and its creator
 *   still holds the role; `sessionOnly` routes refuse keys outright (keys never manage keys, members
 *   or the workspace itself);
 * - `agent`: the same rules, for the workspace that owns the agent in `:agentId`.
 */
export type Requirement =
  | { kind: "public" }
  | { kind: "session" }
  | { kind: "authenticated" }
  | { kind: "platformAdmin" }
  | { kind: "workspace"; role: WorkspaceRole; scope?: ApiKeyScope; sessionOnly?: boolean }
  | { kind: "agent"; role: WorkspaceRole; scope?: ApiKeyScope; sessionOnly?: boolean };
